/** The geometry of a horizontal bar chart, worked out here so that the template (macros/bar-chart.njk) only draws it. */

export interface BarDatum {
  label: string;
  /** Whole numbers only (counts, points, pence): bars are scaled in integer arithmetic. */
  value: number | bigint;
  /** The value as written beside the bar and in the description, e.g. "£1,250.00"; the number by default. */
  valueText?: string;
  /** Drawn with a hatched pattern and named in the description, so that it is not told by colour alone. */
  marked?: boolean;
}

export interface Bar {
  label: string;
  /** The label as drawn: long labels are shortened, the data table beside the chart has them whole. */
  shortLabel: string;
  value: number | bigint;
  valueText: string;
  marked: boolean;
  y: number;
  width: number;
  textY: number;
  valueX: number;
}

export interface BarChart {
  width: number;
  height: number;
  labelWidth: number;
  barHeight: number;
  bars: Bar[];
  /** What a marked bar means ("funded"), written after its value; null when nothing is marked. */
  markedText: string | null;
  /** A sentence with every value, for the SVG's <desc>. */
  description: string;
}

export interface BarChartOptions {
  /** Room to the right of the longest bar for its value; wider for money. */
  valueSpace?: number;
  /** What a marked bar means, e.g. "funded". */
  markedText?: string;
}

const WIDTH = 480;
const LABEL_WIDTH = 170;
const VALUE_SPACE = 50;
const ROW = 36;
const BAR = 24;
const MAX_LABEL = 20;

export function barChart(data: BarDatum[], unit: [string, string], options: BarChartOptions = {}): BarChart {
  const valueSpace = options.valueSpace ?? VALUE_SPACE;
  const width = WIDTH + Math.max(0, valueSpace - VALUE_SPACE);
  const area = BigInt(WIDTH - LABEL_WIDTH - VALUE_SPACE);
  const values = data.map((d) => BigInt(d.value));
  let max = 1n;
  for (const v of values) if (v > max) max = v;
  const markedText = data.some((d) => d.marked) ? (options.markedText ?? 'marked') : null;
  const text = (d: BarDatum) => d.valueText ?? String(d.value);
  const bars = data.map((d, i) => {
    const v = values[i]!;
    // Rounded to the nearest whole unit, half up, without leaving integers.
    const barWidth = v <= 0n ? 0 : Math.max(2, Number((v * area * 2n + max) / (2n * max)));
    const drawn = text(d);
    return {
      label: d.label,
      shortLabel: d.label.length > MAX_LABEL ? `${d.label.slice(0, MAX_LABEL - 1)}…` : d.label,
      value: d.value,
      valueText: d.marked && markedText ? `${drawn} (${markedText})` : drawn,
      marked: d.marked === true,
      y: i * ROW + (ROW - BAR) / 2,
      width: barWidth,
      textY: i * ROW + ROW / 2,
      valueX: LABEL_WIDTH + barWidth + 8,
    };
  });
  const described = (d: BarDatum, v: bigint) =>
    `${d.label}: ${d.valueText ?? `${d.value} ${v === 1n ? unit[0] : unit[1]}`}${d.marked && markedText ? ` (${markedText})` : ''}`;
  const description = data.length
    ? `${data.map((d, i) => described(d, values[i]!)).join('; ')}.`
    : `No ${unit[1]} yet.`;
  return {
    width,
    height: Math.max(ROW, data.length * ROW),
    labelWidth: LABEL_WIDTH,
    barHeight: BAR,
    bars,
    markedText,
    description,
  };
}

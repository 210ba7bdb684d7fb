/** The geometry of a horizontal bar chart, worked out here so that the template only draws it. */

export interface Bar {
  label: string;
  /** The label as drawn: long labels are shortened, the data table beside the chart has them whole. */
  shortLabel: string;
  value: number;
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
  /** A sentence with every value, for the SVG's <desc>. */
  description: string;
}

const WIDTH = 480;
const LABEL_WIDTH = 170;
const VALUE_SPACE = 50;
const ROW = 36;
const BAR = 24;
const MAX_LABEL = 20;

export function barChart(data: { label: string; value: number }[], unit: [string, string]): BarChart {
  const max = Math.max(1, ...data.map((d) => d.value));
  const area = WIDTH - LABEL_WIDTH - VALUE_SPACE;
  const bars = data.map((d, i) => {
    const width = d.value === 0 ? 0 : Math.max(2, Math.round((d.value / max) * area));
    return {
      label: d.label,
      shortLabel: d.label.length > MAX_LABEL ? `${d.label.slice(0, MAX_LABEL - 1)}…` : d.label,
      value: d.value,
      y: i * ROW + (ROW - BAR) / 2,
      width,
      textY: i * ROW + ROW / 2,
      valueX: LABEL_WIDTH + width + 8,
    };
  });
  const description = data.length
    ? `${data.map((d) => `${d.label}: ${d.value} ${d.value === 1 ? unit[0] : unit[1]}`).join('; ')}.`
    : `No ${unit[1]} yet.`;
  return {
    width: WIDTH,
    height: Math.max(ROW, data.length * ROW),
    labelWidth: LABEL_WIDTH,
    barHeight: BAR,
    bars,
    description,
  };
}

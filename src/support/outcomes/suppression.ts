/**
 * Small-number suppression for the shared-measurement dashboard, so that no count about children can single
 * one out.
 *
 * The rule, in two steps:
 *
 * 1. Primary: every count under 5 (0 to 4) is suppressed, totals included, and shown as "fewer than 5".
 *    Zeros are suppressed too: "nobody in this group" is itself a disclosure about everyone in it.
 * 2. Secondary: a published total must not give a suppressed count back by subtraction. Every row with a row
 *    total, every column with a column total, and the row and column of totals themselves form a "line":
 *    its cells plus its total. A line is safe when none of its members is suppressed, or when at least two
 *    are and, if the total is published, the suppressed members do not add up to 0 (two suppressed zeros
 *    under a published total would be known to be zeros). While a line is not safe, its smallest published
 *    member is suppressed too (cells before the total on a tie, then the first); lines are checked again until
 *    every line is safe. Suppression only ever grows, so this ends.
 *
 * Counts without a total (for example, children with a baseline, and of them those who improved) are
 * nested rather than added up, so only the primary rule applies to them. This is the rule used for small
 * tables in official statistics; it is not a full linear-programming audit of every table at once, which
 * these small tables (a handful of organisations by six states) do not need.
 */
export const SUPPRESSION_THRESHOLD = 5;

/** A count as published: the number, or null when it is suppressed. */
export type Published = number | null;

export function primarySuppressed(value: number): boolean {
  return value < SUPPRESSION_THRESHOLD;
}

export interface SuppressedTable {
  cells: Published[][];
  rowTotals: Published[] | null;
  columnTotals: Published[] | null;
  grandTotal: Published;
}

interface Member {
  r: number;
  c: number;
  isTotal: boolean;
}

/**
 * Suppresses a table of counts (rows × columns), with row totals, column totals, or both (then a grand
 * total as well), following the rule above.
 */
export function suppressTable(
  cells: readonly (readonly number[])[],
  options: { rowTotals: boolean; columnTotals: boolean },
): SuppressedTable {
  const rows = cells.length;
  const columns = rows === 0 ? 0 : cells[0]!.length;
  // A full grid: the last column holds row totals, the last row column totals.
  const value: number[][] = [];
  for (let r = 0; r <= rows; r++) {
    value.push([]);
    for (let c = 0; c <= columns; c++) {
      if (r < rows && c < columns) value[r]!.push(cells[r]![c]!);
      else if (r < rows) value[r]!.push(cells[r]!.reduce((a, b) => a + b, 0));
      else if (c < columns) value[r]!.push(cells.reduce((a, row) => a + row[c]!, 0));
      else value[r]!.push(cells.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0));
    }
  }
  const used = (r: number, c: number) =>
    (r < rows || options.columnTotals) &&
    (c < columns || options.rowTotals) &&
    (r < rows || c < columns || (options.rowTotals && options.columnTotals));
  const hidden = value.map((row, r) => row.map((v, c) => used(r, c) && primarySuppressed(v)));

  const lines: Member[][] = [];
  const line = (members: Member[]) => {
    if (members.length > 1) lines.push(members);
  };
  if (options.rowTotals) {
    for (let r = 0; r < rows; r++)
      line([
        ...Array.from({ length: columns }, (_, c) => ({ r, c, isTotal: false })),
        { r, c: columns, isTotal: true },
      ]);
    if (options.columnTotals)
      line([
        ...Array.from({ length: rows }, (_, r) => ({ r, c: columns, isTotal: false })),
        { r: rows, c: columns, isTotal: true },
      ]);
  }
  if (options.columnTotals) {
    for (let c = 0; c < columns; c++)
      line([
        ...Array.from({ length: rows }, (_, r) => ({ r, c, isTotal: false })),
        { r: rows, c, isTotal: true },
      ]);
    if (options.rowTotals)
      line([
        ...Array.from({ length: columns }, (_, c) => ({ r: rows, c, isTotal: false })),
        { r: rows, c: columns, isTotal: true },
      ]);
  }

  let changed = true;
  while (changed) {
    changed = false;
    for (const members of lines) {
      if (lineSafe(members, value, hidden)) continue;
      const open = members.filter((m) => !hidden[m.r]![m.c]);
      if (open.length === 0) continue;
      let pick = open[0]!;
      for (const m of open) {
        const better =
          value[m.r]![m.c]! < value[pick.r]![pick.c]! ||
          (value[m.r]![m.c]! === value[pick.r]![pick.c]! && pick.isTotal && !m.isTotal);
        if (better) pick = m;
      }
      hidden[pick.r]![pick.c] = true;
      changed = true;
    }
  }

  const publish = (r: number, c: number): Published => (hidden[r]![c] ? null : value[r]![c]!);
  return {
    cells: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => publish(r, c))),
    rowTotals: options.rowTotals ? Array.from({ length: rows }, (_, r) => publish(r, columns)) : null,
    columnTotals: options.columnTotals ? Array.from({ length: columns }, (_, c) => publish(rows, c)) : null,
    grandTotal: options.rowTotals && options.columnTotals ? publish(rows, columns) : null,
  };
}

function lineSafe(members: readonly Member[], value: number[][], hidden: boolean[][]): boolean {
  const suppressed = members.filter((m) => hidden[m.r]![m.c]);
  if (suppressed.length === 0) return true;
  if (suppressed.length === 1) return false;
  const total = members[members.length - 1]!;
  if (hidden[total.r]![total.c]) return true;
  return suppressed.reduce((sum, m) => sum + value[m.r]![m.c]!, 0) > 0;
}

/** Primary suppression only, for counts that are not added up to a published total. */
export function suppressCount(value: number): Published {
  return primarySuppressed(value) ? null : value;
}

export const SUPPRESSED_TEXT = 'fewer than 5';

export function publishedText(value: Published): string {
  return value === null ? SUPPRESSED_TEXT : String(value);
}

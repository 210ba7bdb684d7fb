/**
 * Small-number suppression for published counts: no count of 0–4 people is ever shown, and no hidden
 * count can be worked out from the others and the total.
 *
 * A group is a set of counts that add up to a total that is published (e.g. the people taking part,
 * split by age band). The rule, applied to each group:
 *   1. Primary: every count of 0–4 is hidden and shown as "fewer than 5".
 *   2. Secondary: while some hidden count could still be worked out exactly — from the total minus the
 *      shown counts, knowing that each "fewer than 5" is 0–4 and each withheld count is at least 5 and no
 *      larger than the smallest shown count — the smallest shown count is withheld too (first one on ties).
 *   3. If that would leave no count shown, every count of the group is withheld with no hint of its size.
 * A count stands alone (not part of a group) through `smallCount`.
 */
export const THRESHOLD = 5;

export type Cell =
  | { kind: 'shown'; value: number }
  /** 0–4. */
  | { kind: 'small' }
  /** Hidden so that a small count beside it cannot be worked out. */
  | { kind: 'withheld' };

export const SMALL_TEXT = 'fewer than 5';
export const WITHHELD_TEXT = 'not shown';

/** A count on its own: the number, or "fewer than 5". */
export function smallCount(value: number): Cell {
  return value < THRESHOLD ? { kind: 'small' } : { kind: 'shown', value };
}

export function cellText(cell: Cell): string {
  if (cell.kind === 'shown') return String(cell.value);
  return cell.kind === 'small' ? SMALL_TEXT : WITHHELD_TEXT;
}

/**
 * True when every hidden count can take at least two values given what is published: the hidden ones
 * add up to `hiddenTotal`, each lies between its bounds, and the bounds with one equation give an
 * interval for each.
 */
function ambiguous(bounds: { low: number; high: number }[], hiddenTotal: number): boolean {
  if (bounds.length < 2) return false;
  const lows = bounds.reduce((s, b) => s + b.low, 0);
  const highs = bounds.reduce((s, b) => s + b.high, 0);
  return bounds.every((b) => {
    const low = Math.max(b.low, hiddenTotal - (highs - b.high));
    const high = Math.min(b.high, hiddenTotal - (lows - b.low));
    return high - low >= 1;
  });
}

/**
 * The published form of a group of counts whose total is published. Counts listed in `keep` are never
 * withheld to protect others (a denominator the page needs); if nothing else will do, every other count
 * of the group is withheld instead.
 */
export function suppressGroup(counts: readonly number[], options: { keep?: readonly number[] } = {}): Cell[] {
  const keep = new Set(options.keep ?? []);
  for (const c of counts) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`Not a count: ${c}`);
  }
  const small = counts.map((c) => c < THRESHOLD);
  if (!small.some(Boolean)) return counts.map((value) => ({ kind: 'shown', value }));
  const withheld = counts.map(() => false);
  for (;;) {
    const shown = counts.flatMap((_c, i) => (!small[i] && !withheld[i] ? [i] : []));
    const hiddenTotal = counts.reduce((s, c, i) => (small[i] || withheld[i] ? s + c : s), 0);
    // A withheld count was the smallest shown one when it was taken, and ties go to the first: so it is
    // at most each shown count after it, and less than each shown count before it.
    const ceiling = (i: number) =>
      shown.reduce(
        (m, j) => (keep.has(j) ? m : Math.min(m, j < i ? counts[j]! - 1 : counts[j]!)),
        hiddenTotal,
      );
    const bounds = counts.flatMap((_, i) =>
      small[i]
        ? [{ low: 0, high: THRESHOLD - 1 }]
        : withheld[i]
          ? [{ low: THRESHOLD, high: ceiling(i) }]
          : [],
    );
    if (ambiguous(bounds, hiddenTotal)) break;
    let next = -1;
    counts.forEach((c, i) => {
      if (!small[i] && !withheld[i] && !keep.has(i) && (next < 0 || c < counts[next]!)) next = i;
    });
    // Withholding the last shown count would tell an onlooker that nothing less worked, which
    // narrows what the hidden counts can be; so the whole group goes instead (but what must be kept).
    if (next < 0 || shown.length <= 1) {
      return counts.map((value, i): Cell => (keep.has(i) ? smallCount(value) : { kind: 'withheld' }));
    }
    withheld[next] = true;
  }
  return counts.map((value, i) =>
    small[i] ? { kind: 'small' } : withheld[i] ? { kind: 'withheld' } : { kind: 'shown', value },
  );
}

import type { ResultStatus } from './decisions.table.ts';

/** What the roll-up needs of each result of a place. */
export interface RollupNode {
  id: string;
  parentId: string | null;
  /** The result's own progress, 0–100; used as it is for a result without children. */
  progress: number;
  /** Money budgeted in minor units (pence), or null when not given. */
  budgeted: bigint | null;
  status: ResultStatus;
}

/**
 * The progress of every result, with parents rolled up from their children, recursively:
 * - dropped children do not count (dropped work is neither done nor still to do);
 * - when every counted child has money budgeted above zero, the mean is weighted by that money,
 *   otherwise it is the plain mean (a partial weighting would favour whichever children happen to be
 *   costed);
 * - a result whose children are all dropped, or that has none, keeps its own progress.
 * Figures are exact fractions until the end and rounded to whole percentages once, so rounding never
 * compounds through levels. A cycle (which the service prevents) is cut by using the result's own progress.
 */
export function rollUp(nodes: readonly RollupNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, RollupNode[]>();
  for (const n of nodes) {
    if (n.parentId === null || !byId.has(n.parentId)) continue;
    const list = children.get(n.parentId);
    if (list) list.push(n);
    else children.set(n.parentId, [n]);
  }
  const exact = new Map<string, number>();
  const visiting = new Set<string>();

  function progressOf(node: RollupNode): number {
    const known = exact.get(node.id);
    if (known !== undefined) return known;
    if (visiting.has(node.id)) return node.progress;
    visiting.add(node.id);
    const counted = (children.get(node.id) ?? []).filter((c) => c.status !== 'dropped');
    let value = node.progress;
    if (counted.length > 0) {
      const values = counted.map(progressOf);
      const weighted = counted.every((c) => c.budgeted !== null && c.budgeted > 0n);
      if (weighted) {
        const total = counted.reduce((sum, c) => sum + Number(c.budgeted), 0);
        value = counted.reduce((sum, c, i) => sum + Number(c.budgeted) * values[i]!, 0) / total;
      } else {
        value = values.reduce((a, b) => a + b, 0) / values.length;
      }
    }
    visiting.delete(node.id);
    exact.set(node.id, value);
    return value;
  }

  const rounded = new Map<string, number>();
  for (const n of nodes) rounded.set(n.id, Math.round(progressOf(n)));
  return rounded;
}

/** Whether making `parentId` the parent of `id` would put a result inside itself. */
export function wouldCycle(
  nodes: readonly Pick<RollupNode, 'id' | 'parentId'>[],
  id: string,
  parentId: string,
): boolean {
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  let at: string | null | undefined = parentId;
  const seen = new Set<string>();
  while (at) {
    if (at === id) return true;
    if (seen.has(at)) return true;
    seen.add(at);
    at = parentOf.get(at);
  }
  return false;
}

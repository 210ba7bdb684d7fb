import { commonDenominator, type Rational } from './rational.ts';

export interface CountingProject {
  readonly id: string;
  readonly cost: Rational;
}

/**
 * One voter's ballot as the rules see it: the projects they support and, for point-based rules, the points
 * given to each (parallel to `projects`). Approval rules ignore `points`.
 */
export interface CountingBallot {
  readonly projects: readonly string[];
  readonly points?: readonly bigint[] | null;
}

export interface CountingInput {
  readonly budget: Rational;
  readonly projects: readonly CountingProject[];
  /** One per voter, empty ballots included, because n counts every voter. */
  readonly ballots: readonly CountingBallot[];
}

/**
 * The input reshaped for counting: projects by index, money in whole units of 1/scale so that the hot
 * loops compare bigints, and identical ballots merged, since voters with the same ballot always hold the
 * same budget under Equal Shares.
 */
export interface Profile {
  readonly ids: readonly string[];
  /** Costs times `scale`, exact integers. */
  readonly costs: readonly bigint[];
  readonly budget: bigint;
  readonly scale: bigint;
  readonly voters: bigint;
  /** Approval count per project (supporters with a positive entry), the tie-break's second key. */
  readonly votes: readonly number[];
  /** Position of each project in the tie-break order: lower cost, more votes, then id. */
  readonly rank: readonly number[];
  readonly groups: readonly BallotGroup[];
  /** Per project, the groups supporting it and each group's per-voter weight (points, or 1). */
  readonly supporters: readonly Supporters[];
}

export interface BallotGroup {
  readonly count: bigint;
  readonly projects: readonly number[];
}

export interface Supporters {
  readonly groups: Int32Array;
  readonly weights: readonly bigint[];
}

export class CountingInputError extends Error {
  override name = 'CountingInputError';
}

/** Code-unit order, which is Python's code-point order for the ids pabulib uses. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildProfile(input: CountingInput, usePoints: boolean): Profile {
  const ids = input.projects.map((p) => p.id);
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (index.has(id)) throw new CountingInputError(`Project "${id}" is listed twice`);
    index.set(id, i);
  });
  const scale = commonDenominator([input.budget, ...input.projects.map((p) => p.cost)]);
  const costs = input.projects.map((p) => {
    if (p.cost.num < 0n) throw new CountingInputError(`Project "${p.id}" has a negative cost`);
    return (p.cost.num * scale) / p.cost.den;
  });
  const budget = (input.budget.num * scale) / input.budget.den;

  const votes = new Array<number>(ids.length).fill(0);
  const merged = new Map<string, { count: bigint; projects: number[]; weights: bigint[] }>();
  for (const ballot of input.ballots) {
    const projects: number[] = [];
    const weights: bigint[] = [];
    const named = new Set<number>();
    ballot.projects.forEach((id, k) => {
      const p = index.get(id);
      if (p === undefined) throw new CountingInputError(`A ballot names unknown project "${id}"`);
      if (named.has(p)) throw new CountingInputError(`A ballot names project "${id}" twice`);
      named.add(p);
      const w = usePoints ? ballot.points?.[k] : 1n;
      if (w === undefined) throw new CountingInputError(`A ballot lacks points for project "${id}"`);
      if (w <= 0n) return;
      projects.push(p);
      weights.push(w);
    });
    const order = projects.map((_, k) => k).sort((a, b) => projects[a]! - projects[b]!);
    const key = order.map((k) => `${projects[k]}:${weights[k]}`).join(',');
    const existing = merged.get(key);
    if (existing) existing.count += 1n;
    else {
      merged.set(key, {
        count: 1n,
        projects: order.map((k) => projects[k]!),
        weights: order.map((k) => weights[k]!),
      });
    }
  }

  const supportLists = ids.map(() => ({ groups: [] as number[], weights: [] as bigint[] }));
  const groups: BallotGroup[] = [];
  for (const g of merged.values()) {
    const gi = groups.length;
    groups.push({ count: g.count, projects: g.projects });
    g.projects.forEach((p, k) => {
      supportLists[p]!.groups.push(gi);
      supportLists[p]!.weights.push(g.weights[k]!);
      votes[p]! += Number(g.count);
    });
  }

  const byTieOrder = ids.map((_, i) => i);
  byTieOrder.sort((a, b) => {
    const ca = costs[a]!;
    const cb = costs[b]!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (votes[a] !== votes[b]) return votes[b]! - votes[a]!;
    return compareIds(ids[a]!, ids[b]!);
  });
  const rank = new Array<number>(ids.length);
  byTieOrder.forEach((p, r) => {
    rank[p] = r;
  });

  return {
    ids,
    costs,
    budget,
    scale,
    voters: BigInt(input.ballots.length),
    votes,
    rank,
    groups,
    supporters: supportLists.map((s) => ({ groups: Int32Array.from(s.groups), weights: s.weights })),
  };
}

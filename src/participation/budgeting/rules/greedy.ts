import { buildProfile, type CountingInput, decidingKey, type Profile, type TieRecord } from './profile.ts';
import { type Rational, rational } from './rational.ts';

export interface GreedyStep {
  readonly projectId: string;
  readonly cost: Rational;
  /** What the order was sorted by: approvals for greedy by votes, total points for greedy by points. */
  readonly score: bigint;
  readonly funded: boolean;
  /** Money committed after this step. */
  readonly spent: Rational;
}

export interface GreedyResult {
  /** Funded project ids in the order they were funded. */
  readonly winners: readonly string[];
  /** Every project in the order considered, funded or skipped, for a results page. */
  readonly steps: readonly GreedyStep[];
  /** Index in `steps` of the first project that did not fit (where the funding line falls), or null. */
  readonly firstSkipped: number | null;
  readonly spent: Rational;
  /**
   * Every step at which two or more projects still to be considered had the same score, so the tie-break
   * order decided which came first. A run of k equal scores gives k − 1 ties, each one smaller.
   */
  readonly ties: readonly TieRecord[];
}

function runGreedy(
  profile: Profile,
  scores: readonly bigint[],
  alreadyFunded: ReadonlySet<number>,
): GreedyResult {
  const order = profile.ids.map((_, i) => i).filter((p) => !alreadyFunded.has(p));
  order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa !== sb) return sa > sb ? -1 : 1;
    return profile.rank[a]! - profile.rank[b]!;
  });
  let spent = 0n;
  for (const p of alreadyFunded) spent += profile.costs[p]!;
  const winners: string[] = [];
  const steps: GreedyStep[] = [];
  let firstSkipped: number | null = null;
  const ties: TieRecord[] = [];
  for (const [i, p] of order.entries()) {
    let end = i + 1;
    while (end < order.length && scores[order[end]!] === scores[p]) end++;
    if (end - i > 1) {
      const tied = order.slice(i, end);
      ties.push({
        step: i + 1,
        tied: tied.map((q) => profile.ids[q]!),
        chosen: profile.ids[p]!,
        decidedBy: decidingKey(profile, p, tied),
      });
    }
    const cost = profile.costs[p]!;
    // Skip what does not fit and carry on: cheaper projects further down may still fit.
    const funded = spent + cost <= profile.budget;
    if (funded) {
      spent += cost;
      winners.push(profile.ids[p]!);
    } else if (firstSkipped === null) {
      firstSkipped = steps.length;
    }
    steps.push({
      projectId: profile.ids[p]!,
      cost: rational(cost, profile.scale),
      score: scores[p]!,
      funded,
      spent: rational(spent, profile.scale),
    });
  }
  return { winners, steps, firstSkipped, spent: rational(spent, profile.scale), ties };
}

/** Each project's total points: the score greedy by points sorts on. */
export function pointTotals(profile: Profile): bigint[] {
  const totals = profile.ids.map(() => 0n);
  profile.supporters.forEach((s, p) => {
    s.groups.forEach((g, k) => {
      totals[p]! += profile.groups[g]!.count * s.weights[k]!;
    });
  });
  return totals;
}

/** Greedy on a profile that is already built: by votes, or by total points when `byPoints`. */
export function greedyOnProfile(profile: Profile, byPoints: boolean): GreedyResult {
  return runGreedy(profile, byPoints ? pointTotals(profile) : profile.votes.map((v) => BigInt(v)), new Set());
}

/** Greedy by approval count, ties by the shared order (lower cost, more votes, id), skipping what does not fit. */
export function greedyByVotes(input: CountingInput): GreedyResult {
  const profile = buildProfile(input, false);
  return runGreedy(
    profile,
    profile.votes.map((v) => BigInt(v)),
    new Set(),
  );
}

/** Greedy by total points, for cumulative ballots. */
export function greedyByPoints(input: CountingInput): GreedyResult {
  return greedyOnProfile(buildProfile(input, true), true);
}

/**
 * Spends what another rule left over, greedily by votes, on projects it did not fund. Kept apart from
 * Equal Shares on purpose: a fill changes the outcome and must be reported as its own step.
 */
export function greedyFill(input: CountingInput, funded: readonly string[]): GreedyResult {
  const profile = buildProfile(input, false);
  const index = new Map(profile.ids.map((id, i) => [id, i]));
  const already = new Set(
    funded.map((id) => {
      const p = index.get(id);
      if (p === undefined) throw new Error(`Unknown funded project "${id}"`);
      return p;
    }),
  );
  return runGreedy(
    profile,
    profile.votes.map((v) => BigInt(v)),
    already,
  );
}

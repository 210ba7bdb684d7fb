import { buildProfile, type CountingInput, type Profile } from './profile.ts';
import { gcd, type Rational, rational } from './rational.ts';

/**
 * How much a supporter gains from a project: its cost (Equal Shares as equalshares.net runs it), one per
 * approved project, or the points the voter gave it.
 */
export type Utility = 'cost' | 'approval' | 'points';

export interface EqualSharesWinner {
  readonly projectId: string;
  readonly cost: Rational;
  /** The least ρ at which supporters could pay for it: what decided the order of selection. */
  readonly rho: Rational;
  /**
   * The most any one supporter paid; the others paid their whole remaining budget. Null for points, where
   * payments are ρ times each supporter's points.
   */
  readonly pricePerSupporter: Rational | null;
}

export interface EqualSharesResult {
  /** Winners in the order selected; zero-cost projects with supporters come first. */
  readonly winners: readonly EqualSharesWinner[];
  readonly spent: Rational;
  readonly budgetPerVoter: Rational;
}

export type CompletionVariant = 'exhaustive' | 'raise';

export interface CompletionResult extends EqualSharesResult {
  /** Number of Equal Shares runs performed, the overspending one included. */
  readonly iterations: number;
  readonly stoppedBecause: 'exhaustive' | 'next_infeasible' | 'all_supported_projects_selected';
}

interface RawPick {
  readonly project: number;
  /** Payment per unit of weight is t / (w · d) in money times scale. */
  readonly t: bigint;
  readonly w: bigint;
  readonly d: bigint;
}

interface RawRun {
  readonly picks: readonly RawPick[];
  readonly selected: Uint8Array;
  readonly spent: bigint;
}

interface Affordable {
  readonly t: bigint;
  readonly w: bigint;
}

/**
 * One run of Equal Shares with every voter starting on budgetNum / budgetDen (money times scale). Budgets
 * are numerators over one shared denominator d, so the inner loops add and compare integers and never
 * reduce fractions. When a payment grows d, a group's numerator is brought up to date only when the group
 * is next read, because most groups support none of the few projects looked at per round. Stops early once
 * more than `abortAbove` is spent, which only the completions ask for.
 */
function run(
  profile: Profile,
  utility: Utility,
  budgetNum: bigint,
  budgetDen: bigint,
  abortAbove: bigint | null,
): RawRun {
  const { groups, supporters, costs, rank } = profile;
  const m = costs.length;
  const budgets = new Array<bigint>(groups.length).fill(budgetNum);
  const counts = groups.map((g) => g.count);
  let d = budgetDen;
  // factorSince[e] turns a numerator written when epoch e began into one over the current d.
  const factorSince: bigint[] = [1n];
  const epochOf = new Int32Array(groups.length);
  let epoch = 0;
  const budgetOf = (g: number): bigint => {
    const e = epochOf[g]!;
    if (e === epoch) return budgets[g]!;
    epochOf[g] = epoch;
    const b = budgets[g]! * factorSince[e]!;
    budgets[g] = b;
    return b;
  };
  const selected = new Uint8Array(m);
  const picks: RawPick[] = [];
  let spent = 0n;

  if (utility !== 'cost') {
    const free = costs.map((_, p) => p).filter((p) => costs[p] === 0n && supporters[p]!.groups.length > 0);
    free.sort((a, b) => rank[a]! - rank[b]!);
    for (const p of free) {
      selected[p] = 1;
      picks.push({ project: p, t: 0n, w: 1n, d: 1n });
    }
  }

  const candidates = costs.map((_, p) => p).filter((p) => costs[p]! > 0n && supporters[p]!.groups.length > 0);
  // ρ only grows as budgets shrink, so the last ρ computed for a project bounds every later one from below.
  const lbNum = new Array<bigint>(m).fill(0n);
  const lbDen = new Array<bigint>(m).fill(1n);

  // A project's supporters and their weights never change, so the first ρ to try is known in advance.
  const fullWeight = supporters.map((s) => {
    let w = 0n;
    for (let k = 0; k < s.groups.length; k++) w += counts[s.groups[k]!]! * s.weights[k]!;
    return w;
  });

  const evaluate = (p: number): Affordable | null => {
    const s = supporters[p]!;
    const members = s.groups;
    const weights = s.weights;
    const cd = costs[p]! * d;
    const len = members.length;
    const poor = new Uint8Array(len);
    const w0 = fullWeight[p]!;
    let total = 0n;
    let poorSum = 0n;
    let restW = w0;
    // The affordability sum and the first pass, at ρ = c / (all weight), share one scan.
    for (let k = 0; k < len; k++) {
      const g = members[k]!;
      const b = budgetOf(g);
      const count = counts[g]!;
      const wk = weights[k]!;
      const held = count === 1n ? b : count * b;
      total += held;
      if (b * w0 < (wk === 1n ? cd : cd * wk)) {
        poor[k] = 1;
        poorSum += held;
        restW -= count * wk;
      }
    }
    if (total < cd) return null;
    for (;;) {
      // Anyone too poor at this ρ is too poor at the final, larger ρ, so a whole pass may use one ρ.
      const t = cd - poorSum;
      const w = restW;
      // Nobody too poor: the first ρ is the answer. (A supporter with nothing left is too poor while adding
      // nothing to poorSum, so the test must be on weight, not on money.)
      if (restW === w0) return { t, w };
      let changed = false;
      for (let k = 0; k < len; k++) {
        if (poor[k]) continue;
        const g = members[k]!;
        const b = budgetOf(g);
        const wk = weights[k]!;
        if (b * w < (wk === 1n ? t : t * wk)) {
          poor[k] = 1;
          const count = counts[g]!;
          poorSum += count === 1n ? b : count * b;
          restW -= count * wk;
          changed = true;
        }
      }
      if (!changed) return { t, w };
    }
  };

  const pay = (p: number, t: bigint, w: bigint): void => {
    const g0 = gcd(w, t % w);
    const f = w / g0;
    const tf = t / g0;
    if (f !== 1n) {
      for (let e = 0; e <= epoch; e++) factorSince[e]! *= f;
      factorSince.push(1n);
      epoch++;
      d *= f;
    }
    const s = supporters[p]!;
    for (let k = 0; k < s.groups.length; k++) {
      const g = s.groups[k]!;
      const b = budgetOf(g);
      const due = tf * s.weights[k]!;
      budgets[g] = b <= due ? 0n : b - due;
    }
  };

  // A binary heap on (lower bound, tie order). A project on top whose bound was computed this round has its
  // exact ρ, and no other project can beat it, so only projects that reach the top are re-evaluated.
  const before = (a: number, b: number): boolean => {
    const l = lbNum[a]! * lbDen[b]!;
    const r = lbNum[b]! * lbDen[a]!;
    return l < r || (l === r && rank[a]! < rank[b]!);
  };
  const heap: number[] = [];
  const push = (p: number): void => {
    let i = heap.push(p) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(p, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = p;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[c]!, last)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  for (const p of candidates) push(p);
  const lastT = new Array<bigint>(m).fill(0n);
  const lastW = new Array<bigint>(m).fill(0n);
  const evaluatedIn = new Int32Array(m).fill(-1);

  for (let round = 0; heap.length > 0 && (abortAbove === null || spent <= abortAbove); round++) {
    let best = -1;
    while (heap.length > 0) {
      const top = pop();
      if (evaluatedIn[top] === round) {
        best = top;
        break;
      }
      const a = evaluate(top);
      // Unaffordable now means unaffordable for good, since budgets only shrink.
      if (a === null) continue;
      lbNum[top] = a.t;
      lbDen[top] = utility === 'cost' ? a.w * d * costs[top]! : a.w * d;
      lastT[top] = a.t;
      lastW[top] = a.w;
      evaluatedIn[top] = round;
      push(top);
    }
    if (best < 0) break;
    picks.push({ project: best, t: lastT[best]!, w: lastW[best]!, d });
    pay(best, lastT[best]!, lastW[best]!);
    selected[best] = 1;
    spent += costs[best]!;
  }
  return { picks, selected, spent };
}

function result(
  profile: Profile,
  utility: Utility,
  raw: RawRun,
  budgetPerVoter: Rational,
): EqualSharesResult {
  const { scale } = profile;
  return {
    winners: raw.picks.map(({ project, t, w, d }) => {
      const cost = profile.costs[project]!;
      const price = rational(t, w * d * scale);
      return {
        projectId: profile.ids[project]!,
        cost: rational(cost, scale),
        rho: utility === 'cost' ? rational(t, w * d * cost) : price,
        pricePerSupporter: utility === 'points' ? null : price,
      };
    }),
    spent: rational(raw.spent, scale),
    budgetPerVoter,
  };
}

function voterCount(profile: Profile): bigint {
  if (profile.voters === 0n) throw new Error('Equal Shares needs at least one voter');
  return profile.voters;
}

/**
 * The Method of Equal Shares with every voter's budget B/n, or `budgetPerVoter` when given. Ties in ρ go to
 * the lower cost, then more votes, then the lower id.
 */
export function equalShares(
  input: CountingInput,
  options: { readonly utility: Utility; readonly budgetPerVoter?: Rational },
): EqualSharesResult {
  const profile = buildProfile(input, options.utility === 'points');
  const n = voterCount(profile);
  const b = options.budgetPerVoter ?? rational(input.budget.num, input.budget.den * n);
  const raw = run(profile, options.utility, b.num * profile.scale, b.den, null);
  return result(profile, options.utility, raw, b);
}

/**
 * Equal Shares completed by adding one unit of currency to every voter's budget per round (B/n, B/n + 1, …).
 * 'exhaustive' stops at the first outcome to which no supported project can be added within the budget
 * (equalshares.net's completion). 'raise' ignores exhaustiveness and keeps raising while the outcome still
 * fits, which is what Wieliczka 2023 did. Both return the last outcome before one that overspends.
 */
export function equalSharesAddOne(
  input: CountingInput,
  options: { readonly utility: Utility; readonly variant: CompletionVariant },
): CompletionResult {
  const profile = buildProfile(input, options.utility === 'points');
  const n = voterCount(profile);
  const { budget, scale, costs, supporters } = profile;
  const supported = costs.map((_, p) => p).filter((p) => costs[p]! > 0n && supporters[p]!.groups.length > 0);
  const perVoter = (k: bigint): Rational => rational(budget + k * n * scale, n * scale);

  let previous: RawRun | null = null;
  let iterations = 0;
  for (let k = 0n; ; k++) {
    const raw = run(profile, options.utility, budget + k * n * scale, n, budget);
    iterations++;
    const finish = (chosen: RawRun, at: bigint, stoppedBecause: CompletionResult['stoppedBecause']) => ({
      ...result(profile, options.utility, chosen, perVoter(at)),
      iterations,
      stoppedBecause,
    });
    if (raw.spent > budget) {
      if (previous === null) throw new Error('Equal Shares overspent at B/n, which cannot happen');
      return finish(previous, k - 1n, 'next_infeasible');
    }
    if (options.variant === 'exhaustive') {
      const room = budget - raw.spent;
      if (!supported.some((p) => !raw.selected[p] && costs[p]! <= room)) return finish(raw, k, 'exhaustive');
    }
    if (supported.every((p) => raw.selected[p])) return finish(raw, k, 'all_supported_projects_selected');
    previous = raw;
  }
}

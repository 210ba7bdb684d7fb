import {
  buildProfile,
  type CountingInput,
  decidingKey,
  headcounts,
  headsPerProject,
  type Profile,
  type TieRecord,
} from './profile.ts';
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
  /** The most any one supporter actually paid, for every utility (for points: the largest min(b_i, ρ·points_i)). */
  readonly highestPayment: Rational;
}

export interface EqualSharesResult {
  /** Winners in the order selected; zero-cost projects with supporters come first. */
  readonly winners: readonly EqualSharesWinner[];
  readonly spent: Rational;
  readonly budgetPerVoter: Rational;
  /** Every tie resolved while selecting these winners, in order. */
  readonly ties: readonly TieRecord[];
}

export type { TieRecord } from './profile.ts';

export type CompletionVariant = 'exhaustive' | 'raise';

export interface CompletionResult extends EqualSharesResult {
  /** Number of Equal Shares runs performed, the overspending one included. */
  readonly iterations: number;
  readonly stoppedBecause: 'exhaustive' | 'next_infeasible' | 'all_supported_projects_selected';
  /**
   * With the tieCensus option: how many different ties (same tied set, same winner) arose over all the
   * runs of the scan. Without it, runs that cannot end the scan are cut short and this is undefined.
   */
  readonly tiesInAnyRun?: number;
}

interface RawPick {
  readonly project: number;
  /** Payment per unit of weight is t / (w · d) in money times scale. */
  readonly t: bigint;
  readonly w: bigint;
  readonly d: bigint;
  /** The largest payment any supporter made, over mostDen (the d that paying for it may have grown). */
  readonly most: bigint;
  readonly mostDen: bigint;
}

interface RawTie {
  readonly step: number;
  /** In tie-break order; the first was chosen. */
  readonly tied: readonly number[];
}

interface RawRun {
  readonly picks: readonly RawPick[];
  readonly selected: Uint8Array;
  readonly spent: bigint;
  readonly ties: readonly RawTie[];
  /** With `until`: whether that project was selected before the run stopped. */
  readonly reached: boolean;
  /** With `cutShort`: the run stopped once it was clear its outcome could not end a completion. */
  readonly cutShort: boolean;
}

interface RunOptions {
  /** Stop as soon as more than this is spent (the completions only need to know that it happened). */
  readonly abortAbove?: bigint | null;
  /** Stop as soon as this project is selected, or is found unaffordable, which is final. */
  readonly until?: number;
  /**
   * For the completions: stop as soon as the outcome is bound to be neither over budget, nor complete,
   * nor (for 'exhaustive') exhaustive, since such an outcome only tells the completion to go on. That is
   * certain once what is spent plus the cost of every project still in the running leaves room within the
   * budget for a project that has dropped out (or, for 'raise', once anything has dropped out at all).
   */
  readonly cutShort?: CompletionVariant;
  /** Shown the state at each selection, before anyone pays, and once more when nothing is affordable. */
  readonly observe?: (round: RoundView) => void;
  /**
   * Told what each voter of a ballot group supporting `project` paid for it: `paid` over `den` (money times
   * scale), as the count charged it. Only for equalSharesPayments: a count does not keep payments.
   */
  readonly onPay?: (project: number, group: number, paid: bigint, den: bigint) => void;
}

/**
 * A look at one moment of a run, in floating point and for estimates only: what it reports never decides
 * anything in a count. Money is in units of 1/scale.
 */
export interface RoundView {
  /** The project about to be selected, or −1 once nothing is affordable. */
  readonly best: number;
  /** What it costs each supporter per unit of weight (per point, or per supporter otherwise). */
  readonly price: number;
  /** The supporters of `project` who still hold money: budgets, head counts and weights, in parallel. */
  supporters(project: number): { budgets: number[]; heads: number[]; weights: number[] };
}

/**
 * One run of Equal Shares with every voter starting on budgetNum / budgetDen (money times scale).
 *
 * A voter who pays less than the asking price pays everything and is left with nothing, so a voter's
 * budget is either zero or the starting budget less the price of every selected project they support
 * (for points, less ρ times their points). Voters in the same position therefore share one budget: each
 * "class" holds one, and selecting a project moves the class of each of its supporters to a successor
 * class (or to nothing, −1). Evaluating a project then adds up integer head counts per class and does
 * bigint arithmetic once per class, not once per ballot: early in a run almost every supporter is in the
 * starting class, and later classes stay far fewer than ballots.
 *
 * Budgets are numerators over one shared denominator d, so the inner loops add and compare integers and
 * never reduce fractions. When a payment grows d, a class's numerator is brought up to date only when it is
 * next read.
 */
function run(
  profile: Profile,
  utility: Utility,
  budgetNum: bigint,
  budgetDen: bigint,
  options: RunOptions = {},
): RawRun {
  const { groups, supporters, costs, rank } = profile;
  const abortAbove = options.abortAbove ?? null;
  const until = options.until ?? -1;
  const m = costs.length;
  const byWeight = utility === 'points';
  const headcount = headcounts(profile);

  let d = budgetDen;
  // factorSince[e] turns a numerator written when epoch e began into one over the current d.
  const factorSince: bigint[] = [1n];
  let epoch = 0;
  const classBudget: bigint[] = [budgetNum];
  const classEpoch: number[] = [0];
  const classOf = new Int32Array(groups.length);
  let capacity = 1024;
  let heads = new Float64Array(capacity);
  let movedAt = new Int32Array(capacity);
  let movedTo = new Int32Array(capacity);
  const newClass = (budget: bigint): number => {
    const c = classBudget.length;
    classBudget.push(budget);
    classEpoch.push(epoch);
    if (c >= capacity) {
      capacity *= 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(capacity);
        b.set(a);
        return b;
      };
      heads = grow(heads, (n) => new Float64Array(n));
      movedAt = grow(movedAt, (n) => new Int32Array(n));
      movedTo = grow(movedTo, (n) => new Int32Array(n));
    }
    return c;
  };
  const budgetOf = (c: number): bigint => {
    const e = classEpoch[c]!;
    if (e === epoch) return classBudget[c]!;
    classEpoch[c] = epoch;
    const b = classBudget[c]! * factorSince[e]!;
    classBudget[c] = b;
    return b;
  };

  const selected = new Uint8Array(m);
  const picks: RawPick[] = [];
  const ties: RawTie[] = [];
  let spent = 0n;

  if (utility !== 'cost') {
    const free = costs.map((_, p) => p).filter((p) => costs[p] === 0n && supporters[p]!.groups.length > 0);
    free.sort((a, b) => rank[a]! - rank[b]!);
    for (const p of free) {
      selected[p] = 1;
      picks.push({ project: p, t: 0n, w: 1n, d: 1n, most: 0n, mostDen: 1n });
      if (p === until) return { picks, selected, spent, ties, reached: true, cutShort: false };
    }
  }
  const candidates = costs.map((_, p) => p).filter((p) => costs[p]! > 0n && supporters[p]!.groups.length > 0);
  // For cutShort: the cost of the projects still in the running, and the cheapest that has dropped out.
  let running = 0n;
  for (const p of candidates) running += costs[p]!;
  let cheapestDropped = -1n;
  const drop = (p: number): void => {
    running -= costs[p]!;
    if (cheapestDropped < 0n || costs[p]! < cheapestDropped) cheapestDropped = costs[p]!;
  };

  // Scratch space for one evaluation.
  const limitAt: bigint[] = [];
  let limitSeen = new Int32Array(64);
  let limitStamp = 0;
  let list = new Int32Array(256);
  let poor = new Uint8Array(256);
  let entryHeads = new Float64Array(256);

  /**
   * ρ(p) as t / (w·d) per unit of weight, or null when p's supporters cannot pay for it. With weight 1
   * (cost and approval utilities) supporters are gathered by class first. "Too poor at price t / w" is
   * b·w < t, which for integers is b ≤ ⌊(t − 1) / w⌋: one division per pass, then each class costs a
   * comparison, and only the too-poor ones need their money added up.
   */
  const evaluateShared = (p: number): { t: bigint; w: bigint } | null => {
    const members = supporters[p]!.groups;
    const len = members.length;
    // heads[] is all zeros between evaluations, so a zero marks a class not yet met in this one.
    let n = 0;
    for (let k = 0; k < len; k++) {
      const g = members[k]!;
      const c = classOf[g]!;
      if (c < 0) continue;
      const h = heads[c]!;
      if (h === 0) {
        if (n === list.length) {
          const bigger = new Int32Array(2 * n);
          bigger.set(list);
          list = bigger;
          poor = new Uint8Array(2 * n);
          entryHeads = new Float64Array(2 * n);
        }
        list[n++] = c;
      }
      heads[c] = h + headcount[g]!;
    }
    if (n === 0) return null;
    let people = 0;
    for (let i = 0; i < n; i++) {
      const c = list[i]!;
      const h = heads[c]!;
      entryHeads[i] = h;
      people += h;
      heads[c] = 0;
    }
    const cd = costs[p]! * d;
    let rest = people;
    let poorSum = 0n;
    let t = cd;
    let passes = 0;
    for (;;) {
      // Anyone too poor at this price is too poor at the final, higher one, so a whole pass may use one price.
      const limit = (t - 1n) / BigInt(rest);
      // A budget still written over an older d is compared with the limit brought down to that d instead:
      // for integers, b·F ≤ L exactly when b ≤ ⌊L / F⌋. One division per epoch spares rewriting every budget.
      limitStamp++;
      let changed = false;
      for (let i = 0; i < n; i++) {
        if (passes > 0 && poor[i]) continue;
        const c = list[i]!;
        const e = classEpoch[c]!;
        let lim = limit;
        if (e !== epoch) {
          if (limitSeen[e] !== limitStamp) {
            limitSeen[e] = limitStamp;
            limitAt[e] = limit / factorSince[e]!;
          }
          lim = limitAt[e]!;
        }
        if (classBudget[c]! <= lim) {
          poor[i] = 1;
          const b = budgetOf(c);
          const h = entryHeads[i]!;
          poorSum += h === 1 ? b : BigInt(h) * b;
          rest -= h;
          changed = true;
        } else if (passes === 0) {
          poor[i] = 0;
        }
      }
      passes++;
      // Everyone left can pay the price, so together they cover the cost: affordable, and this is ρ.
      if (!changed) return { t, w: BigInt(rest) };
      // Nobody left who can pay: the supporters' money falls short of the cost.
      if (rest === 0) return null;
      t = cd - poorSum;
      if (passes === 3) {
        // A shortfall can take many passes to show; check it outright once it has taken a few.
        let total = poorSum;
        for (let i = 0; i < n; i++) {
          if (poor[i]) continue;
          const c = list[i]!;
          const h = entryHeads[i]!;
          total += h === 1 ? budgetOf(c) : BigInt(h) * budgetOf(c);
        }
        if (total < cd) return null;
      }
    }
  };

  /** The same for points, where each supporter's share is weighted by the points they gave. */
  const evaluateWeighted = (p: number): { t: bigint; w: bigint } | null => {
    const s = supporters[p]!;
    const members = s.groups;
    const budgets: bigint[] = [];
    const weights: bigint[] = [];
    const masses: bigint[] = [];
    let w0 = 0n;
    for (let k = 0; k < members.length; k++) {
      const g = members[k]!;
      const c = classOf[g]!;
      if (c < 0) continue;
      budgets.push(budgetOf(c));
      weights.push(s.weights[k]!);
      masses.push(groups[g]!.count);
      w0 += groups[g]!.count * s.weights[k]!;
    }
    const n = budgets.length;
    if (n === 0) return null;
    const isPoor = new Uint8Array(n);
    const cd = costs[p]! * d;
    let total = 0n;
    let poorSum = 0n;
    let restW = w0;
    // The affordability sum and the first pass, at ρ = c / (all weight), share one scan.
    for (let i = 0; i < n; i++) {
      const held = masses[i]! * budgets[i]!;
      total += held;
      if (budgets[i]! * w0 < cd * weights[i]!) {
        isPoor[i] = 1;
        poorSum += held;
        restW -= masses[i]! * weights[i]!;
      }
    }
    if (total < cd) return null;
    for (;;) {
      const t = cd - poorSum;
      const w = restW;
      if (restW === w0) return { t, w };
      let changed = false;
      for (let i = 0; i < n; i++) {
        if (isPoor[i]) continue;
        if (budgets[i]! * w < t * weights[i]!) {
          isPoor[i] = 1;
          poorSum += masses[i]! * budgets[i]!;
          restW -= masses[i]! * weights[i]!;
          changed = true;
        }
      }
      if (!changed) return { t, w };
    }
  };
  const evaluate = byWeight ? evaluateWeighted : evaluateShared;

  let payments = 0;
  const onPay = options.onPay;
  /** Charges p's supporters t / (w·d) per unit of weight, or all they hold; returns the largest payment over the new d. */
  const pay = (p: number, t: bigint, w: bigint): bigint => {
    const g0 = gcd(w, t % w);
    const f = w / g0;
    const tf = t / g0;
    if (f !== 1n) {
      for (let e = 0; e <= epoch; e++) factorSince[e]! *= f;
      factorSince.push(1n);
      epoch++;
      d *= f;
      if (epoch >= limitSeen.length) {
        const bigger = new Int32Array(2 * limitSeen.length);
        bigger.set(limitSeen);
        limitSeen = bigger;
      }
    }
    const s = supporters[p]!;
    const members = s.groups;
    const held = onPay ? Array.from(members, (g) => (classOf[g]! < 0 ? 0n : budgetOf(classOf[g]!))) : null;
    let most = 0n;
    if (!byWeight) {
      payments++;
      for (let k = 0; k < members.length; k++) {
        const g = members[k]!;
        const c = classOf[g]!;
        if (c < 0) continue;
        if (movedAt[c] !== payments) {
          movedAt[c] = payments;
          const b = budgetOf(c);
          if (b <= tf) {
            movedTo[c] = -1;
            if (b > most) most = b;
          } else {
            // Not `movedTo[c] = newClass(…)`: newClass may replace movedTo with a larger array, and the
            // assignment would then land in the old one.
            const next = newClass(b - tf);
            movedTo[c] = next;
            most = tf;
          }
        }
        classOf[g] = movedTo[c]!;
      }
    } else {
      for (let k = 0; k < members.length; k++) {
        const g = members[k]!;
        const c = classOf[g]!;
        if (c < 0) continue;
        const b = budgetOf(c);
        const due = tf * s.weights[k]!;
        if (b <= due) {
          classOf[g] = -1;
          if (b > most) most = b;
        } else {
          classOf[g] = newClass(b - due);
          if (due > most) most = due;
        }
      }
    }
    if (onPay && held) {
      for (let k = 0; k < members.length; k++) {
        const g = members[k]!;
        const c = classOf[g]!;
        onPay(p, g, held[k]! - (c < 0 ? 0n : budgetOf(c)), d);
      }
    }
    return most;
  };

  // ρ only grows as budgets shrink, so the last ρ computed for a project bounds every later one from below.
  const lbNum = new Array<bigint>(m).fill(0n);
  const lbDen = new Array<bigint>(m).fill(1n);
  // A binary heap on (lower bound, tie order). A project on top whose bound was computed this round has its
  // exact ρ, and no other project can beat it, so only projects that reach the top are re-evaluated.
  const before = (a: number, b: number): boolean => {
    const l = lbNum[a]! * lbDen[b]!;
    const r = lbNum[b]! * lbDen[a]!;
    return l < r || (l === r && rank[a]! < rank[b]!);
  };
  const sameBound = (a: number, b: number): boolean => lbNum[a]! * lbDen[b]! === lbNum[b]! * lbDen[a]!;
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
  const lastT = new Array<bigint>(m).fill(0n);
  const lastW = new Array<bigint>(m).fill(0n);
  const evaluatedIn = new Int32Array(m).fill(-1);
  const setBound = (p: number, t: bigint, w: bigint, round: number): void => {
    lbNum[p] = t;
    lbDen[p] = utility === 'cost' ? w * d * costs[p]! : w * d;
    lastT[p] = t;
    lastW[p] = w;
    evaluatedIn[p] = round;
  };
  const supportersOf = byWeight ? null : headsPerProject(profile);
  for (const p of candidates) {
    if (supportersOf) {
      // Before the first payment everyone holds the same budget, so ρ needs no look at the ballots: either
      // every supporter pays an equal share, or even all of them together cannot pay.
      const people = BigInt(supportersOf[p]!);
      const cd = costs[p]! * d;
      if (budgetNum * people < cd) {
        if (p === until) return { picks, selected, spent, ties, reached: false, cutShort: false };
        drop(p);
        continue;
      }
      setBound(p, cd, people, 0);
    }
    push(p);
  }
  /** Brings p's bound up to date for this round; false when p has become unaffordable (for good). */
  const refresh = (p: number, round: number): boolean => {
    const a = evaluate(p);
    if (a === null) return false;
    setBound(p, a.t, a.w, round);
    return true;
  };

  /** Floating-point estimates of the present state, for RoundView. */
  const view = (best: number, t: bigint, w: bigint): RoundView => {
    // Drop low bits so that the shared denominator fits a double; the ratios keep their precision.
    const shift = BigInt(Math.max(0, d.toString(16).length * 4 - 64));
    const dF = Number(d >> shift);
    const money = (b: bigint): number => Number(b >> shift) / dF;
    return {
      best,
      price: Number(t >> shift) / (Number(w) * dF),
      supporters: (project) => {
        const s = supporters[project]!;
        const budgets: number[] = [];
        const people: number[] = [];
        const weights: number[] = [];
        if (byWeight) {
          for (let k = 0; k < s.groups.length; k++) {
            const g = s.groups[k]!;
            const c = classOf[g]!;
            if (c < 0) continue;
            budgets.push(money(budgetOf(c)));
            people.push(headcount[g]!);
            weights.push(Number(s.weights[k]!));
          }
          return { budgets, heads: people, weights };
        }
        // As in evaluateShared: heads[] is zero between uses, and is left so.
        const met: number[] = [];
        for (let k = 0; k < s.groups.length; k++) {
          const g = s.groups[k]!;
          const c = classOf[g]!;
          if (c < 0) continue;
          if (heads[c] === 0) met.push(c);
          heads[c]! += headcount[g]!;
        }
        for (const c of met) {
          budgets.push(money(budgetOf(c)));
          people.push(heads[c]!);
          weights.push(1);
          heads[c] = 0;
        }
        return { budgets, heads: people, weights };
      },
    };
  };

  const cutShort = options.cutShort;
  const budget = profile.budget;
  for (let round = 0; heap.length > 0 && (abortAbove === null || spent <= abortAbove); round++) {
    if (
      cutShort &&
      cheapestDropped >= 0n &&
      spent + running + (cutShort === 'exhaustive' ? cheapestDropped : 0n) <= budget
    ) {
      return { picks, selected, spent, ties, reached: false, cutShort: true };
    }
    let best = -1;
    while (heap.length > 0) {
      const top = pop();
      if (evaluatedIn[top] === round) {
        best = top;
        break;
      }
      // Unaffordable now means unaffordable for good, since budgets only shrink.
      if (!refresh(top, round)) {
        if (top === until) return { picks, selected, spent, ties, reached: false, cutShort: false };
        drop(top);
        continue;
      }
      push(top);
    }
    if (best < 0) break;
    // Anything else with exactly the same ρ sits next on the heap, behind best in the tie order.
    const tied = [best];
    while (heap.length > 0 && sameBound(heap[0]!, best)) {
      const q = pop();
      if (evaluatedIn[q] !== round) {
        if (!refresh(q, round)) {
          if (q === until) return { picks, selected, spent, ties, reached: false, cutShort: false };
          drop(q);
          continue;
        }
        if (!sameBound(q, best)) {
          push(q);
          continue;
        }
      }
      tied.push(q);
    }
    for (let k = 1; k < tied.length; k++) push(tied[k]!);
    if (tied.length > 1) {
      tied.sort((a, b) => rank[a]! - rank[b]!);
      ties.push({ step: picks.length + 1, tied });
    }
    const t = lastT[best]!;
    const w = lastW[best]!;
    if (options.observe) options.observe(view(best, t, w));
    const atD = d;
    const most = pay(best, t, w);
    picks.push({ project: best, t, w, d: atD, most, mostDen: d });
    selected[best] = 1;
    spent += costs[best]!;
    running -= costs[best]!;
    if (best === until) return { picks, selected, spent, ties, reached: true, cutShort: false };
  }
  if (options.observe && (abortAbove === null || spent <= abortAbove)) options.observe(view(-1, 0n, 1n));
  return { picks, selected, spent, ties, reached: false, cutShort: false };
}

function tieRecords(profile: Profile, raw: RawRun): TieRecord[] {
  return raw.ties.map(({ step, tied }) => ({
    step,
    tied: tied.map((p) => profile.ids[p]!),
    chosen: profile.ids[tied[0]!]!,
    decidedBy: decidingKey(profile, tied[0]!, tied),
  }));
}

function result(
  profile: Profile,
  utility: Utility,
  raw: RawRun,
  budgetPerVoter: Rational,
): EqualSharesResult {
  const { scale } = profile;
  return {
    winners: raw.picks.map(({ project, t, w, d, most, mostDen }) => {
      const cost = profile.costs[project]!;
      const price = rational(t, w * d * scale);
      return {
        projectId: profile.ids[project]!,
        cost: rational(cost, scale),
        rho: utility === 'cost' ? rational(t, w * d * cost) : price,
        pricePerSupporter: utility === 'points' ? null : price,
        highestPayment: rational(most, mostDen * scale),
      };
    }),
    spent: rational(raw.spent, scale),
    budgetPerVoter,
    ties: tieRecords(profile, raw),
  };
}

function voterCount(profile: Profile): bigint {
  if (profile.voters === 0n) throw new Error('Equal Shares needs at least one voter');
  return profile.voters;
}

/** Equal Shares on a profile that is already built, every voter starting with `budgetPerVoter`. */
export function equalSharesOnProfile(
  profile: Profile,
  utility: Utility,
  budgetPerVoter: Rational,
): EqualSharesResult {
  const raw = run(profile, utility, budgetPerVoter.num * profile.scale, budgetPerVoter.den);
  return result(profile, utility, raw, budgetPerVoter);
}

/** Equal Shares as equalSharesOnProfile, showing `observe` every selection and the final state. */
export function observeEqualShares(
  profile: Profile,
  utility: Utility,
  budgetPerVoter: Rational,
  observe: (round: RoundView) => void,
): EqualSharesResult {
  const raw = run(profile, utility, budgetPerVoter.num * profile.scale, budgetPerVoter.den, { observe });
  return result(profile, utility, raw, budgetPerVoter);
}

/** What each voter of one ballot group paid: identical ballots are counted together and pay alike. */
export interface BallotPayments {
  /** How many voters cast this ballot. */
  readonly voters: bigint;
  /** The projects it supports (with positive points, where points count), in the order of the input. */
  readonly supports: readonly string[];
  /** For points utilities, the points given to each of `supports`; otherwise null. */
  readonly points: readonly bigint[] | null;
  /** What each of these voters paid towards each winner they support, in the order the winners were selected. */
  readonly paid: readonly { readonly projectId: string; readonly amount: Rational }[];
}

/**
 * Equal Shares as `equalShares`, also saying what every voter paid for each winner, read from the count's own
 * budgets as it charged them. For checking the rule's promises (nobody pays more than their share; each cost
 * is met exactly) and for explanations: the count itself keeps no payments. Supported free projects are
 * selected without anyone paying, so they appear in no `paid` list.
 */
export function equalSharesPayments(
  input: CountingInput,
  options: { readonly utility: Utility; readonly budgetPerVoter?: Rational },
): EqualSharesResult & { readonly ballots: readonly BallotPayments[] } {
  const profile = buildProfile(input, options.utility === 'points');
  const n = voterCount(profile);
  const b = options.budgetPerVoter ?? rational(input.budget.num, input.budget.den * n);
  const paid = profile.groups.map(() => [] as { projectId: string; amount: Rational }[]);
  const raw = run(profile, options.utility, b.num * profile.scale, b.den, {
    onPay: (project, group, amount, den) => {
      paid[group]!.push({ projectId: profile.ids[project]!, amount: rational(amount, den * profile.scale) });
    },
  });
  return {
    ...result(profile, options.utility, raw, b),
    ballots: profile.groups.map((g, i) => ({
      voters: g.count,
      supports: g.projects.map((p) => profile.ids[p]!),
      points:
        options.utility === 'points'
          ? g.projects.map((p) => {
              const s = profile.supporters[p]!;
              return s.weights[s.groups.indexOf(i)]!;
            })
          : null,
      paid: paid[i]!,
    })),
  };
}

/**
 * Whether Equal Shares with every voter starting on `budgetPerVoter` selects `project` while what has been
 * committed so far, it included, stays within the budget B (which a raised per-voter budget, or voters
 * added with their own share, could otherwise overrun). Stops as soon as the answer is known, which is
 * usually long before the run would end.
 */
export function equalSharesSelects(
  profile: Profile,
  utility: Utility,
  budgetPerVoter: Rational,
  project: number,
): boolean {
  const raw = run(profile, utility, budgetPerVoter.num * profile.scale, budgetPerVoter.den, {
    until: project,
  });
  return raw.reached && raw.spent <= profile.budget;
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
  return equalSharesOnProfile(profile, options.utility, b);
}

/**
 * Equal Shares completed by adding one unit of currency to every voter's budget per round (B/n, B/n + 1, …).
 * 'exhaustive' stops at the first outcome to which no supported project can be added within the budget
 * (equalshares.net's completion). 'raise' ignores exhaustiveness and keeps raising while the outcome still
 * fits, which is what Wieliczka 2023 did. Both return the last outcome before one that overspends.
 *
 * Every level is counted in full: the outcome is not monotone in the budget per voter, so no level can be
 * skipped without risking a different answer.
 */
export function equalSharesAddOne(
  input: CountingInput,
  options: {
    readonly utility: Utility;
    readonly variant: CompletionVariant;
    /** Count every run in full to report tiesInAnyRun (slower). */
    readonly tieCensus?: boolean;
  },
): CompletionResult {
  const profile = buildProfile(input, options.utility === 'points');
  const n = voterCount(profile);
  const { budget, scale, costs, supporters } = profile;
  const supported = costs.map((_, p) => p).filter((p) => costs[p]! > 0n && supporters[p]!.groups.length > 0);
  const perVoter = (k: bigint): Rational => rational(budget + k * n * scale, n * scale);
  const distinctTies = new Set<string>();

  const census = options.tieCensus ?? false;
  const level = (k: bigint, cut: boolean): RawRun =>
    run(profile, options.utility, budget + k * n * scale, n, {
      abortAbove: budget,
      cutShort: cut ? options.variant : undefined,
    });
  let previous: RawRun | null = null;
  let iterations = 0;
  for (let k = 0n; ; k++) {
    // A tie census needs every run in full; otherwise a run may stop once it is sure to be passed over.
    const raw = level(k, !census);
    iterations++;
    for (const tie of raw.ties) distinctTies.add(tie.tied.join(','));
    const finish = (chosen: RawRun, at: bigint, stoppedBecause: CompletionResult['stoppedBecause']) => ({
      ...result(profile, options.utility, chosen, perVoter(at)),
      iterations,
      stoppedBecause,
      tiesInAnyRun: census ? distinctTies.size : undefined,
    });
    if (raw.cutShort) {
      previous = raw;
      continue;
    }
    if (raw.spent > budget) {
      if (previous === null) throw new Error('Equal Shares overspent at B/n, which cannot happen');
      // The outcome to return may have been cut short; count that level again, in full.
      return finish(previous.cutShort ? level(k - 1n, false) : previous, k - 1n, 'next_infeasible');
    }
    if (options.variant === 'exhaustive') {
      const room = budget - raw.spent;
      if (!supported.some((p) => !raw.selected[p] && costs[p]! <= room)) return finish(raw, k, 'exhaustive');
    }
    if (supported.every((p) => raw.selected[p])) return finish(raw, k, 'all_supported_projects_selected');
    previous = raw;
  }
}

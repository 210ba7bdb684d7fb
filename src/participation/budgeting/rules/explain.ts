import type { PbElection } from '../pabulib.ts';
import { type RuleName, type TallyOutcome, tally } from '../tally.ts';
import { equalSharesSelects, observeEqualShares, type RoundView, type Utility } from './equal-shares.ts';
import { greedyOnProfile, pointTotals } from './greedy.ts';
import { buildProfile, extraSupporters, type Profile, rescaleProfile, withCost } from './profile.ts';
import { approvalInput, pointsInput } from './projections.ts';
import { gcd, type Rational, rational, toNumber } from './rational.ts';

/**
 * Why each project won or lost, for a results page.
 *
 * "All else equal" changes one thing about one project p — its cost c(p), or its supporters — and keeps
 * every other ballot, every other cost, the budget B and the tie-break order ≺ (README §3.1) as defined,
 * then counts again. In the terms of the pabulib README:
 *
 * - Greedy (§3.2, §3.5): re-run greedy. `costNeeded` is the largest c(p), in whole cents, at which p is
 *   funded: normally B less what was spent when greedy reached p, but a lower c(p) can also move p ahead
 *   of projects with the same score, and the re-run sees that. `moreSupportersNeeded` is the fewest extra
 *   ballots {p} (for greedy_points, ballots giving p the usual points: the lower median of all positive
 *   points entries) that get p funded; null if p would not fit even at the top of the list, beyond which
 *   more support changes nothing.
 * - Equal Shares (§3.3) and its completions (§3.4): re-run MES_u(b) — plain Equal Shares, no completion —
 *   with b the per-voter budget of the published outcome: B/n for the plain rules, and b_k of the
 *   returned outcome for `…_add1` and `…_add1_noexh`, whose outcome is exactly MES_u(b_k). So the
 *   explanation is about the outcome residents see, not about the budget scan (which is not monotone).
 *   Extra supporters are new voters whose ballot is {p} and who hold b like everyone else; n grows by
 *   them, b does not change. `moreSupportersNeeded` looks no further than n newcomers. "Selected" means
 *   that MES_u(b) selects p while the cost of p and of everything selected before it stays within B:
 *   raised or extra budgets must not buy a project the budget B could not pay for.
 *
 * Both are exact searches over whole cents and whole voters, each candidate checked by counting again in
 * exact arithmetic; a floating-point estimate only chooses where the search starts. Bisection is sound
 * because, all else equal, p's chance only improves as c(p) falls or its support grows: until p is
 * selected the count runs exactly as before (nothing else changed), at every step p's ρ is no higher and
 * its place in ≺ no worse (lower cost and more votes both come first), and it stays affordable longer; so
 * it is selected no later, after no more has been spent. In greedy p can only move up the list, where less
 * has been spent before it.
 */
export interface ProjectExplanation {
  readonly projectId: string;
  readonly selected: boolean;
  /** Votes (approval count) or points, as counted. */
  readonly support: bigint;
  /** Equal Shares: the most any supporter paid for it (ρ scaled to their utility, as the rule defines) when selected; null otherwise or for greedy rules. */
  readonly pricePerSupporter: Rational | null;
  /** For a project that lost: the highest cost at which it would have been selected, all else equal; null when no positive cost would do. */
  readonly costNeeded: Rational | null;
  /** For a project that lost: the fewest extra supporters (new voters approving only this project, or giving it the ballot's usual points for cumulative) that would have got it selected, all else equal; null if not found within a sensible bound. */
  readonly moreSupportersNeeded: number | null;
  /** One plain-English sentence for residents, e.g. "Funded: each of its 212 supporters paid at most 41.20 PLN". */
  readonly sentence: string;
}

/** How one rule is re-counted with one project changed. */
interface Recount {
  /** The election in units of a hundredth of a cent or finer, so that every whole cent is a whole number. */
  readonly profile: Profile;
  /** Whole units (of profile.scale) in one cent. */
  readonly cent: bigint;
  readonly selects: (changed: Profile, project: number) => boolean;
  /** The points each added supporter gives (1 for approval). */
  readonly weight: bigint;
  readonly support: readonly bigint[];
  /** How many extra supporters to try at most before giving up. */
  readonly supporterBound: (project: number) => number;
  /** False when no cost at all could get the project selected (Equal Shares never funds the unsupported). */
  readonly costCanHelp: (project: number) => boolean;
  /** False when no support could (Equal Shares with cost utilities never funds what costs nothing). */
  readonly supportCanHelp: (project: number) => boolean;
  /** Equal Shares: the most any supporter paid for each winner. */
  readonly prices: ReadonlyMap<string, Rational>;
  readonly unit: 'votes' | 'points';
  /** Estimates to start each search from (in cents, and in voters); every answer is still found by recounting. */
  readonly guessCost: (project: number) => number;
  readonly guessSupporters: (project: number) => number;
}

/** The points a cumulative ballot usually gives one project: the median of all positive entries. */
function usualPoints(profile: Profile): bigint {
  const counts = new Map<bigint, bigint>();
  let total = 0n;
  profile.supporters.forEach((s) => {
    s.groups.forEach((g, k) => {
      const w = s.weights[k]!;
      const n = profile.groups[g]!.count;
      counts.set(w, (counts.get(w) ?? 0n) + n);
      total += n;
    });
  });
  let seen = 0n;
  for (const w of [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    seen += counts.get(w)!;
    if (2n * seen >= total) return w;
  }
  return 1n;
}

function centsProfile(profile: Profile): { profile: Profile; cent: bigint } {
  const factor = 100n / gcd(profile.scale, 100n);
  const scaled = rescaleProfile(profile, factor);
  return { profile: scaled, cent: scaled.scale / 100n };
}

function recount(rule: RuleName, election: PbElection, outcome: TallyOutcome): Recount {
  const byPoints = rule === 'greedy_points' || rule === 'mes_points';
  const { profile, cent } = centsProfile(
    buildProfile(byPoints ? pointsInput(election) : approvalInput(election), byPoints),
  );
  const weight = byPoints ? usualPoints(profile) : 1n;
  const support = byPoints ? pointTotals(profile) : profile.votes.map((v) => BigInt(v));
  const unit = byPoints ? 'points' : 'votes';
  if (rule === 'greedy_votes' || rule === 'greedy_points') {
    let top = 0n;
    for (const score of support) if (score > top) top = score;
    // The money left when greedy reached each project, which is what it would have had to cost.
    const left = new Map<string, number>();
    for (const step of greedyOnProfile(profile, byPoints).steps) {
      const before = toNumber(step.spent) - (step.funded ? toNumber(step.cost) : 0);
      left.set(step.projectId, (toNumber(election.budget) - before) * 100);
    }
    return {
      guessCost: (p) => left.get(profile.ids[p]!) ?? 1,
      guessSupporters: () => 1,
      profile,
      cent,
      weight,
      support,
      unit,
      prices: new Map(),
      selects: (changed, p) => greedyOnProfile(changed, byPoints).winners.includes(changed.ids[p]!),
      // Beyond the top of the list more support changes nothing.
      supporterBound: (p) => Number((top - support[p]!) / weight) + 1,
      costCanHelp: () => true,
      supportCanHelp: () => true,
    };
  }
  const utility: Utility =
    rule === 'mes_points' ? 'points' : rule.startsWith('mes_cost') ? 'cost' : 'approval';
  const b = outcome.budgetPerVoter;
  if (!b) throw new Error(`${rule} reported no budget per voter`);
  const won = new Set(outcome.winners);
  const losers = profile.ids.flatMap((id, p) => (won.has(id) ? [] : [p]));
  const estimates = new Estimates(profile, utility, toNumber(b) * Number(profile.scale), weight, losers);
  const base = observeEqualShares(profile, utility, b, (round) => estimates.observe(round));
  const same =
    base.winners.length === outcome.winners.length &&
    base.winners.every((w, i) => w.projectId === outcome.winners[i]);
  if (!same) throw new Error(`Equal Shares at the final budget per voter does not give the ${rule} outcome`);
  return {
    profile,
    cent,
    weight,
    support,
    unit,
    prices: new Map(base.winners.map((w) => [w.projectId, w.highestPayment])),
    selects: (changed, p) => equalSharesSelects(changed, utility, b, p),
    // More new supporters than there were voters would say nothing useful to residents.
    supporterBound: () => Number(profile.voters),
    costCanHelp: (p) => profile.supporters[p]!.groups.length > 0,
    supportCanHelp: (p) => utility !== 'cost' || profile.costs[p]! > 0n,
    guessCost: (p) => estimates.cost[p]! / Number(cent),
    guessSupporters: (p) => estimates.supporters[p]!,
  };
}

/**
 * Where the searches should start, from one run of Equal Shares. Until a changed project is selected the
 * count goes exactly as in that run, so it wins, at some selection, just when at that moment its ρ would
 * have matched the winner's; or, at the end, when its supporters could still pay for it. For each loser and
 * each moment this works out, in floating point, the highest cost and the fewest extra supporters that
 * would have done; the best over all moments is the estimate.
 */
class Estimates {
  readonly cost: number[];
  readonly supporters: number[];
  private readonly profile: Profile;
  private readonly utility: Utility;
  /** Each added supporter's budget, in units of 1/scale. */
  private readonly perVoter: number;
  private readonly weight: bigint;
  /** The projects to estimate for: those that lost. */
  private readonly losers: readonly number[];
  constructor(
    profile: Profile,
    utility: Utility,
    perVoter: number,
    weight: bigint,
    losers: readonly number[],
  ) {
    this.profile = profile;
    this.utility = utility;
    this.perVoter = perVoter;
    this.weight = weight;
    this.losers = losers;
    this.cost = profile.costs.map(() => 0);
    this.supporters = profile.costs.map(() => Number.POSITIVE_INFINITY);
  }

  observe(round: RoundView): void {
    const { costs } = this.profile;
    const fresh = this.perVoter;
    for (const p of this.losers) {
      const { budgets, heads, weights } = round.supporters(p);
      const cost = Number(costs[p]!);
      let held = 0;
      for (let i = 0; i < budgets.length; i++) held += heads[i]! * budgets[i]!;
      if (round.best < 0) {
        this.cost[p] = Math.max(this.cost[p]!, held);
        this.supporters[p] = Math.min(this.supporters[p]!, Math.ceil((cost - held) / fresh));
        continue;
      }
      // What each supporter of p would pay at the winner's ρ (per unit of weight), and so what p collects.
      const rho = this.utility === 'cost' ? round.price / Number(costs[round.best]!) : round.price;
      const priceAt = (c: number) => (this.utility === 'cost' ? rho * c : rho);
      let collected = 0;
      for (let i = 0; i < budgets.length; i++) {
        collected += heads[i]! * Math.min(budgets[i]!, priceAt(cost) * weights[i]!);
      }
      const newcomer = Math.min(fresh, priceAt(cost) * Number(this.weight));
      this.supporters[p] = Math.min(this.supporters[p]!, Math.ceil((cost - collected) / newcomer));
      this.cost[p] = Math.max(this.cost[p]!, this.highestCost(rho, budgets, heads, weights));
    }
  }

  /** The highest cost at which supporters paying at most ρ per unit of utility could still cover it. */
  private highestCost(rho: number, budgets: number[], heads: number[], weights: number[]): number {
    if (this.utility !== 'cost') {
      let total = 0;
      for (let i = 0; i < budgets.length; i++) total += heads[i]! * Math.min(budgets[i]!, rho * weights[i]!);
      return total;
    }
    // With cost utilities everyone is asked ρ·c, so solve c = Σ min(b_i, ρ·c): go up through the budgets,
    // capping the poorest, until the rest can no longer grow the sum faster than c grows.
    const order = budgets.map((_, i) => i).sort((a, b) => budgets[a]! - budgets[b]!);
    let capped = 0;
    let rest = heads.reduce((a, b) => a + b, 0);
    for (const i of order) {
      if (rho * rest < 1) {
        const c = capped / (1 - rho * rest);
        if (rho * c <= budgets[i]!) return c;
      }
      capped += heads[i]! * budgets[i]!;
      rest -= heads[i]!;
    }
    return capped;
  }
}

/**
 * For a test that holds up to some k and fails above it, the last k in [1, max] where it holds (null if
 * not even at 1), given that it fails at max + 1. Starts at the estimate and gallops out, so a good estimate
 * costs two tests.
 */
export function lastPassing(test: (k: bigint) => boolean, max: bigint, estimate: bigint): bigint | null {
  if (max < 1n) return null;
  const start = estimate < 1n ? 1n : estimate > max ? max : estimate;
  let lo = 0n;
  let hi = max + 1n;
  if (test(start)) {
    lo = start;
    for (let step = 1n; lo + step < hi; step *= 2n) {
      if (!test(lo + step)) {
        hi = lo + step;
        break;
      }
      lo += step;
    }
  } else {
    hi = start;
    for (let step = 1n; hi - step >= 1n; step *= 2n) {
      if (test(hi - step)) {
        lo = hi - step;
        break;
      }
      hi -= step;
    }
    if (lo === 0n) {
      if (hi === 1n || !test(1n)) return null;
      lo = 1n;
    }
  }
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (test(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function finite(estimate: number, fallback: bigint): bigint {
  return Number.isFinite(estimate) ? BigInt(Math.max(0, Math.min(Math.floor(estimate), 2 ** 52))) : fallback;
}

/** The highest cost in whole cents, below the actual one, at which `p` is selected; null if not even a cent. */
function costNeeded(r: Recount, p: number): bigint | null {
  // Whole cents strictly below the actual cost, which lost.
  const below = (r.profile.costs[p]! - 1n) / r.cent;
  if (below < 1n || !r.costCanHelp(p)) return null;
  const wins = (cents: bigint): boolean => r.selects(withCost(r.profile, p, cents * r.cent), p);
  return lastPassing(wins, below, finite(r.guessCost(p), below));
}

/** The fewest extra supporters, up to the bound, that get `p` selected; null if even the bound does not. */
function supportersNeeded(r: Recount, p: number): number | null {
  if (!r.supportCanHelp(p)) return null;
  const bound = BigInt(r.supporterBound(p));
  const withExtra = extraSupporters(r.profile, p, r.weight);
  const wins = (extra: bigint): boolean => r.selects(withExtra(Number(extra)), p);
  // Searched as the last k for which k − 1 extra supporters still lose: that k is the fewest that win.
  const needed = lastPassing((k) => !wins(k - 1n), bound + 1n, finite(r.guessSupporters(p), bound) + 1n);
  if (needed === null || needed > bound) return null;
  return Number(needed);
}

/** An amount with two decimals and thousands separators, rounded the way the sentence needs. */
export function formatAmount(amount: Rational, rounding: 'down' | 'up'): string {
  const scaled = amount.num * 100n;
  let cents = scaled / amount.den;
  if (rounding === 'up' && cents * amount.den < scaled) cents += 1n;
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${whole}.${(cents % 100n).toString().padStart(2, '0')}`;
}

function sentence(
  e: Omit<ProjectExplanation, 'sentence'>,
  voters: number,
  r: Recount,
  currency: string,
  greedy: boolean,
): string {
  const money = (x: Rational, rounding: 'down' | 'up') => `${formatAmount(x, rounding)}${currency}`;
  const people = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'supporter' : 'supporters'}`;
  if (e.selected) {
    if (greedy) {
      return `Funded: its ${e.support.toLocaleString('en-GB')} ${r.unit} put it high enough on the list for its cost to fit in the money left`;
    }
    if (voters === 1) return `Funded: its one supporter paid ${money(e.pricePerSupporter!, 'up')} towards it`;
    return `Funded: each of its ${people(voters)} paid at most ${money(e.pricePerSupporter!, 'up')}`;
  }
  const more =
    e.moreSupportersNeeded === null
      ? null
      : `${e.moreSupportersNeeded.toLocaleString('en-GB')} more ${e.moreSupportersNeeded === 1 ? 'supporter' : 'supporters'}${r.unit === 'points' ? ` giving it ${r.weight} points each` : ''}`;
  const cheaper = e.costNeeded === null ? null : `to cost ${money(e.costNeeded, 'down')} or less`;
  if (cheaper && more) return `Not funded: it would have needed ${cheaper}, or ${more}`;
  if (cheaper) return `Not funded: it would have needed ${cheaper}`;
  if (more) return `Not funded: it would have needed ${more}`;
  if (voters === 0 && !greedy)
    return 'Not funded: nobody supported it, and Equal Shares only funds what someone supports';
  return 'Not funded: no lower cost and no reasonable number of extra supporters would have got it funded';
}

/**
 * Counts the election under `rule` and explains every project: what winners cost their supporters, and what
 * each loser would have needed, all else equal (see above for what that means for each rule).
 */
export function explainOutcome(
  rule: RuleName,
  election: PbElection,
): { outcome: TallyOutcome; projects: ProjectExplanation[] } {
  const outcome = tally(rule, election);
  const r = recount(rule, election, outcome);
  const greedy = rule === 'greedy_votes' || rule === 'greedy_points';
  const winners = new Set(outcome.winners);
  const currency = election.meta.currency ? ` ${election.meta.currency}` : '';
  const projects = r.profile.ids.map((projectId, p): ProjectExplanation => {
    const selected = winners.has(projectId);
    const cents = selected ? null : costNeeded(r, p);
    const e = {
      projectId,
      selected,
      support: r.support[p]!,
      pricePerSupporter: selected && !greedy ? (r.prices.get(projectId) ?? null) : null,
      costNeeded: cents === null ? null : rational(cents, 100n),
      moreSupportersNeeded: selected ? null : supportersNeeded(r, p),
    };
    return { ...e, sentence: sentence(e, r.profile.votes[p]!, r, currency, greedy) };
  });
  return { outcome, projects };
}

import type { Channel } from '../ballots/ballots.table.ts';
import type { SectionElection } from '../ballots/election.ts';
import { RULE_ORDER } from '../budgets/budgets.schema.ts';
import type { BallotKind } from '../budgets/budgets.table.ts';
import { minorToDecimal } from '../money.ts';
import { explainOutcome } from '../rules/explain.ts';
import { type Rational, sub, toFractionString } from '../rules/rational.ts';
import type { RuleName, TallyOutcome } from '../tally.ts';

/**
 * What one count stores: for each section of a budget, the money, the ballots per channel, each project's
 * support overall and per channel, and the outcome under every rule that applies to the ballot. Pure: the
 * job (results.jobs.ts) reads the ballots, calls these one step at a time and saves what they return.
 * Everything is JSON-safe: bigints and fractions are written as strings.
 */

export const CHANNELS: readonly Channel[] = ['online', 'code', 'paper', 'imported'];

export const CHANNEL_LABELS: Record<Channel, string> = {
  online: 'Online',
  code: 'Access code',
  paper: 'Paper',
  imported: 'Imported',
};

/** A sum of money in the budget's currency: two decimal places, and the exact fraction when pence cannot say it. */
export interface Money {
  readonly decimal: string;
  /** "a/b" when the value is not a whole number of pence, otherwise null. */
  readonly exact: string | null;
}

export interface ProjectTotals {
  readonly id: string;
  readonly title: string;
  /** Exact, two decimal places. */
  readonly cost: string;
  /** Ballots choosing the project (a positive number of points on cumulative ballots). */
  readonly votes: number;
  readonly votesByChannel: Record<Channel, number>;
  /** Points given, on cumulative and scoring ballots; null otherwise. Strings because they are bigints. */
  readonly points: string | null;
  readonly pointsByChannel: Record<Channel, string> | null;
}

export interface ProjectOutcome {
  readonly selected: boolean;
  /** Votes or points as the rule counted them. */
  readonly support: string;
  readonly pricePerSupporter: Money | null;
  /** Losers: the highest cost at which it would have won, all else equal (rounded down to whole pence). */
  readonly costNeeded: Money | null;
  /** Losers: how much lower its cost would have had to be. */
  readonly costReductionNeeded: Money | null;
  readonly moreSupportersNeeded: number | null;
  readonly sentence: string;
}

export interface TieResult {
  /** Project ids (ours) that were level. */
  readonly tied: readonly string[];
  readonly chosen: string;
  /** How the tie was broken: 'cost', 'votes' or 'project_id'. */
  readonly decidedBy: string;
}

export interface RuleResult {
  /** Project ids (ours), in the order the rule selected them. */
  readonly winners: readonly string[];
  readonly spent: string;
  readonly left: string;
  readonly budgetPerVoter: Money | null;
  readonly iterations: number | null;
  readonly stoppedBecause: string | null;
  readonly projects: Readonly<Record<string, ProjectOutcome>>;
  readonly ties: readonly TieResult[];
}

export interface SectionResult {
  readonly districtId: string | null;
  readonly name: string;
  readonly amount: string;
  readonly ballots: { readonly total: number; readonly byChannel: Record<Channel, number> };
  readonly usesPoints: boolean;
  readonly projects: readonly ProjectTotals[];
  readonly rules: Partial<Record<RuleName, RuleResult>>;
}

export interface CountResult {
  readonly version: 1;
  /** What was counted (ballots and projects); a count no longer matching the database may not be published. */
  readonly fingerprint: string;
  readonly ballotKind: BallotKind;
  readonly ownRule: RuleName;
  /** Every rule counted, the budget's own first. */
  readonly rules: readonly RuleName[];
  readonly sections: readonly SectionResult[];
}

const POINT_RULES: ReadonlySet<RuleName> = new Set(['greedy_points', 'mes_points']);

/** Whether a rule can count this kind of ballot (see rules/projections.ts). */
export function ruleApplies(rule: RuleName, kind: BallotKind): boolean {
  // Scoring ballots have no approval projection, and the point-based rules take cumulative ballots only.
  if (kind === 'scoring') return false;
  return POINT_RULES.has(rule) ? kind === 'cumulative' : true;
}

/** The budget's own rule first, then every other rule for this ballot; empty if the own rule cannot count it. */
export function rulesToCount(kind: BallotKind, own: RuleName): RuleName[] {
  if (!ruleApplies(own, kind)) return [];
  return [own, ...RULE_ORDER.filter((r) => r !== own && ruleApplies(r, kind))];
}

/** A sum of money (in currency units) to two places: half up, or down or up when asked. */
export function toMoney(value: Rational, rounding: 'nearest' | 'down' | 'up' = 'nearest'): Money {
  const scaled = value.num * 100n;
  let minor = scaled / value.den;
  const remainder = scaled - minor * value.den;
  // BigInt division truncates towards zero; start from the floor.
  if (remainder < 0n) minor -= 1n;
  const rest = remainder < 0n ? remainder + value.den : remainder;
  if (rest > 0n && (rounding === 'up' || (rounding === 'nearest' && rest * 2n >= value.den))) minor += 1n;
  return { decimal: minorToDecimal(minor), exact: rest === 0n ? null : toFractionString(value) };
}

function channelRecord<T>(make: () => T): Record<Channel, T> {
  return { online: make(), code: make(), paper: make(), imported: make() };
}

/** Money, ballots per channel and each project's support overall and per channel. */
export function sectionTotals(section: SectionElection): Omit<SectionResult, 'rules'> {
  const { election, channels, projectIds } = section;
  const usesPoints = election.voteType === 'cumulative' || election.voteType === 'scoring';
  const byChannel = channelRecord(() => 0);
  const votes = new Map<string, Record<Channel, number>>();
  const points = new Map<string, Record<Channel, bigint>>();
  for (const p of election.projects) {
    votes.set(
      p.id,
      channelRecord(() => 0),
    );
    points.set(
      p.id,
      channelRecord(() => 0n),
    );
  }
  election.ballots.forEach((ballot, i) => {
    const channel = channels[i]!;
    byChannel[channel] += 1;
    ballot.projects.forEach((id, k) => {
      const given = ballot.points?.[k] ?? null;
      if (given !== null && given <= 0n) return;
      const v = votes.get(id);
      const p = points.get(id);
      if (!v || !p) return;
      v[channel] += 1;
      if (given !== null) p[channel] += given;
    });
  });
  const titleOf = new Map(section.section.projects.map((p) => [p.id, p.title]));
  const projects = election.projects.map((p): ProjectTotals => {
    const id = projectIds.get(p.id)!;
    const v = votes.get(p.id)!;
    const pts = points.get(p.id)!;
    return {
      id,
      title: titleOf.get(id) ?? p.name,
      cost: toMoney(p.cost).decimal,
      votes: CHANNELS.reduce((sum, c) => sum + v[c], 0),
      votesByChannel: v,
      points: usesPoints ? CHANNELS.reduce((sum, c) => sum + pts[c], 0n).toString() : null,
      pointsByChannel: usesPoints
        ? { online: `${pts.online}`, code: `${pts.code}`, paper: `${pts.paper}`, imported: `${pts.imported}` }
        : null,
    };
  });
  return {
    districtId: section.section.districtId,
    name: section.section.name,
    amount: minorToDecimal(section.section.amount),
    ballots: { total: election.ballots.length, byChannel },
    usesPoints,
    projects,
  };
}

/** The ties of an outcome, with our project ids. */
function tiesOf(outcome: TallyOutcome, ours: (pbId: string) => string): TieResult[] {
  return outcome.ties.map((t) => ({
    tied: t.tied.map(ours),
    chosen: ours(t.chosen),
    decidedBy: t.decidedBy,
  }));
}

/** One step of a count: a section under one rule, with every project explained. */
export function countRule(section: SectionElection, rule: RuleName): RuleResult {
  const { election, projectIds } = section;
  const ours = (pbId: string) => projectIds.get(pbId) ?? pbId;
  const { outcome, projects } = explainOutcome(rule, election);
  const costOf = new Map(election.projects.map((p) => [p.id, p.cost]));
  const explained: Record<string, ProjectOutcome> = {};
  for (const p of projects) {
    const cost = costOf.get(p.projectId);
    const lower = p.costNeeded && cost ? sub(cost, p.costNeeded) : null;
    explained[ours(p.projectId)] = {
      selected: p.selected,
      support: p.support.toString(),
      // "At most" this much: rounded up, as the sentence says it.
      pricePerSupporter: p.pricePerSupporter ? toMoney(p.pricePerSupporter, 'up') : null,
      costNeeded: p.costNeeded ? toMoney(p.costNeeded, 'down') : null,
      // The cut is rounded up to whole pence, to match the cost rounded down.
      costReductionNeeded: lower ? toMoney(lower, 'up') : null,
      moreSupportersNeeded: p.moreSupportersNeeded,
      sentence: p.sentence,
    };
  }
  return {
    winners: outcome.winners.map(ours),
    spent: toMoney(outcome.spent).decimal,
    left: toMoney(sub(election.budget, outcome.spent)).decimal,
    budgetPerVoter: outcome.budgetPerVoter ? toMoney(outcome.budgetPerVoter) : null,
    iterations: outcome.iterations ?? null,
    stoppedBecause: outcome.stoppedBecause ?? null,
    projects: explained,
    ties: tiesOf(outcome, ours),
  };
}

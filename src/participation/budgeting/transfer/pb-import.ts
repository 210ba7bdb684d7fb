import { addDays } from '../../processes/phases.ts';
import type { BallotKind } from '../budgets/budgets.table.ts';
import type { PbElection, PbLines } from '../pabulib.ts';
import type { Rational } from '../rules/rational.ts';
import type { RuleName } from '../tally.ts';

/**
 * What a parsed .pb file becomes in our tables: pure, so that every mapping decision is tested without a
 * database. Problems that the format allows but our tables cannot hold are reported with their line.
 */

export interface ImportProblem {
  readonly line: number;
  readonly message: string;
}

export interface ImportedBudget {
  title: string;
  currency: string;
  /** Two decimal places, as numeric(14,2) takes it. */
  totalAmount: string;
  votingOpensOn: string;
  votingClosesOn: string;
  rule: RuleName;
  ballotKind: BallotKind;
  minProjects: number | null;
  maxProjects: number | null;
  basket: boolean;
  pointsTotal: number | null;
  maxPointsPerProject: number | null;
  rankLimit: number | null;
  pbMeta: Record<string, string>;
}

export interface ImportedProject {
  pbId: string;
  title: string;
  description: string;
  estimatedCost: string;
  pbFields: Record<string, string>;
}

export interface ImportedBallot {
  /** Extra voter columns (age, sex, voting_method…); never the voter id, which export renumbers. */
  pbFields: Record<string, string> | null;
  /** Indexes into `projects`, in the order written. */
  projects: number[];
  points: number[] | null;
}

export interface ImportPlan {
  budget: ImportedBudget;
  projects: ImportedProject[];
  ballots: ImportedBallot[];
  /** Items over all ballots, for sizing the work. */
  items: number;
}

const TITLE_LIMIT = 200;
/** numeric(14,2): twelve digits before the point. */
const MONEY_LIMIT = 10n ** 14n;
const INT_LIMIT = 2n ** 31n - 1n;

/** Currencies by pabulib `country`, for files without a `currency` key. */
const COUNTRY_CURRENCY: Record<string, string> = {
  poland: 'PLN',
  netherlands: 'EUR',
  france: 'EUR',
  germany: 'EUR',
  spain: 'EUR',
  italy: 'EUR',
  portugal: 'EUR',
  belgium: 'EUR',
  austria: 'EUR',
  finland: 'EUR',
  ireland: 'EUR',
  switzerland: 'CHF',
  'united kingdom': 'GBP',
  uk: 'GBP',
  us: 'USD',
  usa: 'USD',
  'united states': 'USD',
  hungary: 'HUF',
  czechia: 'CZK',
  'czech republic': 'CZK',
};

/**
 * The budget's currency: the file's own `currency`, else the one of its country. Most older pabulib
 * files without the key are Polish, so PLN is the last resort.
 */
export function currencyOf(meta: Readonly<Record<string, string>>): string {
  const given = (meta.currency ?? '').trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(given)) return given;
  return COUNTRY_CURRENCY[(meta.country ?? '').trim().toLowerCase()] ?? 'PLN';
}

/** Our counting rule for the rule a city used (pabulib `rule`); Equal Shares with completion otherwise. */
export function ruleOf(meta: Readonly<Record<string, string>>, kind: BallotKind): RuleName {
  const rule = (meta.rule ?? '').trim().toLowerCase();
  if (rule.startsWith('greedy')) return kind === 'cumulative' ? 'greedy_points' : 'greedy_votes';
  // Wieliczka's "comparison" variant keeps raising the per-voter budget while the outcome fits.
  if (rule === 'equalshares/add1-comparison') return 'mes_cost_add1_noexh';
  if (rule === 'equalshares') return 'mes_cost';
  return 'mes_cost_add1';
}

function realDate(year: string, month: string, day: string): string | undefined {
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(iso) ? iso : undefined;
}

/**
 * A pabulib date as YYYY-MM-DD: "18.09.2023", "2023-09-18" or a bare year ("2020", which pabulib uses when
 * only the year is known: the first day for a start, the last for an end). Undefined when unreadable.
 */
export function pbDate(text: string | undefined, end: boolean): string | undefined {
  const value = (text ?? '').trim();
  let m = /^(\d{1,2})[./](\d{1,2})[./](\d{4})\b/.exec(value);
  if (m) return realDate(m[3]!, m[2]!, m[1]!);
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(value);
  if (m) return realDate(m[1]!, m[2]!, m[3]!);
  m = /^(\d{4})$/.exec(value);
  if (m) return end ? `${m[1]}-12-31` : `${m[1]}-01-01`;
  return undefined;
}

/** A rational as an amount with two decimal places, or undefined if it has more or is too large. */
export function moneyText(value: Rational): string | undefined {
  if ((value.num * 100n) % value.den !== 0n) return undefined;
  const minor = (value.num * 100n) / value.den;
  if (minor < 0n || minor >= MONEY_LIMIT) return undefined;
  return `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
}

const DESCRIPTION_COLUMNS = ['description', 'short_description', 'summary', 'desc'];

function descriptionOf(fields: Readonly<Record<string, string>>): string {
  for (const column of DESCRIPTION_COLUMNS) {
    const text = fields[column]?.trim();
    if (text) return text;
  }
  return '';
}

/** Builds the import from a parsed election, or lists what our tables cannot hold, each with its line. */
export function planImport(
  election: PbElection,
  lines: PbLines,
  today: string,
): { plan: ImportPlan; problems: [] } | { plan: null; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const { meta } = election;
  const lineOf = (key: string) => lines.meta[key] ?? 1;

  const totalAmount = moneyText(election.budget);
  if (totalAmount === undefined) {
    problems.push({
      line: lineOf('budget'),
      message: 'budget must be an amount with at most 2 decimal places and 12 digits before the point',
    });
  } else if (election.budget.num <= 0n) {
    problems.push({ line: lineOf('budget'), message: 'budget must be more than 0' });
  }

  const whole = (key: string, min: number): number | null => {
    const text = meta[key]?.trim();
    if (text === undefined || text === '') return null;
    if (!/^\d+$/.test(text) || BigInt(text) > INT_LIMIT) {
      problems.push({ line: lineOf(key), message: `${key} must be a whole number, got "${text}"` });
      return null;
    }
    const n = Number(text);
    // 0 means "no limit" in pabulib's own files (min_length;0).
    return n < min ? null : n;
  };
  const kind = election.voteType;
  const minProjects = whole('min_length', 1);
  const maxProjects = whole('max_length', 1);
  if (minProjects !== null && maxProjects !== null && maxProjects < minProjects) {
    problems.push({ line: lineOf('max_length'), message: 'max_length must not be less than min_length' });
  }
  const pointsTotal = whole('max_sum_points', 1);
  const maxPointsPerProject = whole('max_points', 1);

  // An imported election has happened: without readable dates it is dated the day before the import,
  // so that it is closed and nobody can add ballots to it online.
  const dayBefore = addDays(today, -1);
  const opens = pbDate(meta.date_begin, false) ?? dayBefore;
  // Dates are ISO strings, so string order is date order; voting may not close before it opens.
  let closes = pbDate(meta.date_end, true) ?? dayBefore;
  if (closes < opens) closes = opens;

  const description = (meta.description ?? '').trim();
  const fallbackTitle = [meta.unit, meta.instance]
    .map((s) => (s ?? '').trim())
    .filter(Boolean)
    .join(' ');
  let title = description || fallbackTitle || 'Imported budget';
  if (title.length > TITLE_LIMIT) title = `${title.slice(0, TITLE_LIMIT - 1)}…`;

  const projects: ImportedProject[] = [];
  const index = new Map<string, number>();
  election.projects.forEach((p, i) => {
    const line = lines.projects[i] ?? 1;
    const cost = moneyText(p.cost);
    if (cost === undefined) {
      problems.push({
        line,
        message: `cost of project "${p.id}" must have at most 2 decimal places and 12 digits before the point`,
      });
    } else if (p.cost.num === 0n) {
      problems.push({ line, message: `cost of project "${p.id}" is 0: every project must cost something` });
    }
    index.set(p.id, i);
    projects.push({
      pbId: p.id,
      title: p.name.trim() || p.id,
      description: descriptionOf(p.fields),
      estimatedCost: cost ?? '0.00',
      pbFields: { ...p.fields },
    });
  });

  const ballots: ImportedBallot[] = [];
  let items = 0;
  const maxShown = 100;
  election.ballots.forEach((b, i) => {
    let points: number[] | null = null;
    if (b.points && (kind === 'cumulative' || kind === 'scoring')) {
      const bad = b.points.find((p) => p < 0n || p > INT_LIMIT);
      if (bad !== undefined && problems.length < maxShown) {
        problems.push({
          line: lines.ballots[i] ?? 1,
          message:
            bad < 0n
              ? `negative scores such as ${bad} cannot be stored: points must be 0 or more`
              : `${bad} points is more than can be stored`,
        });
      }
      points = b.points.map(Number);
    }
    items += b.projects.length;
    ballots.push({
      pbFields: b.fields && Object.keys(b.fields).length > 0 ? { ...b.fields } : null,
      projects: b.projects.map((id) => index.get(id)!),
      points,
    });
  });

  if (problems.length > 0) return { plan: null, problems };
  return {
    plan: {
      budget: {
        title,
        currency: currencyOf(meta),
        totalAmount: totalAmount!,
        votingOpensOn: opens,
        votingClosesOn: closes,
        rule: ruleOf(meta, kind),
        ballotKind: kind,
        minProjects,
        maxProjects,
        basket: (meta.max_sum_cost ?? '').trim() !== '',
        pointsTotal,
        maxPointsPerProject,
        rankLimit: kind === 'ordinal' ? maxProjects : null,
        pbMeta: { ...meta },
      },
      projects,
      ballots,
      items,
    },
    problems: [],
  };
}

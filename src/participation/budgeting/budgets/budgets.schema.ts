import { z } from 'zod';
import { RULES, type RuleName } from '../tally.ts';
import type { BallotKind } from './budgets.table.ts';

export const MAX_DISTRICTS = 6;

/** Plain-English names for the counting rules, for the budget form and page. */
export const RULE_LABELS: Record<RuleName, { text: string; hint: string }> = {
  mes_cost_add1: {
    text: 'Equal shares, by cost (recommended)',
    hint: 'Each voter gets an equal share of the money to spend on projects they chose; any money left is shared out again until it runs out.',
  },
  mes_cost: {
    text: 'Equal shares, by cost, without sharing leftovers',
    hint: 'As above, but money left after the first round is not shared out again.',
  },
  mes_cost_add1_noexh: {
    text: 'Equal shares, by cost, stopping before the money runs out',
    hint: 'Leftovers are shared out again only while that funds more projects in full.',
  },
  mes_approval: {
    text: 'Equal shares, by number of supporters',
    hint: 'Like equal shares, but each project is worth as much as the number of people who chose it, whatever it costs.',
  },
  mes_approval_add1: {
    text: 'Equal shares, by number of supporters, sharing leftovers',
    hint: 'As above, with money left over shared out again until it runs out.',
  },
  mes_approval_add1_noexh: {
    text: 'Equal shares, by number of supporters, stopping before the money runs out',
    hint: 'Leftovers are shared out again only while that funds more projects in full.',
  },
  greedy_votes: {
    text: 'Most votes first',
    hint: 'Fund the projects with the most votes, in order, skipping any that no longer fit in what is left.',
  },
  greedy_points: {
    text: 'Most points first',
    hint: 'Voters share points between projects; fund those with the most points, in order, while the money lasts.',
  },
  mes_points: {
    text: 'Equal shares, by points',
    hint: 'Equal shares where each voter’s points say how much they value each project.',
  },
};

export const RULE_ORDER: readonly RuleName[] = [
  'mes_cost_add1',
  ...RULES.filter((rule) => rule !== 'mes_cost_add1'),
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

/** "1,250.5" → "1250.50"; undefined if it is not an amount of money. */
export function normaliseMoney(value: string): string | undefined {
  const cleaned = value.replace(/[,\s£$€]/g, '');
  if (!MONEY.test(cleaned)) return undefined;
  const [whole, fraction = ''] = cleaned.split('.');
  return `${BigInt(whole!).toString()}.${fraction.padEnd(2, '0')}`;
}

/** Whole pence (or cents) of a normalised amount, so that sums are exact. */
export function toMinorUnits(value: string | number): bigint {
  const [whole, fraction = ''] = String(value).split('.');
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

function money(label: string, required: string) {
  return z
    .string({ error: required })
    .trim()
    .min(1, required)
    .transform((v, ctx) => {
      const amount = normaliseMoney(v);
      if (amount === undefined) {
        ctx.addIssue({ code: 'custom', message: `${label} must be an amount, like 25000 or 1250.50` });
        return z.NEVER;
      }
      if (toMinorUnits(amount) <= 0n) {
        ctx.addIssue({ code: 'custom', message: `${label} must be more than 0` });
        return z.NEVER;
      }
      return amount;
    });
}

function realDate(label: string, required: string) {
  return z
    .string({ error: required })
    .trim()
    .min(1, required)
    .refine(isRealDate, `${label} must be a real date`);
}

const optionalId = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || z.uuid().safeParse(v).success, 'Select a district from the list');

export interface DistrictRow {
  id: string | null;
  name: string;
  amount: string;
}

function readDistricts(form: Record<string, unknown>, ctx?: z.RefinementCtx): DistrictRow[] {
  const rows: DistrictRow[] = [];
  for (let i = 1; i <= MAX_DISTRICTS; i++) {
    const name = String(form[`district${i}Name`] ?? '').trim();
    const rawAmount = String(form[`district${i}Amount`] ?? '').trim();
    const rawId = String(form[`district${i}Id`] ?? '').trim();
    if (!name && !rawAmount) continue;
    const amount = rawAmount ? normaliseMoney(rawAmount) : undefined;
    const problem = (field: string, message: string) =>
      ctx?.addIssue({ code: 'custom', path: [`district${i}${field}`], message });
    if (!name) problem('Name', `Enter a name for district ${i}`);
    else if (name.length > 100) problem('Name', `District ${i} name must be 100 characters or fewer`);
    if (!rawAmount) problem('Amount', `Enter an amount for district ${i}`);
    else if (amount === undefined) problem('Amount', `District ${i} amount must be an amount, like 5000`);
    else if (toMinorUnits(amount) <= 0n) problem('Amount', `District ${i} amount must be more than 0`);
    const id = z.uuid().safeParse(rawId).success ? rawId : null;
    if (name && amount) rows.push({ id, name, amount });
  }
  return rows;
}

/** The kinds of ballot an officer can set up; imported budgets may also hold choose-1 or scoring ballots. */
export const OWN_BALLOT_KINDS = ['approval', 'cumulative', 'ordinal'] as const;
const ALL_BALLOT_KINDS = ['approval', 'cumulative', 'ordinal', 'choose-1', 'scoring'] as const;

export const BALLOT_KIND_LABELS: Record<BallotKind, { text: string; hint: string }> = {
  approval: {
    text: 'Approval: tick the projects you support',
    hint: 'Each voter ticks any projects they support.',
  },
  cumulative: {
    text: 'Cumulative: spread points across projects',
    hint: 'Each voter shares out a number of points between the projects they support.',
  },
  ordinal: {
    text: 'Ranked: number projects in order of preference',
    hint: 'Each voter numbers the projects they support, 1 for their first choice.',
  },
  'choose-1': { text: 'Choose one project', hint: 'Each voter chose a single project.' },
  scoring: { text: 'Scoring: give each project a score', hint: 'Each voter gave projects a score.' },
};

/** Rules that count points, so they need a ballot that gives points. */
export const POINTS_RULES: readonly RuleName[] = ['greedy_points', 'mes_points'];

/** The largest number an officer may type for a limit: well inside a database integer. */
const MAX_LIMIT = 100_000;

/** "" → null; a whole number from 1 to MAX_LIMIT; otherwise a problem for the field. */
function readCount(form: Record<string, unknown>, field: string, label: string, ctx?: z.RefinementCtx) {
  const raw = String(form[field] ?? '').trim();
  if (raw === '') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    ctx?.addIssue({
      code: 'custom',
      path: [field],
      message: `${label} must be a whole number between 1 and ${MAX_LIMIT.toLocaleString('en-GB')}`,
    });
    return undefined;
  }
  return Number(raw);
}

export interface BallotSettingsForm {
  kind: BallotKind;
  minProjects: number | null;
  maxProjects: number | null;
  basket: boolean;
  pointsTotal: number | null;
  maxPointsPerProject: number | null;
  rankLimit: number | null;
}

/**
 * The ballot settings of the form. Fields that belong to another kind of ballot (points on an approval
 * ballot, say, typed before the officer changed their mind) are ignored rather than refused.
 */
function readBallot(form: Record<string, unknown>, ctx?: z.RefinementCtx): BallotSettingsForm {
  const posted = String(form.ballotKind ?? '').trim();
  const kind: BallotKind = (ALL_BALLOT_KINDS as readonly string[]).includes(posted)
    ? (posted as BallotKind)
    : 'approval';
  if (posted !== '' && posted !== kind) {
    ctx?.addIssue({ code: 'custom', path: ['ballotKind'], message: 'Select the kind of ballot' });
  }
  const minProjects = readCount(form, 'minProjects', 'Minimum number of projects', ctx);
  const maxProjects = readCount(form, 'maxProjects', 'Maximum number of projects', ctx);
  if (minProjects && maxProjects && minProjects > maxProjects) {
    ctx?.addIssue({
      code: 'custom',
      path: ['minProjects'],
      message: 'Minimum number of projects must not be more than the maximum',
    });
  }
  const usesPoints = kind === 'cumulative' || kind === 'scoring';
  let pointsTotal: number | null | undefined = null;
  let maxPointsPerProject: number | null | undefined = null;
  if (usesPoints) {
    pointsTotal = readCount(form, 'pointsTotal', 'Points to spread', ctx);
    maxPointsPerProject = readCount(form, 'maxPointsPerProject', 'Most points on one project', ctx);
    if (pointsTotal === null && kind === 'cumulative') {
      ctx?.addIssue({
        code: 'custom',
        path: ['pointsTotal'],
        message: 'Enter the number of points each voter can spread',
      });
    }
    if (pointsTotal && maxPointsPerProject && maxPointsPerProject > pointsTotal) {
      ctx?.addIssue({
        code: 'custom',
        path: ['maxPointsPerProject'],
        message: 'Most points on one project must not be more than the points to spread',
      });
    }
  }
  let rankLimit: number | null | undefined = null;
  if (kind === 'ordinal') {
    rankLimit = readCount(form, 'rankLimit', 'Number of projects to rank', ctx);
    if (rankLimit && minProjects && minProjects > rankLimit) {
      ctx?.addIssue({
        code: 'custom',
        path: ['rankLimit'],
        message: 'Number of projects to rank must not be less than the minimum number of projects',
      });
    }
  }
  const rule = String(form.rule ?? '');
  if ((POINTS_RULES as readonly string[]).includes(rule) && !usesPoints) {
    ctx?.addIssue({
      code: 'custom',
      path: ['rule'],
      message: `${RULE_LABELS[rule as RuleName].text} counts points, so it needs a cumulative ballot: choose cumulative voting or another way of counting`,
    });
  }
  const basket = form.basket === 'yes' || (Array.isArray(form.basket) && form.basket.includes('yes'));
  return {
    kind,
    minProjects: minProjects ?? null,
    maxProjects: maxProjects ?? null,
    basket,
    pointsTotal: pointsTotal ?? null,
    maxPointsPerProject: maxPointsPerProject ?? null,
    rankLimit: rankLimit ?? null,
  };
}

/**
 * The budget form: fixed fields, the ballot settings (ballotKind, minProjects, maxProjects, basket,
 * pointsTotal, maxPointsPerProject, rankLimit) and up to six district rows (district1Name, district1Amount …).
 * A missing ballotKind means approval, the first choice on the form.
 */
export const budgetSchema = z
  .looseObject({
    title: z
      .string({ error: 'Enter a title' })
      .trim()
      .min(1, 'Enter a title')
      .max(200, 'Title must be 200 characters or fewer'),
    totalAmount: money('Total amount', 'Enter the total amount'),
    currency: z
      .string()
      .trim()
      .toUpperCase()
      .default('GBP')
      .transform((v) => v || 'GBP')
      .refine((v) => /^[A-Z]{3}$/.test(v), 'Currency must be a 3-letter code, like GBP'),
    votingOpensOn: realDate('Voting opens on', 'Enter the date voting opens'),
    votingClosesOn: realDate('Voting closes on', 'Enter the date voting closes'),
    rule: z.enum(RULES, { error: 'Select how votes are counted' }),
  })
  .superRefine(
    (form, ctx) => {
      const opens = String(form.votingOpensOn ?? '').trim();
      const closes = String(form.votingClosesOn ?? '').trim();
      if (isRealDate(opens) && isRealDate(closes) && closes < opens) {
        ctx.addIssue({
          code: 'custom',
          path: ['votingClosesOn'],
          message: 'Voting must close on or after the day it opens',
        });
      }
      readBallot(form as Record<string, unknown>, ctx);
      readDistricts(form as Record<string, unknown>, ctx);
    },
    { when: () => true },
  )
  .transform((form) => ({
    title: form.title,
    totalAmount: form.totalAmount,
    currency: form.currency,
    votingOpensOn: form.votingOpensOn,
    votingClosesOn: form.votingClosesOn,
    rule: form.rule,
    ballot: readBallot(form as Record<string, unknown>),
    districts: readDistricts(form as Record<string, unknown>),
  }));

export type BudgetForm = z.output<typeof budgetSchema>;

export const projectSchema = z.object({
  title: z
    .string({ error: 'Enter a title' })
    .trim()
    .min(1, 'Enter a title')
    .max(200, 'Title must be 200 characters or fewer'),
  description: z
    .string({ error: 'Enter a description' })
    .trim()
    .min(1, 'Enter a description')
    .max(5000, 'Description must be 5000 characters or fewer'),
  districtId: optionalId,
});

export const projectFromProposalSchema = z.object({
  proposalId: z.uuid({ error: 'Select an accepted proposal' }),
  districtId: optionalId,
});

export const assignValuatorSchema = z.object({
  valuatorId: z.uuid({ error: 'Select a valuator' }),
});

export const assessmentSchema = z.object({
  estimatedCost: money('Estimated cost', 'Enter the estimated cost'),
  feasibility: z.enum(['feasible', 'not_feasible'], { error: 'Select whether the project is feasible' }),
  reason: z
    .string({ error: 'Enter the reason' })
    .trim()
    .min(1, 'Enter the reason')
    .min(10, 'Reason must be 10 characters or more')
    .max(2000, 'Reason must be 2000 characters or fewer'),
});

export const projectListSchema = z.object({
  show: z.enum(['all', 'ballot']).catch('all'),
  page: z.string().optional(),
});

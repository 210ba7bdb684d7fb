import { z } from 'zod';
import { RULES, type RuleName } from '../tally.ts';

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

/** The budget form: fixed fields plus up to six district rows (district1Name, district1Amount …). */
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

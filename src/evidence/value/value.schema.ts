import { z } from 'zod';
import { minorToDecimal } from '../../participation/budgeting/money.ts';
import { uploadedFile } from '../../platform/uploads.ts';
import { parsePence, parsePercent } from './cost-benefit.ts';
import { checkUnitCost, UNIT_COST_COLUMNS } from './unit-costs-csv.ts';

export const MAX_UNIT_COST_CSV_BYTES = 1024 * 1024;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

const field = z.string().optional().default('');

/** The unit-cost form: the same fields as the columns of the CSV, checked by the same rules. */
export const unitCostSchema = z
  .object(
    Object.fromEntries(UNIT_COST_COLUMNS.map((c) => [c, field])) as Record<
      (typeof UNIT_COST_COLUMNS)[number],
      typeof field
    >,
  )
  .transform((form, ctx) => {
    const checked = checkUnitCost(form);
    for (const p of checked.problems) ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
    return checked.values ?? z.NEVER;
  });

export const unitCostImportSchema = z.object({ file: z.unknown().optional() }).transform((form, ctx) => {
  const file = uploadedFile(form.file, ctx, {
    choose: 'Choose a CSV file to import',
    maxBytes: MAX_UNIT_COST_CSV_BYTES,
  });
  if (!file) return z.NEVER;
  return { filename: file.filename, text: file.bytes.toString('utf8') };
});

function date(label: string) {
  return z
    .string({ error: `Enter the date the ${label}` })
    .trim()
    .min(1, `Enter the date the ${label}`)
    .refine(isRealDate, `The date the ${label} must be a real date, like 2027-04-01`);
}

export const COST_CATEGORY_LABELS = {
  staff: 'Staff',
  partner_delivery: 'Partner delivery',
  other: 'Other',
} as const;

export const programmeCostSchema = z
  .object({
    category: z.enum(['staff', 'partner_delivery', 'other'], { error: 'Choose what the cost is for' }),
    startsOn: date('period starts'),
    endsOn: date('period ends'),
    amount: z
      .string({ error: 'Enter the amount' })
      .trim()
      .min(1, 'Enter the amount')
      .transform((v, ctx) => {
        const pence = parsePence(v);
        if (pence === undefined || pence <= 0n) {
          ctx.addIssue({
            code: 'custom',
            message: 'The amount must be an amount in pounds more than 0, like 12500',
          });
          return z.NEVER;
        }
        return minorToDecimal(pence);
      }),
    note: z.string().trim().max(500, 'The note must be 500 characters or fewer').optional().default(''),
  })
  .superRefine((form, ctx) => {
    if (form.endsOn < form.startsOn)
      ctx.addIssue({
        code: 'custom',
        path: ['endsOn'],
        message: 'The period must end on or after the day it starts',
      });
  });

function percent(label: string) {
  return z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .transform((v, ctx) => {
      const bp = parsePercent(v);
      if (bp === undefined) {
        ctx.addIssue({ code: 'custom', message: `The ${label} must be a percentage from 0 to 100, like 25` });
        return z.NEVER;
      }
      return minorToDecimal(bp);
    });
}

export const MEASURE_LABELS = {
  improved: 'Improved',
  crossed_threshold: 'Crossed the threshold',
} as const;

export const mappingSchema = z.object({
  indicatorId: z.uuid({ error: 'Choose an outcome indicator' }),
  measure: z.enum(['improved', 'crossed_threshold'], { error: 'Choose which outcomes count' }),
  unitCostId: z.uuid({ error: 'Choose a unit cost' }),
  deadweight: percent('deadweight'),
  displacement: percent('displacement'),
  attribution: percent('attribution'),
  optimismBias: percent('optimism bias'),
});

export const removeSchema = z.object({ id: z.uuid() });

export const periodSchema = z.object({
  from: z
    .string()
    .optional()
    .refine((v) => !v || isRealDate(v))
    .catch(undefined),
  to: z
    .string()
    .optional()
    .refine((v) => !v || isRealDate(v))
    .catch(undefined),
  page: z.string().optional(),
});

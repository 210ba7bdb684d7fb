import { z } from 'zod';
import { type UploadedFile, uploadedFile } from '../../../platform/uploads.ts';
import { parseValueLines } from './quotas.ts';

export const ASSEMBLY_STATUSES = ['draft', 'recruiting', 'selecting', 'sitting', 'finished'] as const;
export const STATUS_LABELS: Record<(typeof ASSEMBLY_STATUSES)[number], string> = {
  draft: 'Draft',
  recruiting: 'Recruiting',
  selecting: 'Selecting members',
  sitting: 'Sitting',
  finished: 'Finished',
};

const text = (label: string, max: number) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .max(max, `The ${label} must be ${max} characters or fewer`);

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A date typed as YYYY-MM-DD, or nothing. */
export const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || isRealDate(v), `${label} must be a real date, like 2027-03-01`);

const panelSize = z
  .string({ error: 'Enter how many members the assembly will have' })
  .trim()
  .regex(/^\d+$/, 'The number of members must be a whole number, like 40')
  .transform(Number)
  .refine((n) => n >= 2 && n <= 1000, 'The number of members must be between 2 and 1,000');

const assemblyFields = {
  title: text('title', 200),
  purpose: text('purpose', 5000),
  panelSize,
  startsOn: optionalDate('The first day'),
  endsOn: optionalDate('The last day'),
};

function datesInOrder(form: { startsOn: string | null; endsOn: string | null }, ctx: z.RefinementCtx) {
  if (form.startsOn && form.endsOn && form.endsOn < form.startsOn) {
    ctx.addIssue({
      code: 'custom',
      path: ['endsOn'],
      message: 'The last day must be on or after the first day',
    });
  }
}

export const assemblySchema = z.object(assemblyFields).superRefine(datesInOrder);
export type AssemblyInput = z.output<typeof assemblySchema>;

export const assemblyEditSchema = z
  .object({
    ...assemblyFields,
    status: z.enum(ASSEMBLY_STATUSES, { error: 'Choose the stage the assembly is at' }),
  })
  .superRefine(datesInOrder);

export const featureSchema = z
  .object({
    name: text('name of the feature', 80),
    question: text('question registrants answer', 300),
    specialCategory: z
      .string()
      .optional()
      .transform((v) => v === 'yes'),
    values: z.string({ error: 'Enter the values and their quotas' }).optional().default(''),
  })
  .transform((form, ctx) => {
    const parsed = parseValueLines(form.values);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: parsed.problems.join('. ') });
      return z.NEVER;
    }
    return { ...form, values: parsed.values };
  });
export type FeatureInput = z.output<typeof featureSchema>;

/** A CSV upload, read as UTF-8 text. */
export const csvUploadSchema = (what: string) =>
  z
    .object({ file: z.custom<UploadedFile | string | undefined>().optional() })
    .loose()
    .transform((form, ctx) => {
      const file = uploadedFile(form.file, ctx, { choose: `Choose a CSV file of ${what}` });
      if (!file) return z.NEVER;
      return { ...form, text: file.bytes.toString('utf8') };
    });

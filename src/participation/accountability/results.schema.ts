import { z } from 'zod';
import { isUploadedFile, sniffImageType, type UploadedFile } from '../../platform/uploads.ts';
import { normaliseMoney } from '../budgeting/budgets/budgets.schema.ts';
import { RESULT_STATUSES } from './result-rules.ts';

/** The sources a visitor can filter by, as the page names them. */
export const SOURCE_FILTERS = {
  proposal: { text: 'Proposals', sourceType: 'proposal' },
  budget: { text: 'Participatory budget projects', sourceType: 'budget_project' },
  assembly: { text: 'Assembly recommendations', sourceType: 'assembly_recommendation' },
  programme: { text: 'Programmes set up by the council', sourceType: 'manual' },
} as const;
export type SourceFilter = keyof typeof SOURCE_FILTERS;

function optionalEnum<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .optional()
    .transform((v) => ((values as readonly string[]).includes(v ?? '') ? (v as T[number]) : undefined));
}

/** Filters come from links and a GET form: anything unknown is ignored rather than refused. */
export const resultListSchema = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => RESULT_STATUSES.find((s) => s === v)),
  source: optionalEnum(Object.keys(SOURCE_FILTERS) as [SourceFilter, ...SourceFilter[]]),
  process: z
    .string()
    .optional()
    .transform((v) => (v && z.uuid().safeParse(v).success ? v : undefined)),
  q: z
    .string()
    .optional()
    .transform((v) => v?.trim().slice(0, 100) || undefined),
  page: z.string().optional(),
});
export type ResultListQuery = z.output<typeof resultListSchema>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

function optionalDate(label: string) {
  return z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || isRealDate(v), `${label} must be a real date, like 2027-03-31`)
    .transform((v) => v || null);
}

function optionalMoney(label: string) {
  return z
    .string()
    .trim()
    .default('')
    .transform((v, ctx) => {
      if (v === '') return null;
      const amount = normaliseMoney(v);
      if (amount === undefined) {
        ctx.addIssue({ code: 'custom', message: `${label} must be an amount, like 25000 or 1250.50` });
        return z.NEVER;
      }
      return amount;
    });
}

export const resultSchema = z
  .object({
    title: z
      .string({ error: 'Enter a title' })
      .trim()
      .min(1, 'Enter a title')
      .max(150, 'Title must be 150 characters or fewer'),
    summary: z.string().trim().max(2000, 'What was decided must be 2,000 characters or fewer').default(''),
    parentId: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || z.uuid().safeParse(v).success, 'Select a result from the list')
      .transform((v) => v || null),
    startsOn: optionalDate('Start date'),
    endsOn: optionalDate('End date'),
    budgeted: optionalMoney('Money budgeted'),
    currency: z
      .string()
      .trim()
      .default('GBP')
      .transform((v) => (v || 'GBP').toUpperCase())
      .refine((v) => /^[A-Z]{3}$/.test(v), 'Currency must be a three-letter code, like GBP'),
  })
  .superRefine((form, ctx) => {
    if (form.startsOn && form.endsOn && form.endsOn < form.startsOn) {
      ctx.addIssue({
        code: 'custom',
        path: ['endsOn'],
        message: 'End date must be on or after the start date',
      });
    }
  });
export type ResultForm = z.output<typeof resultSchema>;

export type ResultPhoto = {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
  bytes: Buffer;
  altText: string;
};

export const updateSchema = z
  .object({
    body: z
      .string({ error: 'Say what has happened' })
      .trim()
      .min(1, 'Say what has happened')
      .max(4000, 'The update must be 4,000 characters or fewer'),
    status: z.enum(RESULT_STATUSES as unknown as ['not_started', 'in_progress', 'done', 'dropped'], {
      error: 'Select the status',
    }),
    progress: z
      .string({ error: 'Enter the progress' })
      .trim()
      .min(1, 'Enter the progress')
      .refine((v) => /^\d{1,3}$/.test(v) && Number(v) <= 100, 'Progress must be a whole number from 0 to 100')
      .transform(Number),
    spent: optionalMoney('Money spent'),
    dropReason: z.string().trim().max(1000, 'The reason must be 1,000 characters or fewer').default(''),
    photo: z.custom<UploadedFile | string | undefined>().optional(),
    photoAlt: z.string().trim().max(250, 'Photo description must be 250 characters or fewer').default(''),
  })
  .transform((form, ctx) => {
    const file = isUploadedFile(form.photo) && form.photo.bytes.length > 0 ? form.photo : undefined;
    let photo: ResultPhoto | undefined;
    if (file) {
      const type = sniffImageType(file.bytes);
      if (file.truncated)
        ctx.addIssue({ code: 'custom', path: ['photo'], message: 'The photo must be smaller than 2 MB' });
      else if (!type)
        ctx.addIssue({ code: 'custom', path: ['photo'], message: 'The photo must be a JPG, PNG or WEBP' });
      else if (!form.photoAlt)
        ctx.addIssue({
          code: 'custom',
          path: ['photoAlt'],
          message: 'Describe the photo for people who cannot see it',
        });
      else photo = { contentType: type, bytes: file.bytes, altText: form.photoAlt };
    }
    return {
      body: form.body,
      status: form.status,
      progress: form.progress,
      spent: form.spent,
      dropReason: form.dropReason,
      photo,
    };
  });
export type UpdateForm = z.output<typeof updateSchema>;

export const followSchema = z.object({ follow: z.enum(['yes', 'no']).default('yes') });

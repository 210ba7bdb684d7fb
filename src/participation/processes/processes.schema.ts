import { z } from 'zod';
import { isPostcode } from './eligibility.ts';
import { ACTIONS, type ParticipationAction } from './phases.ts';

export const MAX_PHASES = 6;

const optionalInt = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^\d+$/.test(v), `${label} must be a whole number`)
    .transform((v) => (v === undefined ? null : Number(v)))
    .refine((v) => v === null || (v >= min && v <= max), `${label} must be between ${min} and ${max}`);

const date = /^\d{4}-\d{2}-\d{2}$/;
const realDate = (v: string) =>
  date.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/**
 * The process form: fixed fields plus up to six phase rows (phase1Name,
 * phase1Start, phase1End, phase1Actions …). Rows left blank are ignored.
 */
export const processSchema = z
  .looseObject({
    title: z
      .string({ error: 'Enter a title' })
      .trim()
      .min(1, 'Enter a title')
      .max(200, 'Title must be 200 characters or fewer'),
    summary: z.string().trim().max(500, 'Summary must be 500 characters or fewer').default(''),
    body: z.string().trim().max(20000, 'Description must be 20,000 characters or fewer').default(''),
    area: z.string().trim().max(100, 'Area must be 100 characters or fewer').default(''),
    categories: z.string().default(''),
    eligibility: z.enum(['signed_in', 'verified_residents', 'verified_in_person'], {
      error: 'Select who can take part',
    }),
    minimumAge: optionalInt('Minimum age', 0, 120),
    supportThreshold: optionalInt('Support threshold', 1, 1_000_000),
    supportsPerResident: optionalInt('Supports per resident', 1, 1000),
  })
  .superRefine(
    (form, ctx) => {
      // Runs even when other fields failed, so that every problem is listed at once.
      readPhases(form as Record<string, unknown>, ctx);
    },
    { when: () => true },
  )
  .transform((form) => {
    const phases = readPhases(form as Record<string, unknown>);
    const categories = [
      ...new Set(
        form.categories
          .split(/\r?\n/)
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ];
    return {
      title: form.title,
      summary: form.summary,
      body: form.body,
      area: form.area || null,
      categories,
      eligibility: form.eligibility,
      minimumAge: form.minimumAge,
      supportThreshold: form.supportThreshold,
      supportsPerResident: form.supportsPerResident,
      phases,
    };
  });

function readPhases(raw: Record<string, unknown>, ctx?: z.RefinementCtx) {
  const phases = [];
  for (let i = 1; i <= MAX_PHASES; i++) {
    const name = String(raw[`phase${i}Name`] ?? '').trim();
    const start = String(raw[`phase${i}Start`] ?? '').trim();
    const end = String(raw[`phase${i}End`] ?? '').trim();
    const actions = asList(raw[`phase${i}Actions`]).filter((a): a is ParticipationAction =>
      (ACTIONS as readonly string[]).includes(a),
    );
    if (!name && !start && !end) continue;
    if (!name)
      ctx?.addIssue({ code: 'custom', path: [`phase${i}Name`], message: `Enter a name for phase ${i}` });
    if (name.length > 80)
      ctx?.addIssue({
        code: 'custom',
        path: [`phase${i}Name`],
        message: `Name of phase ${i} must be 80 characters or fewer`,
      });
    if (!realDate(start))
      ctx?.addIssue({
        code: 'custom',
        path: [`phase${i}Start`],
        message: `Enter a real start date for phase ${i}, like 2027-03-27`,
      });
    if (!realDate(end))
      ctx?.addIssue({
        code: 'custom',
        path: [`phase${i}End`],
        message: `Enter a real end date for phase ${i}, like 2027-04-30`,
      });
    phases.push({
      name,
      description: String(raw[`phase${i}Description`] ?? '')
        .trim()
        .slice(0, 500),
      startsOn: start,
      endsOn: end,
      allowsPropose: actions.includes('propose'),
      allowsSupport: actions.includes('support'),
      allowsComment: actions.includes('comment'),
      allowsVote: actions.includes('vote'),
    });
  }
  if (phases.length === 0)
    ctx?.addIssue({ code: 'custom', path: ['phase1Name'], message: 'Add at least one phase' });
  const categories = String(raw.categories ?? '')
    .split(/\r?\n/)
    .map((c) => c.trim())
    .filter(Boolean);
  if (categories.length > 30)
    ctx?.addIssue({ code: 'custom', path: ['categories'], message: 'Enter 30 categories or fewer' });
  if (categories.some((c) => c.length > 60))
    ctx?.addIssue({
      code: 'custom',
      path: ['categories'],
      message: 'Each category must be 60 characters or fewer',
    });
  return phases;
}

export const processListSchema = z.object({
  status: z.enum(['active', 'upcoming', 'past']).catch('active').default('active'),
  page: z.string().optional().catch(undefined),
});

export const verifySchema = z.object({
  postcode: z
    .string({ error: 'Enter your postcode' })
    .trim()
    .min(1, 'Enter your postcode')
    .refine(isPostcode, 'Enter a real postcode, like SW1A 1AA'),
  dateOfBirth: z
    .string({ error: 'Enter your date of birth' })
    .trim()
    .min(1, 'Enter your date of birth')
    .refine(realDate, 'Date of birth must be a real date, like 1990-03-27')
    .refine((v) => v <= new Date().toISOString().slice(0, 10), 'Date of birth must be in the past'),
});

export const inPersonSchema = z.object({
  email: z
    .string({ error: "Enter the resident's email address" })
    .trim()
    .min(1, "Enter the resident's email address")
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' })),
  dateOfBirth: verifySchema.shape.dateOfBirth,
  postcode: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || isPostcode(v), 'Enter a real postcode, like SW1A 1AA'),
  note: z
    .string({ error: 'Enter what you checked, for example the documents seen' })
    .trim()
    .min(1, 'Enter what you checked, for example the documents seen')
    .max(500, 'Note must be 500 characters or fewer'),
});

export const postcodesSchema = z.object({
  postcodes: z.string({ error: 'Enter at least one postcode' }).max(2_000_000, 'The list is too long'),
});

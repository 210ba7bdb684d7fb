import { z } from 'zod';

export const REPORT_TARGETS = ['proposal', 'comment', 'user'] as const;
export const REPORT_REASONS = ['spam', 'offensive', 'personal_information', 'off_topic', 'other'] as const;
export const QUEUE_STATES = ['reported', 'held', 'hidden'] as const;
export const QUEUE_SORTS = ['newest', 'most_reported'] as const;
export const MODERATION_ACTIONS = ['hide', 'restore', 'dismiss', 'block'] as const;

export const MAX_BLOCKED_WORDS = 200;
export const MAX_BLOCKED_WORD_LENGTH = 50;
/** How many items one bulk action may carry: a page of the queue is 25. */
export const MAX_ITEMS_PER_ACTION = 100;

/** What is being reported, from the query string of the report page. */
export const reportTargetSchema = z.object({
  type: z.enum(REPORT_TARGETS),
  id: z.uuid(),
});

export const reportSchema = z
  .object({
    reason: z.enum(REPORT_REASONS, { error: 'Select why you are reporting this' }),
    details: z.string().trim().max(1000, 'Details must be 1000 characters or fewer').default(''),
  })
  .superRefine((value, ctx) => {
    if (value.reason === 'other' && value.details === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['details'],
        message: 'Enter details of why you are reporting this',
      });
    }
  });

/** Filters of the queue: anything unexpected in the address is ignored rather than refused. */
export const queueFilterSchema = z.object({
  type: z.enum(REPORT_TARGETS).optional().catch(undefined),
  state: z.enum(QUEUE_STATES).optional().catch(undefined),
  reason: z.enum(REPORT_REASONS).optional().catch(undefined),
  sort: z.enum(QUEUE_SORTS).default('newest').catch('newest'),
  page: z.string().optional().catch(undefined),
});

const asList = (value: unknown) =>
  value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value];

export const moderationActionSchema = z
  .object({
    items: z.preprocess(
      asList,
      z
        .array(z.string().max(100))
        .min(1, 'Select at least one item')
        .max(MAX_ITEMS_PER_ACTION, `Select ${MAX_ITEMS_PER_ACTION} items or fewer`),
    ),
    action: z.enum(MODERATION_ACTIONS, { error: 'Choose what to do with the selected items' }),
    reason: z.string().trim().max(1000, 'Reason must be 1000 characters or fewer').default(''),
  })
  .superRefine((value, ctx) => {
    if ((value.action === 'hide' || value.action === 'block') && value.reason === '') {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Enter a reason' });
    }
  });

const wholeNumber = (
  labels: { missing: string; notNumber: string; range: string },
  min: number,
  max: number,
) =>
  z
    .string({ error: labels.missing })
    .trim()
    .min(1, labels.missing)
    .regex(/^\d+$/, labels.notNumber)
    .transform(Number)
    .pipe(z.number().min(min, labels.range).max(max, labels.range));

/** One word or phrase a line, trimmed, lower case, without repeats or blank lines. */
export function blockedWordsFromText(text: string): string[] {
  const words = text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\s+/g, ' ').toLowerCase())
    .filter(Boolean);
  return [...new Set(words)];
}

export const settingsSchema = z.object({
  hideAfterReports: wholeNumber(
    {
      missing: 'Enter how many reports hide content',
      notNumber: 'Number of reports must be a whole number, like 3',
      range: 'Number of reports must be between 1 and 100',
    },
    1,
    100,
  ),
  holdLinksDays: wholeNumber(
    {
      missing: 'Enter a number of days, or 0 to turn this rule off',
      notNumber: 'Number of days must be a whole number, like 7',
      range: 'Number of days must be between 0 and 365',
    },
    0,
    365,
  ),
  blockedWords: z
    .string()
    .default('')
    .transform(blockedWordsFromText)
    .superRefine((words, ctx) => {
      if (words.length > MAX_BLOCKED_WORDS) {
        ctx.addIssue({ code: 'custom', message: `Enter ${MAX_BLOCKED_WORDS} blocked words or fewer` });
        return;
      }
      const long = words.find((w) => w.length > MAX_BLOCKED_WORD_LENGTH);
      if (long) {
        ctx.addIssue({
          code: 'custom',
          message: `Each blocked word must be ${MAX_BLOCKED_WORD_LENGTH} characters or fewer`,
        });
      }
    }),
});

export const userIdSchema = z.uuid();

import { z } from 'zod';

// The forms of caseloads, plans and the family view, one schema each.

const text = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(
      max,
      `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max.toLocaleString('en-GB')} characters or fewer`,
    );

const date = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), {
      message: `${label.charAt(0).toUpperCase()}${label.slice(1)} must be a real date, like 2027-03-14`,
    });

export const CONTACT_KINDS = {
  visit: 'Home visit',
  phone: 'Phone call',
  message: 'Message',
  meeting: 'Meeting',
  school: 'School contact',
  other: 'Other',
} as const;

export const RELATIONSHIPS = { young_person: 'The young person', parent_carer: 'A parent or carer' } as const;

export const contactSchema = z.object({
  contactOn: date('the date of the contact'),
  kind: z.enum(['visit', 'phone', 'message', 'meeting', 'school', 'other'], {
    error: 'Choose the type of contact',
  }),
  notes: text('notes', 4000),
});

export const concernSchema = z.object({ summary: text('a summary of the concern', 4000) });

export const resolveSchema = z.object({ resolution: text('what was done', 2000) });

export const reassignSchema = z.object({
  assignee: z
    .string({ error: 'Choose a team and link worker' })
    .trim()
    .min(1, 'Choose a team and link worker'),
  reason: text('the reason for the assignment', 1000),
  confirmOverLimit: z
    .union([z.literal('yes'), z.array(z.string())])
    .optional()
    .transform((v) => v !== undefined && (v === 'yes' || v.includes('yes'))),
});

export const leadSchema = z.object({
  leadUserId: z
    .string()
    .trim()
    .default('')
    .transform((v) => (v === '' ? null : v)),
});

export const goalSchema = z.object({ text: text('the goal, in the young person’s own words', 500) });

export const componentSchema = z.object({
  kind: z.enum(['informal', 'formal', 'developmental', 'specialist'], {
    error: 'Choose the kind of support',
  }),
  description: text('what the support is', 1000),
  organizationId: z.string().trim().default(''),
  provider: z.string().trim().max(200, 'The provider must be 200 characters or fewer').default(''),
});

export const actionSchema = z.object({
  text: text('the action', 500),
  owner: text('who will do it', 200),
  dueOn: date('the date it is due'),
});

export const reviewSchema = z.object({ on: date('the review date') });

export const ratingSchema = z.object({
  rating: z
    .string({ error: 'Choose a number from 0 to 10' })
    .trim()
    .refine((v) => /^\d{1,2}$/.test(v) && Number(v) <= 10, { message: 'Choose a number from 0 to 10' })
    .transform(Number),
  note: z.string().trim().max(1000, 'The note must be 1,000 characters or fewer').default(''),
});

export const commentSchema = z.object({ body: text('your comment', 2000) });

export const inviteSchema = z.object({
  email: z
    .string({ error: 'Enter their email address' })
    .trim()
    .min(1, 'Enter their email address')
    .max(320, 'The email address must be 320 characters or fewer')
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.org' })),
  relationship: z.enum(['young_person', 'parent_carer'], { error: 'Choose who they are' }),
});

import { z } from 'zod';

export const SESSION_KIND_LABELS = { group: 'Group session', one_to_one: 'One-to-one session' } as const;

export const sessionSchema = z.object({
  serviceId: z.uuid({ error: 'Choose the service the session is part of' }),
  kind: z.enum(['group', 'one_to_one'], { error: 'Choose a group or one-to-one session' }),
  title: z
    .string({ error: 'Enter a title' })
    .trim()
    .min(1, 'Enter a title')
    .max(200, 'The title must be 200 characters or fewer'),
  heldOn: z
    .string({ error: 'Enter the date' })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as year-month-day, for example 2026-11-30')
    .refine(
      (v) =>
        !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      'Enter a real date',
    ),
  startsAt: z
    .string({ error: 'Enter the start time' })
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter the start time on the 24-hour clock, for example 16:30'),
  durationMinutes: z.coerce
    .number({ error: 'Enter the length in minutes' })
    .int('Enter the length in whole minutes')
    .min(5, 'A session lasts at least 5 minutes')
    .max(600, 'A session lasts at most 600 minutes'),
});

export const attendeesSchema = z.object({
  participants: z
    .union([z.string(), z.array(z.string())], { error: 'Choose at least one child or young person' })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z.array(z.uuid({ error: 'Choose from the list' })).min(1, 'Choose at least one child or young person'),
    ),
});

const mark = z.enum(['present', 'late', 'absent', 'excused'], {
  error: 'Choose present, late, absent or excused',
});

/**
 * The register: "mark all present" (a button named `all`) ignores the rows; otherwise each row's
 * `status-<participant id>` is read, present unless changed.
 */
export const registerSchema = z
  .record(z.string(), z.union([z.string(), z.array(z.string())]))
  .transform((body) => {
    const all = body.all === 'present';
    const marks = new Map<string, string>();
    for (const [key, value] of Object.entries(body)) {
      if (!key.startsWith('status-')) continue;
      marks.set(key.slice('status-'.length), Array.isArray(value) ? (value[0] ?? '') : value);
    }
    return { all, marks };
  })
  .pipe(
    z.object({
      all: z.boolean(),
      marks: z.map(z.uuid(), mark),
    }),
  );

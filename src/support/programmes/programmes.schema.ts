import { z } from 'zod';

const text = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);

const date = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), {
      message: `${label.charAt(0).toUpperCase()}${label.slice(1)} must be a real date, like 2027-09-01`,
    });

const whole = (label: string, min: number, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `${label.charAt(0).toUpperCase()}${label.slice(1)} must be a whole number from ${min} to ${max}`,
    })
    .transform(Number);

export const programmeSchema = z
  .object({
    name: text('the programme’s name', 200),
    summary: z.string().trim().max(2000, 'The summary must be 2,000 characters or fewer').default(''),
    startsOn: date('the start date'),
    endsOn: date('the end date'),
    retentionYears: whole('the retention period in years', 1, 30),
    caseloadLimit: whole('the caseload limit', 1, 200),
  })
  .refine((v) => v.endsOn >= v.startsOn, {
    path: ['endsOn'],
    message: 'The end date must be on or after the start date',
  });

export type ProgrammeForm = z.output<typeof programmeSchema>;

export const SETTING_KIND_LABELS = { school: 'School', nursery: 'Nursery', college: 'College' } as const;

export const settingSchema = z
  .object({
    name: z.string().trim().max(200, 'The name must be 200 characters or fewer').default(''),
    kind: z.enum(['school', 'nursery', 'college'], { error: 'Choose the kind of setting' }),
    organizationId: z
      .union([z.uuid(), z.literal('')], { error: 'Choose an organisation from the list' })
      .default('')
      .transform((v) => (v === '' ? null : v)),
  })
  .refine((v) => v.name !== '' || v.organizationId !== null, {
    path: ['name'],
    message: 'Choose an organisation from the directory or enter the setting’s name',
  });

export const LIFE_STAGE_LABELS = {
  early_years: 'Early years',
  primary: 'Primary',
  secondary: 'Secondary',
  young_adult: 'Young adult',
} as const;

export const cohortSchema = z.object({
  name: text('the cohort’s name', 200),
  yearGroup: z
    .string({ error: 'Enter the year group' })
    .trim()
    .refine((v) => /^-?\d{1,2}$/.test(v) && Number(v) >= -1 && Number(v) <= 14, {
      message: 'The year group must be a whole number from -1 (nursery) to 14',
    })
    .transform(Number),
  intakeYear: whole('the intake year', 2000, 2100),
  lifeStage: z.enum(['early_years', 'primary', 'secondary', 'young_adult'], {
    error: 'Choose the life stage',
  }),
});

export const teamSchema = z.object({
  name: text('the team’s name', 200),
  leadUserId: z.uuid({ error: 'Choose the team lead' }),
});

export const teamMemberSchema = z.object({
  userId: z.uuid({ error: 'Choose a link worker' }),
});

export const indicatorSchema = z
  .object({
    domain: z.enum(
      ['attendance', 'attainment', 'wellbeing', 'economic_disadvantage', 'exclusions', 'other'],
      {
        error: 'Choose the domain',
      },
    ),
    columnName: z
      .string({ error: 'Enter the CSV column' })
      .trim()
      .toLowerCase()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'The CSV column must start with a letter and use only a–z, 0–9 and _')
      .refine((v) => !['reference', 'given_name', 'family_name', 'date_of_birth', 'year_group'].includes(v), {
        message: 'That column identifies the child; choose a column with a measure',
      }),
    label: text('a label', 200),
    direction: z.enum(['below', 'above', 'yes'], { error: 'Choose when the indicator flags' }),
    threshold: z.string().trim().default(''),
  })
  .transform((v, ctx) => {
    if (v.direction === 'yes') return { ...v, threshold: null };
    if (!/^[-+]?\d{1,8}(\.\d{1,2})?$/.test(v.threshold)) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'Enter the threshold as a number, like 90 or -0.5',
      });
      return z.NEVER;
    }
    return { ...v, threshold: v.threshold };
  });

import { z } from 'zod';

/**
 * The data items a sharing decision may name: a fixed list, so that later referrals can check exactly which
 * items may travel to which organisation.
 */
export const DATA_ITEMS = {
  name: 'Name',
  date_of_birth: 'Date of birth',
  school_and_year: 'School (setting) and year group',
  identification_flags: 'The domains flagged at identification',
  support_plan: 'Goals and actions of the support plan',
  attendance: 'Attendance at sessions',
} as const;

export type DataItem = keyof typeof DATA_ITEMS;

export const LAWFUL_BASIS_LABELS = {
  consent: 'Consent',
  public_task: 'Public task',
  legitimate_interests: 'Legitimate interests',
  vital_interests: 'Vital interests',
  legal_obligation: 'Legal obligation',
} as const;

export const GIVER_LABELS = { young_person: 'The young person', parent_carer: 'A parent or carer' } as const;

const reasonText = z.string().trim().max(1000, 'The reason must be 1,000 characters or fewer').default('');

export const decisionSchema = z.object({
  decision: z.enum(['approached', 'not_taken_forward'], {
    error: 'Choose whether to take the child forward',
  }),
  reason: reasonText,
});

export const transitionSchema = z.object({
  to: z.enum(['identified', 'not_taken_forward', 'approached', 'agreed', 'enrolled', 'active', 'exited'], {
    error: 'Choose the next stage',
  }),
  reason: reasonText,
});

export const agreementSchema = z.object({
  givenBy: z.enum(['young_person', 'parent_carer'], { error: 'Choose who gave the agreement' }),
  giverName: z
    .string({ error: 'Enter the name of the person who agreed' })
    .trim()
    .min(1, 'Enter the name of the person who agreed')
    .max(200, 'The name must be 200 characters or fewer'),
  capacityJudgement: z
    .string({ error: 'Enter the capacity judgement' })
    .trim()
    .min(1, 'Enter the capacity judgement, for example how Gillick competence was assessed')
    .max(2000, 'The capacity judgement must be 2,000 characters or fewer'),
});

export const withdrawalSchema = z.object({
  agreementId: z.uuid({ error: 'Choose the agreement to withdraw' }),
  reason: z
    .string({ error: 'Enter why the agreement was withdrawn' })
    .trim()
    .min(1, 'Enter why the agreement was withdrawn')
    .max(1000, 'The reason must be 1,000 characters or fewer'),
});

export const lawfulBasisSchema = z.object({
  purpose: z
    .string({ error: 'Enter the purpose' })
    .trim()
    .min(1, 'Enter the purpose, for example "Providing link worker support"')
    .max(200, 'The purpose must be 200 characters or fewer'),
  basis: z.enum(['consent', 'public_task', 'legitimate_interests', 'vital_interests', 'legal_obligation'], {
    error: 'Choose the lawful basis',
  }),
  condition: z
    .string()
    .trim()
    .max(500, 'The condition must be 500 characters or fewer')
    .default('')
    .transform((v) => (v === '' ? null : v)),
});

export const sharingSchema = z.object({
  organizationId: z.uuid({ error: 'Choose the organisation' }),
  dataItems: z
    .union([z.string(), z.array(z.string())], { error: 'Choose at least one data item' })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z
        .array(
          z.enum(Object.keys(DATA_ITEMS) as [DataItem, ...DataItem[]], {
            error: 'Choose data items from the list',
          }),
        )
        .min(1, 'Choose at least one data item'),
    ),
  rationale: z
    .string({ error: 'Enter the rationale' })
    .trim()
    .min(1, 'Enter why sharing these items is necessary and proportionate')
    .max(2000, 'The rationale must be 2,000 characters or fewer'),
});

export const referenceSearchSchema = z.object({
  reference: z.string().trim().max(50).default(''),
});

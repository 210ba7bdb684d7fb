import { z } from 'zod';

export const DIRECTION_LABELS = { higher: 'Higher is better', lower: 'Lower is better' } as const;
export const STAGE_LABELS = { baseline: 'Baseline', interim: 'Interim', exit: 'Exit' } as const;

const number = (label: string) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .regex(/^-?\d{1,8}(\.\d{1,2})?$/, `Enter the ${label} as a number, for example 14 or 3.5`)
    .transform(Number);

export const indicatorSchema = z
  .object({
    name: z
      .string({ error: 'Enter a name' })
      .trim()
      .min(1, 'Enter a name')
      .max(200, 'The name must be 200 characters or fewer'),
    instrument: z
      .string({ error: 'Enter the instrument' })
      .trim()
      .min(1, 'Enter the instrument, for example a named questionnaire')
      .max(200, 'The instrument must be 200 characters or fewer'),
    scaleMin: number('lowest score'),
    scaleMax: number('highest score'),
    threshold: number('threshold'),
    direction: z.enum(['higher', 'lower'], { error: 'Choose whether higher or lower scores are better' }),
    licenceNote: z
      .string()
      .trim()
      .max(1000, 'The licence note must be 1,000 characters or fewer')
      .default(''),
  })
  .superRefine((v, ctx) => {
    if (v.scaleMax <= v.scaleMin)
      ctx.addIssue({
        code: 'custom',
        path: ['scaleMax'],
        message: 'The highest score must be above the lowest',
      });
    else if (v.threshold < v.scaleMin || v.threshold > v.scaleMax)
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'The threshold must be within the scale',
      });
  });

export const observationSchema = z.object({
  indicatorId: z.uuid({ error: 'Choose the indicator' }),
  stage: z.enum(['baseline', 'interim', 'exit'], { error: 'Choose baseline, interim or exit' }),
  value: number('score'),
  observedOn: z
    .string({ error: 'Enter the date' })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as year-month-day, for example 2026-11-30')
    .refine(
      (v) =>
        !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      'Enter a real date',
    ),
});

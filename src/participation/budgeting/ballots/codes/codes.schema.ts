import { z } from 'zod';
import type { Budget } from '../../budgets/budgets.service.ts';
import type { Section } from '../ballot-rules.ts';
import { readChoices } from './ballot-form.ts';

/** Letters in one batch: enough for a ward, small enough to print and draw in seconds. */
export const MAX_LETTERS = 5000;

export const issueSchema = z.object({
  quantity: z
    .string({ error: 'Enter how many letters to make' })
    .trim()
    .min(1, 'Enter how many letters to make')
    .transform((v) => v.replace(/,/g, ''))
    .refine((v) => /^\d{1,7}$/.test(v), 'Number of letters must be a whole number, like 250')
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_LETTERS, 'Number of letters must be between 1 and 5,000'),
});

export const voidSchema = z.object({
  reason: z
    .string({ error: 'Enter why the codes should stop working' })
    .trim()
    .min(1, 'Enter why the codes should stop working')
    .max(500, 'Reason must be 500 characters or fewer'),
});

const code = z
  .string({ error: 'Enter the code from your letter' })
  .trim()
  .min(1, 'Enter the code from your letter')
  .max(40, 'Enter the code exactly as it is printed on your letter, like K7PX-9QMR-3HTW');

export const codeSchema = z.object({ code });

export const districtSchema = z.object({
  code,
  districtId: z
    .string({ error: 'Select the district where you live' })
    .trim()
    .min(1, 'Select the district where you live')
    .refine((v) => z.uuid().safeParse(v).success, 'Select the district where you live'),
});

/** The ballot step: the code and district carried over, and the choices made on this ballot. */
export function codeBallotSchema(budget: Budget, sections: readonly Section[]) {
  const projects = sections.flatMap((s) => s.projects);
  return z.looseObject({ code, districtId: z.string().optional() }).transform((form, ctx) => ({
    code: form.code,
    districtId: form.districtId ? form.districtId : null,
    choices: readChoices(budget, projects, form, (field, message) =>
      ctx.addIssue({ code: 'custom', path: [field], message }),
    ),
  }));
}

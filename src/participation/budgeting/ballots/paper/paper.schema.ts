import { z } from 'zod';
import type { Budget } from '../../budgets/budgets.service.ts';
import { readChoices } from '../codes/ballot-form.ts';

export const SHEET_STATUSES = ['awaiting_second', 'mismatch', 'matched', 'resolved', 'spoilt'] as const;

export const sheetListSchema = z.object({
  status: z.enum(SHEET_STATUSES).catch('awaiting_second'),
  page: z.string().optional(),
});

const reference = z
  .string({ error: 'Enter the reference number printed on the sheet' })
  .transform((v) => v.replace(/\s+/g, '').toUpperCase())
  .pipe(
    z
      .string()
      .min(1, 'Enter the reference number printed on the sheet')
      .max(30, 'Reference must be 30 characters or fewer')
      .regex(
        /^[A-Z0-9][A-Z0-9/-]*$/,
        'Reference must be the letters and numbers printed on the sheet, like 004217',
      ),
  );

type Projects = readonly { id: string; title: string }[];

/**
 * One reading of a sheet: whether it is spoilt, the district marked on it, and the choices, in the
 * same fields as the ballot. A spoilt sheet's choices are not read.
 */
function readReading(
  budget: Budget,
  projects: Projects,
  form: Record<string, unknown>,
  ctx: z.RefinementCtx,
) {
  const spoilt = form.spoilt === 'yes';
  const choices = spoilt
    ? []
    : readChoices(budget, projects, form, (field, message) =>
        ctx.addIssue({ code: 'custom', path: [field], message }),
      );
  const districtId =
    typeof form.districtId === 'string' && form.districtId.trim() ? form.districtId.trim() : null;
  return { spoilt, districtId, choices };
}

export function sheetSchema(budget: Budget, projects: Projects) {
  return z
    .looseObject({ reference })
    .transform((form, ctx) => ({ reference: form.reference, ...readReading(budget, projects, form, ctx) }));
}

export function resolveSchema(budget: Budget, projects: Projects) {
  return z.looseObject({}).transform((form, ctx) => readReading(budget, projects, form, ctx));
}

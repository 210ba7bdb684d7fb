import { z } from 'zod';
import type { BallotKind } from '../budgets/budgets.table.ts';
import type { Choice } from './ballot-rules.ts';

/**
 * The online ballot form. Field names:
 * - `districtId`: the voter's district (a hidden field once chosen), for budgets with districts;
 * - `projects`: one value per ticked project (approval and choose-1 ballots);
 * - `points-<projectId>`: points given to a project (cumulative and scoring ballots);
 * - `rank-<projectId>`: the number given to a project, 1 for the first choice (ranked ballots);
 * - `intent`: `cast` stores the ballot, `recalculate` only shows the running total again.
 * The rules themselves (limits, money, points, ranks) are checked by ballot-rules.ts, which names each
 * problem's field; this only reads what was sent.
 */
export const ballotFormSchema = z.looseObject({
  intent: z.enum(['cast', 'recalculate']).catch('recalculate'),
  districtId: z
    .string()
    .trim()
    .optional()
    .catch(undefined)
    .transform((v) => v || null),
});

export type BallotForm = z.output<typeof ballotFormSchema>;

/** The largest number read from a points or rank field; anything bigger is refused by the rules as it is. */
const MAX_NUMBER = 1_000_000;

/** A typed number: whole and in range, or NaN so that the rules report it for that project. */
function whole(value: string): number {
  return /^\d{1,7}$/.test(value) && Number(value) <= MAX_NUMBER ? Number(value) : Number.NaN;
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined || value === null ? [] : [String(value)];
}

/**
 * The choices a posted form makes. Empty boxes are not choices; neither is 0 points. Anything else is
 * passed on, tampered project ids and nonsense numbers included, for the rules to refuse with a message.
 */
export function choicesFrom(kind: BallotKind, form: Record<string, unknown>): Choice[] {
  if (kind === 'approval' || kind === 'choose-1') {
    return strings(form.projects)
      .map((id) => id.trim())
      .filter((id) => id !== '')
      .map((projectId) => ({ projectId }));
  }
  const prefix = kind === 'ordinal' ? 'rank-' : 'points-';
  const choices: Choice[] = [];
  for (const [key, raw] of Object.entries(form)) {
    if (!key.startsWith(prefix)) continue;
    const value = strings(raw)[0]?.trim() ?? '';
    if (value === '' || (prefix === 'points-' && /^0+$/.test(value))) continue;
    const projectId = key.slice(prefix.length);
    choices.push(
      kind === 'ordinal' ? { projectId, rank: whole(value) } : { projectId, points: whole(value) },
    );
  }
  return choices;
}

/** The form values that show a stored ballot again, pre-filled. */
export function valuesFrom(kind: BallotKind, districtId: string | null, choices: readonly Choice[]) {
  const values: Record<string, unknown> = { districtId: districtId ?? '' };
  if (kind === 'approval' || kind === 'choose-1') values.projects = choices.map((c) => c.projectId);
  for (const c of choices) {
    if (kind === 'ordinal' && c.rank != null) values[`rank-${c.projectId}`] = String(c.rank);
    if ((kind === 'cumulative' || kind === 'scoring') && c.points != null)
      values[`points-${c.projectId}`] = String(c.points);
  }
  return values;
}

/** The district step: a GET form, so that choosing a district writes nothing. */
export const districtQuerySchema = z.object({
  district: z.string().trim().optional().catch(undefined),
  step: z.string().optional().catch(undefined),
  choose: z.string().optional().catch(undefined),
});

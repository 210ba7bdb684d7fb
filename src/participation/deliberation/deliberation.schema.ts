import { z } from 'zod';
import { placeReturnTo } from '../../places/place-scope.ts';
import { BODY_MAX_LENGTH } from './deliberation.service.ts';

export const STANCES = ['in_favour', 'against', 'neutral'] as const;

const body = z
  .string({ error: 'Enter a comment' })
  // Browsers send line breaks as CRLF; count them as the one character people typed.
  .overwrite((v) => v.replace(/\r\n?/g, '\n'))
  .trim()
  .min(1, 'Enter a comment')
  .max(BODY_MAX_LENGTH, `Comment must be ${BODY_MAX_LENGTH} characters or fewer`);

const stance = z.enum(STANCES, { error: 'Select whether you are in favour, against or neutral' });

/** Where to go back to; checked against the place when used. */
const returnTo = z.string().max(2000).optional().catch(undefined);

export const commentSchema = z.object({
  body,
  stance,
  parentId: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.uuid({ error: 'Choose a comment to reply to' }).optional()),
  returnTo,
});

export const editCommentSchema = z.object({ body, stance, returnTo });

export const reactionSchema = z.object({
  value: z.enum(['agree', 'disagree'], { error: 'Choose agree or disagree' }),
  returnTo,
});

export const deleteCommentSchema = z.object({ returnTo });

export const threadQuerySchema = z.object({
  commentPage: z.coerce.number().int().min(1).max(100000).optional().catch(undefined),
  commentOrder: z.enum(['oldest', 'newest']).optional().catch(undefined),
});

export const commentIdSchema = z.uuid();

/**
 * Only pages of this place may be gone back to; anything else (another
 * site, another place, a protocol-relative path) falls back to the default.
 */
export function safeReturnTo(value: unknown, slug: string, fallback: string): string {
  return placeReturnTo(value, slug) ?? fallback;
}

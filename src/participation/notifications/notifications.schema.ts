import { z } from 'zod';

export const followSchema = z.object({
  targetType: z.enum(['process', 'proposal']),
  targetId: z.uuid(),
  follow: z.enum(['yes', 'no']).transform((v) => v === 'yes'),
  returnTo: z.string().max(500).optional(),
});

export const EMAIL_PREFERENCES = [
  { value: 'immediate', text: 'Straight away', hint: 'One email for each notification.' },
  { value: 'daily', text: 'Once a day', hint: 'One summary email a day, only when there is something new.' },
  { value: 'off', text: 'Never', hint: 'You will still see your notifications on Commonweal.' },
] as const;

export const preferencesSchema = z.object({
  email: z.enum(['immediate', 'daily', 'off'], {
    error: 'Select how often you want emails about your notifications',
  }),
});

export const idParam = z.uuid();

/** Unsubscribe tokens are base64url secrets; anything else cannot be one. */
export const tokenParam = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);

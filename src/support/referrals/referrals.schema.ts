import { z } from 'zod';
import { DATA_ITEMS, type DataItem } from '../participants/participants.schema.ts';

/**
 * The data items a referral can carry and the partner's page can show. The support plan travels with the
 * plan itself, not with a referral, so it is not offered here.
 */
export const REFERRAL_ITEMS = {
  name: DATA_ITEMS.name,
  date_of_birth: DATA_ITEMS.date_of_birth,
  school_and_year: DATA_ITEMS.school_and_year,
  identification_flags: DATA_ITEMS.identification_flags,
  attendance: DATA_ITEMS.attendance,
} as const satisfies Partial<Record<DataItem, string>>;

export type ReferralItem = keyof typeof REFERRAL_ITEMS;

const items = Object.keys(REFERRAL_ITEMS) as [ReferralItem, ...ReferralItem[]];

export const referralSchema = z.object({
  serviceId: z.uuid({ error: 'Choose the service to refer to' }),
  dataItems: z
    .union([z.string(), z.array(z.string())], { error: 'Choose at least one data item to share' })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z
        .array(z.enum(items, { error: 'Choose data items from the list' }))
        .min(1, 'Choose at least one data item to share'),
    ),
  note: z
    .string({ error: 'Enter what you are asking the service to do' })
    .trim()
    .min(1, 'Enter what you are asking the service to do')
    .max(2000, 'The note must be 2,000 characters or fewer'),
});

export const declineSchema = z.object({
  reason: z
    .string({ error: 'Enter why the referral is declined' })
    .trim()
    .min(1, 'Enter why the referral is declined')
    .max(1000, 'The reason must be 1,000 characters or fewer'),
});

export const inboxSchema = z.object({
  status: z.enum(['sent', 'accepted', 'declined', 'completed', 'revoked']).optional().catch(undefined),
});

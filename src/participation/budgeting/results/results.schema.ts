import { z } from 'zod';

/** The officer's confirmation before results are published. */
export const publishSchema = z.object({
  confirm: z.literal('yes', { error: 'Confirm that you have checked these results' }),
});

/** ?count=<id> lets officers look at a particular finished count; anything else is ignored. */
export const resultsQuerySchema = z.object({
  count: z.uuid().optional().catch(undefined),
});

export const countListQuerySchema = z.object({
  page: z.string().optional(),
});

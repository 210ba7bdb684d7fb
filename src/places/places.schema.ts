import { z } from 'zod';
import { PLACE_ROLES } from '../platform/auth/roles.ts';

export const placeSchema = z.object({
  name: z
    .string({ error: 'Enter the name of the place' })
    .trim()
    .min(1, 'Enter the name of the place')
    .max(120, 'Name must be 120 characters or fewer'),
  slug: z
    .string({ error: 'Enter a web address for the place' })
    .trim()
    .toLowerCase()
    .min(2, 'Web address must be 2 characters or more')
    .max(60, 'Web address must be 60 characters or fewer')
    .regex(
      /^[a-z0-9]+(-[a-z0-9]+)*$/,
      'Web address must only include letters a to z, numbers and single hyphens, like north-ealing',
    ),
  summary: z.string().trim().max(1000, 'Summary must be 1000 characters or fewer').default(''),
  contactEmail: z
    .string()
    .trim()
    .max(254, 'Email address must be 254 characters or fewer')
    .refine(
      (v) => v === '' || z.email().safeParse(v).success,
      'Enter an email address in the correct format, like name@example.com',
    )
    .transform((v) => (v === '' ? null : v))
    .default(''),
});

export const grantRoleSchema = z.object({
  email: z
    .string({ error: "Enter the person's email address" })
    .trim()
    .min(1, "Enter the person's email address")
    .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' })),
  role: z.enum(PLACE_ROLES, { error: 'Select a role' }),
});

export const revokeRoleSchema = z.object({
  role: z.enum(PLACE_ROLES, { error: 'Select a role' }),
});

export const membersFilterSchema = z.object({
  search: z.string().trim().max(100).optional().catch(undefined),
  role: z.enum(PLACE_ROLES).optional().catch(undefined),
  page: z.string().optional().catch(undefined),
});

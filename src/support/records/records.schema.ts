import { z } from 'zod';

export const subjectAccessSchema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'Enter the request reference and who asked')
    .max(500, 'The reason must be 500 characters or fewer'),
});

export const legalHoldSchema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'Enter why the record must be kept')
    .max(1000, 'The reason must be 1,000 characters or fewer'),
});

export const liftHoldSchema = z.object({
  reason: z
    .string()
    .trim()
    .min(1, 'Enter why the hold can be lifted')
    .max(1000, 'The reason must be 1,000 characters or fewer'),
});

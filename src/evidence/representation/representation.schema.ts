import { z } from 'zod';
import { uploadedFile } from '../../platform/uploads.ts';

/** The population profile upload: one CSV file. */
export const profileUploadSchema = z.object({ file: z.unknown().optional() }).transform((form, ctx) => {
  const file = uploadedFile(form.file, ctx, { choose: 'Choose a CSV file to upload' });
  if (!file) return z.NEVER;
  return { filename: file.filename || 'profile.csv', bytes: file.bytes };
});

/** "About you": the consent box and one answer per question, named q-<dimension>; checked in the service. */
export const aboutYouSchema = z.looseObject({ consent: z.string().optional() }).transform((form) => ({
  consent: form.consent === 'yes',
  answers: Object.fromEntries(
    Object.entries(form)
      .filter(([key, value]) => key.startsWith('q-') && typeof value === 'string')
      .map(([key, value]) => [key.slice(2), value as string]),
  ),
}));

export const scopeSchema = z.enum(['everyone', 'online', 'code', 'paper']).catch('everyone');

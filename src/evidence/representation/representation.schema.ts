import { z } from 'zod';
import { isUploadedFile } from '../../platform/uploads.ts';

/** The population profile upload: one CSV file. */
export const profileUploadSchema = z.object({ file: z.unknown().optional() }).transform((form, ctx) => {
  const file = isUploadedFile(form.file) ? form.file : undefined;
  if (!file || file.bytes.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['file'], message: 'Choose a CSV file to upload' });
    return z.NEVER;
  }
  if (file.truncated) {
    ctx.addIssue({ code: 'custom', path: ['file'], message: 'The file must be smaller than 2 MB' });
    return z.NEVER;
  }
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

import { z } from 'zod';
import { isUploadedFile } from '../../platform/uploads.ts';

/** A year group's CSV is small: 5 MB holds tens of thousands of rows. */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;

export const importSchema = z
  .object({
    cohortId: z.uuid({ error: 'Choose a cohort' }),
    settingId: z.uuid({ error: 'Choose a setting' }),
    file: z.unknown().optional(),
  })
  .transform((form, ctx) => {
    const file = isUploadedFile(form.file) ? form.file : undefined;
    if (!file || file.bytes.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'Choose a CSV file to import' });
      return z.NEVER;
    }
    if (file.truncated) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'The file must be smaller than 5 MB' });
      return z.NEVER;
    }
    return { cohortId: form.cohortId, settingId: form.settingId, filename: file.filename, bytes: file.bytes };
  });

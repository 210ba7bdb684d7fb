import { z } from 'zod';
import { uploadedFile } from '../../platform/uploads.ts';

/** A year group's CSV is small: 5 MB holds tens of thousands of rows. */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;

export const importSchema = z
  .object({
    cohortId: z.uuid({ error: 'Choose a cohort' }),
    settingId: z.uuid({ error: 'Choose a setting' }),
    file: z.unknown().optional(),
  })
  .transform((form, ctx) => {
    const file = uploadedFile(form.file, ctx, {
      choose: 'Choose a CSV file to import',
      maxBytes: MAX_CSV_BYTES,
    });
    if (!file) return z.NEVER;
    return { cohortId: form.cohortId, settingId: form.settingId, filename: file.filename, bytes: file.bytes };
  });

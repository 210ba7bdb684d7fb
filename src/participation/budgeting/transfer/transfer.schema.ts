import { z } from 'zod';
import { isUploadedFile, type UploadedFile } from '../../../platform/uploads.ts';

/** The largest .pb file accepted: the largest pabulib elections are a few MB. */
export const MAX_PB_BYTES = 50 * 1024 * 1024;

export const importSchema = z
  .object({ file: z.custom<UploadedFile | string | undefined>().optional() })
  .transform((form, ctx) => {
    const file = isUploadedFile(form.file) ? form.file : undefined;
    if (!file || file.bytes.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'Choose a .pb file to import' });
      return z.NEVER;
    }
    if (file.truncated) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'The file must be smaller than 50 MB' });
      return z.NEVER;
    }
    return { filename: file.filename, bytes: file.bytes };
  });

/** A section of a budget: a district's id, or "area" for the whole area. */
export const exportQuerySchema = z.object({
  section: z.union([z.literal('area'), z.uuid()]).default('area'),
});

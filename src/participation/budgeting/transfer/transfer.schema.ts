import { z } from 'zod';
import { type UploadedFile, uploadedFile } from '../../../platform/uploads.ts';

/** The largest .pb file accepted: the largest pabulib elections are a few MB. */
export const MAX_PB_BYTES = 50 * 1024 * 1024;

export const importSchema = z
  .object({ file: z.custom<UploadedFile | string | undefined>().optional() })
  .transform((form, ctx) => {
    const file = uploadedFile(form.file, ctx, {
      choose: 'Choose a .pb file to import',
      maxBytes: MAX_PB_BYTES,
    });
    if (!file) return z.NEVER;
    return { filename: file.filename, bytes: file.bytes };
  });

/** A section of a budget: a district's id, or "area" for the whole area. */
export const exportQuerySchema = z.object({
  section: z.union([z.literal('area'), z.uuid()]).default('area'),
});

import { z } from 'zod';
import { isUploadedFile, sniffImageType, type UploadedFile } from '../../platform/uploads.ts';
import { isPostcode, normalisePostcode } from '../processes/eligibility.ts';

export const proposalSchema = z
  .object({
    title: z
      .string({ error: 'Enter a title' })
      .trim()
      .min(1, 'Enter a title')
      .max(150, 'Title must be 150 characters or fewer'),
    body: z
      .string({ error: 'Describe your proposal' })
      .trim()
      .min(20, 'Describe your proposal in at least 20 characters')
      .max(6000, 'Description must be 6,000 characters or fewer'),
    category: z
      .string()
      .trim()
      .default('')
      .transform((v) => v || null),
    area: z
      .string()
      .trim()
      .max(100, 'Area must be 100 characters or fewer')
      .default('')
      .transform((v) => v || null),
    postcode: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || isPostcode(v), 'Enter a real postcode, like SW1A 1AA')
      .transform((v) => (v ? normalisePostcode(v) : null)),
    image: z.custom<UploadedFile | string | undefined>().optional(),
    imageAlt: z.string().trim().max(250, 'Image description must be 250 characters or fewer').default(''),
    removeImage: z.string().optional(),
  })
  .transform((form, ctx) => {
    const file = isUploadedFile(form.image) && form.image.bytes.length > 0 ? form.image : undefined;
    let image:
      | { contentType: 'image/jpeg' | 'image/png' | 'image/webp'; bytes: Buffer; altText: string }
      | undefined;
    if (file) {
      const type = sniffImageType(file.bytes);
      if (file.truncated)
        ctx.addIssue({ code: 'custom', path: ['image'], message: 'The image must be smaller than 2 MB' });
      else if (!type)
        ctx.addIssue({ code: 'custom', path: ['image'], message: 'The image must be a JPG, PNG or WEBP' });
      else if (!form.imageAlt)
        ctx.addIssue({
          code: 'custom',
          path: ['imageAlt'],
          message: 'Describe the image for people who cannot see it',
        });
      else image = { contentType: type, bytes: file.bytes, altText: form.imageAlt };
    }
    return {
      title: form.title,
      body: form.body,
      category: form.category,
      area: form.area,
      postcode: form.postcode,
      image,
      removeImage: form.removeImage === 'yes',
    };
  });

export const ANSWERS = ['evaluating', 'accepted', 'not_accepted', 'already_happening'] as const;

export const answerSchema = z.object({
  answer: z.enum(ANSWERS, { error: 'Select an answer' }),
  reason: z
    .string({ error: 'Explain the answer' })
    .trim()
    .min(10, 'Explain the answer in at least 10 characters')
    .max(4000, 'Explanation must be 4,000 characters or fewer'),
});

export const proposalListSchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  category: z.string().trim().max(60).optional().catch(undefined),
  area: z.string().trim().max(100).optional().catch(undefined),
  answer: z
    .enum([...ANSWERS, 'unanswered'])
    .optional()
    .catch(undefined),
  sort: z.enum(['newest', 'supported', 'random', 'relevance']).optional().catch(undefined),
  seed: z
    .string()
    .regex(/^[a-z0-9]{1,16}$/)
    .optional()
    .catch(undefined),
  page: z.string().optional().catch(undefined),
});

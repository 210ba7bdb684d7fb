import { z } from 'zod';
import { isUploadedFile, type UploadedFile } from '../../platform/uploads.ts';

/** The forms of recruitment and selection (the assembly's own forms are in assemblies/assemblies.schema.ts). */

export const drawSchema = z.object({
  quantity: z
    .string({ error: 'Enter how many addresses to invite' })
    .trim()
    .min(1, 'Enter how many addresses to invite')
    .regex(/^\d+$/, 'The number of addresses must be a whole number, like 500')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 5000, 'Invite between 1 and 5,000 addresses at a time'),
  seed: z
    .string()
    .trim()
    .max(200, 'The seed must be 200 characters or fewer')
    .optional()
    .transform((v) => (v ? v : null)),
});

export const codeSchema = z.object({
  code: z
    .string({ error: 'Enter the code from your letter' })
    .trim()
    .min(1, 'Enter the code from your letter'),
});

/** The registration form; the feature answers are read by the service against the assembly's features. */
export const registrationSchema = z
  .looseObject({
    code: z.string().trim().min(1, 'Enter the code from your letter'),
    name: z
      .string({ error: 'Enter your name' })
      .trim()
      .min(1, 'Enter your name')
      .max(200, 'Your name must be 200 characters or fewer'),
    email: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : null))
      .refine(
        (v) => v === null || z.email().safeParse(v).success,
        'Enter an email address like name@example.org',
      ),
    phone: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : null))
      .refine(
        (v) => v === null || /^[+\d][\d\s()-]{6,}$/.test(v),
        'Enter a phone number, like 01632 960 001',
      ),
    specialConsent: z
      .string()
      .optional()
      .transform((v) => v === 'yes'),
  })
  .superRefine((form, ctx) => {
    if (!form.email && !form.phone) {
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'Give an email address or a phone number so we can contact you',
      });
    }
  })
  .transform((form) => {
    const answers: Record<string, string> = {};
    for (const [key, value] of Object.entries(form)) {
      if (key.startsWith('feature-') && typeof value === 'string' && value !== '')
        answers[key.slice(8)] = value;
    }
    return {
      code: form.code,
      name: form.name,
      email: form.email,
      phone: form.phone,
      specialConsent: form.specialConsent,
      answers,
    };
  });

export const importSchema = z.object({
  addressColumns: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    ),
  consent: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
  text: z.string(),
});

export const selectionSchema = z.object({
  algorithm: z.enum(['maximin', 'leximin'], { error: 'Choose how fair the lottery should be' }),
  uniformPanels: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine(
      (v) => v === null || (/^\d+$/.test(v) && Number(v) >= 2 && Number(v) <= 1000),
      'The number of panels must be a whole number from 2 to 1,000',
    )
    .transform((v) => (v === null ? null : Number(v))),
});

export const seedSchema = z.object({
  seed: z
    .string({ error: 'Enter the seed' })
    .trim()
    .min(1, 'Enter the seed, for example the numbers of a public lottery draw')
    .max(200, 'The seed must be 200 characters or fewer'),
});

export const replacementSchema = z.object({
  dropped: z
    .union([z.string(), z.array(z.string())], { error: 'Choose the members who dropped out' })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((v) => v.length > 0, 'Choose the members who dropped out'),
  seed: z
    .string({ error: 'Enter the seed' })
    .trim()
    .min(1, 'Enter the seed for the draw of replacements')
    .max(200),
});

/** The forms of the assembly at work: sessions, documents, recommendations and the official responses. */

const workText = (label: string, max: number) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .max(max, `The ${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const sessionSchema = z.object({
  heldOn: z
    .string({ error: 'Enter the date of the session' })
    .trim()
    .min(1, 'Enter the date of the session')
    .refine(isRealDate, 'The date must be a real date, like 2027-03-01'),
  location: workText('place where the session is held', 300),
  agenda: workText('agenda', 5000),
});

const isPdf = (bytes: Buffer) => bytes.subarray(0, 5).toString('latin1') === '%PDF-';

/**
 * A document is a web address or an uploaded PDF. When changing one, neither may be given: the service
 * then keeps the PDF already stored.
 */
const documentForm = (mode: 'new' | 'change') =>
  z
    .object({
      title: workText('title of the document', 300),
      url: z
        .string()
        .trim()
        .optional()
        .transform((v) => (v ? v : null))
        .refine((v) => {
          if (v === null) return true;
          try {
            return ['http:', 'https:'].includes(new URL(v).protocol);
          } catch {
            return false;
          }
        }, 'Enter a web address starting with https://, like https://www.example.org/report.pdf'),
      file: z.custom<UploadedFile | string | undefined>().optional(),
    })
    .transform((form, ctx) => {
      const file = isUploadedFile(form.file) && form.file.bytes.length > 0 ? form.file : null;
      if (file && form.url) {
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: 'Give a web address or upload a PDF, not both',
        });
        return z.NEVER;
      }
      if (!file && !form.url && mode === 'new') {
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: 'Enter a web address or choose a PDF to upload',
        });
        return z.NEVER;
      }
      if (file?.truncated) {
        ctx.addIssue({ code: 'custom', path: ['file'], message: 'The PDF must be smaller than 2 MB' });
        return z.NEVER;
      }
      if (file && !isPdf(file.bytes)) {
        ctx.addIssue({ code: 'custom', path: ['file'], message: 'The file must be a PDF' });
        return z.NEVER;
      }
      return {
        title: form.title,
        url: file ? null : form.url,
        filename: file ? file.filename.replace(/[^\w.-]/g, '_').slice(0, 200) || 'document.pdf' : null,
        content: file ? file.bytes : null,
      };
    });

export const documentSchema = documentForm('new');
export const documentChangeSchema = documentForm('change');

export const recommendationSchema = z.object({
  title: workText('title of the recommendation', 300),
  body: workText('text of the recommendation', 20_000),
});

export const RESPONSE_VALUES = ['accepted', 'partly', 'not_accepted'] as const;

export const responseSchema = z.object({
  response: z.enum(RESPONSE_VALUES, {
    error: 'Choose the response: accepted, partly accepted or not accepted',
  }),
  reason: workText('reasons for the response', 10_000),
});

import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ValidationError } from './errors.ts';

export interface FormErrors {
  /** For the GOV.UK error summary: each links to its field. */
  summary: { text: string; href: string }[];
  /** For each field's error message, keyed by field name. */
  fields: Record<string, { text: string }>;
}

export type FormResult<T> =
  | { ok: true; data: T }
  | { ok: false; errors: FormErrors; values: Record<string, unknown> };

export function emptyErrors(): FormErrors {
  return { summary: [], fields: {} };
}

export function fieldError(field: string, text: string): FormErrors {
  return { summary: [{ text, href: `#${field}` }], fields: { [field]: { text } } };
}

/** Every problem of a ValidationError; each field shows its first problem, the summary lists each once. */
export function validationErrors(error: ValidationError): FormErrors {
  const errors = emptyErrors();
  for (const p of [{ field: error.field, message: error.message }, ...error.others]) {
    if (errors.summary.some((s) => s.text === p.message)) continue;
    errors.summary.push({ text: p.message, href: `#${p.field}` });
    errors.fields[p.field] ??= { text: p.message };
  }
  return errors;
}

/**
 * Validates a posted form against its schema. On failure the caller
 * re-renders the form with these errors and the values as posted.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = (body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {}) as Record<
    string,
    unknown
  >;
  delete values._csrf;
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const errors = emptyErrors();
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (errors.fields[field]) continue;
    errors.fields[field] = { text: issue.message };
    errors.summary.push({ text: issue.message, href: `#${field}` });
  }
  // Never echo a password back into the page.
  for (const key of Object.keys(values)) if (/password/i.test(key)) values[key] = '';
  return { ok: false, errors, values };
}

/**
 * The shape of every form POST: validate, act, and on any problem re-render
 * the same page with status 400, a GOV.UK error summary and the posted values.
 */
export async function handleForm<S extends z.ZodType>(
  reply: FastifyReply,
  options: {
    schema: S;
    body: unknown;
    template: string;
    /**
     * What the page needs besides the form's values and errors. Pass a function when building it reads
     * the database: it is then called only when the form is shown again, not on every successful post.
     */
    context?: Record<string, unknown> | (() => Promise<Record<string, unknown>> | Record<string, unknown>);
    action: (data: z.output<S>) => Promise<FastifyReply>;
  },
): Promise<FastifyReply> {
  const context = async () =>
    typeof options.context === 'function' ? await options.context() : options.context;
  const parsed = parseForm(options.schema, options.body);
  if (!parsed.ok) {
    return reply
      .code(400)
      .page(options.template, { ...(await context()), errors: parsed.errors, values: parsed.values });
  }
  try {
    return await options.action(parsed.data);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const values = { ...(options.body as Record<string, unknown>) };
    for (const key of Object.keys(values)) if (/password/i.test(key) || key === '_csrf') delete values[key];
    return reply
      .code(400)
      .page(options.template, { ...(await context()), errors: validationErrors(error), values });
  }
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { handleForm } from '../../platform/forms.ts';
import { childName } from '../child-name.ts';

export const FORM = 'support/views/form.njk';

type Params = Record<string, string>;

/**
 * One small form page (GET shows it, POST validates, acts and redirects with a flash), on the support
 * pillar's shared form template. `load` runs for both and does the access check, so a refused or unknown
 * child is a 404 before anything is shown or changed.
 */
export function formPage<S extends z.ZodType, L>(
  app: FastifyInstance,
  scope: FastifyInstance,
  options: {
    path: string;
    schema: S;
    load: (request: FastifyRequest<{ Params: Params }>) => Promise<L>;
    context: (loaded: L, request: FastifyRequest<{ Params: Params }>) => Record<string, unknown>;
    values?: (loaded: L) => Record<string, unknown>;
    act: (
      loaded: L,
      data: z.output<S>,
      request: FastifyRequest<{ Params: Params }>,
    ) => Promise<{ flash: string; redirect: string }>;
    template?: string;
    routeConfig?: Record<string, unknown>;
  },
): void {
  const template = options.template ?? FORM;
  scope.get<{ Params: Params }>(options.path, async (request, reply) => {
    const loaded = await options.load(request);
    return reply.page(template, {
      ...options.context(loaded, request),
      values: options.values?.(loaded) ?? {},
    });
  });
  scope.post<{ Params: Params }>(
    options.path,
    { config: options.routeConfig ?? {} },
    async (request, reply): Promise<FastifyReply> => {
      const loaded = await options.load(request);
      return handleForm(reply, {
        schema: options.schema,
        body: request.body,
        template,
        context: options.context(loaded, request),
        action: async (data) => {
          const done = await options.act(loaded, data, request);
          await app.sessions.flash(request, { kind: 'success', text: done.flash });
          return reply.redirect(done.redirect, 303);
        },
      });
    },
  );
}

export function displayName(p: { given_name: string | null; family_name: string | null; reference: string }) {
  return childName(p.given_name, p.family_name) ?? p.reference;
}

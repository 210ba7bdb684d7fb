import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../../places/place-scope.ts';
import { authorise } from '../../../platform/auth/policy.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { handleForm } from '../../../platform/forms.ts';
import type { Services } from '../../../services.ts';
import { exportQuerySchema, importSchema, MAX_PB_BYTES } from './transfer.schema.ts';

const V = 'participation/budgeting/transfer/views';

export function transferRoutes(app: FastifyInstance, services: Services): void {
  const { processes, budgets, transfer } = services;

  /**
   * Refuses before the body is read: uploads are read into memory ahead of the handler, and only staff may
   * send one this large.
   */
  async function staffOnly(request: FastifyRequest): Promise<void> {
    const { slug } = request.params as { slug: string };
    const found = await services.places.placeBySlug(slug);
    authorise(request.actor, 'budgets.manage', found.id);
  }

  registerPlaceRoutes(app, (scope) => {
    const importPath = (processId: string, request: FastifyRequest) =>
      `/places/${place(request).slug}/processes/${processId}/budgets/import`;

    scope.get<{ Params: { processId: string } }>(
      '/processes/:processId/budgets/import',
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const process = await processes.getProcess(place(request), uuid(request.params.processId));
        return reply.page(`${V}/import.njk`, {
          title: 'Import a .pb file',
          process,
          action: importPath(process.id, request),
          values: {},
        });
      },
    );

    scope.post<{ Params: { processId: string } }>(
      '/processes/:processId/budgets/import',
      { onRequest: staffOnly, config: { multipartOptions: { limits: { fileSize: MAX_PB_BYTES } } } },
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const process = await processes.getProcess(place(request), uuid(request.params.processId));
        return handleForm(reply, {
          schema: importSchema,
          body: request.body,
          template: `${V}/import.njk`,
          context: { title: 'Import a .pb file', process, action: importPath(process.id, request) },
          action: async (upload) => {
            const result = await transfer.importPb(request.actor, place(request), process, upload);
            await app.sessions.flash(request, {
              kind: 'success',
              text: `${result.title} has been imported: ${result.projects} ${result.projects === 1 ? 'project' : 'projects'} and ${result.ballots} ${result.ballots === 1 ? 'ballot' : 'ballots'}.`,
            });
            return reply.redirect(`/places/${place(request).slug}/budgets/${result.budgetId}`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { budgetId: string }; Querystring: Record<string, string> }>(
      '/budgets/:budgetId/export.pb',
      async (request, reply) => {
        const query = exportQuerySchema.safeParse(request.query);
        if (!query.success) throw new NotFoundError();
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const file = await transfer.exportPb(request.actor, place(request), budget, query.data.section);
        return reply
          .type('text/plain; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('cache-control', 'no-store')
          .send(file.text);
      },
    );
  });
}

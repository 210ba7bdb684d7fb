import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { isPlaceRole, ROLE_LABELS } from '../../platform/auth/roles.ts';
import { handleForm } from '../../platform/forms.ts';
import type { Services } from '../../services.ts';
import { STATUS_LABELS } from '../participants/enrolment.ts';
import { legalHoldSchema, liftHoldSchema, subjectAccessSchema } from './records.schema.ts';
import { actionText, exportSections } from './subject-access.ts';

const V = 'support/records/views';
const FORM = 'support/views/form.njk';

/**
 * Place admins' pages for one child: answer a subject access request (page and JSON download) and set or
 * lift a legal hold. They reach a child from the access log, by reference.
 */
export function recordsRoutes(app: FastifyInstance, services: Services): void {
  const records = services.supportRecords;

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest, id: string) =>
      `/places/${place(request).slug}/support/participants/${id}`;

    async function overviewContext(request: FastifyRequest, id: string) {
      const overview = await records.overview(request.actor, place(request), id);
      return {
        title: `Records of ${overview.label.reference}`,
        ...overview,
        statusLabel: STATUS_LABELS[overview.label.status],
        action: `${base(request, id)}/subject-access`,
        holdLink: `${base(request, id)}/legal-hold`,
        backLink: `${base(request, id)}/access-log`,
      };
    }

    scope.get<{ Params: { id: string } }>('/support/participants/:id/records', async (request, reply) =>
      reply.page(`${V}/records.njk`, await overviewContext(request, uuid(request.params.id))),
    );

    scope.post<{ Params: { id: string } }>(
      '/support/participants/:id/subject-access',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const context = await overviewContext(request, id);
        return handleForm(reply, {
          schema: subjectAccessSchema,
          body: request.body,
          template: `${V}/records.njk`,
          context,
          action: async (data) => {
            const requestId = await records.requestSubjectAccess(
              request.actor,
              place(request),
              id,
              data.reason,
            );
            return reply.redirect(`${base(request, id)}/subject-access/${requestId}`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { id: string; requestId: string } }>(
      '/support/participants/:id/subject-access/:requestId',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const requestId = uuid(request.params.requestId);
        const data = await records.subjectAccessExport(request.actor, place(request), id, requestId, 'page');
        return reply.header('cache-control', 'no-store').page(`${V}/subject-access.njk`, {
          title: `Subject access: ${data.about.reference}`,
          data,
          sections: exportSections(data),
          accessLog: data.accessLog.map((e) => ({
            ...e,
            actionText: actionText(e.action),
            roleText: e.roles.map((r) => (isPlaceRole(r) ? ROLE_LABELS[r] : r)).join(', '),
          })),
          downloadLink: `${base(request, id)}/subject-access/${requestId}/export.json`,
          backLink: `${base(request, id)}/records`,
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { id: string; requestId: string } }>(
      '/support/participants/:id/subject-access/:requestId/export.json',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const requestId = uuid(request.params.requestId);
        const data = await records.subjectAccessExport(request.actor, place(request), id, requestId, 'json');
        return reply
          .header('content-disposition', `attachment; filename="subject-access-${data.about.reference}.json"`)
          .header('cache-control', 'no-store')
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(data, null, 2));
      },
    );

    async function holdForm(request: FastifyRequest, id: string) {
      const overview = await records.overview(request.actor, place(request), id);
      const held = overview.liveHold !== null;
      return {
        held,
        context: {
          title: held ? 'Lift the legal hold' : 'Set a legal hold',
          caption: overview.label.reference,
          intro: held
            ? [
                `On hold since ${overview.liveHold!.set_at.toISOString().slice(0, 10)}: ${overview.liveHold!.reason}`,
                'Once lifted, the record is erased at the next daily run if its retention period has passed.',
              ]
            : [
                'A legal hold stops this child’s record from being erased under the retention rule, for example while a claim, an investigation or a court case needs it.',
              ],
          fields: [
            {
              name: 'reason',
              label: held ? 'Why the hold can be lifted' : 'Why the record must be kept',
              type: 'textarea',
              rows: 4,
            },
          ],
          submitText: held ? 'Lift the hold' : 'Set the hold',
          action: `${base(request, id)}/legal-hold`,
          backLink: `${base(request, id)}/records`,
        },
      };
    }

    scope.get<{ Params: { id: string } }>('/support/participants/:id/legal-hold', async (request, reply) => {
      const { context } = await holdForm(request, uuid(request.params.id));
      return reply.page(FORM, { ...context, values: {} });
    });

    scope.post<{ Params: { id: string } }>('/support/participants/:id/legal-hold', async (request, reply) => {
      const id = uuid(request.params.id);
      const { held, context } = await holdForm(request, id);
      return handleForm(reply, {
        schema: held ? liftHoldSchema : legalHoldSchema,
        body: request.body,
        template: FORM,
        context,
        action: async (data) => {
          if (held) await records.liftLegalHold(request.actor, place(request), id, data.reason);
          else await records.setLegalHold(request.actor, place(request), id, data.reason);
          await app.sessions.flash(request, {
            kind: 'success',
            text: held ? 'The legal hold has been lifted.' : 'The legal hold has been set.',
          });
          return reply.redirect(`${base(request, id)}/records`, 303);
        },
      });
    });
  });
}

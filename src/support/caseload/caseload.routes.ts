import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { handleForm } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { STATUS_LABELS } from '../participants/enrolment.ts';
import { displayName, formPage } from '../plans/form-page.ts';
import {
  CONTACT_KINDS,
  concernSchema,
  contactSchema,
  leadSchema,
  reassignSchema,
  resolveSchema,
} from '../plans/support-plans.schema.ts';

const V = 'support/caseload/views';

const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, text }));

const root = (request: FastifyRequest) => `/places/${place(request).slug}/support`;
const recordPath = (request: FastifyRequest, id: string) => `${root(request)}/participants/${id}`;

/** The caseload page (GET /support/caseload, registered with the participants' routes). */
export async function caseloadPage(
  services: Services,
  request: FastifyRequest<{ Querystring: { page?: string } }>,
  reply: FastifyReply,
) {
  const page = pageRequest(request.query.page);
  const { participants, total, overLimit } = await services.supportPlans.caseload.caseload(
    request.actor,
    place(request),
    page,
  );
  return reply.page('support/participants/views/caseload.njk', {
    title: 'Caseload',
    list: participants.map((p) => ({
      ...p,
      name: displayName({ given_name: p.givenName, family_name: p.familyName, reference: p.reference }),
      statusLabel: STATUS_LABELS[p.status],
    })),
    overLimit,
    pagination: paginationLinks(`${root(request)}/caseload`, {}, page, total),
    backLink: root(request),
    columnClass: 'govuk-grid-column-full',
  });
}

export function caseloadRoutes(app: FastifyInstance, services: Services): void {
  const { caseload } = services.supportPlans;

  registerPlaceRoutes(app, (scope) => {
    const loadChild = (request: FastifyRequest<{ Params: Record<string, string> }>) =>
      caseload.forForm(request.actor, place(request), uuid(request.params.id!));

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/participants/:id/contacts',
      async (request, reply) => {
        const page = pageRequest(request.query.page);
        const id = uuid(request.params.id);
        const { participant, contacts, total } = await caseload.contacts(
          request.actor,
          place(request),
          id,
          page,
        );
        return reply.page(`${V}/contacts.njk`, {
          title: 'Contact log',
          caption: displayName(participant),
          contacts: contacts.map((c) => ({ ...c, kindLabel: CONTACT_KINDS[c.kind] })),
          base: recordPath(request, id),
          pagination: paginationLinks(`${recordPath(request, id)}/contacts`, {}, page, total),
          backLink: recordPath(request, id),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    formPage(app, scope, {
      path: '/support/participants/:id/contacts/new',
      schema: contactSchema,
      load: loadChild,
      context: (p, request) => ({
        title: 'Log a contact',
        caption: displayName(p),
        action: `${recordPath(request, p.id)}/contacts/new`,
        backLink: `${recordPath(request, p.id)}/contacts`,
        fields: [
          { name: 'contactOn', label: 'Date of the contact', type: 'date', classes: 'govuk-input--width-10' },
          { name: 'kind', label: 'Type of contact', type: 'radios', items: options(CONTACT_KINDS) },
          { name: 'notes', label: 'Notes', type: 'textarea', rows: 5 },
        ],
        submitText: 'Log the contact',
      }),
      act: async (p, data, request) => {
        await caseload.logContact(request.actor, place(request), p.id, data);
        return { flash: 'The contact has been logged.', redirect: `${recordPath(request, p.id)}/contacts` };
      },
    });

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/participants/:id/safeguarding',
      async (request, reply) => {
        const page = pageRequest(request.query.page);
        const id = uuid(request.params.id);
        const view = await caseload.concerns(request.actor, place(request), id, page);
        return reply.page(`${V}/safeguarding.njk`, {
          title: 'Safeguarding concerns',
          caption: displayName(view.participant),
          concerns: view.concerns,
          hasLead: view.hasLead,
          base: recordPath(request, id),
          pagination: paginationLinks(`${recordPath(request, id)}/safeguarding`, {}, page, view.total),
          backLink: recordPath(request, id),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    formPage(app, scope, {
      path: '/support/participants/:id/safeguarding/new',
      schema: concernSchema,
      load: loadChild,
      context: (p, request) => ({
        title: 'Raise a safeguarding concern',
        caption: displayName(p),
        intro: [
          'The programme’s designated safeguarding lead is told at once, in the app and by email. The email does not name the child.',
          'If a child is in immediate danger, call 999 first.',
        ],
        action: `${recordPath(request, p.id)}/safeguarding/new`,
        backLink: `${recordPath(request, p.id)}/safeguarding`,
        fields: [{ name: 'summary', label: 'What is the concern?', type: 'textarea', rows: 6 }],
        submitText: 'Raise the concern',
      }),
      act: async (p, data, request) => {
        const result = await caseload.raiseConcern(request.actor, place(request), p.id, data);
        const flash = result.leadEmailed
          ? 'The concern has been recorded and the designated safeguarding lead has been emailed.'
          : result.hasLead
            ? 'The concern has been recorded, but the email to the designated safeguarding lead could not be sent: phone them now.'
            : 'The concern has been recorded. This programme has no designated safeguarding lead: tell your manager now.';
        return { flash, redirect: `${root(request)}/safeguarding/${result.concernId}` };
      },
    });

    scope.get<{ Querystring: { page?: string } }>('/support/safeguarding', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { rows, total } = await caseload.leadConcerns(request.actor, place(request), page);
      return reply.page(`${V}/lead-concerns.njk`, {
        title: 'Open safeguarding concerns',
        concerns: rows.map((c) => ({ ...c, name: displayName(c) })),
        pagination: paginationLinks(`${root(request)}/safeguarding`, {}, page, total),
        backLink: root(request),
        columnClass: 'govuk-grid-column-full',
      });
    });

    scope.get<{ Params: { concernId: string } }>(
      '/support/safeguarding/:concernId',
      async (request, reply) => {
        const concern = await caseload.concern(request.actor, place(request), uuid(request.params.concernId));
        return reply.page(`${V}/concern.njk`, {
          title: 'Safeguarding concern',
          caption: displayName(concern),
          concern,
          base: `${root(request)}/safeguarding/${concern.id}`,
          backLink: `${root(request)}/safeguarding`,
        });
      },
    );

    formPage(app, scope, {
      path: '/support/safeguarding/:concernId/resolve',
      schema: resolveSchema,
      load: (request) => caseload.concern(request.actor, place(request), uuid(request.params.concernId!)),
      context: (c, request) => ({
        title: 'Resolve the concern',
        caption: displayName(c),
        action: `${root(request)}/safeguarding/${c.id}/resolve`,
        backLink: `${root(request)}/safeguarding/${c.id}`,
        fields: [{ name: 'resolution', label: 'What was done', type: 'textarea', rows: 5 }],
        submitText: 'Resolve the concern',
      }),
      act: async (c, data, request) => {
        await caseload.resolveConcern(request.actor, place(request), c.id, data.resolution);
        return { flash: 'The concern has been resolved.', redirect: `${root(request)}/safeguarding/${c.id}` };
      },
    });

    const reassignContext = async (
      request: FastifyRequest<{ Params: { id: string }; Querystring: { page?: string } }>,
    ) => {
      const id = uuid(request.params.id);
      const page = pageRequest(request.query.page);
      const view = await caseload.assignment(request.actor, place(request), id, page);
      return {
        title: 'Assign or reassign',
        caption: displayName(view.participant),
        action: `${recordPath(request, id)}/reassign`,
        backLink: recordPath(request, id),
        assigneeItems: [{ value: '', text: 'Choose' }, ...view.options],
        history: view.history.rows,
        pagination: paginationLinks(`${recordPath(request, id)}/reassign`, {}, page, view.history.total),
        id,
      };
    };
    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/participants/:id/reassign',
      async (request, reply) =>
        reply.page(`${V}/reassign.njk`, { ...(await reassignContext(request)), values: {} }),
    );
    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/participants/:id/reassign',
      async (request, reply) => {
        const context = await reassignContext(request);
        return handleForm(reply, {
          schema: reassignSchema,
          body: request.body,
          template: `${V}/reassign.njk`,
          context,
          action: async (data) => {
            await caseload.reassign(request.actor, place(request), context.id, data);
            await app.sessions.flash(request, { kind: 'success', text: 'The assignment has been saved.' });
            return reply.redirect(`${root(request)}/caseload`, 303);
          },
        });
      },
    );

    formPage(app, scope, {
      path: '/support/programmes/:id/safeguarding-lead',
      schema: leadSchema,
      load: (request) => caseload.safeguardingLead(request.actor, place(request), uuid(request.params.id!)),
      context: ({ programme, options: workers }, request) => ({
        title: 'Designated safeguarding lead',
        caption: programme.name,
        intro: [
          'The designated safeguarding lead is told at once when a link worker raises a safeguarding concern about a child in this programme, and can read and resolve those concerns.',
        ],
        action: `${root(request)}/programmes/${programme.id}/safeguarding-lead`,
        backLink: `${root(request)}/programmes/${programme.id}`,
        fields: [
          {
            name: 'leadUserId',
            label: 'Designated safeguarding lead',
            type: 'select',
            items: [
              { value: '', text: 'Nobody yet' },
              ...workers.map((w) => ({ value: w.id, text: w.name })),
            ],
          },
        ],
        submitText: 'Save',
      }),
      values: ({ programme }) => ({ leadUserId: programme.safeguarding_lead_id ?? '' }),
      act: async ({ programme }, data, request) => {
        await caseload.setSafeguardingLead(request.actor, place(request), programme.id, data.leadUserId);
        return {
          flash: 'The designated safeguarding lead has been saved.',
          redirect: `${root(request)}/programmes/${programme.id}`,
        };
      },
    });
  });
}

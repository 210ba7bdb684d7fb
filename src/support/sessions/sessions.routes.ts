import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { ValidationError } from '../../platform/errors.ts';
import { handleForm, parseForm, validationErrors } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { ATTENDANCE_LABELS } from './engagement.ts';
import { attendeesSchema, registerSchema, SESSION_KIND_LABELS, sessionSchema } from './sessions.schema.ts';

const V = 'support/sessions/views';
const FORM = 'support/views/form.njk';

export function sessionsRoutes(app: FastifyInstance, services: Services): void {
  const { sessions } = services.supportDelivery;

  registerPlaceRoutes(app, (scope) => {
    const root = (request: FastifyRequest) => `/places/${place(request).slug}/support/sessions`;

    scope.get<{ Querystring: { page?: string } }>('/support/sessions', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { sessions: list, total } = await sessions.list(request.actor, place(request), page);
      return reply.page(`${V}/list.njk`, {
        title: 'Sessions',
        list,
        kindLabels: SESSION_KIND_LABELS,
        pagination: paginationLinks(root(request), {}, page, total),
        backLink: `/places/${place(request).slug}/support/delivery`,
      });
    });

    const sessionForm = async (request: FastifyRequest) => ({
      title: 'Add a session',
      action: `${root(request)}/new`,
      backLink: root(request),
      fields: [
        {
          name: 'serviceId',
          label: 'Service',
          type: 'select',
          items: [
            { value: '', text: 'Choose a service' },
            ...(await sessions.serviceOptions(request.actor, place(request))),
          ],
        },
        {
          name: 'kind',
          label: 'Kind of session',
          type: 'radios',
          items: Object.entries(SESSION_KIND_LABELS).map(([value, text]) => ({ value, text })),
        },
        { name: 'title', label: 'Title' },
        { name: 'heldOn', label: 'Date', hint: 'For example, 2026-11-30', classes: 'govuk-input--width-10' },
        {
          name: 'startsAt',
          label: 'Start time',
          hint: 'On the 24-hour clock, for example 16:30',
          classes: 'govuk-input--width-5',
        },
        {
          name: 'durationMinutes',
          label: 'Length in minutes',
          classes: 'govuk-input--width-5',
          inputmode: 'numeric',
        },
      ],
      submitText: 'Add the session',
    });

    scope.get('/support/sessions/new', async (request, reply) =>
      reply.page(FORM, { ...(await sessionForm(request)), values: {} }),
    );

    scope.post('/support/sessions/new', async (request, reply) =>
      handleForm(reply, {
        schema: sessionSchema,
        body: request.body,
        template: FORM,
        context: () => sessionForm(request),
        action: async (data) => {
          const id = await sessions.create(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: 'The session has been added.' });
          return reply.redirect(`${root(request)}/${id}`, 303);
        },
      }),
    );

    type SessionRequest = FastifyRequest<{ Params: { id: string }; Querystring: { page?: string } }>;

    async function sessionPage(
      request: SessionRequest,
      reply: FastifyReply,
      errors?: ReturnType<typeof validationErrors>,
    ) {
      const page = pageRequest(request.query.page);
      const detail = await sessions.detail(request.actor, place(request), uuid(request.params.id), page);
      const base = `${root(request)}/${detail.session.id}`;
      const pagination = paginationLinks(base, {}, page, detail.total);
      return reply.code(errors ? 400 : 200).page(`${V}/session.njk`, {
        title: detail.session.title,
        detail,
        errors,
        kindLabels: SESSION_KIND_LABELS,
        attendanceLabels: ATTENDANCE_LABELS,
        marks: ['present', 'late', 'absent', 'excused'],
        base,
        pagination,
        registerAction: `${base}/register${page.page > 1 ? `?page=${page.page}` : ''}`,
        backLink: root(request),
        columnClass: 'govuk-grid-column-full',
      });
    }

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/sessions/:id',
      (request, reply) => sessionPage(request, reply),
    );

    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/sessions/:id/register',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const parsed = parseForm(registerSchema, request.body);
        try {
          if (!parsed.ok)
            throw new ValidationError('all', 'Choose present, late, absent or excused for each child');
          await sessions.takeRegister(request.actor, place(request), id, parsed.data);
        } catch (error) {
          if (error instanceof ValidationError) return sessionPage(request, reply, validationErrors(error));
          throw error;
        }
        await app.sessions.flash(request, { kind: 'success', text: 'The register has been saved.' });
        const page = pageRequest(request.query.page).page;
        return reply.redirect(`${root(request)}/${id}${page > 1 ? `?page=${page}` : ''}`, 303);
      },
    );

    const attendeesForm = async (request: SessionRequest) => {
      const id = uuid(request.params.id);
      const page = pageRequest(request.query.page);
      const { items, total } = await sessions.candidates(request.actor, place(request), id, page);
      const path = `${root(request)}/${id}/attendees`;
      return {
        title: 'Add children and young people',
        action: `${path}${page.page > 1 ? `?page=${page.page}` : ''}`,
        backLink: `${root(request)}/${id}`,
        candidates: items,
        path,
        pagination: paginationLinks(path, {}, page, total),
      };
    };

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/sessions/:id/attendees',
      async (request, reply) =>
        reply.page(`${V}/attendees.njk`, { ...(await attendeesForm(request)), values: {} }),
    );

    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/sessions/:id/attendees',
      async (request, reply) =>
        handleForm(reply, {
          schema: attendeesSchema,
          body: request.body,
          template: `${V}/attendees.njk`,
          context: () => attendeesForm(request),
          action: async (data) => {
            const id = uuid(request.params.id);
            await sessions.addAttendees(request.actor, place(request), id, data.participants);
            await app.sessions.flash(request, { kind: 'success', text: 'Added to the session.' });
            return reply.redirect(`${root(request)}/${id}`, 303);
          },
        }),
    );
  });
}

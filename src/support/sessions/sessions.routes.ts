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

    async function sessionPage(
      request: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
      errors?: ReturnType<typeof validationErrors>,
    ) {
      const detail = await sessions.detail(request.actor, place(request), uuid(request.params.id));
      return reply.code(errors ? 400 : 200).page(`${V}/session.njk`, {
        title: detail.session.title,
        detail,
        errors,
        kindLabels: SESSION_KIND_LABELS,
        attendanceLabels: ATTENDANCE_LABELS,
        marks: ['present', 'late', 'absent', 'excused'],
        base: `${root(request)}/${detail.session.id}`,
        backLink: root(request),
        columnClass: 'govuk-grid-column-full',
      });
    }

    scope.get<{ Params: { id: string } }>('/support/sessions/:id', (request, reply) =>
      sessionPage(request, reply),
    );

    scope.post<{ Params: { id: string } }>('/support/sessions/:id/register', async (request, reply) => {
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
      return reply.redirect(`${root(request)}/${id}`, 303);
    });

    const attendeesForm = async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const id = uuid(request.params.id);
      const candidates = await sessions.candidates(request.actor, place(request), id);
      return {
        title: 'Add children and young people',
        action: `${root(request)}/${id}/attendees`,
        backLink: `${root(request)}/${id}`,
        intro: candidates.length
          ? []
          : [
              'There is nobody to add: partners add children from referrals their organisation accepted; link workers add children they work with.',
            ],
        fields: candidates.length
          ? [{ name: 'participants', label: 'Who takes part', type: 'checkboxes', items: candidates }]
          : [],
        submitText: 'Add to the session',
      };
    };

    scope.get<{ Params: { id: string } }>('/support/sessions/:id/attendees', async (request, reply) =>
      reply.page(FORM, { ...(await attendeesForm(request)), values: {} }),
    );

    scope.post<{ Params: { id: string } }>('/support/sessions/:id/attendees', async (request, reply) =>
      handleForm(reply, {
        schema: attendeesSchema,
        body: request.body,
        template: FORM,
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

import type { FastifyInstance } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import { requireUser } from '../../platform/auth/require-user.ts';
import { ValidationError } from '../../platform/errors.ts';
import { handleForm } from '../../platform/forms.ts';
import { renderMarkdown } from '../../platform/markdown.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { threadContext } from '../deliberation/deliberation.routes.ts';
import { ELIGIBILITY_LABELS } from './eligibility.ts';
import { ACTION_LABELS, ACTIONS, addDays, today } from './phases.ts';
import {
  inPersonSchema,
  MAX_PHASES,
  postcodesSchema,
  processListSchema,
  processSchema,
  verifySchema,
} from './processes.schema.ts';
import { describePhase, type Process } from './processes.service.ts';

const V = 'participation/processes/views';

const STATUS_TABS = [
  { status: 'active', text: 'Open now' },
  { status: 'upcoming', text: 'Coming up' },
  { status: 'past', text: 'Finished' },
] as const;

const DEFAULT_PHASES = ['Information', 'Proposals', 'Deliberation', 'Voting', 'Implementation'];

/** Form values for editing an existing process, in the flat shape of the form. */
function formValues(process: Process): Record<string, unknown> {
  const values: Record<string, unknown> = {
    title: process.title,
    summary: process.summary,
    body: process.body,
    area: process.area ?? '',
    categories: process.categories.join('\n'),
    eligibility: process.eligibility,
    minimumAge: process.minimumAge ?? '',
    supportThreshold: process.supportThreshold ?? '',
    supportsPerResident: process.supportsPerResident ?? '',
  };
  process.phases.forEach((p, i) => {
    values[`phase${i + 1}Name`] = p.name;
    values[`phase${i + 1}Description`] = p.description;
    values[`phase${i + 1}Start`] = p.startsOn;
    values[`phase${i + 1}End`] = p.endsOn;
    values[`phase${i + 1}Actions`] = ACTIONS.filter((a) => p.allows[a]);
  });
  return values;
}

function blankFormValues(): Record<string, unknown> {
  const values: Record<string, unknown> = { eligibility: 'signed_in' };
  const start = today();
  DEFAULT_PHASES.forEach((name, i) => {
    values[`phase${i + 1}Name`] = name;
    values[`phase${i + 1}Start`] = addDays(start, i * 28);
    values[`phase${i + 1}End`] = addDays(start, i * 28 + 27);
    values[`phase${i + 1}Actions`] =
      name === 'Proposals'
        ? ['propose', 'support', 'comment']
        : name === 'Deliberation'
          ? ['support', 'comment']
          : name === 'Voting'
            ? ['vote']
            : [];
  });
  return values;
}

const formContext = {
  phaseRows: Array.from({ length: MAX_PHASES }, (_, i) => i + 1),
  actionItems: ACTIONS.map((a) => ({ value: a, text: ACTION_LABELS[a] })),
  eligibilityItems: Object.entries(ELIGIBILITY_LABELS).map(([value, text]) => ({ value, text })),
};

export function processesRoutes(app: FastifyInstance, services: Services): void {
  const { processes, accounts } = services;

  registerPlaceRoutes(app, (scope) => {
    scope.get<{ Querystring: Record<string, string> }>('/processes', async (request, reply) => {
      const query = processListSchema.parse(request.query);
      const page = pageRequest(query.page, 10);
      const { processes: list, total } = await processes.listProcesses(place(request), query.status, page);
      return reply.page(`${V}/list.njk`, {
        title: 'Have your say',
        tabs: STATUS_TABS.map((t) => ({ ...t, current: t.status === query.status })),
        status: query.status,
        list: list.map((p) => ({ ...p, ...describePhase(p) })),
        canManage: can(request.actor, 'processes.manage', place(request).id),
        pagination: paginationLinks(
          `/places/${place(request).slug}/processes`,
          { status: query.status },
          page,
          total,
        ),
      });
    });

    scope.get('/processes/new', async (request, reply) => {
      authorise(request.actor, 'processes.manage', place(request).id);
      return reply.page(`${V}/form.njk`, {
        title: 'Start a process',
        action: `/places/${place(request).slug}/processes`,
        values: blankFormValues(),
        ...formContext,
      });
    });

    scope.post('/processes', async (request, reply) => {
      authorise(request.actor, 'processes.manage', place(request).id);
      return handleForm(reply, {
        schema: processSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: 'Start a process',
          action: `/places/${place(request).slug}/processes`,
          ...formContext,
        },
        action: async (data) => {
          const id = await processes.createProcess(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.title} has been created.` });
          return reply.redirect(`/places/${place(request).slug}/processes/${id}`, 303);
        },
      });
    });

    scope.get<{ Params: { processId: string } }>('/processes/:processId', async (request, reply) => {
      const process = await processes.getProcess(place(request), uuid(request.params.processId));
      const { phase, status } = describePhase(process);
      const { eligibility } = await processes.whatCanIDo(request.actor, place(request), process);
      const on = today();
      return reply.page(`${V}/process.njk`, {
        title: process.title,
        process,
        bodyHtml: renderMarkdown(process.body, 'rich'),
        phase,
        status,
        eligibility,
        eligibilityLabel: ELIGIBILITY_LABELS[process.eligibility],
        timeline: process.phases.map((p) => ({
          ...p,
          state: p.endsOn < on ? 'done' : p.startsOn > on ? 'upcoming' : 'current',
          open: ACTIONS.filter((a) => p.allows[a]).map((a) => ACTION_LABELS[a]),
        })),
        canManage: can(request.actor, 'processes.manage', place(request).id),
        follow: await services.notifications.followState(
          request.actor,
          place(request),
          'process',
          process.id,
        ),
        thread: await threadContext(request, { processId: process.id, proposalId: null }),
        hasBudgets: await services.budgets.processHasBudgets(place(request), process.id),
      });
    });

    scope.get<{ Params: { processId: string } }>('/processes/:processId/edit', async (request, reply) => {
      authorise(request.actor, 'processes.manage', place(request).id);
      const process = await processes.getProcess(place(request), uuid(request.params.processId));
      return reply.page(`${V}/form.njk`, {
        title: `Edit ${process.title}`,
        action: `/places/${place(request).slug}/processes/${process.id}`,
        values: formValues(process),
        backLink: `/places/${place(request).slug}/processes/${process.id}`,
        ...formContext,
      });
    });

    scope.post<{ Params: { processId: string } }>('/processes/:processId', async (request, reply) => {
      authorise(request.actor, 'processes.manage', place(request).id);
      const process = await processes.getProcess(place(request), uuid(request.params.processId));
      return handleForm(reply, {
        schema: processSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: `Edit ${process.title}`,
          action: `/places/${place(request).slug}/processes/${process.id}`,
          ...formContext,
        },
        action: async (data) => {
          await processes.updateProcess(request.actor, place(request), process.id, data);
          await app.sessions.flash(request, { kind: 'success', text: 'The process has been saved.' });
          return reply.redirect(`/places/${place(request).slug}/processes/${process.id}`, 303);
        },
      });
    });

    // Residents confirm they live here.
    scope.get<{ Querystring: { process?: string } }>('/verify', async (request, reply) => {
      const user = requireUser(request);
      const verification = await processes.verificationOf(place(request), user.id);
      return reply.page(`${V}/verify.njk`, {
        title: `Confirm you live in ${place(request).name}`,
        verification,
        returnTo: request.query.process
          ? `/places/${place(request).slug}/processes/${uuid(request.query.process)}`
          : undefined,
        values: {},
      });
    });

    scope.post<{ Querystring: { process?: string } }>('/verify', async (request, reply) => {
      requireUser(request);
      const returnTo = request.query.process
        ? `/places/${place(request).slug}/processes/${uuid(request.query.process)}`
        : undefined;
      return handleForm(reply, {
        schema: verifySchema,
        body: request.body,
        template: `${V}/verify.njk`,
        context: { title: `Confirm you live in ${place(request).name}`, returnTo },
        action: async (data) => {
          await processes.verifyByPostcode(request.actor, place(request), data.postcode, data.dateOfBirth);
          await app.sessions.flash(request, {
            kind: 'success',
            text: `Thank you. You are confirmed as a resident of ${place(request).name}.`,
          });
          return reply.redirect(returnTo ?? `/places/${place(request).slug}`, 303);
        },
      });
    });

    // Staff: the postcode list and in-person verification.
    scope.get('/admin/residents', async (request, reply) => {
      const count = await processes.postcodeCount(request.actor, place(request));
      return reply.page(`${V}/residents.njk`, { title: 'Residents', postcodeCount: count, values: {} });
    });

    scope.post('/admin/residents/postcodes', async (request, reply) => {
      const count = await processes.postcodeCount(request.actor, place(request));
      return handleForm(reply, {
        schema: postcodesSchema,
        body: request.body,
        template: `${V}/residents.njk`,
        context: { title: 'Residents', postcodeCount: count },
        action: async (data) => {
          const saved = await processes.replacePostcodes(request.actor, place(request), data.postcodes);
          await app.sessions.flash(request, { kind: 'success', text: `${saved} postcodes saved.` });
          return reply.redirect(`/places/${place(request).slug}/admin/residents`, 303);
        },
      });
    });

    scope.post('/admin/residents/in-person', async (request, reply) => {
      const count = await processes.postcodeCount(request.actor, place(request));
      return handleForm(reply, {
        schema: inPersonSchema,
        body: request.body,
        template: `${V}/residents.njk`,
        context: { title: 'Residents', postcodeCount: count },
        action: async (data) => {
          const person = await accounts.findActiveAccountByEmail(data.email);
          if (!person) {
            throw new ValidationError(
              'email',
              'No account uses this email address: ask the resident to create an account first',
            );
          }
          await processes.verifyInPerson(request.actor, place(request), person, {
            dateOfBirth: data.dateOfBirth,
            postcode: data.postcode || null,
            note: data.note,
          });
          await app.sessions.flash(request, {
            kind: 'success',
            text: `${person.name} is now verified in person.`,
          });
          return reply.redirect(`/places/${place(request).slug}/admin/residents`, 303);
        },
      });
    });
  });
}

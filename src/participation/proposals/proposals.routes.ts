import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { placeReturnTo, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import { requireUser } from '../../platform/auth/require-user.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { handleForm } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { Services } from '../../services.ts';
import { threadContext } from '../deliberation/deliberation.routes.ts';
import type { Process } from '../processes/processes.service.ts';
import { ANSWERS, answerSchema, proposalListSchema, proposalSchema } from './proposals.schema.ts';
import { ANSWER_LABELS, type ProposalsService } from './proposals.service.ts';

const V = 'participation/proposals/views';

type Params = { Params: { processId: string; proposalId: string } };

const SORTS = [
  { value: 'newest', text: 'Newest' },
  { value: 'supported', text: 'Most supported' },
  { value: 'random', text: 'Random' },
];

export function proposalsRoutes(
  app: FastifyInstance,
  services: Services & { proposals: ProposalsService },
): void {
  const { processes, proposals } = services;

  async function load(request: FastifyRequest<{ Params: { processId: string } }>) {
    const place = request.place as PlaceSummary;
    const process = await processes.getProcess(place, uuid(request.params.processId));
    return { place, process };
  }

  function base(place: PlaceSummary, process: Process) {
    return `/places/${place.slug}/processes/${process.id}/proposals`;
  }

  function formContext(place: PlaceSummary, process: Process, extra: Record<string, unknown> = {}) {
    return {
      process,
      categoryItems: [
        { value: '', text: 'Choose a category' },
        ...process.categories.map((c) => ({ value: c, text: c })),
      ],
      backLink: base(place, process),
      ...extra,
    };
  }

  registerPlaceRoutes(app, (scope) => {
    scope.get<{ Params: { processId: string }; Querystring: Record<string, string> }>(
      '/processes/:processId/proposals',
      async (request, reply) => {
        const { place, process } = await load(request);
        const query = proposalListSchema.parse(request.query);
        const sort = query.sort ?? (query.q ? 'relevance' : 'newest');
        // A random order stays the same for a visitor as they page through it.
        const seed = query.seed ?? randomBytes(6).toString('hex');
        const page = pageRequest(query.page);
        const {
          proposals: list,
          total,
          areas,
        } = await proposals.listProposals(
          request.actor,
          place,
          process,
          { category: query.category, area: query.area, answer: query.answer, q: query.q },
          sort,
          seed,
          page,
        );
        const kept = {
          q: query.q,
          category: query.category,
          area: query.area,
          answer: query.answer,
          sort: query.sort,
          seed: sort === 'random' ? seed : undefined,
        };
        return reply.page(`${V}/list.njk`, {
          title: `Proposals: ${process.title}`,
          process,
          list,
          query: kept,
          sort,
          seed,
          sorts: SORTS.map((s) => ({ ...s, selected: s.value === sort })),
          categoryItems: [
            { value: '', text: 'All categories' },
            ...process.categories.map((c) => ({ value: c, text: c, selected: c === query.category })),
          ],
          areaItems: [
            { value: '', text: 'All areas' },
            ...areas.map((a) => ({ value: a, text: a, selected: a === query.area })),
          ],
          answerItems: [
            { value: '', text: 'Any answer' },
            { value: 'unanswered', text: 'Not answered yet', selected: query.answer === 'unanswered' },
            ...ANSWERS.map((a) => ({ value: a, text: ANSWER_LABELS[a], selected: a === query.answer })),
          ],
          answerLabels: ANSWER_LABELS,
          pagination: paginationLinks(base(place, process), kept, page, total),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { processId: string } }>(
      '/processes/:processId/proposals/new',
      async (request, reply) => {
        requireUser(request);
        const { place, process } = await load(request);
        await processes.assertCanAct(request.actor, place, process, 'propose');
        await services.moderation.assertNotBlocked(request.actor, place);
        return reply.page(`${V}/form.njk`, {
          title: 'Make a proposal',
          action: `${base(place, process)}`,
          values: {},
          ...formContext(place, process),
        });
      },
    );

    scope.post<{ Params: { processId: string } }>(
      '/processes/:processId/proposals',
      async (request, reply) => {
        const { place, process } = await load(request);
        return handleForm(reply, {
          schema: proposalSchema,
          body: request.body,
          template: `${V}/form.njk`,
          context: { title: 'Make a proposal', action: base(place, process), ...formContext(place, process) },
          action: async (data) => {
            const created = await proposals.createProposal(request.actor, place, process, data);
            await app.sessions.flash(
              request,
              created.heldBecause
                ? {
                    kind: 'info',
                    heading: 'Your proposal is waiting for a moderator',
                    text: `It will be shown when a moderator has looked at it, because ${created.heldBecause}.`,
                  }
                : {
                    kind: 'success',
                    text: 'Your proposal has been published. You will be told when people comment on it or when it gets an answer.',
                  },
            );
            return reply.redirect(`${base(place, process)}/${created.id}`, 303);
          },
        });
      },
    );

    scope.get<Params>('/processes/:processId/proposals/:proposalId', async (request, reply) => {
      const { place, process } = await load(request);
      const proposal = await proposals.getProposal(
        request.actor,
        place,
        process,
        uuid(request.params.proposalId),
      );
      const { phase, eligibility } = await processes.whatCanIDo(request.actor, place, process);
      const isAuthor = request.actor.user?.id === proposal.authorId;
      return reply.page(`${V}/proposal.njk`, {
        title: proposal.title,
        process,
        proposal,
        phase,
        eligibility,
        isAuthor,
        canSupport: !!phase?.allows.support && proposal.status === 'published' && !isAuthor,
        canAnswer: can(request.actor, 'proposals.answer', place.id),
        answerLabels: ANSWER_LABELS,
        base: base(place, process),
        backLink: base(place, process),
        follow: await services.notifications.followState(request.actor, place, 'proposal', proposal.id),
        thread: await threadContext(request, { processId: process.id, proposalId: proposal.id }),
      });
    });

    scope.get<Params>('/processes/:processId/proposals/:proposalId/image', async (request, reply) => {
      const { place } = await load(request);
      const image = await proposals.image(request.actor, place, uuid(request.params.proposalId));
      return reply
        .type(image.contentType)
        .header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(image.bytes);
    });

    scope.get<Params>('/processes/:processId/proposals/:proposalId/edit', async (request, reply) => {
      requireUser(request);
      const { place, process } = await load(request);
      const proposal = await proposals.getProposal(
        request.actor,
        place,
        process,
        uuid(request.params.proposalId),
      );
      if (proposal.authorId !== request.actor.user?.id) throw new NotFoundError();
      await processes.assertCanAct(request.actor, place, process, 'propose');
      return reply.page(`${V}/form.njk`, {
        title: 'Change your proposal',
        action: `${base(place, process)}/${proposal.id}/edit`,
        proposal,
        editing: true,
        values: {
          title: proposal.title,
          body: proposal.body,
          category: proposal.category ?? '',
          area: proposal.area ?? '',
          postcode: proposal.postcode ?? '',
        },
        ...formContext(place, process, { backLink: `${base(place, process)}/${proposal.id}` }),
      });
    });

    scope.post<Params>('/processes/:processId/proposals/:proposalId/edit', async (request, reply) => {
      requireUser(request);
      const { place, process } = await load(request);
      const proposal = await proposals.getProposal(
        request.actor,
        place,
        process,
        uuid(request.params.proposalId),
      );
      // Refuse before validating: a closed phase matters more than a missing field.
      await processes.assertCanAct(request.actor, place, process, 'propose');
      return handleForm(reply, {
        schema: proposalSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: 'Change your proposal',
          action: `${base(place, process)}/${proposal.id}/edit`,
          proposal,
          editing: true,
          ...formContext(place, process),
        },
        action: async (data) => {
          const updated = await proposals.updateProposal(request.actor, place, process, proposal.id, data);
          await app.sessions.flash(
            request,
            updated.heldBecause
              ? {
                  kind: 'info',
                  heading: 'Your changes are waiting for a moderator',
                  text: `Your proposal will be shown again when a moderator has looked at it, because ${updated.heldBecause}.`,
                }
              : { kind: 'success', text: 'Your proposal has been changed.' },
          );
          return reply.redirect(`${base(place, process)}/${proposal.id}`, 303);
        },
      });
    });

    scope.post<Params>('/processes/:processId/proposals/:proposalId/withdraw', async (request, reply) => {
      requireUser(request);
      const { place, process } = await load(request);
      await proposals.withdrawProposal(request.actor, place, process, uuid(request.params.proposalId));
      await app.sessions.flash(request, {
        kind: 'success',
        text: 'Your proposal has been withdrawn. It stays visible, marked as withdrawn.',
      });
      return reply.redirect(`${base(place, process)}/${request.params.proposalId}`, 303);
    });

    scope.post<Params>('/processes/:processId/proposals/:proposalId/support', async (request, reply) => {
      const { place, process } = await load(request);
      const id = uuid(request.params.proposalId);
      const withdraw = (request.body as Record<string, unknown> | undefined)?.withdraw === 'yes';
      if (withdraw) await proposals.withdrawSupport(request.actor, place, process, id);
      else await proposals.support(request.actor, place, process, id);
      const returnTo = String((request.body as Record<string, unknown> | undefined)?.returnTo ?? '');
      return reply.redirect(placeReturnTo(returnTo, place.slug) ?? `${base(place, process)}/${id}`, 303);
    });

    scope.get<Params>('/processes/:processId/proposals/:proposalId/answer', async (request, reply) => {
      const { place, process } = await load(request);
      authorise(request.actor, 'proposals.answer', place.id);
      const proposal = await proposals.getProposal(
        request.actor,
        place,
        process,
        uuid(request.params.proposalId),
      );
      return reply.page(`${V}/answer.njk`, {
        title: 'Give the official answer',
        proposal,
        answerItems: ANSWERS.map((a) => ({ value: a, text: ANSWER_LABELS[a] })),
        values: { answer: proposal.answer ?? '', reason: proposal.answerReason ?? '' },
        backLink: `${base(place, process)}/${proposal.id}`,
      });
    });

    scope.post<Params>('/processes/:processId/proposals/:proposalId/answer', async (request, reply) => {
      const { place, process } = await load(request);
      authorise(request.actor, 'proposals.answer', place.id);
      const proposal = await proposals.getProposal(
        request.actor,
        place,
        process,
        uuid(request.params.proposalId),
      );
      return handleForm(reply, {
        schema: answerSchema,
        body: request.body,
        template: `${V}/answer.njk`,
        context: {
          title: 'Give the official answer',
          proposal,
          answerItems: ANSWERS.map((a) => ({ value: a, text: ANSWER_LABELS[a] })),
          backLink: `${base(place, process)}/${proposal.id}`,
        },
        action: async (data) => {
          await proposals.answer(request.actor, place, process, proposal.id, data.answer, data.reason);
          await app.sessions.flash(request, {
            kind: 'success',
            text: 'The answer has been published. The proposer and followers have been told.',
          });
          return reply.redirect(`${base(place, process)}/${proposal.id}`, 303);
        },
      });
    });
  });
}

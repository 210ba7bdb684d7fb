import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise } from '../../platform/auth/policy.ts';
import { requireUser } from '../../platform/auth/require-user.ts';
import { handleForm } from '../../platform/forms.ts';
import { listPageRequests, listPagination, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { formatMoney } from '../budgeting/money.ts';
import type { DecisionSource } from './decisions.table.ts';
import { RESULT_STATUSES, STATUS_LABELS } from './result-rules.ts';
import {
  followSchema,
  type ResultListQuery,
  resultListSchema,
  resultSchema,
  SOURCE_FILTERS,
  updateSchema,
} from './results.schema.ts';
import type { Result } from './results.service.ts';

const V = 'participation/accountability/views';

/** A result's page shows two paged lists: its timeline (`page`, as before) and its parts (`parts`). */
const RESULT_LISTS = ['page', 'parts'] as const;
type ResultList = (typeof RESULT_LISTS)[number];

function resultView(result: Result) {
  return {
    ...result,
    tag: STATUS_LABELS[result.status],
    budgetedText: formatMoney(result.budgeted, result.currency),
    spentText: formatMoney(result.spent, result.currency),
  };
}

const statusItems = RESULT_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s].text }));

function selectItems(items: { value: string; text: string }[], selected: unknown, anyText: string) {
  return [{ value: '', text: anyText }, ...items.map((i) => ({ ...i, selected: i.value === selected }))];
}

function resultValues(result: Result) {
  return {
    title: result.title,
    summary: result.source.kind === 'manual' ? result.source.decided : '',
    parentId: result.parentId ?? '',
    startsOn: result.startsOn ?? '',
    endsOn: result.endsOn ?? '',
    budgeted: result.budgeted ?? '',
    currency: result.currency,
  };
}

export function accountabilityRoutes(app: FastifyInstance, services: Services): void {
  const { results, processes } = services;

  async function listPage(request: FastifyRequest, reply: FastifyReply, processId?: string) {
    const p = place(request);
    const query: ResultListQuery = resultListSchema.parse(request.query);
    const process = processId ? await processes.getProcess(p, processId) : undefined;
    const page = pageRequest(query.page);
    const filters = {
      status: query.status,
      sourceType: query.source ? (SOURCE_FILTERS[query.source].sourceType as DecisionSource) : undefined,
      processId: process?.id ?? query.process,
      text: query.q,
    };
    const { results: list, total } = await results.listResults(request.actor, p, filters, page);
    const path = process ? `/places/${p.slug}/processes/${process.id}/results` : `/places/${p.slug}/results`;
    const kept = {
      status: query.status,
      source: query.source,
      process: process ? undefined : query.process,
      q: query.q,
    };
    return reply.page(`${V}/list.njk`, {
      title: process ? `You said, we did: ${process.title}` : 'You said, we did',
      process,
      path,
      results: list.map(resultView),
      total,
      filtered: Boolean(query.status || query.source || query.q || (!process && query.process)),
      values: kept,
      statusItems: selectItems(statusItems, query.status, 'Any status'),
      sourceItems: selectItems(
        Object.entries(SOURCE_FILTERS).map(([value, s]) => ({ value, text: s.text })),
        query.source,
        'Any source',
      ),
      processItems: process
        ? undefined
        : selectItems(
            (await results.processesWithResults(p)).map((r) => ({ value: r.id, text: r.title })),
            query.process,
            'Any process',
          ),
      pagination: paginationLinks(path, kept, page, total),
      canManage: results.canManage(request.actor, p),
      backLink: process ? `/places/${p.slug}/processes/${process.id}` : `/places/${p.slug}`,
    });
  }

  async function formContext(request: FastifyRequest, excludeId?: string) {
    const options = await results.parentOptions(request.actor, place(request), excludeId);
    return {
      parentItems: [
        { value: '', text: 'None: this result stands on its own' },
        ...options.map((o) => ({ value: o.id, text: o.title })),
      ],
    };
  }

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}`;

    scope.get('/results', (request, reply) => listPage(request, reply));

    scope.get<{ Params: { processId: string } }>('/processes/:processId/results', (request, reply) =>
      listPage(request, reply, uuid(request.params.processId)),
    );

    scope.get('/results/new', async (request, reply) => {
      requireUser(request);
      authorise(request.actor, 'results.manage', place(request).id);
      return reply.page(`${V}/form.njk`, {
        title: 'Add a result',
        action: `${base(request)}/results`,
        backLink: `${base(request)}/results`,
        values: { currency: 'GBP' },
        ...(await formContext(request)),
      });
    });

    scope.post('/results', async (request, reply) => {
      requireUser(request);
      authorise(request.actor, 'results.manage', place(request).id);
      return handleForm(reply, {
        schema: resultSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: 'Add a result',
          action: `${base(request)}/results`,
          backLink: `${base(request)}/results`,
          ...(await formContext(request)),
        },
        action: async (data) => {
          const id = await results.createResult(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.title} has been added.` });
          return reply.redirect(`${base(request)}/results/${id}`, 303);
        },
      });
    });

    scope.get<{ Params: { id: string }; Querystring: Partial<Record<ResultList, string>> }>(
      '/results/:id',
      async (request, reply) => {
        const p = place(request);
        const id = uuid(request.params.id);
        const pages = listPageRequests(request.query, RESULT_LISTS);
        const { result, parts, parent } = await results.resultPage(request.actor, p, id, pages.parts);
        const { entries, total } = await results.timeline(request.actor, p, id, pages.page);
        const path = `${base(request)}/results/${id}`;
        return reply.page(`${V}/result.njk`, {
          title: result.title,
          result: resultView(result),
          children: parts.rows.map(resultView),
          partsPagination: listPagination(path, pages, 'parts', parts.total, {
            anchor: 'parts',
            label: 'Pages of parts',
          }),
          parent,
          entries: entries.map((e) => ({
            ...e,
            tag: STATUS_LABELS[e.status],
            spentText: formatMoney(e.spent, result.currency),
          })),
          pagination: listPagination(path, pages, 'page', total, {
            anchor: 'timeline',
            label: 'Pages of the timeline',
          }),
          following: await results.isFollowing(request.actor, p, id),
          canManage: results.canManage(request.actor, p),
          backLink: `${base(request)}/results`,
        });
      },
    );

    scope.get<{ Params: { id: string } }>('/results/:id/edit', async (request, reply) => {
      requireUser(request);
      authorise(request.actor, 'results.manage', place(request).id);
      const id = uuid(request.params.id);
      const { result } = await results.getResult(request.actor, place(request), id);
      return reply.page(`${V}/form.njk`, {
        title: `Edit ${result.title}`,
        result,
        action: `${base(request)}/results/${id}`,
        backLink: `${base(request)}/results/${id}`,
        values: resultValues(result),
        ...(await formContext(request, id)),
      });
    });

    scope.post<{ Params: { id: string } }>('/results/:id', async (request, reply) => {
      requireUser(request);
      authorise(request.actor, 'results.manage', place(request).id);
      const id = uuid(request.params.id);
      const { result } = await results.getResult(request.actor, place(request), id);
      return handleForm(reply, {
        schema: resultSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: `Edit ${result.title}`,
          result,
          action: `${base(request)}/results/${id}`,
          backLink: `${base(request)}/results/${id}`,
          ...(await formContext(request, id)),
        },
        action: async (data) => {
          await results.editResult(request.actor, place(request), id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.title} has been saved.` });
          return reply.redirect(`${base(request)}/results/${id}`, 303);
        },
      });
    });

    const updateContext = (request: FastifyRequest, result: Result) => ({
      title: 'Post an update',
      result,
      statusItems,
      action: `${base(request)}/results/${result.id}/updates`,
      backLink: `${base(request)}/results/${result.id}`,
    });

    scope.get<{ Params: { id: string } }>('/results/:id/updates/new', async (request, reply) => {
      requireUser(request);
      authorise(request.actor, 'results.manage', place(request).id);
      const { result } = await results.getResult(request.actor, place(request), uuid(request.params.id));
      return reply.page(`${V}/update-form.njk`, {
        ...updateContext(request, result),
        values: {
          status: result.status,
          progress: String(result.ownProgress),
          spent: result.spent ?? '',
          dropReason: result.dropReason ?? '',
        },
      });
    });

    scope.post<{ Params: { id: string } }>('/results/:id/updates', async (request, reply) => {
      requireUser(request);
      authorise(request.actor, 'results.manage', place(request).id);
      const id = uuid(request.params.id);
      const { result } = await results.getResult(request.actor, place(request), id);
      return handleForm(reply, {
        schema: updateSchema,
        body: request.body,
        template: `${V}/update-form.njk`,
        context: updateContext(request, result),
        action: async (data) => {
          await results.postUpdate(request.actor, place(request), id, data);
          await app.sessions.flash(request, { kind: 'success', text: 'Your update has been posted.' });
          return reply.redirect(`${base(request)}/results/${id}`, 303);
        },
      });
    });

    scope.get<{ Params: { id: string; updateId: string } }>(
      '/results/:id/updates/:updateId/photo',
      async (request, reply) => {
        const photo = await results.photo(
          request.actor,
          place(request),
          uuid(request.params.id),
          uuid(request.params.updateId),
        );
        return reply
          .type(photo.contentType)
          .header('cache-control', 'public, max-age=300')
          .header('x-content-type-options', 'nosniff')
          .send(photo.bytes);
      },
    );

    scope.post<{ Params: { id: string } }>('/results/:id/follow', async (request, reply) => {
      requireUser(request);
      const id = uuid(request.params.id);
      const parsed = followSchema.safeParse(request.body ?? {});
      const follow = parsed.success ? parsed.data.follow : 'yes';
      await results.setFollowing(request.actor, place(request), id, follow === 'yes');
      await app.sessions.flash(request, {
        kind: 'success',
        text: follow === 'yes' ? 'You are following this result.' : 'You have stopped following this result.',
      });
      return reply.redirect(`${base(request)}/results/${id}`, 303);
    });
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../../places/place-scope.ts';
import { authorise } from '../../../platform/auth/policy.ts';
import { handleForm } from '../../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../../platform/pagination.ts';
import type { Services } from '../../../services.ts';
import { countListQuerySchema, publishSchema, resultsQuerySchema } from './results.schema.ts';
import { compareView, countView, progressJson, resultsView, ruleName } from './results.view.ts';

const V = 'participation/budgeting/results/views';

type BudgetParams = { Params: { budgetId: string } };
type CountParams = { Params: { budgetId: string; countId: string } };

export function resultsRoutes(app: FastifyInstance, services: Services): void {
  const { budgetResults: results } = services;

  registerPlaceRoutes(app, (scope) => {
    const budgetPath = (request: FastifyRequest, budgetId: string) =>
      `/places/${place(request).slug}/budgets/${budgetId}`;

    async function resultsContext(request: FastifyRequest, countId: string | undefined) {
      const { budgetId } = request.params as { budgetId: string };
      const shown = await results.results(request.actor, place(request), uuid(budgetId), countId);
      const base = budgetPath(request, shown.budget.id);
      return {
        title: `Results: ${shown.budget.title}`,
        budget: shown.budget,
        base,
        shown,
        count: shown.count ? countView(shown.count) : null,
        view: shown.result ? resultsView(shown.budget, shown.result) : null,
        compareHref: `${base}/results/compare${shown.count && !shown.published ? `?count=${shown.count.id}` : ''}`,
        columnClass: 'govuk-grid-column-full',
        backLink: base,
      };
    }

    // Everyone, once published; officers also see a finished count before it is published.
    scope.get<BudgetParams & { Querystring: Record<string, string> }>(
      '/budgets/:budgetId/results',
      async (request, reply) => {
        const query = resultsQuerySchema.parse(request.query);
        return reply.page(`${V}/results.njk`, await resultsContext(request, query.count));
      },
    );

    scope.get<BudgetParams & { Querystring: Record<string, string> }>(
      '/budgets/:budgetId/results/compare',
      async (request, reply) => {
        const query = resultsQuerySchema.parse(request.query);
        const shown = await results.results(
          request.actor,
          place(request),
          uuid(request.params.budgetId),
          query.count,
        );
        const base = budgetPath(request, shown.budget.id);
        return reply.page(`${V}/compare.njk`, {
          title: `Results under each counting rule: ${shown.budget.title}`,
          budget: shown.budget,
          shown,
          compare: shown.result ? compareView(shown.budget, shown.result) : null,
          resultsHref: `${base}/results${shown.count && !shown.published ? `?count=${shown.count.id}` : ''}`,
          columnClass: 'govuk-grid-column-full',
          backLink: `${base}/results`,
        });
      },
    );

    // The officer's counting page: start a count, see the one under way and every earlier one.
    scope.get<BudgetParams & { Querystring: Record<string, string> }>(
      '/budgets/:budgetId/results/count',
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const page = pageRequest(countListQuerySchema.parse(request.query).page);
        const data = await results.countPage(
          request.actor,
          place(request),
          uuid(request.params.budgetId),
          page,
        );
        const base = budgetPath(request, data.budget.id);
        return reply.page(`${V}/count.njk`, {
          title: `Count the votes: ${data.budget.title}`,
          ...data,
          base,
          active: data.active ? countView(data.active) : null,
          counts: data.counts.map(countView),
          ruleNames: data.rules.map(ruleName),
          pagination: paginationLinks(`${base}/results/count`, {}, page, data.total),
          columnClass: 'govuk-grid-column-full',
          backLink: base,
        });
      },
    );

    scope.post<BudgetParams>('/budgets/:budgetId/results/count', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const budgetId = uuid(request.params.budgetId);
      const countId = await results.requestCount(request.actor, place(request), budgetId);
      await app.sessions.flash(request, {
        kind: 'success',
        text: 'The count has started. It runs in the background: you can leave this page and come back.',
      });
      return reply.redirect(`${budgetPath(request, budgetId)}/results/count/${countId}`, 303);
    });

    scope.get<CountParams>('/budgets/:budgetId/results/count/:countId', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const { budget, count } = await results.countProgress(
        request.actor,
        place(request),
        uuid(request.params.budgetId),
        uuid(request.params.countId),
      );
      const base = budgetPath(request, budget.id);
      return reply.page(`${V}/progress.njk`, {
        title: `Counting the votes: ${budget.title}`,
        budget,
        base,
        count: countView(count),
        self: `${base}/results/count/${count.id}`,
        backLink: `${base}/results/count`,
      });
    });

    // Read by results.js to update the progress display without reloading the page.
    scope.get<CountParams>('/budgets/:budgetId/results/count/:countId/progress', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const { count } = await results.countProgress(
        request.actor,
        place(request),
        uuid(request.params.budgetId),
        uuid(request.params.countId),
      );
      return reply.header('cache-control', 'no-store').send(progressJson(count));
    });

    scope.post<CountParams>('/budgets/:budgetId/results/count/:countId/cancel', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const budgetId = uuid(request.params.budgetId);
      await results.cancelCount(request.actor, place(request), budgetId, uuid(request.params.countId));
      await app.sessions.flash(request, { kind: 'success', text: 'The count has been cancelled.' });
      return reply.redirect(`${budgetPath(request, budgetId)}/results/count`, 303);
    });

    scope.post<CountParams>(
      '/budgets/:budgetId/results/count/:countId/publish',
      async (request, reply: FastifyReply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const countId = uuid(request.params.countId);
        const context = await resultsContext(request, countId);
        return handleForm(reply, {
          schema: publishSchema,
          body: request.body,
          template: `${V}/results.njk`,
          context,
          action: async () => {
            const published = await results.publish(
              request.actor,
              place(request),
              context.budget.id,
              countId,
              true,
            );
            await app.sessions.flash(request, {
              kind: 'success',
              text: `The results have been published. ${published.winners} funded ${published.winners === 1 ? 'project is' : 'projects are'} now decisions to be tracked to completion.`,
            });
            return reply.redirect(`${context.base}/results`, 303);
          },
        });
      },
    );
  });
}

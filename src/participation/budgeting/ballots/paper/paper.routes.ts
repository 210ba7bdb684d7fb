import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  currentPlace as place,
  registerPlaceRoutes,
  idParam as uuid,
} from '../../../../places/place-scope.ts';
import { authorise } from '../../../../platform/auth/policy.ts';
import { handleForm } from '../../../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../../../platform/pagination.ts';
import type { Services } from '../../../../services.ts';
import type { Budget } from '../../budgets/budgets.service.ts';
import type { BallotPaper } from '../ballot-store.ts';
import { ballotView } from '../codes/ballot-form.ts';
import { resolveSchema, SHEET_STATUSES, sheetListSchema, sheetSchema } from './paper.schema.ts';
import type { EntryOutcome } from './paper.service.ts';
import { STATUS_LABELS } from './readings.ts';

const V = 'participation/budgeting/ballots/paper/views';

const OUTCOME_TEXT: Record<EntryOutcome, (reference: string) => string> = {
  first: (r) => `Sheet ${r} has been saved. Someone else must now enter it a second time.`,
  matched: (r) => `Sheet ${r} matches its first entry. Its ballot has been counted.`,
  spoilt: (r) => `Sheet ${r} matches its first entry as spoilt. It will not be counted.`,
  mismatch: (r) => `Sheet ${r} does not match its first entry. It is now on the list to resolve.`,
};

/** The form's fields for a reading, drawn from the posted values and errors when re-shown. */
function readingFields(budget: Budget, paper: BallotPaper) {
  return (values?: Record<string, unknown>, errors?: { fields: Record<string, { text: string }> }) => ({
    sections: ballotView(budget, paper.sections, values, errors),
    districtItems: budget.districts.map((d) => ({
      value: d.id,
      text: d.name,
      checked: values?.districtId === d.id,
    })),
    spoiltChecked: values?.spoilt === 'yes',
  });
}

export function paperBallotsRoutes(app: FastifyInstance, services: Services): void {
  const { paperBallots, budgets } = services;

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest, budget: Budget) =>
      `/places/${place(request).slug}/budgets/${budget.id}/paper-ballots`;

    scope.get<{ Params: { budgetId: string }; Querystring: Record<string, string> }>(
      '/budgets/:budgetId/paper-ballots',
      async (request, reply) => {
        authorise(request.actor, 'ballots.enter_paper', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const query = sheetListSchema.parse(request.query);
        const page = pageRequest(query.page);
        const { sheets, counts, total } = await paperBallots.listSheets(
          request.actor,
          place(request),
          budget,
          query.status,
          page,
        );
        const path = base(request, budget);
        return reply.page(`${V}/list.njk`, {
          title: 'Paper ballots',
          budget,
          status: query.status,
          statusLabel: STATUS_LABELS[query.status],
          sheets: sheets.map((s) => ({ ...s, statusLabel: STATUS_LABELS[s.status] })),
          tabs: SHEET_STATUSES.map((status) => ({
            text: `${STATUS_LABELS[status]} (${counts[status]})`,
            href: status === 'awaiting_second' ? path : `${path}?status=${status}`,
            current: status === query.status,
          })),
          path,
          pagination: paginationLinks(path, { status: query.status }, page, total),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { budgetId: string } }>(
      '/budgets/:budgetId/paper-ballots/new',
      async (request, reply) => {
        authorise(request.actor, 'ballots.enter_paper', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const paper = await paperBallots.entryForm(request.actor, place(request), budget);
        return reply.page(`${V}/enter.njk`, {
          title: 'Enter a paper ballot',
          budget,
          action: base(request, budget),
          fields: readingFields(budget, paper),
          values: {},
        });
      },
    );

    scope.post<{ Params: { budgetId: string } }>(
      '/budgets/:budgetId/paper-ballots',
      async (request, reply) => {
        authorise(request.actor, 'ballots.enter_paper', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const paper = await paperBallots.entryForm(request.actor, place(request), budget);
        return handleForm(reply, {
          schema: sheetSchema(budget, paper.projects),
          body: request.body,
          template: `${V}/enter.njk`,
          context: {
            title: 'Enter a paper ballot',
            budget,
            action: base(request, budget),
            fields: readingFields(budget, paper),
          },
          action: async (data) => {
            const outcome = await paperBallots.enterSheet(request.actor, place(request), budget, data);
            await app.sessions.flash(request, {
              kind: outcome === 'mismatch' ? 'info' : 'success',
              text: OUTCOME_TEXT[outcome](data.reference),
            });
            return reply.redirect(`${base(request, budget)}/new`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { budgetId: string; sheetId: string } }>(
      '/budgets/:budgetId/paper-ballots/:sheetId/resolve',
      async (request, reply) => {
        authorise(request.actor, 'ballots.enter_paper', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const toResolve = await paperBallots.sheetToResolve(
          request.actor,
          place(request),
          budget,
          uuid(request.params.sheetId),
        );
        return reply.page(`${V}/resolve.njk`, {
          title: `Resolve sheet ${toResolve.sheet.reference}`,
          budget,
          ...toResolve,
          listPath: `${base(request, budget)}?status=mismatch`,
          fields: readingFields(budget, toResolve.paper),
          values: {},
        });
      },
    );

    scope.post<{ Params: { budgetId: string; sheetId: string } }>(
      '/budgets/:budgetId/paper-ballots/:sheetId/resolve',
      async (request, reply) => {
        authorise(request.actor, 'ballots.enter_paper', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const toResolve = await paperBallots.sheetToResolve(
          request.actor,
          place(request),
          budget,
          uuid(request.params.sheetId),
        );
        return handleForm(reply, {
          schema: resolveSchema(budget, toResolve.paper.projects),
          body: request.body,
          template: `${V}/resolve.njk`,
          context: {
            title: `Resolve sheet ${toResolve.sheet.reference}`,
            budget,
            ...toResolve,
            listPath: `${base(request, budget)}?status=mismatch`,
            fields: readingFields(budget, toResolve.paper),
          },
          action: async (data) => {
            const { reference, outcome } = await paperBallots.resolveSheet(
              request.actor,
              place(request),
              budget,
              toResolve.sheet.id,
              data,
            );
            await app.sessions.flash(request, {
              kind: 'success',
              text:
                outcome === 'spoilt'
                  ? `Sheet ${reference} has been marked as spoilt. It will not be counted.`
                  : `Sheet ${reference} has been resolved. Its ballot has been counted.`,
            });
            return reply.redirect(`${base(request, budget)}?status=mismatch`, 303);
          },
        });
      },
    );
  });
}

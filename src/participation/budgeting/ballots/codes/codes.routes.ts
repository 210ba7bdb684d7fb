import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  currentPlace as place,
  registerPlaceRoutes,
  idParam as uuid,
} from '../../../../places/place-scope.ts';
import { authorise } from '../../../../platform/auth/policy.ts';
import { ValidationError } from '../../../../platform/errors.ts';
import { handleForm, parseForm, validationErrors } from '../../../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../../../platform/pagination.ts';
import type { Services } from '../../../../services.ts';
import type { Budget } from '../../budgets/budgets.service.ts';
import { ballotView } from './ballot-form.ts';
import { dateText } from './code-letter.ts';
import { codeBallotSchema, codeSchema, districtSchema, issueSchema, voidSchema } from './codes.schema.ts';
import { type CodeBallot, CodeRefused } from './codes.service.ts';

const V = 'participation/budgeting/ballots/codes/views';

/** Per client address: codes are far too many to guess, and this keeps anyone from trying. */
const CODE_RATE_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };
/** Filling in a ballot may take a few goes to get right. */
const BALLOT_RATE_LIMIT = { rateLimit: { max: 30, timeWindow: '1 minute' } };

function districtItems(budget: Budget, selected?: unknown) {
  return budget.districts.map((d) => ({ value: d.id, text: d.name, checked: d.id === selected }));
}

export function accessCodesRoutes(app: FastifyInstance, services: Services): void {
  const { accessCodes, budgets } = services;

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}`;

    // Officers: batches of letters.
    async function batchesPage(request: FastifyRequest<{ Querystring: { page?: string } }>, budget: Budget) {
      const page = pageRequest(request.query.page);
      const { batches, total } = await accessCodes.listBatches(request.actor, place(request), budget, page);
      const path = `${base(request)}/budgets/${budget.id}/access-codes`;
      return {
        title: 'Codes to vote by letter',
        budget,
        batches,
        votingOpens: dateText(budget.votingOpensOn),
        votingCloses: dateText(budget.votingClosesOn),
        voteUrl: accessCodes.voteUrl(place(request)),
        action: path,
        pagination: paginationLinks(path, {}, page, total),
        columnClass: 'govuk-grid-column-full',
      };
    }

    scope.get<{ Params: { budgetId: string }; Querystring: { page?: string } }>(
      '/budgets/:budgetId/access-codes',
      async (request, reply) => {
        authorise(request.actor, 'ballots.issue_codes', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        return reply.page(`${V}/access-codes.njk`, { ...(await batchesPage(request, budget)), values: {} });
      },
    );

    scope.post<{ Params: { budgetId: string }; Querystring: { page?: string } }>(
      '/budgets/:budgetId/access-codes',
      async (request, reply) => {
        authorise(request.actor, 'ballots.issue_codes', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        return handleForm(reply, {
          schema: issueSchema,
          body: request.body,
          template: `${V}/access-codes.njk`,
          context: () => batchesPage(request, budget),
          action: async (data) => {
            const { pdf, filename } = await accessCodes.issueBatch(
              request.actor,
              place(request),
              budget,
              data.quantity,
            );
            return reply
              .type('application/pdf')
              .header('content-disposition', `attachment; filename="${filename}"`)
              .header('cache-control', 'no-store')
              .send(pdf);
          },
        });
      },
    );

    scope.get<{ Params: { budgetId: string; batchId: string } }>(
      '/budgets/:budgetId/access-codes/:batchId/void',
      async (request, reply) => {
        authorise(request.actor, 'ballots.issue_codes', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const batch = await accessCodes.getBatch(
          request.actor,
          place(request),
          budget,
          uuid(request.params.batchId),
        );
        return reply.page(`${V}/void.njk`, {
          title: 'Stop a batch of codes working',
          budget,
          batch,
          values: {},
        });
      },
    );

    scope.post<{ Params: { budgetId: string; batchId: string } }>(
      '/budgets/:budgetId/access-codes/:batchId/void',
      async (request, reply) => {
        authorise(request.actor, 'ballots.issue_codes', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const batch = await accessCodes.getBatch(
          request.actor,
          place(request),
          budget,
          uuid(request.params.batchId),
        );
        return handleForm(reply, {
          schema: voidSchema,
          body: request.body,
          template: `${V}/void.njk`,
          context: { title: 'Stop a batch of codes working', budget, batch },
          action: async (data) => {
            await accessCodes.voidBatch(request.actor, place(request), budget, batch.id, data.reason);
            await app.sessions.flash(request, {
              kind: 'success',
              text: `The unused codes of the batch of ${batch.quantity} letters no longer work.`,
            });
            return reply.redirect(`${base(request)}/budgets/${budget.id}/access-codes`, 303);
          },
        });
      },
    );

    // Residents with a letter: no account needed. The code travels in a hidden field, never in the URL.
    const codePage = (reply: FastifyReply, extra: Record<string, unknown> = {}) =>
      reply.page(`${V}/enter-code.njk`, { title: 'Vote with the code from your letter', ...extra });

    /** A refused code sends the voter back to the code page, with what they typed and why. */
    async function orCodePage(
      reply: FastifyReply,
      typed: unknown,
      step: () => Promise<FastifyReply>,
    ): Promise<FastifyReply> {
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof CodeRefused)) throw error;
        return codePage(reply.code(400), { errors: validationErrors(error), values: { code: typed } });
      }
    }

    const ballotPage = (reply: FastifyReply, ballot: CodeBallot, extra: Record<string, unknown> = {}) => {
      const values = (extra.values as Record<string, unknown> | undefined) ?? {};
      const errors = extra.errors as { fields: Record<string, { text: string }> } | undefined;
      return reply.page(`${V}/ballot.njk`, {
        title: ballot.budget.title,
        ...extra,
        ballot,
        district: ballot.budget.districts.find((d) => d.id === ballot.districtId),
        sections: ballotView(ballot.budget, ballot.sections ?? [], values, errors),
      });
    };

    const districtPage = (reply: FastifyReply, ballot: CodeBallot, extra: Record<string, unknown> = {}) =>
      reply.page(`${V}/district.njk`, {
        title: 'Where do you live?',
        ballot,
        districtItems: districtItems(ballot.budget, (extra.values as Record<string, unknown>)?.districtId),
        ...extra,
      });

    scope.get('/vote', async (_request, reply) => codePage(reply, { values: {} }));

    scope.post('/vote', { config: CODE_RATE_LIMIT }, async (request, reply) =>
      handleForm(reply, {
        schema: codeSchema,
        body: request.body,
        template: `${V}/enter-code.njk`,
        context: { title: 'Vote with the code from your letter' },
        action: async (data) => {
          const ballot = await accessCodes.openBallot(place(request), data.code);
          if (!ballot.sections) return districtPage(reply, ballot, { values: {} });
          return ballotPage(reply, ballot, { values: {} });
        },
      }),
    );

    scope.post('/vote/district', { config: CODE_RATE_LIMIT }, async (request, reply) => {
      const body = (request.body as Record<string, unknown> | undefined) ?? {};
      return orCodePage(reply, body.code, async () => {
        // The code first: without a good one there is no ballot to show.
        const opened = await accessCodes.openBallot(place(request), String(body.code ?? ''));
        const parsed = parseForm(districtSchema, body);
        if (!parsed.ok) return districtPage(reply.code(400), opened, parsed);
        try {
          return ballotPage(
            reply,
            await accessCodes.openBallot(place(request), parsed.data.code, parsed.data.districtId),
            {
              values: {},
            },
          );
        } catch (error) {
          if (!(error instanceof ValidationError) || error instanceof CodeRefused) throw error;
          return districtPage(reply.code(400), opened, { errors: validationErrors(error), values: {} });
        }
      });
    });

    scope.post('/vote/ballot', { config: BALLOT_RATE_LIMIT }, async (request, reply) => {
      const body = (request.body as Record<string, unknown> | undefined) ?? {};
      return orCodePage(reply, body.code, async () => {
        const code = String(body.code ?? '');
        const districtId = typeof body.districtId === 'string' && body.districtId ? body.districtId : null;
        let ballot: CodeBallot;
        try {
          ballot = await accessCodes.openBallot(place(request), code, districtId);
        } catch (error) {
          // A district that is not one of the budget's (the form was changed): ask again.
          if (!(error instanceof ValidationError) || error instanceof CodeRefused) throw error;
          const opened = await accessCodes.openBallot(place(request), code);
          return districtPage(reply.code(400), opened, { errors: validationErrors(error), values: {} });
        }
        const parsed = parseForm(codeBallotSchema(ballot.budget, ballot.sections ?? []), body);
        if (!parsed.ok) return ballotPage(reply.code(400), ballot, parsed);
        try {
          const { budget } = await accessCodes.castWithCode(request.actor, place(request), parsed.data);
          return reply.redirect(`${base(request)}/vote/cast?budget=${budget.id}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError) || error instanceof CodeRefused) throw error;
          const values = { ...body };
          delete values._csrf;
          return ballotPage(reply.code(400), ballot, { errors: validationErrors(error), values });
        }
      });
    });

    scope.get<{ Querystring: { budget?: string } }>('/vote/cast', async (request, reply) => {
      const budget = await budgets.getBudget(place(request), uuid(request.query.budget ?? ''));
      return reply.page(`${V}/cast.njk`, { title: 'Your vote has been recorded', budget });
    });
  });
}

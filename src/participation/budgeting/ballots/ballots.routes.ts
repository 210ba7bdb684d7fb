import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../../places/place-scope.ts';
import { requireUser } from '../../../platform/auth/require-user.ts';
import { RefusalError, ValidationError } from '../../../platform/errors.ts';
import { type FormErrors, validationErrors } from '../../../platform/forms.ts';
import type { Services } from '../../../services.ts';
import { BALLOT_KIND_LABELS } from '../budgets/budgets.schema.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import { formatMoney, moneyParts, moneyText } from '../money.ts';
import { type Choice, limitsText, type Section, sectionField } from './ballot-rules.ts';
import type { BallotPaper } from './ballot-store.ts';
import { ballotFormSchema, choicesFrom, districtQuerySchema, valuesFrom } from './ballots.schema.ts';
import { notOpenReason, type OpenBallot } from './ballots.service.ts';

const V = 'participation/budgeting/ballots/views';

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined || value === null ? [] : [String(value)];
}

/** Everything the ballot page shows for one section: its projects as filled in and the running total. */
function sectionsView(
  budget: Budget,
  sections: readonly Section[],
  summaries: readonly { chosen: number; cost: bigint; remaining: bigint; pointsLeft: number | null }[],
  values: Record<string, unknown>,
  slug: string,
) {
  const ticked = new Set(asStrings(values.projects));
  return sections.map((section, i) => {
    const summary = summaries[i]!;
    return {
      field: sectionField(section),
      name: section.name,
      amount: section.amount.toString(),
      amountText: moneyText(section.amount, budget.currency),
      limits: limitsText(budget.ballot, section, budget.currency),
      total: {
        chosen: summary.chosen,
        costText: moneyText(summary.cost, budget.currency),
        leftText: moneyText(summary.remaining, budget.currency),
        over: summary.remaining < 0n,
        pointsLeft: summary.pointsLeft,
      },
      projects: section.projects.map((p) => ({
        id: p.id,
        title: p.title,
        cost: p.cost.toString(),
        costText: moneyText(p.cost, budget.currency),
        href: `/places/${slug}/budgets/${budget.id}/projects/${p.id}`,
        checked: ticked.has(p.id),
        points: String(values[`points-${p.id}`] ?? ''),
        rank: String(values[`rank-${p.id}`] ?? ''),
      })),
    };
  });
}

/**
 * On points and ranked ballots each project has its own box, so a problem with a whole section links
 * from the error summary to the section's first box.
 */
function retarget(
  errors: FormErrors | undefined,
  budget: Budget,
  sections: readonly Section[],
): FormErrors | undefined {
  if (!errors || budget.ballot.kind === 'approval' || budget.ballot.kind === 'choose-1') return errors;
  const prefix = budget.ballot.kind === 'ordinal' ? 'rank-' : 'points-';
  const firstBox = new Map<string, string>(
    sections.flatMap((s) =>
      s.projects[0] ? [[`#${sectionField(s)}`, `#${prefix}${s.projects[0].id}`] as const] : [],
    ),
  );
  return { ...errors, summary: errors.summary.map((e) => ({ ...e, href: firstBox.get(e.href) ?? e.href })) };
}

const usesPoints = (budget: Budget) =>
  budget.ballot.kind === 'cumulative' || budget.ballot.kind === 'scoring';

export function ballotsRoutes(app: FastifyInstance, services: Services): void {
  const { ballots } = services;

  registerPlaceRoutes(app, (scope) => {
    const budgetPath = (request: FastifyRequest, budget: Budget) =>
      `/places/${place(request).slug}/budgets/${budget.id}`;

    function notOpenPage(
      request: FastifyRequest,
      reply: FastifyReply,
      view: { budget: Budget; status: 'upcoming' | 'closed' },
    ) {
      const reason = notOpenReason(view.budget, view.status);
      return reply.page(`${V}/not-open.njk`, {
        title: view.status === 'upcoming' ? 'Voting has not opened yet' : 'Voting has closed',
        budget: view.budget,
        reason,
        backLink: budgetPath(request, view.budget),
      });
    }

    function districtPage(
      request: FastifyRequest,
      reply: FastifyReply,
      open: OpenBallot,
      selected: string | null,
      errors?: FormErrors,
    ) {
      return reply.code(errors ? 400 : 200).page(`${V}/district.njk`, {
        title: 'Choose your district',
        budget: open.budget,
        action: `${budgetPath(request, open.budget)}/ballot`,
        districtItems: open.budget.districts.map((d) => ({
          value: d.id,
          text: d.name,
          hint: { text: `${formatMoney(d.amount, open.budget.currency)} for projects in ${d.name}` },
        })),
        values: { district: selected ?? '' },
        errors,
        backLink: budgetPath(request, open.budget),
      });
    }

    function ballotPage(
      request: FastifyRequest,
      reply: FastifyReply,
      open: OpenBallot,
      input: {
        districtId: string | null;
        values: Record<string, unknown>;
        choices: readonly Choice[];
        errors?: FormErrors;
        status?: number;
        recalculated?: boolean;
      },
    ) {
      const { budget } = open;
      const preview = ballots.preview(budget, open.paper, input.districtId, input.choices);
      const district = budget.districts.find((d) => d.id === input.districtId) ?? null;
      const money = moneyParts(budget.currency);
      return reply.code(input.status ?? 200).page(`${V}/ballot.njk`, {
        title: `Vote: ${budget.title}`,
        budget,
        process: open.process,
        kind: budget.ballot.kind,
        kindLabel: BALLOT_KIND_LABELS[budget.ballot.kind],
        usesPoints: usesPoints(budget),
        pointsTotal: budget.ballot.pointsTotal,
        sections: sectionsView(
          budget,
          preview.sections,
          preview.summaries,
          input.values,
          place(request).slug,
        ),
        district,
        districtId: input.districtId ?? '',
        current: open.current,
        recalculated: input.recalculated ?? false,
        moneyPrefix: money.prefix,
        moneySuffix: money.suffix,
        action: `${budgetPath(request, budget)}/ballot`,
        values: input.values,
        errors: retarget(input.errors, budget, preview.sections),
        backLink: budgetPath(request, budget),
        plural,
      });
    }

    scope.get<{ Params: { budgetId: string }; Querystring: Record<string, string> }>(
      '/budgets/:budgetId/ballot',
      async (request, reply) => {
        const id = uuid(request.params.budgetId);
        const view = await ballots.load(place(request), id);
        if (view.status !== 'open')
          return notOpenPage(request, reply, { budget: view.budget, status: view.status });
        const open = await ballots.openBallot(request.actor, place(request), view);
        const { budget, current } = open;
        const query = districtQuerySchema.parse(request.query);
        let districtId: string | null = null;
        if (budget.districts.length > 0) {
          const known = (value: string | null | undefined) => budget.districts.some((d) => d.id === value);
          if (query.choose === 'district')
            return districtPage(request, reply, open, current?.districtId ?? null);
          if (known(query.district)) districtId = query.district!;
          else if (query.step === 'district' || query.district !== undefined) {
            const errors = validationErrors(
              new ValidationError('district', 'Select the district where you live'),
            );
            return districtPage(request, reply, open, null, errors);
          } else if (known(current?.districtId)) districtId = current!.districtId;
          else return districtPage(request, reply, open, null);
        }
        // Show the voter's ballot as they left it; choices for another district's projects are left out.
        const sections = ballots.preview(budget, open.paper, districtId, []).sections;
        const onBallot = new Set(sections.flatMap((s) => s.projects.map((p) => p.id)));
        const choices = (current?.choices ?? []).filter((c) => onBallot.has(c.projectId));
        return ballotPage(request, reply, open, {
          districtId,
          choices,
          values: valuesFrom(budget.ballot.kind, districtId, choices),
        });
      },
    );

    scope.post<{ Params: { budgetId: string } }>('/budgets/:budgetId/ballot', async (request, reply) => {
      const id = uuid(request.params.budgetId);
      // Casting reads only what it needs; the whole ballot is loaded only to show the page again.
      const view = await ballots.load(place(request), id);
      const { budget } = view;
      const reopen = () => ballots.openBallot(request.actor, place(request), view);
      const body = { ...((request.body as Record<string, unknown> | undefined) ?? {}) };
      delete body._csrf;
      const form = ballotFormSchema.parse(body);
      const districtId = budget.districts.length > 0 ? form.districtId : null;
      if (budget.districts.length > 0 && !budget.districts.some((d) => d.id === districtId)) {
        const errors = validationErrors(
          new ValidationError('district', 'Select the district where you live'),
        );
        return districtPage(request, reply, await reopen(), null, errors);
      }
      const choices = choicesFrom(budget.ballot.kind, body);
      if (form.intent === 'recalculate') {
        const open = await reopen();
        // Without scripts, the running total is worked out here; nothing is stored.
        const { problems } = ballots.preview(budget, open.paper, districtId, choices);
        const errors = problems.length > 0 ? validationErrors(ValidationError.of(problems)) : undefined;
        return ballotPage(request, reply, open, {
          districtId,
          choices,
          values: body,
          errors,
          recalculated: true,
        });
      }
      try {
        await ballots.cast(request.actor, place(request), view, { districtId, choices });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return ballotPage(request, reply, await reopen(), {
          districtId,
          choices,
          values: body,
          errors: validationErrors(error),
          status: 400,
        });
      }
      return reply.redirect(`${budgetPath(request, budget)}/ballot/recorded`, 303);
    });

    scope.get<{ Params: { budgetId: string } }>(
      '/budgets/:budgetId/ballot/recorded',
      async (request, reply) => {
        requireUser(request);
        const view = await ballots.recorded(request.actor, place(request), uuid(request.params.budgetId));
        const { budget, current, paper } = view;
        if (!current || !paper) {
          if (view.status !== 'open') {
            const { message, howToQualify } = notOpenReason(budget, view.status);
            throw new RefusalError('voting_not_open', message, howToQualify);
          }
          return reply.redirect(`${budgetPath(request, budget)}/ballot`, 303);
        }
        return reply.page(`${V}/recorded.njk`, {
          title: 'Your vote has been recorded',
          budget,
          open: view.status === 'open',
          sections: chosenBySection(budget, paper, current.districtId, current.choices),
          current,
          district: budget.districts.find((d) => d.id === current.districtId) ?? null,
          backLink: budgetPath(request, budget),
        });
      },
    );
  });
}

/** What the voter chose, section by section, in their order of preference on a ranked ballot. */
function chosenBySection(
  budget: Budget,
  paper: BallotPaper,
  districtId: string | null,
  choices: readonly Choice[],
) {
  const byId = new Map(choices.map((c) => [c.projectId, c]));
  const sections = paper.sections.filter((s) => s.districtId === null || s.districtId === districtId);
  return sections.map((s) => {
    const chosen = s.projects
      .filter((p) => byId.has(p.id))
      .map((p) => {
        const c = byId.get(p.id)!;
        const detail =
          budget.ballot.kind === 'ordinal' && c.rank != null
            ? `number ${c.rank}`
            : c.points != null && usesPoints(budget)
              ? plural(c.points, 'point')
              : null;
        return { title: p.title, rank: c.rank ?? 0, detail, costText: moneyText(p.cost, budget.currency) };
      });
    if (budget.ballot.kind === 'ordinal') chosen.sort((a, b) => a.rank - b.rank);
    return { name: s.name, chosen };
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../../places/place-scope.ts';
import { authorise, can } from '../../../platform/auth/policy.ts';
import { requireUser } from '../../../platform/auth/require-user.ts';
import { handleForm } from '../../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../../platform/pagination.ts';
import type { Services } from '../../../services.ts';
import { ELIGIBILITY_LABELS } from '../../processes/eligibility.ts';
import { limitsText } from '../ballots/ballot-rules.ts';
import { formatMoney } from '../money.ts';
import {
  assessmentSchema,
  assignValuatorSchema,
  BALLOT_KIND_LABELS,
  budgetSchema,
  MAX_DISTRICTS,
  projectFromProposalSchema,
  projectListSchema,
  projectSchema,
  RULE_LABELS,
  RULE_ORDER,
  toMinorUnits,
} from './budgets.schema.ts';
import type { Budget, EditState, Project } from './budgets.service.ts';
import { votingStatus } from './voting-window.ts';

const V = 'participation/budgeting/budgets/views';

const FEASIBILITY_TAGS = {
  pending: { text: 'Awaiting review', classes: 'govuk-tag--grey' },
  feasible: { text: 'Feasible', classes: 'govuk-tag--green' },
  not_feasible: { text: 'Not feasible', classes: 'govuk-tag--red' },
} as const;

const formContext = {
  ballotKindLabels: BALLOT_KIND_LABELS,
  districtRows: Array.from({ length: MAX_DISTRICTS }, (_, i) => i + 1),
  ruleItems: RULE_ORDER.map((rule) => ({
    value: rule,
    text: RULE_LABELS[rule].text,
    hint: { text: RULE_LABELS[rule].hint },
  })),
};

function budgetValues(budget: Budget): Record<string, unknown> {
  const values: Record<string, unknown> = {
    title: budget.title,
    totalAmount: budget.totalAmount,
    currency: budget.currency,
    votingOpensOn: budget.votingOpensOn,
    votingClosesOn: budget.votingClosesOn,
    rule: budget.rule,
    ballotKind: budget.ballot.kind,
    minProjects: budget.ballot.minProjects ?? '',
    maxProjects: budget.ballot.maxProjects ?? '',
    basket: budget.ballot.basket ? 'yes' : '',
    pointsTotal: budget.ballot.pointsTotal ?? '',
    maxPointsPerProject: budget.ballot.maxPointsPerProject ?? '',
    rankLimit: budget.ballot.rankLimit ?? '',
  };
  budget.districts.forEach((d, i) => {
    values[`district${i + 1}Id`] = d.id;
    values[`district${i + 1}Name`] = d.name;
    values[`district${i + 1}Amount`] = d.amount;
  });
  return values;
}

/**
 * The limits of the budget's ballots in plain English. With districts, each part of the ballot (a
 * district, or the whole area) has its own money, so the basket is described for every part at once.
 */
export function limitsLines(budget: Budget): string[] {
  const districts = budget.districts.length > 0;
  const section = {
    districtId: null,
    name: 'the whole area',
    amount: toMinorUnits(budget.totalAmount),
    projects: [],
  };
  const lines = limitsText(
    { ...budget.ballot, basket: budget.ballot.basket && !districts },
    section,
    budget.currency,
  );
  if (districts && budget.ballot.basket) {
    lines.push(
      'In each part of the ballot (your district, and the whole area), the projects you choose can cost up to the money for that part together.',
    );
  }
  if (lines.length === 0) lines.push('Choose as many projects as you like.');
  return lines;
}

/** A summary list row whose key carries the id an error summary links to (the key text is our own). */
function fixedRow(id: string, key: string, value: string) {
  return { key: { html: `<span id="${id}">${key}</span>` }, value: { text: value } };
}

/** What the budget form shows when parts of it are fixed. */
function lockedContext(budget: Budget, state: EditState) {
  const imported = budget.ballot.kind === 'choose-1' || budget.ballot.kind === 'scoring';
  const fixedRows = [
    fixedRow('totalAmount', 'Total to spend', formatMoney(budget.totalAmount, budget.currency)),
    fixedRow('votingOpensOn', 'Voting opens on', budget.votingOpensOn),
    ...(state.closed ? [fixedRow('votingClosesOn', 'Voting closed on', budget.votingClosesOn)] : []),
    fixedRow('rule', 'How votes are counted', RULE_LABELS[budget.rule].text),
  ];
  return {
    locked: state.locked,
    closed: state.closed,
    lockReason: state.reason,
    ballotReadOnly: state.locked || imported,
    fixed: budgetValues(budget),
    fixedRows,
    ballotRows: [
      fixedRow('ballotKind', 'Kind of ballot', BALLOT_KIND_LABELS[budget.ballot.kind].text),
      fixedRow('minProjects', 'Limits', limitsLines(budget).join(' ')),
    ],
    fixedDistricts: budget.districts.map((d) => ({
      ...d,
      amountText: formatMoney(d.amount, budget.currency),
    })),
  };
}

function districtItems(budget: Budget, selected?: unknown) {
  return [
    { value: '', text: 'The whole area' },
    ...budget.districts.map((d) => ({ value: d.id, text: d.name, selected: d.id === selected })),
  ];
}

function projectView(project: Project) {
  return { ...project, tag: FEASIBILITY_TAGS[project.feasibility] };
}

export function budgetsRoutes(app: FastifyInstance, services: Services): void {
  const { budgets, processes } = services;

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}`;

    scope.get<{ Params: { processId: string }; Querystring: { page?: string } }>(
      '/processes/:processId/budgets',
      async (request, reply) => {
        const process = await processes.getProcess(place(request), uuid(request.params.processId));
        const page = pageRequest(request.query.page);
        const { budgets: list, total } = await budgets.budgetsOfProcess(place(request), process.id, page);
        return reply.page(`${V}/list.njk`, {
          title: `Participatory budgets: ${process.title}`,
          process,
          list,
          pagination: paginationLinks(`${base(request)}/processes/${process.id}/budgets`, {}, page, total),
          formatMoney,
          canManage: can(request.actor, 'budgets.manage', place(request).id),
        });
      },
    );

    scope.get<{ Params: { processId: string } }>(
      '/processes/:processId/budgets/new',
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const process = await processes.getProcess(place(request), uuid(request.params.processId));
        return reply.page(`${V}/form.njk`, {
          title: 'Set up a budget',
          action: `${base(request)}/processes/${process.id}/budgets`,
          backLink: `${base(request)}/processes/${process.id}`,
          values: { currency: 'GBP', rule: 'mes_cost_add1', ballotKind: 'approval' },
          ...formContext,
        });
      },
    );

    scope.post<{ Params: { processId: string } }>('/processes/:processId/budgets', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const process = await processes.getProcess(place(request), uuid(request.params.processId));
      return handleForm(reply, {
        schema: budgetSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: 'Set up a budget',
          action: `${base(request)}/processes/${process.id}/budgets`,
          backLink: `${base(request)}/processes/${process.id}`,
          ...formContext,
        },
        action: async (data) => {
          const id = await budgets.createBudget(request.actor, place(request), process, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.title} has been set up.` });
          return reply.redirect(`${base(request)}/budgets/${id}`, 303);
        },
      });
    });

    scope.get<{ Params: { budgetId: string }; Querystring: Record<string, string> }>(
      '/budgets/:budgetId',
      async (request, reply) => {
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const process = await processes.getProcess(place(request), budget.processId);
        const query = projectListSchema.parse(request.query);
        const page = pageRequest(query.page);
        const feasibleOnly = query.show === 'ballot';
        const { projects, total } = await budgets.listProjects(place(request), budget, feasibleOnly, page);
        const totals = await budgets.projectTotals(place(request), budget);
        const path = `${base(request)}/budgets/${budget.id}`;
        const status = votingStatus(budget);
        return reply.page(`${V}/budget.njk`, {
          title: budget.title,
          budget,
          process,
          status,
          hasVoted:
            status === 'open' && (await services.ballots.hasVoted(request.actor, place(request), budget)),
          kindLabel: BALLOT_KIND_LABELS[budget.ballot.kind],
          limits: limitsLines(budget),
          ruleLabel: RULE_LABELS[budget.rule],
          districtsText: budget.districts
            .map((d) => `${d.name}: ${formatMoney(d.amount, budget.currency)}`)
            .join('; '),
          eligibilityLabel: ELIGIBILITY_LABELS[process.eligibility],
          projects: projects.map(projectView),
          totals,
          show: query.show,
          tabs: [
            { show: 'all', text: 'All projects', href: path, current: !feasibleOnly },
            { show: 'ballot', text: 'On the ballot', href: `${path}?show=ballot`, current: feasibleOnly },
          ],
          formatMoney,
          canManage: can(request.actor, 'budgets.manage', place(request).id),
          canIssueCodes: can(request.actor, 'ballots.issue_codes', place(request).id),
          canEnterPaper: can(request.actor, 'ballots.enter_paper', place(request).id),
          published: await services.budgetResults.isPublished(place(request), budget.id),
          pbExports: await services.transfer.exportLinks(request.actor, place(request), budget),
          pagination: paginationLinks(path, { show: feasibleOnly ? 'ballot' : undefined }, page, total),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { budgetId: string } }>('/budgets/:budgetId/edit', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
      const state = await budgets.editState(place(request), budget);
      return reply.page(`${V}/form.njk`, {
        title: `Edit ${budget.title}`,
        action: `${base(request)}/budgets/${budget.id}`,
        backLink: `${base(request)}/budgets/${budget.id}`,
        values: budgetValues(budget),
        ...formContext,
        ...lockedContext(budget, state),
      });
    });

    scope.post<{ Params: { budgetId: string } }>('/budgets/:budgetId', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
      const state = await budgets.editState(place(request), budget);
      return handleForm(reply, {
        schema: budgetSchema,
        body: request.body,
        template: `${V}/form.njk`,
        context: {
          title: `Edit ${budget.title}`,
          action: `${base(request)}/budgets/${budget.id}`,
          backLink: `${base(request)}/budgets/${budget.id}`,
          ...formContext,
          ...lockedContext(budget, state),
        },
        action: async (data) => {
          await budgets.updateBudget(request.actor, place(request), budget.id, data);
          await app.sessions.flash(request, { kind: 'success', text: 'The budget has been saved.' });
          return reply.redirect(`${base(request)}/budgets/${budget.id}`, 303);
        },
      });
    });

    // Projects added directly by officers.
    scope.get<{ Params: { budgetId: string } }>('/budgets/:budgetId/projects/new', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
      return reply.page(`${V}/project-form.njk`, {
        title: 'Add a project',
        budget,
        districtItems: districtItems(budget),
        values: {},
      });
    });

    scope.post<{ Params: { budgetId: string } }>('/budgets/:budgetId/projects', async (request, reply) => {
      authorise(request.actor, 'budgets.manage', place(request).id);
      const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
      const posted = (request.body as Record<string, unknown> | undefined)?.districtId;
      return handleForm(reply, {
        schema: projectSchema,
        body: request.body,
        template: `${V}/project-form.njk`,
        context: { title: 'Add a project', budget, districtItems: districtItems(budget, posted) },
        action: async (data) => {
          const id = await budgets.createProject(request.actor, place(request), budget, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.title} has been added.` });
          return reply.redirect(`${base(request)}/budgets/${budget.id}/projects/${id}`, 303);
        },
      });
    });

    // Projects from the process's accepted proposals.
    scope.get<{ Params: { budgetId: string } }>(
      '/budgets/:budgetId/projects/from-proposal',
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const proposals = await budgets.acceptedProposals(request.actor, place(request), budget);
        return reply.page(`${V}/from-proposal.njk`, {
          title: 'Add a project from a proposal',
          budget,
          proposalItems: proposalItems(proposals),
          districtItems: districtItems(budget),
          values: {},
        });
      },
    );

    scope.post<{ Params: { budgetId: string } }>(
      '/budgets/:budgetId/projects/from-proposal',
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const proposals = await budgets.acceptedProposals(request.actor, place(request), budget);
        const body = (request.body as Record<string, unknown> | undefined) ?? {};
        return handleForm(reply, {
          schema: projectFromProposalSchema,
          body: request.body,
          template: `${V}/from-proposal.njk`,
          context: {
            title: 'Add a project from a proposal',
            budget,
            proposalItems: proposalItems(proposals, body.proposalId),
            districtItems: districtItems(budget, body.districtId),
          },
          action: async (data) => {
            const id = await budgets.createProjectFromProposal(request.actor, place(request), budget, data);
            await app.sessions.flash(request, { kind: 'success', text: 'The project has been added.' });
            return reply.redirect(`${base(request)}/budgets/${budget.id}/projects/${id}`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { budgetId: string; projectId: string } }>(
      '/budgets/:budgetId/projects/:projectId',
      async (request, reply) => {
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const project = await budgets.getProject(place(request), budget, uuid(request.params.projectId));
        const canManage = can(request.actor, 'budgets.manage', place(request).id);
        return reply.page(`${V}/project.njk`, {
          title: project.title,
          budget,
          project: projectView(project),
          formatMoney,
          canManage,
          valuatorItems: canManage
            ? valuatorItems(await budgets.valuators(request.actor, place(request)), project.valuatorId)
            : [],
          values: {},
        });
      },
    );

    scope.post<{ Params: { budgetId: string; projectId: string } }>(
      '/budgets/:budgetId/projects/:projectId/valuator',
      async (request, reply) => {
        authorise(request.actor, 'budgets.manage', place(request).id);
        const budget = await budgets.getBudget(place(request), uuid(request.params.budgetId));
        const project = await budgets.getProject(place(request), budget, uuid(request.params.projectId));
        const valuators = await budgets.valuators(request.actor, place(request));
        const posted = (request.body as Record<string, unknown> | undefined)?.valuatorId;
        return handleForm(reply, {
          schema: assignValuatorSchema,
          body: request.body,
          template: `${V}/project.njk`,
          context: {
            title: project.title,
            budget,
            project: projectView(project),
            formatMoney,
            canManage: true,
            valuatorItems: valuatorItems(valuators, posted),
          },
          action: async (data) => {
            await budgets.assignValuator(request.actor, place(request), budget, project.id, data.valuatorId);
            const name = valuators.find((v) => v.id === data.valuatorId)?.name ?? 'The valuator';
            await app.sessions.flash(request, { kind: 'success', text: `${name} will assess this project.` });
            return reply.redirect(`${base(request)}/budgets/${budget.id}/projects/${project.id}`, 303);
          },
        });
      },
    );

    // Valuators: only the projects assigned to them.
    scope.get<{ Querystring: { page?: string } }>('/projects-to-assess', async (request, reply) => {
      requireUser(request);
      const page = pageRequest(request.query.page);
      const { projects, total } = await budgets.projectsToAssess(request.actor, place(request), page);
      return reply.page(`${V}/to-assess.njk`, {
        title: 'Projects to assess',
        projects: projects.map(projectView),
        formatMoney,
        pagination: paginationLinks(`${base(request)}/projects-to-assess`, {}, page, total),
      });
    });

    scope.get<{ Params: { projectId: string } }>('/projects-to-assess/:projectId', async (request, reply) => {
      requireUser(request);
      const project = await budgets.projectToAssess(
        request.actor,
        place(request),
        uuid(request.params.projectId),
      );
      return reply.page(`${V}/assess.njk`, {
        title: `Assess ${project.title}`,
        project: projectView(project),
        formatMoney,
        values: {
          estimatedCost: project.estimatedCost ?? '',
          feasibility: project.feasibility === 'pending' ? undefined : project.feasibility,
          reason: project.feasibilityReason ?? '',
        },
      });
    });

    scope.post<{ Params: { projectId: string } }>(
      '/projects-to-assess/:projectId',
      async (request, reply) => {
        requireUser(request);
        const project = await budgets.projectToAssess(
          request.actor,
          place(request),
          uuid(request.params.projectId),
        );
        return handleForm(reply, {
          schema: assessmentSchema,
          body: request.body,
          template: `${V}/assess.njk`,
          context: { title: `Assess ${project.title}`, project: projectView(project), formatMoney },
          action: async (data) => {
            await budgets.assess(request.actor, place(request), project.id, data);
            await app.sessions.flash(request, {
              kind: 'success',
              text: `Your assessment of ${project.title} has been published.`,
            });
            return reply.redirect(`${base(request)}/projects-to-assess`, 303);
          },
        });
      },
    );
  });
}

function proposalItems(proposals: { id: string; title: string }[], selected?: unknown) {
  return [
    { value: '', text: proposals.length ? 'Choose a proposal' : 'No accepted proposals are waiting' },
    ...proposals.map((p) => ({ value: p.id, text: p.title, selected: p.id === selected })),
  ];
}

function valuatorItems(valuators: { id: string; name: string }[], selected?: unknown) {
  return [
    { value: '', text: valuators.length ? 'Choose a valuator' : 'Nobody holds the valuator role yet' },
    ...valuators.map((v) => ({ value: v.id, text: v.name, selected: v.id === selected })),
  ];
}

import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise } from '../../../platform/auth/policy.ts';
import { ChangeNotice } from '../../../platform/changes.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { today } from '../../processes/phases.ts';
import { type Process, processFromJson } from '../../processes/processes.service.ts';
import { minorToDecimal } from '../money.ts';
import type { RuleName } from '../tally.ts';
import * as repo from './budgets.repository.ts';
import { type BudgetForm, OWN_BALLOT_KINDS, toMinorUnits } from './budgets.schema.ts';
import type { BallotKind, Feasibility } from './budgets.table.ts';
import { type VotingStatus, votingStatus } from './voting-window.ts';

export interface District {
  id: string;
  name: string;
  amount: string;
}

/** How a budget's ballot works and the limits a ballot must keep to. */
export interface BallotSettings {
  kind: BallotKind;
  minProjects: number | null;
  maxProjects: number | null;
  /** The chosen projects together may not cost more than the money of their ballot. */
  basket: boolean;
  /** Cumulative ballots: points each voter spreads. */
  pointsTotal: number | null;
  maxPointsPerProject: number | null;
  /** Ranked ballots: how many projects a voter may rank. */
  rankLimit: number | null;
}

export interface Budget {
  id: string;
  processId: string;
  title: string;
  currency: string;
  totalAmount: string;
  votingOpensOn: string;
  votingClosesOn: string;
  rule: RuleName;
  ballot: BallotSettings;
  /** The META section of an imported .pb file, or null. */
  pbMeta: Record<string, string> | null;
  districts: District[];
}

export interface Project {
  id: string;
  budgetId: string;
  budgetTitle: string;
  processId: string;
  currency: string;
  districtId: string | null;
  districtName: string | null;
  proposalId: string | null;
  title: string;
  description: string;
  estimatedCost: string | null;
  feasibility: Feasibility;
  feasibilityReason: string | null;
  assessedAt: Date | null;
  valuatorId: string | null;
  valuatorName: string | null;
  /**
   * What the project may cost at most: its district's amount; for a whole-area project, the total less
   * what the districts take (or the whole budget when there are no districts).
   */
  limit: string;
  /** Where that limit comes from, for messages: "for Northbank", "for the whole area", "of the budget". */
  limitOf: string;
  onBallot: boolean;
}

/** Whether the budget's rule, ballot, money and opening date may still change, and why not. */
export interface EditState {
  status: VotingStatus;
  /** The rule, ballot settings, money, districts' amounts and opening date are fixed. */
  locked: boolean;
  /** The closing date is fixed too (voting has closed). */
  closed: boolean;
  /** "Voting has opened", "Voting has closed" or "Ballots have been recorded"; null when not locked. */
  reason: string | null;
}

/** Amounts are kept as exact decimal strings with two places. */
function money(value: string | number | null): string {
  return minorToDecimal(toMinorUnits(value ?? 0));
}

const BALLOT_KEYS: readonly (keyof BallotSettings)[] = [
  'kind',
  'minProjects',
  'maxProjects',
  'basket',
  'pointsTotal',
  'maxPointsPerProject',
  'rankLimit',
];

function sameBallot(a: BallotSettings, b: BallotSettings): boolean {
  return BALLOT_KEYS.every((key) => a[key] === b[key]);
}

/** Every way a posted form differs from the budget in what is fixed once voting opens. */
function lockedChanges(budget: Budget, form: BudgetForm): { field: string; what: string }[] {
  const changes: { field: string; what: string }[] = [];
  if (
    toMinorUnits(form.totalAmount) !== toMinorUnits(budget.totalAmount) ||
    form.currency !== budget.currency
  ) {
    changes.push({ field: 'totalAmount', what: 'the money to spend' });
  }
  if (form.votingOpensOn !== budget.votingOpensOn) {
    changes.push({ field: 'votingOpensOn', what: 'the date voting opens' });
  }
  if (form.rule !== budget.rule) changes.push({ field: 'rule', what: 'how votes are counted' });
  if (form.ballot.kind !== budget.ballot.kind)
    changes.push({ field: 'ballotKind', what: 'the kind of ballot' });
  const changedLimit = BALLOT_KEYS.find((key) => key !== 'kind' && form.ballot[key] !== budget.ballot[key]);
  if (changedLimit && form.ballot.kind === budget.ballot.kind) {
    // One row shows every limit when they are fixed, so every limit links there.
    changes.push({ field: 'minProjects', what: 'the limits of a ballot' });
  }
  const posted = form.districts;
  const sameDistricts =
    posted.length === budget.districts.length &&
    posted.every((d, i) => {
      const existing = budget.districts[i]!;
      return d.id === existing.id && toMinorUnits(d.amount) === toMinorUnits(existing.amount);
    });
  if (!sameDistricts) {
    const index = posted.findIndex(
      (d, i) =>
        d.id !== budget.districts[i]?.id ||
        toMinorUnits(d.amount) !== toMinorUnits(budget.districts[i]!.amount),
    );
    changes.push({
      field: `district${(index === -1 ? posted.length : index) + 1}Amount`,
      what: 'the districts and their money',
    });
  }
  return changes;
}

type BudgetRow = NonNullable<Awaited<ReturnType<typeof repo.findBudget>>>;
type DistrictRow = Awaited<ReturnType<typeof repo.findDistricts>>[number];
type ProjectRow = NonNullable<Awaited<ReturnType<typeof repo.findProject>>>;

function toBudget(row: BudgetRow, districts: Pick<DistrictRow, 'id' | 'name' | 'amount'>[]): Budget {
  return {
    id: row.id,
    processId: row.process_id,
    title: row.title,
    currency: row.currency,
    totalAmount: money(row.total_amount),
    votingOpensOn: row.voting_opens_on,
    votingClosesOn: row.voting_closes_on,
    rule: row.rule as RuleName,
    ballot: {
      kind: row.ballot_kind,
      minProjects: row.min_projects,
      maxProjects: row.max_projects,
      basket: row.basket,
      pointsTotal: row.points_total,
      maxPointsPerProject: row.max_points_per_project,
      rankLimit: row.rank_limit,
    },
    pbMeta: row.pb_meta,
    districts: districts.map((d) => ({ id: d.id, name: d.name, amount: money(d.amount) })),
  };
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    budgetId: row.budget_id,
    budgetTitle: row.budget_title,
    processId: row.process_id,
    currency: row.currency,
    districtId: row.district_id,
    districtName: row.district_name,
    proposalId: row.proposal_id,
    title: row.title,
    description: row.description,
    estimatedCost: row.estimated_cost === null ? null : money(row.estimated_cost),
    feasibility: row.feasibility,
    feasibilityReason: row.feasibility_reason,
    assessedAt: row.assessed_at,
    valuatorId: row.valuator_id,
    valuatorName: row.valuator_name,
    limit:
      row.district_amount !== null
        ? money(row.district_amount)
        : minorToDecimal(toMinorUnits(money(row.budget_amount)) - toMinorUnits(money(row.districts_amount))),
    limitOf: row.district_name
      ? `for ${row.district_name}`
      : toMinorUnits(money(row.districts_amount)) > 0n
        ? 'for the whole area'
        : 'of the budget',
    onBallot: row.feasibility === 'feasible',
  };
}

export type BudgetsService = ReturnType<typeof createBudgetsService>;

export function createBudgetsService(deps: { db: Database }) {
  const { db } = deps;
  // Told when a budget's form is saved. Its projects need no notice: once voting opens they are fixed.
  const changed = new ChangeNotice();

  async function getBudget(place: PlaceSummary, id: string): Promise<Budget> {
    const row = await repo.findBudgetWithDistricts(db, place.id, id);
    if (!row) throw new NotFoundError();
    return toBudget(row, row.districts);
  }

  /**
   * The budget with its process and the projects on its ballot, read together. The ballot cannot change once voting
   * opens (assertBallotCanChange), so a vote may be checked against projects read before it is stored.
   */
  async function getBudgetWithBallot(place: PlaceSummary, id: string) {
    const row = await repo.findBudgetWithBallot(db, place.id, id);
    if (!row?.process) throw new NotFoundError();
    return {
      budget: toBudget(row, row.districts),
      process: processFromJson(row.process),
      ballotProjects: row.ballot_projects,
    };
  }

  function checkDistricts(form: BudgetForm) {
    const total = toMinorUnits(form.totalAmount);
    const sum = form.districts.reduce((acc, d) => acc + toMinorUnits(d.amount), 0n);
    if (sum > total) {
      throw new ValidationError(
        'district1Amount',
        `The districts’ amounts add up to ${minorToDecimal(sum)} ${form.currency}, more than the budget total of ${form.totalAmount} ${form.currency}`,
      );
    }
  }

  function checkOwnKind(form: BudgetForm, existing?: Budget) {
    const own = (OWN_BALLOT_KINDS as readonly string[]).includes(form.ballot.kind);
    if (!own && form.ballot.kind !== existing?.ballot.kind) {
      throw new ValidationError('ballotKind', 'Select approval, cumulative or ranked voting');
    }
    // A choose-1 or scoring ballot came from an imported file and is shown, not edited.
    const imported = existing && !(OWN_BALLOT_KINDS as readonly string[]).includes(existing.ballot.kind);
    if (imported && !sameBallot(form.ballot, existing.ballot)) {
      throw new ValidationError(
        'ballotKind',
        'This ballot came from an imported file, so its settings cannot change here',
      );
    }
  }

  async function editStateIn(tx: Database, placeId: string, budget: Budget): Promise<EditState> {
    const status = votingStatus(budget);
    const ballots = await repo.hasBallots(tx, placeId, budget.id);
    const locked = status !== 'upcoming' || ballots;
    const reason =
      status === 'closed'
        ? 'Voting has closed'
        : status === 'open'
          ? 'Voting has opened'
          : ballots
            ? 'Ballots have been recorded'
            : null;
    return { status, locked, closed: status === 'closed', reason };
  }

  /**
   * Every voter must see the same ballot: once voting opens (or a ballot is recorded), no project can
   * join it, leave it or change its cost. Casting reads the ballot's projects on that promise.
   */
  async function assertBallotCanChange(tx: Database, placeId: string, budget: Budget, field: string) {
    const state = await editStateIn(tx, placeId, budget);
    if (state.locked) {
      throw new ValidationError(field, `${state.reason}, so the projects on the ballot can no longer change`);
    }
  }

  function checkDistrictOf(budget: Budget, districtId: string | null) {
    if (districtId !== null && !budget.districts.some((d) => d.id === districtId)) {
      throw new ValidationError('districtId', 'Select a district from the list');
    }
  }

  return {
    getBudget,
    getBudgetWithBallot,

    /** Calls `listener` with the place whenever this process saves one of its budgets. */
    onChange(listener: (placeId: string) => void): void {
      changed.listen(listener);
    },

    /** What may still change on the budget form. */
    async editState(place: PlaceSummary, budget: Budget): Promise<EditState> {
      return editStateIn(db, place.id, budget);
    },

    /** One page of the budgets of a process, for their list. */
    async budgetsOfProcess(place: PlaceSummary, processId: string, page: { limit: number; offset: number }) {
      const { rows, total } = await repo.listBudgetsOfProcess(db, place.id, processId, page);
      return { budgets: rows.map((r) => toBudget(r, [])), total };
    },

    /** Whether the process has any budget, for a link to their list. */
    async processHasBudgets(place: PlaceSummary, processId: string) {
      return repo.processHasBudgets(db, place.id, processId);
    },

    async createBudget(
      actor: Actor,
      place: PlaceSummary,
      process: Process,
      form: BudgetForm,
    ): Promise<string> {
      authorise(actor, 'budgets.manage', place.id);
      checkOwnKind(form);
      checkDistricts(form);
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertBudget(tx, place.id, process.id, form);
        await repo.saveDistricts(
          tx,
          place.id,
          id,
          form.districts.map((d) => ({ ...d, id: null })),
        );
        await recordAudit(tx, actor, {
          action: 'budget.created',
          subjectType: 'budget',
          subjectId: id,
          placeId: place.id,
          details: {
            processId: process.id,
            totalAmount: form.totalAmount,
            currency: form.currency,
            rule: form.rule,
            ballotKind: form.ballot.kind,
          },
        });
        return id;
      });
    },

    /**
     * Saves the budget form. The officer fixes the rule, the ballot, the money and the opening date before
     * voting opens: once it has opened (or any ballot is recorded) only the title, the districts' names
     * and, until voting closes, the closing date may change.
     */
    async updateBudget(actor: Actor, place: PlaceSummary, id: string, form: BudgetForm): Promise<void> {
      authorise(actor, 'budgets.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const row = await repo.findBudget(tx, place.id, id, true);
        if (!row) throw new NotFoundError();
        const existing = await repo.findDistricts(tx, place.id, id);
        const budget = toBudget(row, existing);
        checkOwnKind(form, budget);
        const state = await editStateIn(tx, place.id, budget);
        if (state.locked) {
          const problems = lockedChanges(budget, form).map((c) => ({
            field: c.field,
            message: `${state.reason}, so ${c.what} cannot change`,
          }));
          if (state.closed && form.votingClosesOn !== budget.votingClosesOn) {
            problems.push({
              field: 'votingClosesOn',
              message: 'Voting has closed, so the date it closes cannot change',
            });
          } else if (state.status === 'open' && form.votingClosesOn < today()) {
            problems.push({
              field: 'votingClosesOn',
              message: 'Voting is open, so it must close today or later',
            });
          }
          if (problems.length > 0) throw ValidationError.of(problems);
        }
        // After the lock: once voting has opened, "cannot change" says more than the sum of the amounts.
        checkDistricts(form);
        const keptIds = new Set(form.districts.flatMap((d) => (d.id ? [d.id] : [])));
        const removed = existing.filter((d) => !keptIds.has(d.id)).map((d) => d.id);
        const inUse = await repo.districtsInUse(tx, place.id, id, removed);
        if (inUse.length > 0) {
          throw new ValidationError(
            'district1Name',
            `You cannot remove ${inUse.join(', ')}: it has projects`,
          );
        }
        const known = new Set(existing.map((d) => d.id));
        const rows = form.districts.map((d) => ({ ...d, id: d.id && known.has(d.id) ? d.id : null }));
        await repo.updateBudget(tx, place.id, id, form);
        await repo.saveDistricts(tx, place.id, id, rows);
        await recordAudit(tx, actor, {
          action: 'budget.updated',
          subjectType: 'budget',
          subjectId: id,
          placeId: place.id,
          details: {
            totalAmount: form.totalAmount,
            currency: form.currency,
            districts: rows.length,
            rule: form.rule,
            ballotKind: form.ballot.kind,
          },
        });
      });
      changed.tell(place.id);
    },

    async listProjects(
      place: PlaceSummary,
      budget: Budget,
      feasibleOnly: boolean,
      page: { limit: number; offset: number },
    ) {
      const { rows, total } = await repo.listProjects(db, place.id, budget.id, feasibleOnly, page);
      return { projects: rows.map(toProject), total };
    },

    /** Counts per state and the cost of the feasible projects together. */
    async projectTotals(place: PlaceSummary, budget: Budget) {
      const rows = await repo.projectTotals(db, place.id, budget.id);
      const of = (f: Feasibility) => rows.find((r) => r.feasibility === f);
      return {
        pending: Number(of('pending')?.count ?? 0),
        feasible: Number(of('feasible')?.count ?? 0),
        notFeasible: Number(of('not_feasible')?.count ?? 0),
        ballotCost: money(of('feasible')?.cost ?? 0),
      };
    },

    async getProject(place: PlaceSummary, budget: Budget, id: string): Promise<Project> {
      const row = await repo.findProject(db, place.id, budget.id, id);
      if (!row) throw new NotFoundError();
      return toProject(row);
    },

    async acceptedProposals(actor: Actor, place: PlaceSummary, budget: Budget) {
      authorise(actor, 'budgets.manage', place.id);
      return repo.acceptedProposalsWithoutProject(db, place.id, budget.processId, budget.id);
    },

    async valuators(actor: Actor, place: PlaceSummary) {
      authorise(actor, 'budgets.manage', place.id);
      const rows = await repo.valuatorsOfPlace(db, place.id);
      return rows.map((r) => ({ id: r.id, name: r.name, email: r.email }));
    },

    async createProject(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      input: { title: string; description: string; districtId: string | null },
    ): Promise<string> {
      authorise(actor, 'budgets.manage', place.id);
      checkDistrictOf(budget, input.districtId);
      return db.transaction().execute(async (tx) => {
        await assertBallotCanChange(tx, place.id, budget, 'title');
        const id = await repo.insertProject(tx, place.id, budget.id, { ...input, proposalId: null });
        await recordAudit(tx, actor, {
          action: 'project.created',
          subjectType: 'project',
          subjectId: id,
          placeId: place.id,
          details: { budgetId: budget.id },
        });
        return id;
      });
    },

    async createProjectFromProposal(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      input: { proposalId: string; districtId: string | null },
    ): Promise<string> {
      authorise(actor, 'budgets.manage', place.id);
      checkDistrictOf(budget, input.districtId);
      return db.transaction().execute(async (tx) => {
        await assertBallotCanChange(tx, place.id, budget, 'proposalId');
        const proposal = await repo.findProposal(tx, place.id, input.proposalId);
        if (!proposal || proposal.process_id !== budget.processId || proposal.status !== 'published') {
          throw new ValidationError('proposalId', 'Select a proposal of this process');
        }
        if (proposal.answer !== 'accepted') {
          throw new ValidationError('proposalId', 'Only accepted proposals can become projects');
        }
        if (await repo.projectOfProposal(tx, place.id, budget.id, proposal.id)) {
          throw new ValidationError('proposalId', 'That proposal is already a project of this budget');
        }
        const id = await repo.insertProject(tx, place.id, budget.id, {
          districtId: input.districtId,
          proposalId: proposal.id,
          title: proposal.title,
          description: proposal.body,
        });
        await recordAudit(tx, actor, {
          action: 'project.created',
          subjectType: 'project',
          subjectId: id,
          placeId: place.id,
          details: { budgetId: budget.id, proposalId: proposal.id },
        });
        return id;
      });
    },

    async assignValuator(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      projectId: string,
      valuatorId: string,
    ): Promise<void> {
      authorise(actor, 'budgets.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const project = await repo.findProject(tx, place.id, budget.id, projectId);
        if (!project) throw new NotFoundError();
        if (!(await repo.isValuator(tx, place.id, valuatorId))) {
          throw new ValidationError('valuatorId', 'Select a valuator from the list');
        }
        await repo.setValuator(tx, place.id, projectId, valuatorId);
        await recordAudit(tx, actor, {
          action: 'project.assigned',
          subjectType: 'project',
          subjectId: projectId,
          placeId: place.id,
          details: { valuatorId, previousValuatorId: project.valuator_id },
        });
      });
    },

    /** Projects assigned to the signed-in valuator; nobody else's. */
    async projectsToAssess(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      authorise(actor, 'projects.assess', place.id);
      const { rows, total } = await repo.listAssignedProjects(db, place.id, actor.user!.id, page);
      return { projects: rows.map(toProject), total };
    },

    async projectToAssess(actor: Actor, place: PlaceSummary, projectId: string): Promise<Project> {
      authorise(actor, 'projects.assess', place.id);
      const row = await repo.findAssignedProject(db, place.id, actor.user!.id, projectId);
      if (!row) throw new NotFoundError();
      return toProject(row);
    },

    async assess(
      actor: Actor,
      place: PlaceSummary,
      projectId: string,
      input: { estimatedCost: string; feasibility: 'feasible' | 'not_feasible'; reason: string },
    ): Promise<Project> {
      authorise(actor, 'projects.assess', place.id);
      const valuatorId = actor.user!.id;
      return db.transaction().execute(async (tx) => {
        const row = await repo.findAssignedProject(tx, place.id, valuatorId, projectId);
        if (!row) throw new NotFoundError();
        const budgetRow = await repo.findBudgetWithDistricts(tx, place.id, row.budget_id);
        if (!budgetRow) throw new NotFoundError();
        await assertBallotCanChange(tx, place.id, toBudget(budgetRow, budgetRow.districts), 'feasibility');
        const project = toProject(row);
        if (toMinorUnits(input.estimatedCost) > toMinorUnits(project.limit)) {
          throw new ValidationError(
            'estimatedCost',
            `Estimated cost must be ${project.limit} ${project.currency} or less, the amount ${project.limitOf}`,
          );
        }
        const updated = await repo.setAssessment(tx, place.id, projectId, valuatorId, input);
        if (!updated) throw new NotFoundError();
        await recordAudit(tx, actor, {
          action: 'project.assessed',
          subjectType: 'project',
          subjectId: projectId,
          placeId: place.id,
          details: { estimatedCost: input.estimatedCost, feasibility: input.feasibility },
        });
        return project;
      });
    },
  };
}

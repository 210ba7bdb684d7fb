import { type Kysely, sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../../../platform/db/schema.ts';
import { processOfBudgetJson } from '../../processes/processes.repository.ts';
import type { BallotKind, Feasibility } from './budgets.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface BudgetValues {
  title: string;
  currency: string;
  totalAmount: string;
  votingOpensOn: string;
  votingClosesOn: string;
  rule: string;
  ballot: {
    kind: BallotKind;
    minProjects: number | null;
    maxProjects: number | null;
    basket: boolean;
    pointsTotal: number | null;
    maxPointsPerProject: number | null;
    rankLimit: number | null;
  };
}

function ballotColumns(values: BudgetValues) {
  return {
    ballot_kind: values.ballot.kind,
    min_projects: values.ballot.minProjects,
    max_projects: values.ballot.maxProjects,
    basket: values.ballot.basket,
    points_total: values.ballot.pointsTotal,
    max_points_per_project: values.ballot.maxPointsPerProject,
    rank_limit: values.ballot.rankLimit,
  };
}

export interface DistrictValues {
  id: string | null;
  name: string;
  amount: string;
}

export interface ProjectValues {
  districtId: string | null;
  proposalId: string | null;
  title: string;
  description: string;
}

const budgetColumns = [
  'id',
  'place_id',
  'process_id',
  'title',
  'currency',
  'total_amount',
  'voting_opens_on',
  'voting_closes_on',
  'rule',
  'ballot_kind',
  'min_projects',
  'max_projects',
  'basket',
  'points_total',
  'max_points_per_project',
  'rank_limit',
  'pb_meta',
  'created_at',
] as const;

export async function findBudget(db: Executor, placeId: string, id: string, lock = false) {
  let query = db
    .selectFrom('budgets')
    .select(budgetColumns)
    .where('place_id', '=', placeId)
    .where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** A budget with its districts in one query (the districts' amounts as text, so no digit is lost). */
export async function findBudgetWithDistricts(db: Executor, placeId: string, id: string) {
  return budgetWithDistricts(db, placeId, id).executeTakeFirst();
}

function budgetWithDistricts(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('budgets')
    .select(budgetColumns)
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('budget_districts as d')
          .select(['d.id', 'd.name', sql<string>`d.amount::text`.as('amount')])
          .whereRef('d.budget_id', '=', 'budgets.id')
          .where('d.place_id', '=', placeId)
          .orderBy('d.position'),
      ).as('districts'),
    )
    .where('place_id', '=', placeId)
    .where('id', '=', id);
}

/**
 * A budget with its districts, its process and phases, and the projects on its ballot (found feasible,
 * in a stable order), in one query: what voting needs on every request.
 */
export async function findBudgetWithBallot(db: Executor, placeId: string, id: string) {
  return budgetWithDistricts(db, placeId, id)
    .select(processOfBudgetJson(db, placeId, id).as('process'))
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('projects as p')
          .select([
            'p.id',
            'p.title',
            sql<string>`p.estimated_cost::text`.as('estimated_cost'),
            'p.district_id',
            'p.pb_id',
            'p.pb_fields',
          ])
          .whereRef('p.budget_id', '=', 'budgets.id')
          .where('p.place_id', '=', placeId)
          .where('p.feasibility', '=', 'feasible')
          .where('p.estimated_cost', 'is not', null)
          .orderBy('p.created_at')
          .orderBy('p.id'),
      ).as('ballot_projects'),
    )
    .executeTakeFirst();
}

/** One page of a process's budgets, in the order they were set up. */
export async function listBudgetsOfProcess(
  db: Executor,
  placeId: string,
  processId: string,
  page: { limit: number; offset: number },
) {
  const query = db.selectFrom('budgets').where('place_id', '=', placeId).where('process_id', '=', processId);
  const [rows, count] = await Promise.all([
    query
      .select(budgetColumns)
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Whether a process has any budget. */
export async function processHasBudgets(db: Executor, placeId: string, processId: string) {
  const row = await db
    .selectFrom('budgets')
    .select('id')
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findDistricts(db: Executor, placeId: string, budgetId: string) {
  return db
    .selectFrom('budget_districts')
    .select(['id', 'budget_id', 'position', 'name', 'amount'])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .orderBy('position')
    .execute();
}

export async function insertBudget(
  db: Executor,
  placeId: string,
  processId: string,
  values: BudgetValues,
): Promise<string> {
  const row = await db
    .insertInto('budgets')
    .values({
      place_id: placeId,
      process_id: processId,
      title: values.title,
      currency: values.currency,
      total_amount: values.totalAmount,
      voting_opens_on: values.votingOpensOn,
      voting_closes_on: values.votingClosesOn,
      rule: values.rule,
      ...ballotColumns(values),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateBudget(db: Executor, placeId: string, id: string, values: BudgetValues) {
  await db
    .updateTable('budgets')
    .set({
      title: values.title,
      currency: values.currency,
      total_amount: values.totalAmount,
      voting_opens_on: values.votingOpensOn,
      voting_closes_on: values.votingClosesOn,
      rule: values.rule,
      ...ballotColumns(values),
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

/** Whether any ballot, from any channel, has been recorded for the budget. */
export async function hasBallots(db: Executor, placeId: string, budgetId: string): Promise<boolean> {
  const row = await db
    .selectFrom('ballots')
    .select('id')
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Districts as posted: rows with an id are updated, rows without one added, missing ones removed. */
export async function saveDistricts(db: Executor, placeId: string, budgetId: string, rows: DistrictValues[]) {
  const keep = rows.flatMap((r) => (r.id ? [r.id] : []));
  let remove = db
    .deleteFrom('budget_districts')
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId);
  if (keep.length > 0) remove = remove.where('id', 'not in', keep);
  await remove.execute();
  for (const [index, row] of rows.entries()) {
    if (row.id) {
      await db
        .updateTable('budget_districts')
        .set({ name: row.name, amount: row.amount, position: index + 1 })
        .where('place_id', '=', placeId)
        .where('budget_id', '=', budgetId)
        .where('id', '=', row.id)
        .execute();
    } else {
      await db
        .insertInto('budget_districts')
        .values({
          place_id: placeId,
          budget_id: budgetId,
          position: index + 1,
          name: row.name,
          amount: row.amount,
        })
        .execute();
    }
  }
}

/** Names of the districts among `ids` that projects belong to. */
export async function districtsInUse(db: Executor, placeId: string, budgetId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('budget_districts as d')
    .select('d.name')
    .where('d.place_id', '=', placeId)
    .where('d.budget_id', '=', budgetId)
    .where('d.id', 'in', ids)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('projects as p')
          .select('p.id')
          .whereRef('p.district_id', '=', 'd.id')
          .where('p.place_id', '=', placeId),
      ),
    )
    .orderBy('d.position')
    .execute();
  return rows.map((r) => r.name);
}

function projectQuery(db: Executor, placeId: string) {
  return db
    .selectFrom('projects as p')
    .innerJoin('budgets as b', (join) =>
      join.onRef('b.id', '=', 'p.budget_id').on('b.place_id', '=', placeId),
    )
    .leftJoin('budget_districts as d', 'd.id', 'p.district_id')
    .leftJoin('users as v', 'v.id', 'p.valuator_id')
    .select([
      'p.id',
      'p.budget_id',
      'p.district_id',
      'p.proposal_id',
      'p.title',
      'p.description',
      'p.estimated_cost',
      'p.feasibility',
      'p.feasibility_reason',
      'p.assessed_at',
      'p.valuator_id',
      'p.created_at',
      'd.name as district_name',
      'd.amount as district_amount',
      'v.name as valuator_name',
      'b.title as budget_title',
      'b.process_id',
      'b.total_amount as budget_amount',
      'b.currency',
      // What the districts take of the total; the rest is the money for the whole area.
      (eb) =>
        eb
          .selectFrom('budget_districts as bd')
          .select((s) => s.fn.coalesce(s.fn.sum<string | number>('bd.amount'), s.lit(0)).as('sum'))
          .whereRef('bd.budget_id', '=', 'b.id')
          .where('bd.place_id', '=', placeId)
          .as('districts_amount'),
    ])
    .where('p.place_id', '=', placeId);
}

export async function listProjects(
  db: Executor,
  placeId: string,
  budgetId: string,
  feasibleOnly: boolean,
  page: { limit: number; offset: number },
) {
  let query = projectQuery(db, placeId).where('p.budget_id', '=', budgetId);
  let count = db
    .selectFrom('projects')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId);
  if (feasibleOnly) {
    query = query.where('p.feasibility', '=', 'feasible');
    count = count.where('feasibility', '=', 'feasible');
  }
  const rows = await query
    .orderBy('p.created_at')
    .orderBy('p.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { total } = await count.executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

/** How many projects are in each state, and what the feasible ones cost together. */
export async function projectTotals(db: Executor, placeId: string, budgetId: string) {
  const rows = await db
    .selectFrom('projects')
    .select((eb) => [
      'feasibility',
      eb.fn.countAll<string>().as('count'),
      eb.fn.sum<string | number | null>('estimated_cost').as('cost'),
    ])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .groupBy('feasibility')
    .execute();
  return rows;
}

export async function findProject(db: Executor, placeId: string, budgetId: string, id: string) {
  return projectQuery(db, placeId)
    .where('p.budget_id', '=', budgetId)
    .where('p.id', '=', id)
    .executeTakeFirst();
}

/** A project only if it is assigned to this valuator: another valuator never reads it. */
export async function findAssignedProject(db: Executor, placeId: string, valuatorId: string, id: string) {
  return projectQuery(db, placeId)
    .where('p.valuator_id', '=', valuatorId)
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export async function listAssignedProjects(
  db: Executor,
  placeId: string,
  valuatorId: string,
  page: { limit: number; offset: number },
) {
  const rows = await projectQuery(db, placeId)
    .where('p.valuator_id', '=', valuatorId)
    .orderBy((eb) => eb.case().when('p.feasibility', '=', 'pending').then(0).else(1).end())
    .orderBy('p.created_at')
    .orderBy('p.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { total } = await db
    .selectFrom('projects')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('place_id', '=', placeId)
    .where('valuator_id', '=', valuatorId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

export async function insertProject(
  db: Executor,
  placeId: string,
  budgetId: string,
  values: ProjectValues,
): Promise<string> {
  const row = await db
    .insertInto('projects')
    .values({
      place_id: placeId,
      budget_id: budgetId,
      district_id: values.districtId,
      proposal_id: values.proposalId,
      title: values.title,
      description: values.description,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setValuator(db: Executor, placeId: string, id: string, valuatorId: string) {
  await db
    .updateTable('projects')
    .set({ valuator_id: valuatorId })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function setAssessment(
  db: Executor,
  placeId: string,
  id: string,
  valuatorId: string,
  values: { estimatedCost: string; feasibility: Feasibility; reason: string },
): Promise<boolean> {
  const result = await db
    .updateTable('projects')
    .set({
      estimated_cost: values.estimatedCost,
      feasibility: values.feasibility,
      feasibility_reason: values.reason,
      assessed_by: valuatorId,
      assessed_at: new Date(),
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .where('valuator_id', '=', valuatorId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Accepted proposals of the process that are not yet a project of this budget. Read here rather than
 * through the proposals service because "not yet a project" is a join with this feature's table.
 */
export async function acceptedProposalsWithoutProject(
  db: Executor,
  placeId: string,
  processId: string,
  budgetId: string,
) {
  return db
    .selectFrom('proposals as pr')
    .select(['pr.id', 'pr.title'])
    .where('pr.place_id', '=', placeId)
    .where('pr.process_id', '=', processId)
    .where('pr.answer', '=', 'accepted')
    .where('pr.status', '=', 'published')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('projects as p')
            .select('p.id')
            .whereRef('p.proposal_id', '=', 'pr.id')
            .where('p.place_id', '=', placeId)
            .where('p.budget_id', '=', budgetId),
        ),
      ),
    )
    .orderBy('pr.title')
    .limit(500)
    .execute();
}

export async function findProposal(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('proposals')
    .select(['id', 'process_id', 'title', 'body', 'answer', 'status'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function projectOfProposal(db: Executor, placeId: string, budgetId: string, proposalId: string) {
  return db
    .selectFrom('projects')
    .select('id')
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('proposal_id', '=', proposalId)
    .executeTakeFirst();
}

/** People holding the valuator role in the place, for the assignment select. */
export async function valuatorsOfPlace(db: Executor, placeId: string) {
  return db
    .selectFrom('place_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.name', 'u.email'])
    .where('r.place_id', '=', placeId)
    .where('r.role', '=', 'valuator')
    .where('u.deleted_at', 'is', null)
    .orderBy('u.name')
    .limit(500)
    .execute();
}

export async function isValuator(db: Executor, placeId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('place_roles')
    .select('user_id')
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .where('role', '=', 'valuator')
    .executeTakeFirst();
  return row !== undefined;
}

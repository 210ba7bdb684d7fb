import type { Database } from '../../../../platform/db/database.ts';
import type { BallotKind } from '../../budgets/budgets.table.ts';

/**
 * Test data for the ballot channels: a budget with feasible projects, written straight to the
 * database so that these tests do not depend on the budget forms.
 */
export interface TestBudget {
  id: string;
  /** Project ids by title. */
  projects: Record<string, string>;
  /** District ids by name. */
  districts: Record<string, string>;
}

export async function createTestBudget(
  db: Database,
  options: {
    placeId: string;
    processId: string;
    title: string;
    opensOn: string;
    closesOn: string;
    total?: string;
    kind?: BallotKind;
    maxProjects?: number;
    pointsTotal?: number;
    basket?: boolean;
    districts?: { name: string; amount: string }[];
    projects: { title: string; cost: string; district?: string }[];
  },
): Promise<TestBudget> {
  const budget = await db
    .insertInto('budgets')
    .values({
      place_id: options.placeId,
      process_id: options.processId,
      title: options.title,
      total_amount: options.total ?? '10000.00',
      voting_opens_on: options.opensOn,
      voting_closes_on: options.closesOn,
      ballot_kind: options.kind ?? 'approval',
      max_projects: options.maxProjects ?? null,
      points_total: options.pointsTotal ?? null,
      basket: options.basket ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const districts: Record<string, string> = {};
  for (const [i, d] of (options.districts ?? []).entries()) {
    const row = await db
      .insertInto('budget_districts')
      .values({
        place_id: options.placeId,
        budget_id: budget.id,
        position: i + 1,
        name: d.name,
        amount: d.amount,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    districts[d.name] = row.id;
  }
  const projects: Record<string, string> = {};
  for (const p of options.projects) {
    const row = await db
      .insertInto('projects')
      .values({
        place_id: options.placeId,
        budget_id: budget.id,
        district_id: p.district ? districts[p.district]! : null,
        title: p.title,
        description: `About ${p.title}`,
        estimated_cost: p.cost,
        feasibility: 'feasible',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    projects[p.title] = row.id;
  }
  return { id: budget.id, projects, districts };
}

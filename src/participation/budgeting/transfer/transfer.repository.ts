import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { ImportedBudget, ImportedProject, ImportPlan } from './pb-import.ts';

/**
 * Bulk writes for importing a .pb file. Rows go in as arrays unnested on the server, one statement per batch
 * of ballots, so a 100,000-ballot election is a few dozen statements rather than 100,000.
 */

/** Ballots per statement; their items go in one statement too. Larger batches gained nothing measurable and hold more memory. */
export const BALLOT_BATCH = 5_000;

export async function insertBudget(
  tx: Transaction<DB>,
  placeId: string,
  processId: string,
  b: ImportedBudget,
): Promise<string> {
  const row = await tx
    .insertInto('budgets')
    .values({
      place_id: placeId,
      process_id: processId,
      title: b.title,
      currency: b.currency,
      total_amount: b.totalAmount,
      voting_opens_on: b.votingOpensOn,
      voting_closes_on: b.votingClosesOn,
      rule: b.rule,
      ballot_kind: b.ballotKind,
      min_projects: b.minProjects,
      max_projects: b.maxProjects,
      basket: b.basket,
      points_total: b.pointsTotal,
      max_points_per_project: b.maxPointsPerProject,
      rank_limit: b.rankLimit,
      pb_meta: JSON.stringify(b.pbMeta),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Inserts the projects, found feasible at their costs, and returns their ids in file order. Each one's
 * created_at is a microsecond after the one before, because lists and the ballot order projects by it and
 * one transaction's now() is the same for every row.
 */
export async function insertProjects(
  tx: Transaction<DB>,
  placeId: string,
  budgetId: string,
  projects: readonly ImportedProject[],
): Promise<string[]> {
  const ids = projects.map(() => randomUUID());
  if (projects.length === 0) return ids;
  await sql`
    INSERT INTO projects
      (id, place_id, budget_id, title, description, estimated_cost, feasibility, pb_id, pb_fields, created_at)
    SELECT t.id, ${placeId}::uuid, ${budgetId}::uuid, t.title, t.description, t.cost, 'feasible', t.pb_id,
      t.pb_fields::jsonb, now() + t.ord * interval '1 microsecond'
    FROM unnest(${ids}::uuid[], ${projects.map((p) => p.title)}::text[],
      ${projects.map((p) => p.description)}::text[], ${projects.map((p) => p.estimatedCost)}::numeric[],
      ${projects.map((p) => p.pbId)}::text[], ${projects.map((p) => JSON.stringify(p.pbFields))}::text[])
      WITH ORDINALITY AS t(id, title, description, cost, pb_id, pb_fields, ord)
  `.execute(tx);
  return ids;
}

/**
 * Inserts ballots (channel 'imported', no voter) in file order, so their seq keeps that order, and their
 * items with rank = position so that the written order survives an export. `onBatch` reports progress.
 */
export async function insertBallots(
  tx: Transaction<DB>,
  placeId: string,
  budgetId: string,
  plan: ImportPlan,
  projectIds: readonly string[],
  onBatch: (done: number) => void = () => {},
): Promise<void> {
  const { ballots } = plan;
  for (let start = 0; start < ballots.length; start += BALLOT_BATCH) {
    const batch = ballots.slice(start, start + BALLOT_BATCH);
    const ids = batch.map(() => randomUUID());
    await sql`
      INSERT INTO ballots (id, place_id, budget_id, channel, pb_fields)
      SELECT t.id, ${placeId}::uuid, ${budgetId}::uuid, 'imported', t.pb_fields::jsonb
      FROM unnest(${ids}::uuid[], ${batch.map((b) => (b.pbFields ? JSON.stringify(b.pbFields) : null))}::text[])
        WITH ORDINALITY AS t(id, pb_fields, ord)
      ORDER BY t.ord
    `.execute(tx);
    const itemBallots: string[] = [];
    const itemProjects: string[] = [];
    const itemPoints: (number | null)[] = [];
    const itemRanks: number[] = [];
    batch.forEach((b, i) => {
      b.projects.forEach((p, k) => {
        itemBallots.push(ids[i]!);
        itemProjects.push(projectIds[p]!);
        itemPoints.push(b.points ? b.points[k]! : null);
        itemRanks.push(k + 1);
      });
    });
    if (itemBallots.length > 0) {
      await sql`
        INSERT INTO ballot_items (ballot_id, place_id, project_id, points, rank)
        SELECT t.ballot_id, ${placeId}::uuid, t.project_id, t.points, t.rank
        FROM unnest(${itemBallots}::uuid[], ${itemProjects}::uuid[], ${itemPoints}::int[], ${itemRanks}::int[])
          AS t(ballot_id, project_id, points, rank)
      `.execute(tx);
    }
    onBatch(start + batch.length);
  }
}

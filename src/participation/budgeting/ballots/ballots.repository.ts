import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { Channel } from './ballots.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** The projects on a budget's ballot (found feasible), in a stable order. */
export async function ballotProjects(db: Executor, placeId: string, budgetId: string) {
  return db
    .selectFrom('projects')
    .select(['id', 'title', 'estimated_cost', 'district_id', 'pb_id', 'pb_fields'])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('feasibility', '=', 'feasible')
    .where('estimated_cost', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface BallotItem {
  projectId: string;
  points?: number | null;
  rank?: number | null;
}

export interface NewBallot {
  placeId: string;
  budgetId: string;
  districtId: string | null;
  channel: Channel;
  voterId?: string | null;
  accessCodeId?: string | null;
  paperSheetId?: string | null;
  pbFields?: Record<string, string> | null;
  items: readonly BallotItem[];
}

/**
 * Stores a ballot. An online voter's ballot replaces their earlier one: the unique index on
 * (budget_id, voter_id) makes concurrent submissions meet on one row, and the row lock it takes
 * keeps their items from interleaving. Must run inside a transaction.
 */
export async function saveBallot(
  tx: Transaction<DB>,
  ballot: NewBallot,
): Promise<{ id: string; replaced: boolean }> {
  const values = {
    place_id: ballot.placeId,
    budget_id: ballot.budgetId,
    district_id: ballot.districtId,
    channel: ballot.channel,
    voter_id: ballot.voterId ?? null,
    access_code_id: ballot.accessCodeId ?? null,
    paper_sheet_id: ballot.paperSheetId ?? null,
    pb_fields: ballot.pbFields ? JSON.stringify(ballot.pbFields) : null,
  };
  let row: { id: string; replaced: boolean };
  if (ballot.voterId) {
    row = await tx
      .insertInto('ballots')
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['budget_id', 'voter_id'])
          .where('voter_id', 'is not', null)
          .doUpdateSet({ district_id: ballot.districtId, updated_at: sql<string>`now()` }),
      )
      // xmax is non-zero when the row was updated rather than inserted.
      .returning(['id', sql<boolean>`(xmax <> 0)`.as('replaced')])
      .executeTakeFirstOrThrow();
    if (row.replaced) {
      await tx
        .deleteFrom('ballot_items')
        .where('place_id', '=', ballot.placeId)
        .where('ballot_id', '=', row.id)
        .execute();
    }
  } else {
    const inserted = await tx.insertInto('ballots').values(values).returning('id').executeTakeFirstOrThrow();
    row = { id: inserted.id, replaced: false };
  }
  if (ballot.items.length > 0) {
    await tx
      .insertInto('ballot_items')
      .values(
        ballot.items.map((i) => ({
          ballot_id: row.id,
          place_id: ballot.placeId,
          project_id: i.projectId,
          points: i.points ?? null,
          rank: i.rank ?? null,
        })),
      )
      .execute();
  }
  return row;
}

/**
 * Cuts every online ballot of the budget loose from its voter, once the results are published and no
 * ballot can change: who voted is kept in budget_voters, how they voted only in the anonymous ballot.
 * Must run inside the publishing transaction.
 */
export async function anonymiseOnlineBallots(
  tx: Transaction<DB>,
  placeId: string,
  budgetId: string,
): Promise<number> {
  await tx
    .insertInto('budget_voters')
    .columns(['place_id', 'budget_id', 'user_id', 'voted_at'])
    .expression(
      tx
        .selectFrom('ballots')
        .select((eb) => ['place_id', 'budget_id', eb.ref('voter_id').$notNull().as('user_id'), 'created_at'])
        .where('place_id', '=', placeId)
        .where('budget_id', '=', budgetId)
        .where('voter_id', 'is not', null),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  const result = await tx
    .updateTable('ballots')
    .set({ voter_id: null })
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('voter_id', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A voter's own ballot with its items, to show and change it. */
export async function findVoterBallot(db: Executor, placeId: string, budgetId: string, voterId: string) {
  const ballot = await db
    .selectFrom('ballots')
    .select(['id', 'district_id', 'created_at', 'updated_at'])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('voter_id', '=', voterId)
    .executeTakeFirst();
  if (!ballot) return undefined;
  const items = await db
    .selectFrom('ballot_items')
    .select(['project_id', 'points', 'rank'])
    .where('place_id', '=', placeId)
    .where('ballot_id', '=', ballot.id)
    .execute();
  return { ...ballot, items };
}

export interface StoredBallot {
  seq: number;
  channel: Channel;
  districtId: string | null;
  pbFields: Record<string, string> | null;
  items: { projectId: string; points: number | null; rank: number | null }[];
}

/**
 * Every ballot of a budget in the order cast, with its items. Read in pages of ballots so that a large
 * imported election is not one enormous result.
 */
export async function allBallots(db: Executor, placeId: string, budgetId: string): Promise<StoredBallot[]> {
  const out: StoredBallot[] = [];
  const pageSize = 5000;
  let after = -1;
  for (;;) {
    const ballots = await db
      .selectFrom('ballots')
      .select(['id', 'seq', 'channel', 'district_id', 'pb_fields'])
      .where('place_id', '=', placeId)
      .where('budget_id', '=', budgetId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (ballots.length === 0) break;
    const items = await db
      .selectFrom('ballot_items')
      .select(['ballot_id', 'project_id', 'points', 'rank'])
      .where('place_id', '=', placeId)
      .where(
        'ballot_id',
        'in',
        ballots.map((b) => b.id),
      )
      .execute();
    const byBallot = new Map<string, StoredBallot['items']>();
    for (const i of items) {
      const list = byBallot.get(i.ballot_id) ?? [];
      list.push({ projectId: i.project_id, points: i.points, rank: i.rank });
      byBallot.set(i.ballot_id, list);
    }
    for (const b of ballots) {
      out.push({
        seq: Number(b.seq),
        channel: b.channel,
        districtId: b.district_id,
        pbFields: b.pb_fields,
        items: byBallot.get(b.id) ?? [],
      });
    }
    after = Number(ballots[ballots.length - 1]!.seq);
    if (ballots.length < pageSize) break;
  }
  return out;
}

import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const SUMMARY = [
  'c.id',
  'c.budget_id',
  'c.status',
  'c.steps_done',
  'c.steps_total',
  'c.error',
  'c.created_at',
  'c.started_at',
  'c.finished_at',
  'c.published_at',
] as const;

export async function placeOf(db: Executor, placeId: string) {
  return db.selectFrom('places').select(['id', 'slug', 'name']).where('id', '=', placeId).executeTakeFirst();
}

export async function insertCount(
  tx: Transaction<DB>,
  c: { placeId: string; budgetId: string; requestedBy: string | null; stepsTotal: number },
): Promise<string> {
  const row = await tx
    .insertInto('budget_counts')
    .values({
      place_id: c.placeId,
      budget_id: c.budgetId,
      requested_by: c.requestedBy,
      steps_total: c.stepsTotal,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Takes the budget's row lock, so that two officers starting or publishing at once are served in turn. */
export async function lockBudget(tx: Transaction<DB>, placeId: string, budgetId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('budgets')
    .select('id')
    .where('place_id', '=', placeId)
    .where('id', '=', budgetId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** A count still waiting or running, if any. */
export async function activeCount(db: Executor, placeId: string, budgetId: string) {
  return db
    .selectFrom('budget_counts as c')
    .select(SUMMARY)
    .where('c.place_id', '=', placeId)
    .where('c.budget_id', '=', budgetId)
    .where('c.status', 'in', ['queued', 'running'])
    .orderBy('c.created_at', 'desc')
    .executeTakeFirst();
}

export async function findCountSummary(db: Executor, placeId: string, budgetId: string, countId: string) {
  return db
    .selectFrom('budget_counts as c')
    .select(SUMMARY)
    .where('c.place_id', '=', placeId)
    .where('c.budget_id', '=', budgetId)
    .where('c.id', '=', countId)
    .executeTakeFirst();
}

export async function findCountWithResult(
  db: Executor,
  placeId: string,
  budgetId: string,
  countId: string,
  lock = false,
) {
  let query = db
    .selectFrom('budget_counts as c')
    .select([...SUMMARY, 'c.result'])
    .where('c.place_id', '=', placeId)
    .where('c.budget_id', '=', budgetId)
    .where('c.id', '=', countId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function publishedCount(db: Executor, placeId: string, budgetId: string) {
  return db
    .selectFrom('budget_counts as c')
    .select([...SUMMARY, 'c.result'])
    .where('c.place_id', '=', placeId)
    .where('c.budget_id', '=', budgetId)
    .where('c.published_at', 'is not', null)
    .executeTakeFirst();
}

export async function isPublished(db: Executor, placeId: string, budgetId: string): Promise<boolean> {
  const row = await db
    .selectFrom('budget_counts')
    .select('id')
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('published_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** A page of the place's published counts with their budgets, most recently published first. */
export async function listPublishedCounts(
  db: Executor,
  placeId: string,
  page: { limit: number; offset: number },
) {
  const query = db
    .selectFrom('budget_counts as c')
    .innerJoin('budgets as b', (join) =>
      join.onRef('b.id', '=', 'c.budget_id').onRef('b.place_id', '=', 'c.place_id'),
    )
    .where('c.place_id', '=', placeId)
    .where('c.published_at', 'is not', null);
  const [rows, count] = await Promise.all([
    query
      .select([
        'c.id',
        'c.budget_id',
        'c.published_at',
        'c.result',
        'b.title',
        'b.process_id',
        'b.currency',
        'b.total_amount',
      ])
      .orderBy('c.published_at', 'desc')
      .orderBy('c.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function latestFinishedCount(db: Executor, placeId: string, budgetId: string) {
  return db
    .selectFrom('budget_counts as c')
    .select([...SUMMARY, 'c.result'])
    .where('c.place_id', '=', placeId)
    .where('c.budget_id', '=', budgetId)
    .where('c.status', '=', 'done')
    .orderBy('c.finished_at', 'desc')
    .orderBy('c.id')
    .executeTakeFirst();
}

/** A page of a budget's counts, newest first, with who asked for each. */
export async function listCounts(
  db: Executor,
  placeId: string,
  budgetId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .selectFrom('budget_counts as c')
    .leftJoin('users as u', 'u.id', 'c.requested_by')
    .select([...SUMMARY, 'u.name as requested_by_name'])
    .where('c.place_id', '=', placeId)
    .where('c.budget_id', '=', budgetId)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await db
    .selectFrom('budget_counts')
    .select(db.fn.countAll<string>().as('count'))
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.count) };
}

// The job runner works for every place, so the next two look across places; each job then
// carries its place id into every later query.

/** Counts waiting to run, oldest first. */
export async function queuedCounts(db: Executor, limit = 10) {
  return db
    .selectFrom('budget_counts')
    .select(['id', 'place_id'])
    .where('status', '=', 'queued')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Counts marked running: after a restart, the ones the last process left unfinished. */
export async function runningCounts(db: Executor) {
  return db
    .selectFrom('budget_counts')
    .select(['id', 'place_id'])
    .where('status', '=', 'running')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Marks a waiting count as running; false if another runner took it or it was cancelled meanwhile. */
export async function claimQueued(db: Executor, placeId: string, countId: string): Promise<boolean> {
  const row = await db
    .updateTable('budget_counts')
    .set({ status: 'running', started_at: sql<Date>`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', countId)
    .where('status', '=', 'queued')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function jobRow(db: Executor, placeId: string, countId: string) {
  return db
    .selectFrom('budget_counts')
    .select(['id', 'place_id', 'budget_id', 'status', 'steps_done', 'steps_total', 'result'])
    .where('place_id', '=', placeId)
    .where('id', '=', countId)
    .executeTakeFirst();
}

export async function stillRunning(db: Executor, placeId: string, countId: string, stepsDone: number) {
  const row = await db
    .selectFrom('budget_counts')
    .select('id')
    .where('place_id', '=', placeId)
    .where('id', '=', countId)
    .where('status', '=', 'running')
    .where('steps_done', '=', stepsDone)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Saves a step's result only if the count is still running and still at the step this runner started
 * from: a cancelled count, or one another runner has moved on, is left alone (false).
 */
export async function saveStep(
  db: Executor,
  s: {
    placeId: string;
    countId: string;
    from: number;
    to: number;
    total: number;
    result: unknown;
    finished: boolean;
  },
): Promise<boolean> {
  const row = await db
    .updateTable('budget_counts')
    .set({
      steps_done: s.to,
      steps_total: s.total,
      result: JSON.stringify(s.result),
      ...(s.finished ? { status: 'done' as const, finished_at: sql<Date>`now()` } : {}),
    })
    .where('place_id', '=', s.placeId)
    .where('id', '=', s.countId)
    .where('status', '=', 'running')
    .where('steps_done', '=', s.from)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function failCount(db: Executor, placeId: string, countId: string, error: string) {
  await db
    .updateTable('budget_counts')
    .set({ status: 'failed', error, finished_at: sql<Date>`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', countId)
    .where('status', '=', 'running')
    .execute();
}

export async function cancelCount(tx: Executor, placeId: string, budgetId: string, countId: string) {
  return tx
    .updateTable('budget_counts')
    .set({ status: 'cancelled', finished_at: sql<Date>`now()` })
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('id', '=', countId)
    .where('status', 'in', ['queued', 'running'])
    .returning(['id', 'steps_done', 'steps_total'])
    .executeTakeFirst();
}

export async function markPublished(
  tx: Transaction<DB>,
  placeId: string,
  countId: string,
  userId: string | null,
) {
  await tx
    .updateTable('budget_counts')
    .set({ published_at: sql<Date>`now()`, published_by: userId })
    .where('place_id', '=', placeId)
    .where('id', '=', countId)
    .execute();
}

export async function insertDecisions(
  tx: Transaction<DB>,
  rows: { placeId: string; processId: string; projectId: string; title: string }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insertInto('decisions')
    .values(
      rows.map((r) => ({
        place_id: r.placeId,
        process_id: r.processId,
        source_type: 'budget_project' as const,
        source_id: r.projectId,
        title: r.title,
      })),
    )
    .onConflict((oc) => oc.columns(['source_type', 'source_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

/** What changes whenever a ballot is added, replaced or removed: part of a count's fingerprint. */
export async function ballotAggregate(db: Executor, placeId: string, budgetId: string) {
  const row = await db
    .selectFrom('ballots')
    .select([
      db.fn.countAll<string>().as('count'),
      sql<string>`coalesce(sum(seq), 0)::text`.as('seq_sum'),
      sql<string>`coalesce(max(updated_at)::text, '')`.as('last_change'),
    ])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .executeTakeFirstOrThrow();
  return { count: String(row.count), seqSum: row.seq_sum, lastChange: row.last_change };
}

/** Paper sheets typed in once, or typed in twice differently and not yet resolved: not counted. */
export async function unfinishedPaperSheets(
  db: Executor,
  placeId: string,
  budgetId: string,
): Promise<number> {
  const row = await db
    .selectFrom('paper_sheets')
    .select(db.fn.countAll<string>().as('count'))
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('status', 'in', ['awaiting_second', 'mismatch'])
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

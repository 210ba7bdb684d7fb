import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

// What counts: published proposals, supports of published proposals, and
// published comments on the process or on its published proposals.

function publishedProposals(db: Executor, placeId: string, processId: string) {
  return db
    .selectFrom('proposals as p')
    .where('p.place_id', '=', placeId)
    .where('p.process_id', '=', processId)
    .where('p.status', '=', 'published');
}

function publishedComments(db: Executor, placeId: string, processId: string) {
  return db
    .selectFrom('comments as c')
    .leftJoin('proposals as cp', (join) =>
      join.onRef('cp.id', '=', 'c.proposal_id').on('cp.place_id', '=', placeId),
    )
    .where('c.place_id', '=', placeId)
    .where('c.process_id', '=', processId)
    .where('c.status', '=', 'published')
    .where((eb) => eb.or([eb('c.proposal_id', 'is', null), eb('cp.status', '=', 'published')]));
}

export async function proposalsByStatus(db: Executor, placeId: string, processId: string) {
  const rows = await db
    .selectFrom('proposals')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

export async function proposalsByAnswer(db: Executor, placeId: string, processId: string) {
  const rows = await publishedProposals(db, placeId, processId)
    .select(['p.answer', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('p.answer')
    .execute();
  return rows.map((r) => ({ answer: r.answer, count: Number(r.n) }));
}

export async function proposalsByCategory(db: Executor, placeId: string, processId: string) {
  const rows = await publishedProposals(db, placeId, processId)
    .leftJoin('supports as s', (join) =>
      join.onRef('s.proposal_id', '=', 'p.id').on('s.place_id', '=', placeId),
    )
    .select([
      'p.category',
      sql<string>`count(DISTINCT p.id)`.as('proposals'),
      (eb) => eb.fn.count<string>('s.user_id').as('supports'),
    ])
    .groupBy('p.category')
    .execute();
  return rows.map((r) => ({
    category: r.category,
    proposals: Number(r.proposals),
    supports: Number(r.supports),
  }));
}

/** Supports, comments and distinct participants, in one round trip. */
export async function totals(db: Executor, placeId: string, processId: string) {
  const supports = db
    .selectFrom('supports as s')
    .innerJoin('proposals as p', 'p.id', 's.proposal_id')
    .where('s.place_id', '=', placeId)
    .where('s.process_id', '=', processId)
    .where('p.place_id', '=', placeId)
    .where('p.status', '=', 'published');
  const proposers = publishedProposals(db, placeId, processId).select('p.author_id as person');
  const supporters = supports.select('s.user_id as person');
  const commenters = publishedComments(db, placeId, processId).select('c.author_id as person');
  const row = await db
    .selectNoFrom((eb) => [
      supports.select(eb.fn.countAll<string>().as('n')).$asScalar().as('supports'),
      publishedComments(db, placeId, processId)
        .select(eb.fn.countAll<string>().as('n'))
        .$asScalar()
        .as('comments'),
      eb
        .selectFrom(proposers.union(supporters).union(commenters).as('people'))
        .select(eb.fn.countAll<string>().as('n'))
        .$asScalar()
        .as('participants'),
    ])
    .executeTakeFirstOrThrow();
  return {
    supports: Number(row.supports),
    comments: Number(row.comments),
    participants: Number(row.participants),
  };
}

const EXPORT_BATCH = 500;

/** Where a page of an export ends: the timestamp as text keeps PostgreSQL's microseconds, which Date drops. */
interface Cursor {
  createdAt: string;
  id: string;
}

function after(cursor: Cursor | undefined, table: 'p' | 'c') {
  return cursor
    ? sql<boolean>`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)}) > (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`
    : sql<boolean>`true`;
}

/**
 * Published proposals of a process, oldest first, a page at a time so that a
 * large process is never held in memory at once. No author, no postcode.
 */
export async function* exportProposals(db: Executor, placeId: string, processId: string) {
  let cursor: Cursor | undefined;
  for (;;) {
    const rows = await publishedProposals(db, placeId, processId)
      .select((eb) => [
        'p.id',
        'p.title',
        'p.body',
        'p.category',
        'p.area',
        'p.status',
        'p.answer',
        'p.answer_reason',
        'p.created_at',
        sql<string>`p.created_at::text`.as('cursor'),
        eb
          .selectFrom('supports as s')
          .select(eb.fn.countAll<string>().as('n'))
          .whereRef('s.proposal_id', '=', 'p.id')
          .where('s.place_id', '=', placeId)
          .$asScalar()
          .as('support_count'),
        eb
          .selectFrom('comments as c')
          .select(eb.fn.countAll<string>().as('n'))
          .whereRef('c.proposal_id', '=', 'p.id')
          .where('c.place_id', '=', placeId)
          .where('c.status', '=', 'published')
          .$asScalar()
          .as('comment_count'),
      ])
      .where(after(cursor, 'p'))
      .orderBy('p.created_at')
      .orderBy('p.id')
      .limit(EXPORT_BATCH)
      .execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < EXPORT_BATCH) return;
    cursor = { createdAt: last.cursor, id: last.id };
  }
}

/** Published comments of a process and of its published proposals, oldest first, a page at a time. No author. */
export async function* exportComments(db: Executor, placeId: string, processId: string) {
  let cursor: Cursor | undefined;
  for (;;) {
    const rows = await publishedComments(db, placeId, processId)
      .select([
        'c.id',
        'c.proposal_id',
        'c.parent_id',
        'c.stance',
        'c.body',
        'c.agree_count',
        'c.disagree_count',
        'c.created_at',
        sql<string>`c.created_at::text`.as('cursor'),
      ])
      .where(after(cursor, 'c'))
      .orderBy('c.created_at')
      .orderBy('c.id')
      .limit(EXPORT_BATCH)
      .execute();
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < EXPORT_BATCH) return;
    cursor = { createdAt: last.cursor, id: last.id };
  }
}

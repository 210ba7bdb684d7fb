import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { CommentStatus } from '../deliberation/deliberation.table.ts';
import type { ProposalStatus } from '../proposals/proposals.table.ts';
import type { ReportReason, ReportResolution, ReportTarget } from './moderation.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function findSettings(db: Executor, placeId: string) {
  return db.selectFrom('moderation_settings').selectAll().where('place_id', '=', placeId).executeTakeFirst();
}

export async function upsertSettings(
  db: Executor,
  placeId: string,
  values: { hideAfterReports: number; holdLinksFromAccountsYoungerThanDays: number; blockedWords: string[] },
): Promise<void> {
  const row = {
    hide_after_reports: values.hideAfterReports,
    hold_links_from_accounts_younger_than_days: values.holdLinksFromAccountsYoungerThanDays,
    blocked_words: values.blockedWords,
    updated_at: new Date(),
  };
  await db
    .insertInto('moderation_settings')
    .values({ place_id: placeId, ...row })
    .onConflict((oc) => oc.column('place_id').doUpdateSet(row))
    .execute();
}

export async function findBlock(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('user_blocks')
    .selectAll()
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function accountCreatedAt(db: Executor, userId: string): Promise<Date | undefined> {
  const row = await db.selectFrom('users').select('created_at').where('id', '=', userId).executeTakeFirst();
  return row?.created_at;
}

// Content of other features, read and changed here for moderation only.

export interface ContentRow {
  type: 'proposal' | 'comment';
  id: string;
  title: string | null;
  body: string;
  status: ProposalStatus | CommentStatus;
  authorId: string;
  authorName: string;
  processId: string;
  proposalId: string | null;
}

/** Proposals of this place by id; `lock` holds them until the transaction ends, so that reports count in turn. */
export async function findProposals(
  db: Executor,
  placeId: string,
  ids: readonly string[],
  options: { lock?: boolean } = {},
): Promise<ContentRow[]> {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('proposals as p')
    .innerJoin('users as u', 'u.id', 'p.author_id')
    .select(['p.id', 'p.title', 'p.body', 'p.status', 'p.author_id', 'u.name', 'p.process_id'])
    .where('p.place_id', '=', placeId)
    .where('p.id', 'in', ids);
  if (options.lock) query = query.forUpdate('p');
  const rows = await query.execute();
  return rows.map((r) => ({
    type: 'proposal',
    id: r.id,
    title: r.title,
    body: r.body,
    status: r.status,
    authorId: r.author_id,
    authorName: r.name,
    processId: r.process_id,
    proposalId: r.id,
  }));
}

export async function findComments(
  db: Executor,
  placeId: string,
  ids: readonly string[],
  options: { lock?: boolean } = {},
): Promise<ContentRow[]> {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .select(['c.id', 'c.body', 'c.status', 'c.author_id', 'u.name', 'c.process_id', 'c.proposal_id'])
    .where('c.place_id', '=', placeId)
    .where('c.id', 'in', ids);
  if (options.lock) query = query.forUpdate('c');
  const rows = await query.execute();
  return rows.map((r) => ({
    type: 'comment',
    id: r.id,
    title: null,
    body: r.body,
    status: r.status,
    authorId: r.author_id,
    authorName: r.name,
    processId: r.process_id,
    proposalId: r.proposal_id,
  }));
}

/**
 * People of this place by id: those who have written something here or
 * have been reported here. Anyone else is not this place's to moderate.
 */
export async function findPeople(
  db: Executor,
  placeId: string,
  ids: readonly string[],
): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.name'])
    .where('u.id', 'in', ids)
    .where('u.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('proposals as p')
            .select('p.id')
            .whereRef('p.author_id', '=', 'u.id')
            .where('p.place_id', '=', placeId),
        ),
        eb.exists(
          eb
            .selectFrom('comments as c')
            .select('c.id')
            .whereRef('c.author_id', '=', 'u.id')
            .where('c.place_id', '=', placeId),
        ),
        eb.exists(
          eb
            .selectFrom('reports as r')
            .select('r.id')
            .whereRef('r.target_id', '=', 'u.id')
            .where('r.target_type', '=', 'user')
            .where('r.place_id', '=', placeId),
        ),
      ]),
    )
    .execute();
}

/** Changes the status of proposals of this place that are in one of `from`; returns the ids changed. */
export async function setProposalStatus(
  db: Executor,
  placeId: string,
  ids: readonly string[],
  to: ProposalStatus,
  from: readonly ProposalStatus[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('proposals')
    .set({ status: to })
    .where('place_id', '=', placeId)
    .where('id', 'in', ids)
    .where('status', 'in', from)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function setCommentStatus(
  db: Executor,
  placeId: string,
  ids: readonly string[],
  to: CommentStatus,
  from: readonly CommentStatus[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('comments')
    // A held reason only means something while the comment is held.
    .set({ status: to, ...(to === 'held' ? {} : { held_reason: null }) })
    .where('place_id', '=', placeId)
    .where('id', 'in', ids)
    .where('status', 'in', from)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

// Reports

/** Inserts a report unless this person already has an open one on the target; undefined when they have. */
export async function insertReport(
  db: Executor,
  values: {
    placeId: string;
    reporterId: string;
    targetType: ReportTarget;
    targetId: string;
    reason: ReportReason;
    details: string;
  },
): Promise<string | undefined> {
  const row = await db
    .insertInto('reports')
    .values({
      place_id: values.placeId,
      reporter_id: values.reporterId,
      target_type: values.targetType,
      target_id: values.targetId,
      reason: values.reason,
      details: values.details,
    })
    .onConflict((oc) =>
      oc.columns(['target_type', 'target_id', 'reporter_id']).where('resolved_at', 'is', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function hasOpenReport(
  db: Executor,
  placeId: string,
  reporterId: string,
  targetType: ReportTarget,
  targetId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('reports')
    .select('id')
    .where('place_id', '=', placeId)
    .where('reporter_id', '=', reporterId)
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** How many open reports a target has, by reason, most frequent first. */
export async function openReportReasons(
  db: Executor,
  placeId: string,
  targetType: ReportTarget,
  targetId: string,
): Promise<{ reason: ReportReason; count: number }[]> {
  const rows = await db
    .selectFrom('reports')
    .select([
      'reason',
      (eb) => eb.fn.countAll<string>().as('n'),
      (eb) => eb.fn.max('created_at').as('latest'),
    ])
    .where('place_id', '=', placeId)
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .where('resolved_at', 'is', null)
    .groupBy('reason')
    .orderBy('n', 'desc')
    .orderBy('latest', 'desc')
    .execute();
  return rows.map((r) => ({ reason: r.reason, count: Number(r.n) }));
}

/** Closes the open reports on the targets; returns one entry per report closed. */
export async function resolveReports(
  db: Executor,
  placeId: string,
  targets: readonly { type: ReportTarget; id: string }[],
  resolution: ReportResolution,
  resolvedBy: string | null,
): Promise<{ type: ReportTarget; id: string }[]> {
  if (targets.length === 0) return [];
  const rows = await db
    .updateTable('reports')
    .set({ resolved_at: new Date(), resolved_by: resolvedBy, resolution })
    .where('place_id', '=', placeId)
    .where('resolved_at', 'is', null)
    .where((eb) =>
      eb.or(
        (['proposal', 'comment', 'user'] as const)
          .map((type) => ({ type, ids: targets.filter((t) => t.type === type).map((t) => t.id) }))
          .filter((group) => group.ids.length > 0)
          .map((group) => eb.and([eb('target_type', '=', group.type), eb('target_id', 'in', group.ids)])),
      ),
    )
    .returning(['target_type', 'target_id'])
    .execute();
  return rows.map((r) => ({ type: r.target_type, id: r.target_id }));
}

// The queue

export type QueueState = 'reported' | 'held' | 'hidden';

export interface QueueFilter {
  type?: ReportTarget | undefined;
  state?: QueueState | undefined;
  reason?: ReportReason | undefined;
  sort: 'newest' | 'most_reported';
}

export interface QueueRow {
  type: ReportTarget;
  id: string;
  title: string | null;
  body: string | null;
  status: ProposalStatus | CommentStatus | null;
  process_id: string | null;
  proposal_id: string | null;
  author_id: string;
  author_name: string;
  author_blocked: boolean;
  report_count: number;
  reasons: ReportReason[] | null;
  details: string[] | null;
  last_activity_at: Date;
}

/**
 * The items of the queue, as one statement: every target with open reports,
 * and held (or, when asked, hidden) content, each joined to its content,
 * author and report summary.
 */
function queueSource(placeId: string, filter: QueueFilter): RawBuilder<unknown> {
  const state = filter.state;
  const candidates: RawBuilder<unknown>[] = [];
  if (state === undefined || state === 'reported') {
    candidates.push(sql`SELECT target_type AS type, target_id AS id FROM open_reports`);
  }
  const contentState = state === 'hidden' ? 'hidden' : state === 'reported' ? undefined : 'held';
  if (contentState && filter.type !== 'user') {
    candidates.push(
      sql`SELECT 'proposal'::text AS type, id FROM proposals WHERE place_id = ${placeId} AND status = ${contentState}`,
    );
    candidates.push(
      sql`SELECT 'comment'::text AS type, id FROM comments WHERE place_id = ${placeId} AND status = ${contentState}`,
    );
  }
  const conditions: RawBuilder<unknown>[] = [sql`TRUE`];
  if (filter.type) conditions.push(sql`c.type = ${filter.type}`);
  if (filter.reason) conditions.push(sql`${filter.reason} = ANY (r.reasons)`);
  if (state === 'reported') conditions.push(sql`r.report_count > 0`);
  if (state === 'held' || state === 'hidden') {
    conditions.push(sql`coalesce(p.status, cm.status) = ${state}`);
  }
  return sql`
    WITH open_reports AS (
      SELECT target_type, target_id,
        count(*)::int AS report_count,
        array_agg(DISTINCT reason) AS reasons,
        (array_agg(details ORDER BY created_at DESC) FILTER (WHERE details <> ''))[1:3] AS details,
        max(created_at) AS last_reported_at
      FROM reports
      WHERE place_id = ${placeId} AND resolved_at IS NULL
      GROUP BY target_type, target_id
    ),
    candidates AS (${candidates.length > 0 ? sql.join(candidates, sql` UNION `) : sql`SELECT NULL::text AS type, NULL::uuid AS id WHERE FALSE`})
    SELECT c.type, c.id,
      p.title,
      coalesce(p.body, cm.body) AS body,
      coalesce(p.status, cm.status) AS status,
      coalesce(p.process_id, cm.process_id) AS process_id,
      CASE WHEN c.type = 'proposal' THEN p.id ELSE cm.proposal_id END AS proposal_id,
      u.id AS author_id,
      u.name AS author_name,
      (b.user_id IS NOT NULL) AS author_blocked,
      coalesce(r.report_count, 0) AS report_count,
      r.reasons,
      r.details,
      greatest(r.last_reported_at, p.created_at, cm.created_at) AS last_activity_at
    FROM candidates c
    LEFT JOIN proposals p ON c.type = 'proposal' AND p.id = c.id AND p.place_id = ${placeId}
    LEFT JOIN comments cm ON c.type = 'comment' AND cm.id = c.id AND cm.place_id = ${placeId}
    JOIN users u ON u.id = CASE c.type WHEN 'proposal' THEN p.author_id WHEN 'comment' THEN cm.author_id ELSE c.id END
    LEFT JOIN user_blocks b ON b.place_id = ${placeId} AND b.user_id = u.id
    LEFT JOIN open_reports r ON r.target_type = c.type AND r.target_id = c.id
    WHERE ${sql.join(conditions, sql` AND `)}
  `;
}

export async function queue(
  db: Executor,
  placeId: string,
  filter: QueueFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: QueueRow[]; total: number }> {
  const source = queueSource(placeId, filter);
  const order =
    filter.sort === 'most_reported'
      ? sql`report_count DESC, last_activity_at DESC, id`
      : sql`last_activity_at DESC, id`;
  const [rows, count] = await Promise.all([
    sql<QueueRow>`SELECT * FROM (${source}) q ORDER BY ${order} LIMIT ${page.limit} OFFSET ${page.offset}`.execute(
      db,
    ),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM (${source}) q`.execute(db),
  ]);
  return { rows: rows.rows, total: Number(count.rows[0]?.n ?? 0) };
}

// Blocks

export async function insertBlock(
  db: Executor,
  values: { placeId: string; userId: string; blockedBy: string | null; reason: string },
): Promise<boolean> {
  const result = await db
    .insertInto('user_blocks')
    .values({
      place_id: values.placeId,
      user_id: values.userId,
      blocked_by: values.blockedBy,
      reason: values.reason,
    })
    .onConflict((oc) => oc.columns(['place_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteBlock(
  db: Executor,
  placeId: string,
  userId: string,
): Promise<{ reason: string; name: string } | undefined> {
  const row = await db
    .deleteFrom('user_blocks')
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .returning((eb) => [
      'reason',
      eb.selectFrom('users').select('users.name').whereRef('users.id', '=', 'user_blocks.user_id').as('name'),
    ])
    .executeTakeFirst();
  return row && { reason: row.reason, name: row.name ?? '' };
}

export interface BlockRow {
  userId: string;
  name: string;
  reason: string;
  blockedByName: string | null;
  createdAt: Date;
}

export async function listBlocks(
  db: Executor,
  placeId: string,
  page: { limit: number; offset: number },
): Promise<{ rows: BlockRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('user_blocks as b')
      .innerJoin('users as u', 'u.id', 'b.user_id')
      .leftJoin('users as m', 'm.id', 'b.blocked_by')
      .select(['b.user_id', 'u.name', 'b.reason', 'm.name as blocked_by_name', 'b.created_at'])
      .where('b.place_id', '=', placeId)
      .orderBy('b.created_at', 'desc')
      .orderBy('b.user_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('user_blocks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      reason: r.reason,
      blockedByName: r.blocked_by_name,
      createdAt: r.created_at,
    })),
  };
}

import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { EmailPreference, FollowTarget } from './notifications.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function insertFollow(
  db: Executor,
  f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
) {
  await db
    .insertInto('follows')
    .values({ place_id: f.placeId, user_id: f.userId, target_type: f.targetType, target_id: f.targetId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteFollow(
  db: Executor,
  f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
) {
  await db
    .deleteFrom('follows')
    .where('place_id', '=', f.placeId)
    .where('user_id', '=', f.userId)
    .where('target_type', '=', f.targetType)
    .where('target_id', '=', f.targetId)
    .execute();
}

export async function isFollowing(
  db: Executor,
  f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('user_id')
    .where('place_id', '=', f.placeId)
    .where('user_id', '=', f.userId)
    .where('target_type', '=', f.targetType)
    .where('target_id', '=', f.targetId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The process a followable target belongs to, if the target is in this place
 * and the person may see it: held and hidden proposals only to their author.
 */
export async function findFollowTarget(
  db: Executor,
  placeId: string,
  userId: string,
  targetType: FollowTarget,
  targetId: string,
): Promise<{ processId: string } | undefined> {
  if (targetType === 'process') {
    const row = await db
      .selectFrom('processes')
      .select('id')
      .where('place_id', '=', placeId)
      .where('id', '=', targetId)
      .executeTakeFirst();
    return row && { processId: row.id };
  }
  const row = await db
    .selectFrom('proposals')
    .select('process_id')
    .where('place_id', '=', placeId)
    .where('id', '=', targetId)
    .where((eb) => eb.or([eb('status', 'in', ['published', 'withdrawn']), eb('author_id', '=', userId)]))
    .executeTakeFirst();
  return row && { processId: row.process_id };
}

/** One INSERT … SELECT for every follower: no query per follower. */
export async function insertForFollowers(
  db: Executor,
  n: {
    placeId: string;
    targets: { type: FollowTarget; id: string }[];
    exceptUserId: string | null;
    kind: string;
    title: string;
    body: string;
    link: string;
  },
): Promise<string[]> {
  if (n.targets.length === 0) return [];
  const rows = await db
    .insertInto('notifications')
    .columns(['place_id', 'user_id', 'kind', 'title', 'body', 'link'])
    .expression((eb) =>
      eb
        .selectFrom('follows as f')
        .innerJoin('users as u', 'u.id', 'f.user_id')
        .select((s) => [
          s.val(n.placeId).as('place_id'),
          'f.user_id',
          s.val(n.kind).as('kind'),
          s.val(n.title).as('title'),
          s.val(n.body).as('body'),
          s.val(n.link).as('link'),
        ])
        .distinctOn('f.user_id')
        .where('f.place_id', '=', n.placeId)
        .where('u.deleted_at', 'is', null)
        .where((w) =>
          w.or(n.targets.map((t) => w.and([w('f.target_type', '=', t.type), w('f.target_id', '=', t.id)]))),
        )
        .$if(n.exceptUserId !== null, (q) => q.where('f.user_id', '<>', n.exceptUserId!)),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function insertNotification(
  db: Executor,
  n: { placeId: string; userId: string; kind: string; title: string; body: string; link: string },
): Promise<string> {
  const row = await db
    .insertInto('notifications')
    .values({
      place_id: n.placeId,
      user_id: n.userId,
      kind: n.kind,
      title: n.title,
      body: n.body,
      link: n.link,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

// A person's own notifications. They span places by design, so these
// queries are scoped by the person rather than by a place.

export async function countUnread(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NotificationListRow {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  created_at: Date;
  read_at: Date | null;
  place_slug: string;
  place_name: string;
}

export async function listForUser(
  db: Executor,
  userId: string,
  page: { limit: number; offset: number },
): Promise<{ rows: NotificationListRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('notifications as n')
      .innerJoin('places as p', 'p.id', 'n.place_id')
      .select([
        'n.id',
        'n.kind',
        'n.title',
        'n.body',
        'n.link',
        'n.created_at',
        'n.read_at',
        'p.slug as place_slug',
        'p.name as place_name',
      ])
      .where('n.user_id', '=', userId)
      .orderBy('n.created_at', 'desc')
      .orderBy('n.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Marks one of the person's notifications read and returns its link, or nothing if it is not theirs. */
export async function markRead(
  db: Executor,
  userId: string,
  id: string,
  at: Date,
): Promise<{ link: string } | undefined> {
  const row = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, ${at})` })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .returning('link')
    .executeTakeFirst();
  return row;
}

export async function markAllRead(db: Executor, userId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findPreferences(db: Executor, userId: string) {
  return db
    .selectFrom('notification_preferences')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function upsertEmailPreference(
  db: Executor,
  p: { userId: string; email: EmailPreference; tokenIfNew: string },
): Promise<void> {
  await db
    .insertInto('notification_preferences')
    .values({ user_id: p.userId, email: p.email, unsubscribe_token: p.tokenIfNew, last_digest_at: null })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ email: p.email }))
    .execute();
}

export async function findPreferencesByToken(db: Executor, token: string) {
  return db
    .selectFrom('notification_preferences')
    .select(['user_id', 'email'])
    .where('unsubscribe_token', '=', token)
    .executeTakeFirst();
}

export async function turnEmailOffByToken(db: Executor, token: string) {
  return db
    .updateTable('notification_preferences')
    .set({ email: 'off' })
    .where('unsubscribe_token', '=', token)
    .returning(['user_id'])
    .executeTakeFirst();
}

/** People with notifications waiting to be emailed who have no preferences row yet. */
export async function usersWithoutPreferences(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('notifications as n')
    .leftJoin('notification_preferences as p', 'p.user_id', 'n.user_id')
    .select('n.user_id')
    .distinct()
    .where('n.emailed_at', 'is', null)
    .where('p.user_id', 'is', null)
    .execute();
  return rows.map((r) => r.user_id);
}

export async function insertDefaultPreferences(db: Executor, rows: { userId: string; token: string }[]) {
  if (rows.length === 0) return;
  await db
    .insertInto('notification_preferences')
    .values(rows.map((r) => ({ user_id: r.userId, email: 'immediate' as const, unsubscribe_token: r.token })))
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}

/**
 * Settles, without sending, the notifications of people we must not email:
 * those who turned emails off, deleted their account or never confirmed
 * their address (someone else's inbox, perhaps).
 */
export async function settleUnmailable(db: Executor, at: Date): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ emailed_at: at })
    .where('emailed_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb(
          'user_id',
          'in',
          eb.selectFrom('notification_preferences').select('user_id').where('email', '=', 'off'),
        ),
        eb(
          'user_id',
          'in',
          eb
            .selectFrom('users')
            .select('id')
            .where((u) =>
              u.or([
                u('deleted_at', 'is not', null),
                u('email', 'is', null),
                u('email_verified_at', 'is', null),
              ]),
            ),
        ),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface ClaimedNotification {
  id: string;
  user_id: string;
  title: string;
  body: string;
  link: string;
  created_at: Date;
  place_name: string;
  email: string | null;
  name: string;
  unsubscribe_token: string;
}

/**
 * Claims up to `limit` notifications of people who want each one emailed by
 * stamping emailed_at, and returns what the emails need. Claiming before
 * sending keeps two runs (or two servers) from sending the same one twice.
 */
export async function claimImmediate(db: Executor, at: Date, limit: number): Promise<ClaimedNotification[]> {
  return db
    .updateTable('notifications as n')
    .from(['users as u', 'notification_preferences as p', 'places as pl'])
    .set({ emailed_at: at })
    .whereRef('u.id', '=', 'n.user_id')
    .whereRef('p.user_id', '=', 'n.user_id')
    .whereRef('pl.id', '=', 'n.place_id')
    .where('n.id', 'in', (eb) =>
      eb
        .selectFrom('notifications as n2')
        .innerJoin('notification_preferences as p2', 'p2.user_id', 'n2.user_id')
        .innerJoin('users as u2', 'u2.id', 'n2.user_id')
        .select('n2.id')
        .where('n2.emailed_at', 'is', null)
        .where('p2.email', '=', 'immediate')
        .where('u2.deleted_at', 'is', null)
        .where('u2.email', 'is not', null)
        .where('u2.email_verified_at', 'is not', null)
        .orderBy('n2.created_at')
        .orderBy('n2.id')
        .limit(limit)
        .forUpdate(['n2'])
        .skipLocked(),
    )
    .returning([
      'n.id',
      'n.user_id',
      'n.title',
      'n.body',
      'n.link',
      'n.created_at',
      'pl.name as place_name',
      'u.email',
      'u.name',
      'p.unsubscribe_token',
    ])
    .execute();
}

/** Puts notifications back in the queue after their email failed, to be tried again on the next run. */
export async function unclaim(db: Executor, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('notifications').set({ emailed_at: null }).where('id', 'in', ids).execute();
}

export interface DueDigest {
  user_id: string;
  unsubscribe_token: string;
  previous: Date | null;
}

/**
 * Claims up to `limit` people who want a daily digest, are due one and have
 * something to read, by stamping last_digest_at; returns the previous stamp
 * so that a failed email can be retried.
 */
export async function claimDueDigests(
  db: Executor,
  now: Date,
  dueBefore: Date,
  limit: number,
): Promise<DueDigest[]> {
  const result = await sql<DueDigest>`
    WITH due AS (
      SELECT p.user_id, p.last_digest_at
      FROM notification_preferences p
      JOIN users u ON u.id = p.user_id
      WHERE p.email = 'daily'
        AND (p.last_digest_at IS NULL OR p.last_digest_at <= ${dueBefore})
        AND u.deleted_at IS NULL
        AND u.email IS NOT NULL
        AND u.email_verified_at IS NOT NULL
        AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = p.user_id AND n.emailed_at IS NULL)
      ORDER BY p.user_id
      LIMIT ${limit}
      FOR UPDATE OF p SKIP LOCKED
    )
    UPDATE notification_preferences p
    SET last_digest_at = ${now}
    FROM due
    WHERE p.user_id = due.user_id
    RETURNING p.user_id, p.unsubscribe_token, due.last_digest_at AS previous
  `.execute(db);
  return result.rows;
}

/** Claims every waiting notification of these people, oldest first, for their digests. */
export async function claimForUsers(
  db: Executor,
  userIds: string[],
  at: Date,
): Promise<ClaimedNotification[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .updateTable('notifications as n')
    .from(['users as u', 'notification_preferences as p', 'places as pl'])
    .set({ emailed_at: at })
    .whereRef('u.id', '=', 'n.user_id')
    .whereRef('p.user_id', '=', 'n.user_id')
    .whereRef('pl.id', '=', 'n.place_id')
    .where('n.user_id', 'in', userIds)
    .where('n.emailed_at', 'is', null)
    .returning([
      'n.id',
      'n.user_id',
      'n.title',
      'n.body',
      'n.link',
      'n.created_at',
      'pl.name as place_name',
      'u.email',
      'u.name',
      'p.unsubscribe_token',
      // In microseconds: a JavaScript Date keeps only milliseconds, and two notifications often share one.
      sql<string>`(extract(epoch from n.created_at) * 1000000)::bigint::text`.as('created_us'),
    ])
    .execute();
  const when = (r: { created_us: string }) => BigInt(r.created_us);
  return rows
    .sort((a, b) => (when(a) < when(b) ? -1 : when(a) > when(b) ? 1 : a.id.localeCompare(b.id)))
    .map(({ created_us: _, ...row }) => row);
}

export async function restoreDigestStamp(db: Executor, userId: string, previous: Date | null): Promise<void> {
  await db
    .updateTable('notification_preferences')
    .set({ last_digest_at: previous })
    .where('user_id', '=', userId)
    .execute();
}

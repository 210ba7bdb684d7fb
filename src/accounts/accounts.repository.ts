import { type Kysely, sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../platform/db/schema.ts';
import type { TokenPurpose, UserRow } from './accounts.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/**
 * A live session with its account and the account's roles, in one query: it runs on every signed-in
 * request. Nothing when the session has expired or the account is closed.
 */
export async function findSessionUser(db: Executor, sessionId: string) {
  // Only what a request needs to know of its person: never their password's hash.
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.name', 'u.email', 'u.email_verified_at', 'u.is_instance_admin'])
    .select(['s.last_seen_at as session_last_seen_at', 's.flash as session_flash'])
    .select((eb) =>
      jsonArrayFrom(
        eb.selectFrom('place_roles as r').select(['r.place_id', 'r.role']).whereRef('r.user_id', '=', 'u.id'),
      ).as('roles'),
    )
    .where('s.id', '=', sessionId)
    .where('s.expires_at', '>', new Date())
    .where('u.deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function emailIsTaken(db: Executor, email: string, exceptUserId?: string): Promise<boolean> {
  let query = db.selectFrom('users').select('id').where(sql<string>`lower(email)`, '=', email.toLowerCase());
  if (exceptUserId) query = query.where('id', '<>', exceptUserId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertUser(
  db: Executor,
  values: {
    email: string;
    name: string;
    passwordHash: string | null;
    verified: boolean;
    instanceAdmin?: boolean;
  },
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      email: values.email,
      name: values.name,
      password_hash: values.passwordHash,
      email_verified_at: values.verified ? new Date() : null,
      is_instance_admin: values.instanceAdmin ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateUser(
  db: Executor,
  id: string,
  values: Partial<{
    name: string;
    email: string;
    password_hash: string;
    email_verified_at: Date;
    is_instance_admin: boolean;
  }>,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Keeps the row so that what the person did stays attributable to "a deleted account", and removes who they were. */
export async function tombstoneUser(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('users')
    .set({
      email: null,
      name: 'Deleted account',
      password_hash: null,
      email_verified_at: null,
      is_instance_admin: false,
      deleted_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  await db.deleteFrom('user_tokens').where('user_id', '=', id).execute();
  await db.deleteFrom('place_roles').where('user_id', '=', id).execute();
  // Who they were and what they asked to hear about goes too; what they published stays, unnamed.
  await db.deleteFrom('resident_verifications').where('user_id', '=', id).execute();
  await db.deleteFrom('notification_preferences').where('user_id', '=', id).execute();
  await db.deleteFrom('follows').where('user_id', '=', id).execute();
  await db.deleteFrom('notifications').where('user_id', '=', id).execute();
}

/** What a person has done and is recorded against them across the platform, for their data download. */
export async function personalRecords(db: Executor, userId: string) {
  const [verifications, proposals, comments, supports, follows, notifications] = await Promise.all([
    db
      .selectFrom('resident_verifications as v')
      .innerJoin('places as p', 'p.id', 'v.place_id')
      .select(['p.slug as place', 'v.method', 'v.postcode', 'v.date_of_birth', 'v.note', 'v.verified_at'])
      .where('v.user_id', '=', userId)
      .execute(),
    db
      .selectFrom('proposals')
      .select(['id', 'process_id', 'title', 'body', 'category', 'area', 'postcode', 'status', 'created_at'])
      .where('author_id', '=', userId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('comments')
      .select(['id', 'process_id', 'proposal_id', 'parent_id', 'body', 'stance', 'status', 'created_at'])
      .where('author_id', '=', userId)
      .orderBy('created_at')
      .execute(),
    db.selectFrom('supports').select(['proposal_id', 'created_at']).where('user_id', '=', userId).execute(),
    db
      .selectFrom('follows')
      .select(['target_type', 'target_id', 'created_at'])
      .where('user_id', '=', userId)
      .execute(),
    db
      .selectFrom('notifications')
      .select(['kind', 'title', 'body', 'link', 'created_at', 'read_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute(),
  ]);
  return { verifications, proposals, comments, supports, follows, notifications };
}

export async function insertToken(
  db: Executor,
  values: { userId: string; purpose: TokenPurpose; tokenHash: string; expiresAt: Date; newEmail?: string },
): Promise<void> {
  // One live token per purpose: a new link replaces the old one.
  await db
    .deleteFrom('user_tokens')
    .where('user_id', '=', values.userId)
    .where('purpose', '=', values.purpose)
    .execute();
  await db
    .insertInto('user_tokens')
    .values({
      user_id: values.userId,
      purpose: values.purpose,
      token_hash: values.tokenHash,
      expires_at: values.expiresAt,
      new_email: values.newEmail ?? null,
    })
    .execute();
}

/** Marks a live token used and returns it, atomically: a second use finds nothing. */
export async function consumeToken(
  db: Executor,
  purpose: TokenPurpose,
  tokenHash: string,
): Promise<{ userId: string; newEmail: string | null } | undefined> {
  const row = await db
    .updateTable('user_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(['user_id', 'new_email'])
    .executeTakeFirst();
  return row && { userId: row.user_id, newEmail: row.new_email };
}

export async function tokenIsLive(db: Executor, purpose: TokenPurpose, tokenHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_tokens')
    .select('id')
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row !== undefined;
}

export async function findThrottle(db: Executor, key: string) {
  return db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function saveThrottle(db: Executor, key: string, failures: number, lockedUntil: Date | null) {
  await db
    .insertInto('sign_in_throttle')
    .values({ key, failures, locked_until: lockedUntil, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ failures, locked_until: lockedUntil, updated_at: new Date() }),
    )
    .execute();
}

/**
 * Counts one sign-in attempt atomically, so that parallel attempts cannot
 * all read the same count. While the key is locked the count stays put.
 */
export async function countAttempt(
  db: Executor,
  key: string,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const row = await db
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, locked_until: null, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`CASE WHEN sign_in_throttle.locked_until > now() THEN sign_in_throttle.failures ELSE sign_in_throttle.failures + 1 END`,
        updated_at: new Date(),
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { failures: row.failures, lockedUntil: row.locked_until };
}

export async function lockKey(db: Executor, key: string, until: Date) {
  await db
    .updateTable('sign_in_throttle')
    .set({ locked_until: until, updated_at: new Date() })
    .where('key', '=', key)
    .execute();
}

/** Takes one of a window's allowance atomically; the window starts at the first use. */
export async function takeAllowance(
  db: Executor,
  key: string,
  windowEnds: Date,
): Promise<{ used: number; windowEnds: Date }> {
  const expired = sql<boolean>`(sign_in_throttle.locked_until IS NULL OR sign_in_throttle.locked_until <= now())`;
  const row = await db
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, locked_until: windowEnds, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`CASE WHEN ${expired} THEN 1 ELSE sign_in_throttle.failures + 1 END`,
        locked_until: sql<Date>`CASE WHEN ${expired} THEN excluded.locked_until ELSE sign_in_throttle.locked_until END`,
        updated_at: new Date(),
      }),
    )
    .returning(['failures', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { used: row.failures, windowEnds: row.locked_until ?? windowEnds };
}

/** Forgets throttle entries that are neither locked nor recent. */
export async function purgeStaleThrottles(db: Executor, olderThan: Date) {
  await db
    .deleteFrom('sign_in_throttle')
    .where('updated_at', '<', olderThan)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', new Date())]))
    .execute();
}

export async function clearThrottle(db: Executor, key: string) {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}

export async function findAuditOfActor(db: Executor, userId: string) {
  return db
    .selectFrom('audit_events')
    .select(['occurred_at', 'action', 'subject_type', 'subject_id', 'place_id'])
    .where('actor_id', '=', userId)
    .orderBy('occurred_at', 'asc')
    .execute();
}

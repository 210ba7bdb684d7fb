import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FamilyRelationship } from '../plans/support-plans.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function insertInvitation(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    email: string;
    relationship: FamilyRelationship;
    tokenHash: string;
    by: string | null;
  },
) {
  const row = await tx
    .insertInto('family_members')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      email: v.email,
      relationship: v.relationship,
      token_hash: v.tokenHash,
      invited_by: v.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An invitation not yet used, with the child's date of birth to check a young person's age again. */
export async function openInvitation(db: Executor, placeId: string, tokenHash: string, lock = false) {
  let query = db
    .selectFrom('family_members as f')
    .innerJoin('participants as p', 'p.id', 'f.participant_id')
    .select(['f.id', 'f.participant_id', 'f.email', 'f.relationship', 'f.invited_at', 'p.date_of_birth'])
    .where('f.place_id', '=', placeId)
    .where('p.place_id', '=', placeId)
    .where('f.token_hash', '=', tokenHash)
    .where('f.accepted_at', 'is', null)
    .where('f.ended_at', 'is', null);
  if (lock) query = query.forUpdate('f');
  return query.executeTakeFirst();
}

export async function alreadyLinked(db: Executor, placeId: string, participantId: string, userId: string) {
  const row = await db
    .selectFrom('family_members')
    .select('id')
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId)
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function accept(tx: Transaction<DB>, placeId: string, id: string, userId: string) {
  await tx
    .updateTable('family_members')
    .set({ user_id: userId, accepted_at: new Date(), token_hash: null })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

/**
 * The family condition, written once: a person reaches a participant only through their own accepted,
 * live link to that participant in this place. Every family query starts here.
 */
function linked(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('family_members as f')
    .innerJoin('participants as p', 'p.id', 'f.participant_id')
    .where('f.place_id', '=', placeId)
    .where('p.place_id', '=', placeId)
    .where('f.user_id', '=', userId)
    .where('f.accepted_at', 'is not', null)
    .where('f.ended_at', 'is', null)
    .where('p.status', 'in', ['agreed', 'enrolled', 'active']);
}

/** One page of the person's own live links, by the child's first name. */
export async function myLinks(
  db: Executor,
  placeId: string,
  userId: string,
  page: { limit: number; offset: number },
) {
  const query = linked(db, placeId, userId);
  const [rows, count] = await Promise.all([
    query
      .select(['f.id', 'f.relationship', 'p.id as participant_id', 'p.given_name'])
      .orderBy(sql`p.given_name nulls last`)
      .orderBy('f.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function myLink(db: Executor, placeId: string, userId: string, participantId: string) {
  return linked(db, placeId, userId)
    .select(['f.id', 'f.relationship', 'p.id as participant_id', 'p.given_name'])
    .where('p.id', '=', participantId)
    .executeTakeFirst();
}

/** A family member's live link or open invitation to a child's plan, for a link worker to end. */
export async function liveMember(db: Executor, placeId: string, participantId: string, id: string) {
  return db
    .selectFrom('family_members as f')
    .leftJoin('users as u', 'u.id', 'f.user_id')
    .select(['f.id', 'f.email', 'f.relationship', 'f.accepted_at', 'u.name as user_name'])
    .where('f.place_id', '=', placeId)
    .where('f.participant_id', '=', participantId)
    .where('f.id', '=', id)
    .where('f.ended_at', 'is', null)
    .executeTakeFirst();
}

/** Ends a live link or an open invitation (its token stops working); nothing when it had ended already. */
export async function endMember(tx: Transaction<DB>, placeId: string, participantId: string, id: string) {
  return tx
    .updateTable('family_members')
    .set({ ended_at: new Date(), token_hash: null })
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId)
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .returning(['id', 'relationship', 'accepted_at'])
    .executeTakeFirst();
}

import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { PlanContent, PlanVoice } from './support-plans.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;
type Page = { limit: number; offset: number };

// Every function here is called only after the caller has found the participant through the visibility
// condition (staff) or the family link (family): the plan is reached through its participant.

export async function planOf(db: Executor, placeId: string, participantId: string) {
  return db
    .selectFrom('support_plans')
    .select(['id', 'current_version', 'next_review_on', 'updated_at'])
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
}

/** The plan row locked for a change, created empty (version 0) the first time. */
export async function lockPlan(tx: Transaction<DB>, placeId: string, participantId: string) {
  await tx
    .insertInto('support_plans')
    .values({ place_id: placeId, participant_id: participantId })
    .onConflict((oc) => oc.column('participant_id').doNothing())
    .execute();
  return tx
    .selectFrom('support_plans')
    .select(['id', 'current_version'])
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function version(db: Executor, placeId: string, planId: string, n: number) {
  return db
    .selectFrom('support_plan_versions as v')
    .leftJoin('users as u', 'u.id', 'v.changed_by')
    .select(['v.version', 'v.content', 'v.change_summary', 'v.changed_at', 'u.name as changed_by_name'])
    .where('v.place_id', '=', placeId)
    .where('v.plan_id', '=', planId)
    .where('v.version', '=', n)
    .executeTakeFirst();
}

/** A child's plan with its current version's content, or nothing while the plan has no version. */
export async function currentPlan(db: Executor, placeId: string, participantId: string) {
  const plan = await planOf(db, placeId, participantId);
  if (!plan || plan.current_version === 0) return undefined;
  const current = await version(db, placeId, plan.id, plan.current_version);
  return current && { plan, content: current.content };
}

export async function insertVersion(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    planId: string;
    version: number;
    content: PlanContent;
    summary: string;
    by: string | null;
    nextReview: string | null;
  },
) {
  await tx
    .insertInto('support_plan_versions')
    .values({
      place_id: placeId,
      plan_id: v.planId,
      version: v.version,
      content: JSON.stringify(v.content),
      change_summary: v.summary,
      changed_by: v.by,
    })
    .execute();
  await tx
    .updateTable('support_plans')
    .set({ current_version: v.version, next_review_on: v.nextReview, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', v.planId)
    .execute();
}

/** The history: every version's summary, newest first, paged. */
export async function versions(db: Executor, placeId: string, planId: string, page: Page) {
  const query = db
    .selectFrom('support_plan_versions as v')
    .where('v.place_id', '=', placeId)
    .where('v.plan_id', '=', planId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'v.changed_by')
      .select(['v.version', 'v.change_summary', 'v.changed_at', 'u.name as changed_by_name'])
      .orderBy('v.version', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function insertRating(
  tx: Transaction<DB>,
  placeId: string,
  v: { planId: string; goalId: string; rating: number; by: string | null; as: PlanVoice; note: string },
) {
  const row = await tx
    .insertInto('support_goal_ratings')
    .values({
      place_id: placeId,
      plan_id: v.planId,
      goal_id: v.goalId,
      rating: v.rating,
      rated_by: v.by,
      rated_as: v.as,
      note: v.note,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Each rated goal's first rating (its baseline), latest rating and number of ratings, from every rating
 * of the plan.
 */
export async function ratingEnds(db: Executor, placeId: string, planId: string) {
  const rows = await db
    .selectFrom('support_goal_ratings as r')
    .select((eb) => [
      'r.goal_id',
      sql<number>`(array_agg(r.rating order by r.rated_at, r.id))[1]`.as('baseline'),
      sql<number>`(array_agg(r.rating order by r.rated_at desc, r.id desc))[1]`.as('latest'),
      eb.fn.countAll<string>().as('total'),
    ])
    .where('r.place_id', '=', placeId)
    .where('r.plan_id', '=', planId)
    .groupBy('r.goal_id')
    .execute();
  return rows.map((r) => ({ ...r, total: Number(r.total) }));
}

function ratingsOf(db: Executor, placeId: string, planId: string) {
  return db
    .selectFrom('support_goal_ratings as r')
    .where('r.place_id', '=', placeId)
    .where('r.plan_id', '=', planId);
}

const ratingColumns = [
  'r.id',
  'r.goal_id',
  'r.rating',
  'r.rated_as',
  'r.note',
  'r.rated_at',
  'u.name as rated_by_name',
] as const;

/** The latest `perGoal` ratings of each of a plan's goals, oldest first. */
export async function recentRatings(db: Executor, placeId: string, planId: string, perGoal: number) {
  const ranked = ratingsOf(db, placeId, planId)
    .leftJoin('users as u', 'u.id', 'r.rated_by')
    .select(ratingColumns)
    .select(
      sql<number>`row_number() over (partition by r.goal_id order by r.rated_at desc, r.id desc)`.as('n'),
    );
  return db
    .selectFrom(ranked.as('x'))
    .select(['x.id', 'x.goal_id', 'x.rating', 'x.rated_as', 'x.note', 'x.rated_at', 'x.rated_by_name'])
    .where('x.n', '<=', perGoal)
    .orderBy('x.rated_at')
    .orderBy('x.id')
    .execute();
}

/** One page of a goal's ratings, oldest first: the first of all is the baseline. */
export async function goalRatings(db: Executor, placeId: string, planId: string, goalId: string, page: Page) {
  const query = ratingsOf(db, placeId, planId).where('r.goal_id', '=', goalId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'r.rated_by')
      .select(ratingColumns)
      .orderBy('r.rated_at')
      .orderBy('r.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function insertComment(
  tx: Transaction<DB>,
  placeId: string,
  v: { planId: string; version: number; by: string | null; as: PlanVoice; body: string },
) {
  const row = await tx
    .insertInto('support_plan_comments')
    .values({
      place_id: placeId,
      plan_id: v.planId,
      version: v.version,
      author_id: v.by,
      author_as: v.as,
      body: v.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function comments(db: Executor, placeId: string, planId: string, page: Page) {
  const query = db
    .selectFrom('support_plan_comments as c')
    .where('c.place_id', '=', placeId)
    .where('c.plan_id', '=', planId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'c.author_id')
      .select(['c.id', 'c.version', 'c.author_as', 'c.body', 'c.created_at', 'u.name as author_name'])
      .orderBy('c.created_at', 'desc')
      .orderBy('c.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function insertSignoff(
  tx: Transaction<DB>,
  placeId: string,
  v: { planId: string; version: number; familyMemberId: string; by: string | null },
) {
  const row = await tx
    .insertInto('support_plan_signoffs')
    .values({
      place_id: placeId,
      plan_id: v.planId,
      version: v.version,
      family_member_id: v.familyMemberId,
      signed_by: v.by,
    })
    .onConflict((oc) => oc.columns(['plan_id', 'version', 'family_member_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** One page of a plan's sign-offs, newest first. */
export async function signoffs(db: Executor, placeId: string, planId: string, page: Page) {
  const query = db
    .selectFrom('support_plan_signoffs as s')
    .where('s.place_id', '=', placeId)
    .where('s.plan_id', '=', planId);
  const [rows, count] = await Promise.all([
    query
      .innerJoin('family_members as f', 'f.id', 's.family_member_id')
      .leftJoin('users as u', 'u.id', 's.signed_by')
      .select([
        's.id',
        's.version',
        's.signed_at',
        's.family_member_id',
        'f.relationship',
        'u.name as signed_by_name',
      ])
      .orderBy('s.signed_at', 'desc')
      .orderBy('s.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Whether a family member has signed off one version of the plan. */
export async function hasSignedOff(
  db: Executor,
  placeId: string,
  v: { planId: string; version: number; familyMemberId: string },
) {
  const row = await db
    .selectFrom('support_plan_signoffs')
    .select('id')
    .where('place_id', '=', placeId)
    .where('plan_id', '=', v.planId)
    .where('version', '=', v.version)
    .where('family_member_id', '=', v.familyMemberId)
    .executeTakeFirst();
  return row !== undefined;
}

/** One page of a child's family links (invited, accepted or ended), for the link worker's page. */
export async function familyOf(db: Executor, placeId: string, participantId: string, page: Page) {
  const query = db
    .selectFrom('family_members as f')
    .where('f.place_id', '=', placeId)
    .where('f.participant_id', '=', participantId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'f.user_id')
      .leftJoin('users as i', 'i.id', 'f.invited_by')
      .select([
        'f.id',
        'f.email',
        'f.relationship',
        'f.invited_at',
        'f.accepted_at',
        'f.ended_at',
        'u.name as user_name',
        'i.name as invited_by_name',
      ])
      .orderBy('f.invited_at')
      .orderBy('f.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

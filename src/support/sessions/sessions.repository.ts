import { type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { ITEMS_TRAVEL_IN } from '../referrals/referral-states.ts';
import { type SupportViewer, visibleParticipants } from '../support-policy.ts';
import type { AttendanceStatus, SessionKind, SessionRunBy } from './sessions.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** Who is asking: their organisations (as partner staff) and whether they run sessions as a link worker. */
export interface SessionReach {
  placeId: string;
  userId: string;
  organizationIds: readonly string[];
  linkWorker: boolean;
}

/** Sessions the person may see: their organisations' sessions, and the ones they run as a link worker. */
function reachable(db: Executor, reach: SessionReach) {
  return db
    .selectFrom('support_sessions as ss')
    .where('ss.place_id', '=', reach.placeId)
    .where((eb) => {
      const ors = [];
      if (reach.organizationIds.length > 0)
        ors.push(
          eb.and([
            eb('ss.run_by', '=', 'organisation'),
            eb('ss.organization_id', 'in', [...reach.organizationIds]),
          ]),
        );
      if (reach.linkWorker)
        ors.push(eb.and([eb('ss.run_by', '=', 'link_worker'), eb('ss.created_by', '=', reach.userId)]));
      return ors.length > 0 ? eb.or(ors) : sql<boolean>`false`;
    });
}

export async function listSessions(
  db: Executor,
  reach: SessionReach,
  page: { limit: number; offset: number },
) {
  const query = reachable(db, reach);
  const [rows, count] = await Promise.all([
    query
      .select([
        'ss.id',
        'ss.title',
        'ss.kind',
        'ss.held_on',
        'ss.starts_at',
        'ss.duration_minutes',
        'ss.service_name',
        'ss.register_taken_at',
        (eb) =>
          eb
            .selectFrom('support_session_attendees as sa')
            .select((e) => e.fn.countAll<string>().as('n'))
            .whereRef('sa.session_id', '=', 'ss.id')
            .as('attendees'),
      ])
      .orderBy('ss.held_on', 'desc')
      .orderBy('ss.starts_at', 'desc')
      .orderBy('ss.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findSession(db: Executor, reach: SessionReach, id: string) {
  return reachable(db, reach)
    .innerJoin('organizations as o', 'o.id', 'ss.organization_id')
    .select([
      'ss.id',
      'ss.organization_id',
      'ss.service_name',
      'ss.run_by',
      'ss.kind',
      'ss.title',
      'ss.held_on',
      'ss.starts_at',
      'ss.duration_minutes',
      'ss.register_taken_at',
      'ss.created_by',
      'o.name as organization_name',
    ])
    .where('ss.id', '=', id)
    .executeTakeFirst();
}

export async function lockSession(tx: Transaction<DB>, reach: SessionReach, id: string) {
  return reachable(tx, reach)
    .select(['ss.id', 'ss.organization_id', 'ss.run_by', 'ss.kind'])
    .where('ss.id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertSession(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    organizationId: string;
    serviceId: string;
    serviceName: string;
    runBy: SessionRunBy;
    kind: SessionKind;
    title: string;
    heldOn: string;
    startsAt: string;
    durationMinutes: number;
    createdBy: string;
  },
) {
  const row = await tx
    .insertInto('support_sessions')
    .values({
      place_id: placeId,
      organization_id: v.organizationId,
      service_id: v.serviceId,
      service_name: v.serviceName,
      run_by: v.runBy,
      kind: v.kind,
      title: v.title,
      held_on: v.heldOn,
      starts_at: v.startsAt,
      duration_minutes: v.durationMinutes,
      created_by: v.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

type Page = { limit: number; offset: number };

/**
 * One page of a link worker's session register, in name order. Names come only through the visibility
 * condition, so a child the link worker no longer works with has no name here and is listed last.
 */
export async function linkWorkerAttendees(
  db: Executor,
  viewer: SupportViewer,
  sessionId: string,
  page: Page,
) {
  return db
    .selectFrom('support_session_attendees as sa')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('participants')
          .select([
            'participants.id',
            'participants.reference',
            'participants.given_name',
            'participants.family_name',
          ])
          .where(visibleParticipants(viewer))
          .as('vp'),
      (join) => join.onRef('vp.id', '=', 'sa.participant_id'),
    )
    .select([
      'sa.participant_id',
      'sa.status',
      'vp.id as visible_id',
      'vp.reference',
      'vp.given_name',
      'vp.family_name',
    ])
    .where('sa.place_id', '=', viewer.placeId)
    .where('sa.session_id', '=', sessionId)
    .orderBy(sql`vp.id is null`)
    .orderBy(sql`vp.family_name nulls last`)
    .orderBy(sql`vp.given_name nulls last`)
    .orderBy('vp.reference')
    .orderBy('sa.participant_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/**
 * One page of a partner's session register, in the order the children were referred. The partner's names
 * for them come from the referrals service, which decides what each referral may still show.
 */
export async function partnerAttendees(db: Executor, placeId: string, sessionId: string, page: Page) {
  return db
    .selectFrom('support_session_attendees as sa')
    .leftJoin('support_referrals as r', (join) =>
      join.onRef('r.id', '=', 'sa.referral_id').onRef('r.place_id', '=', 'sa.place_id'),
    )
    .select(['sa.participant_id', 'sa.referral_id', 'sa.status'])
    .where('sa.place_id', '=', placeId)
    .where('sa.session_id', '=', sessionId)
    .orderBy(sql`r.sent_at nulls last`)
    .orderBy('sa.participant_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** Children a link worker may add to their sessions: those they work with, taken forward and not exited. */
function workable(db: Executor, viewer: SupportViewer) {
  return db
    .selectFrom('participants')
    .where(visibleParticipants(viewer))
    .where('participants.status', 'in', ['agreed', 'enrolled', 'active']);
}

export async function workableParticipants(db: Executor, viewer: SupportViewer, page: Page) {
  const [rows, count] = await Promise.all([
    workable(db, viewer)
      .select([
        'participants.id',
        'participants.reference',
        'participants.given_name',
        'participants.family_name',
      ])
      .orderBy(sql`participants.family_name nulls last`)
      .orderBy(sql`participants.given_name nulls last`)
      .orderBy('participants.reference')
      .orderBy('participants.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    workable(db, viewer)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Which of the chosen children the link worker may add: exactly those ids, under the same condition. */
export async function workableAmong(db: Executor, viewer: SupportViewer, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await workable(db, viewer)
    .select('participants.id')
    .where('participants.id', 'in', [...ids])
    .execute();
  return rows.map((r) => r.id);
}

export async function addAttendees(
  tx: Transaction<DB>,
  placeId: string,
  sessionId: string,
  rows: { participantId: string; referralId: string | null }[],
) {
  if (rows.length === 0) return 0;
  const added = await tx
    .insertInto('support_session_attendees')
    .values(
      rows.map((r) => ({
        place_id: placeId,
        session_id: sessionId,
        participant_id: r.participantId,
        referral_id: r.referralId,
      })),
    )
    .onConflict((oc) => oc.columns(['session_id', 'participant_id']).doNothing())
    .returning('participant_id')
    .execute();
  return added.length;
}

export async function countAttendees(db: Executor, placeId: string, sessionId: string) {
  const row = await db
    .selectFrom('support_session_attendees')
    .select([
      (eb) => eb.fn.countAll<string>().as('n'),
      sql<string>`count(*) filter (where status = 'expected')`.as('unmarked'),
    ])
    .where('place_id', '=', placeId)
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.n), unmarked: Number(row.unmarked) };
}

/**
 * Marks attendance on a session's register: `everyone` for the whole register in one statement, or the
 * given children (only those on the session's register are changed). Returns how many got each mark.
 */
export async function markAttendance(
  tx: Transaction<DB>,
  placeId: string,
  sessionId: string,
  marks:
    | { everyone: Exclude<AttendanceStatus, 'expected'> }
    | { participantId: string; status: AttendanceStatus }[],
  by: string | null,
) {
  const now = new Date();
  const counts: Record<string, number> = { present: 0, late: 0, absent: 0, excused: 0 };
  const groups: [Exclude<AttendanceStatus, 'expected'>, string[] | null][] = Array.isArray(marks)
    ? (['present', 'late', 'absent', 'excused'] as const).map((status) => [
        status,
        marks.filter((m) => m.status === status).map((m) => m.participantId),
      ])
    : [[marks.everyone, null]];
  for (const [status, ids] of groups) {
    if (ids !== null && ids.length === 0) continue;
    let update = tx
      .updateTable('support_session_attendees')
      .set({ status, marked_by: by, marked_at: now })
      .where('place_id', '=', placeId)
      .where('session_id', '=', sessionId);
    if (ids !== null) update = update.where('participant_id', 'in', ids);
    const result = await update.executeTakeFirst();
    counts[status] = Number(result.numUpdatedRows);
  }
  await tx
    .updateTable('support_sessions')
    .set({ register_taken_at: now })
    .where('place_id', '=', placeId)
    .where('id', '=', sessionId)
    .execute();
  return counts;
}

/** Who asks for a child's engagement: as a viewer of participants, and as partner staff through referrals. */
export interface EngagementReach {
  viewer: SupportViewer;
  /** The partner's user id when they receive referrals; null for everyone else. */
  partnerUserId: string | null;
}

/**
 * Whether a referral of the child to one of the partner's organisations shares attendance now: it is
 * open, carries attendance, the agreement is live and a live sharing decision for that organisation
 * covers attendance.
 */
function attendanceSharedWith(placeId: string, userId: string) {
  const attendance = JSON.stringify(['attendance']);
  return sql<SqlBool>`exists (
    select 1 from support_referrals r
    where r.place_id = ${placeId}
      and r.participant_id = participants.id
      and r.status in (${sql.join(ITEMS_TRAVEL_IN.map((s) => sql.lit(s)))})
      and r.data_items @> ${attendance}::jsonb
      and r.organization_id in (
        select om.organization_id from organization_members om
        where om.place_id = ${placeId} and om.user_id = ${userId}
      )
      and exists (
        select 1 from participant_agreements a
        where a.place_id = r.place_id and a.participant_id = r.participant_id and a.withdrawn_at is null
      )
      and exists (
        select 1 from participant_sharing_decisions d
        where d.place_id = r.place_id and d.participant_id = r.participant_id
          and d.organization_id = r.organization_id and d.withdrawn_at is null
          and d.data_items @> ${attendance}::jsonb
      )
  )`;
}

/**
 * A child's attendance marks, newest session first, for engagement: only for a child the viewer may see,
 * or whose attendance a referral shares with the partner's organisation.
 */
export async function attendanceOf(
  db: Executor,
  reach: EngagementReach,
  participantId: string,
  limit: number,
) {
  const { viewer, partnerUserId } = reach;
  const rows = await db
    .selectFrom('support_session_attendees as sa')
    .innerJoin('support_sessions as ss', 'ss.id', 'sa.session_id')
    .innerJoin('participants', (join) =>
      join
        .onRef('participants.id', '=', 'sa.participant_id')
        .onRef('participants.place_id', '=', 'sa.place_id'),
    )
    .select('sa.status')
    .where('sa.place_id', '=', viewer.placeId)
    .where('sa.participant_id', '=', participantId)
    .where('sa.status', '!=', 'expected')
    .where((eb) =>
      eb.or([
        visibleParticipants(viewer)(eb),
        partnerUserId ? attendanceSharedWith(viewer.placeId, partnerUserId) : sql<SqlBool>`false`,
      ]),
    )
    .orderBy('ss.held_on', 'desc')
    .orderBy('ss.starts_at', 'desc')
    .orderBy('ss.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.status);
}

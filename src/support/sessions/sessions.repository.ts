import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
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

export async function attendees(db: Executor, placeId: string, sessionId: string) {
  return db
    .selectFrom('support_session_attendees as sa')
    .select(['sa.participant_id', 'sa.referral_id', 'sa.status', 'sa.marked_at'])
    .where('sa.place_id', '=', placeId)
    .where('sa.session_id', '=', sessionId)
    .orderBy('sa.participant_id')
    .limit(500)
    .execute();
}

/** Names of a link worker's session attendees, only for children the link worker may see. */
export async function visibleNames(db: Executor, viewer: SupportViewer, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('participants')
    .select([
      'participants.id',
      'participants.reference',
      'participants.given_name',
      'participants.family_name',
    ])
    .where(visibleParticipants(viewer))
    .where('participants.id', 'in', [...ids])
    .execute();
}

/** Children a link worker may add to their sessions: those they work with, taken forward and not exited. */
export async function workableParticipants(db: Executor, viewer: SupportViewer) {
  return db
    .selectFrom('participants')
    .select([
      'participants.id',
      'participants.reference',
      'participants.given_name',
      'participants.family_name',
    ])
    .where(visibleParticipants(viewer))
    .where('participants.status', 'in', ['agreed', 'enrolled', 'active'])
    .orderBy('participants.family_name')
    .orderBy('participants.given_name')
    .orderBy('participants.id')
    .limit(500)
    .execute();
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
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markAttendance(
  tx: Transaction<DB>,
  placeId: string,
  sessionId: string,
  marks: { participantId: string; status: AttendanceStatus }[],
  by: string | null,
) {
  const now = new Date();
  for (const status of ['present', 'late', 'absent', 'excused'] as const) {
    const ids = marks.filter((m) => m.status === status).map((m) => m.participantId);
    if (ids.length === 0) continue;
    await tx
      .updateTable('support_session_attendees')
      .set({ status, marked_by: by, marked_at: now })
      .where('place_id', '=', placeId)
      .where('session_id', '=', sessionId)
      .where('participant_id', 'in', ids)
      .execute();
  }
  await tx
    .updateTable('support_sessions')
    .set({ register_taken_at: now })
    .where('place_id', '=', placeId)
    .where('id', '=', sessionId)
    .execute();
}

/** A child's attendance marks, newest session first, for engagement. */
export async function attendanceOf(db: Executor, placeId: string, participantId: string, limit: number) {
  const rows = await db
    .selectFrom('support_session_attendees as sa')
    .innerJoin('support_sessions as ss', 'ss.id', 'sa.session_id')
    .select('sa.status')
    .where('sa.place_id', '=', placeId)
    .where('sa.participant_id', '=', participantId)
    .where('sa.status', '!=', 'expected')
    .orderBy('ss.held_on', 'desc')
    .orderBy('ss.starts_at', 'desc')
    .orderBy('ss.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.status);
}

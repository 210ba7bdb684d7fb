import { type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { ParticipantStatus } from '../support.table.ts';
import type { ErasedBy, ErasureBasis } from './records.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;
type Row = Record<string, unknown>;

/**
 * Place admins find a child by id to answer a request or set a hold. This is deliberately not limited by
 * `visibleParticipants`: place admins see no records in ordinary work, and reach one only through these
 * audited actions, which the service authorises first.
 */
export async function participantLabel(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('participants')
    .innerJoin('support_programmes as p', 'p.id', 'participants.programme_id')
    .innerJoin('support_cohorts as c', 'c.id', 'participants.cohort_id')
    .innerJoin('support_settings as s', 's.id', 'participants.setting_id')
    .select([
      'participants.id',
      'participants.reference',
      'participants.status',
      'participants.legal_hold',
      'participants.exited_on',
      'participants.decided_at',
      'p.id as programme_id',
      'p.name as programme_name',
      'p.retention_years',
      'c.name as cohort_name',
      's.name as setting_name',
    ])
    .where('participants.place_id', '=', placeId)
    .where('participants.id', '=', id)
    .executeTakeFirst();
}

export async function lockParticipant(tx: Transaction<DB>, placeId: string, id: string) {
  return tx
    .selectFrom('participants')
    .select(['id', 'legal_hold'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

// --- Subject access ---------------------------------------------------------------------------------------

export async function insertSubjectAccessRequest(
  tx: Transaction<DB>,
  placeId: string,
  r: { participantId: string; reason: string; requestedBy: string | null },
): Promise<string> {
  const row = await tx
    .insertInto('participant_subject_access_requests')
    .values({
      place_id: placeId,
      participant_id: r.participantId,
      reason: r.reason,
      requested_by: r.requestedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findSubjectAccessRequest(
  db: Executor,
  placeId: string,
  participantId: string,
  requestId: string,
) {
  return db
    .selectFrom('participant_subject_access_requests as r')
    .leftJoin('users as u', 'u.id', 'r.requested_by')
    .select(['r.id', 'r.reason', 'r.requested_by', 'r.requested_at', 'u.name as requested_by_name'])
    .where('r.place_id', '=', placeId)
    .where('r.participant_id', '=', participantId)
    .where('r.id', '=', requestId)
    .executeTakeFirst();
}

/**
 * Everything held on one child, table by table, as stored. Tables keyed by their own names so that the
 * coverage test can hold the export against information_schema. Two columns are left out on purpose: a
 * family member's email and invitation token hash belong to the family member, not to the child.
 */
export async function gatherParticipantTables(
  db: Executor,
  placeId: string,
  participantId: string,
): Promise<Record<string, Row[]>> {
  const byChild = <T extends keyof DB & string>(table: T) =>
    db
      .selectFrom(table as 'participant_transitions')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('participant_id', '=', participantId);
  const plans = db
    .selectFrom('support_plans')
    .select('id')
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId);
  const assignments = db
    .selectFrom('participant_assignments')
    .select('id')
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId);
  const [
    participants,
    transitions,
    assignmentRows,
    assignmentReasons,
    agreements,
    lawfulBases,
    sharing,
    contacts,
    concerns,
    planRows,
    planVersions,
    goalRatings,
    planComments,
    signoffs,
    family,
    referrals,
    attendance,
    observations,
    holds,
    requests,
  ] = await Promise.all([
    db
      .selectFrom('participants')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('id', '=', participantId)
      .execute(),
    byChild('participant_transitions').orderBy('occurred_at').execute(),
    byChild('participant_assignments')
      .orderBy('assigned_at' as 'occurred_at')
      .execute(),
    db
      .selectFrom('participant_assignment_reasons')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('assignment_id', 'in', assignments)
      .execute(),
    byChild('participant_agreements').execute(),
    byChild('participant_lawful_bases').execute(),
    byChild('participant_sharing_decisions').execute(),
    byChild('participant_contacts').execute(),
    byChild('safeguarding_concerns').execute(),
    byChild('support_plans').execute(),
    db
      .selectFrom('support_plan_versions')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('plan_id', 'in', plans)
      .orderBy('version')
      .execute(),
    db
      .selectFrom('support_goal_ratings')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('plan_id', 'in', plans)
      .orderBy('rated_at')
      .execute(),
    db
      .selectFrom('support_plan_comments')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('plan_id', 'in', plans)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('support_plan_signoffs')
      .selectAll()
      .where('place_id', '=', placeId)
      .where('plan_id', 'in', plans)
      .orderBy('signed_at')
      .execute(),
    db
      .selectFrom('family_members')
      .select([
        'id',
        'place_id',
        'participant_id',
        'user_id',
        'relationship',
        'invited_by',
        'invited_at',
        'accepted_at',
        'ended_at',
      ])
      .where('place_id', '=', placeId)
      .where('participant_id', '=', participantId)
      .execute(),
    byChild('support_referrals').execute(),
    db
      .selectFrom('support_session_attendees as a')
      .innerJoin('support_sessions as s', 's.id', 'a.session_id')
      .selectAll('a')
      .select([
        's.title as session_title',
        's.kind as session_kind',
        's.service_name as session_service_name',
        's.organization_id as session_organization_id',
        's.held_on as session_held_on',
        's.starts_at as session_starts_at',
      ])
      .where('a.place_id', '=', placeId)
      .where('a.participant_id', '=', participantId)
      .orderBy('s.held_on')
      .execute(),
    byChild('support_outcome_observations').execute(),
    byChild('participant_legal_holds').execute(),
    byChild('participant_subject_access_requests').execute(),
  ]);
  return {
    participants,
    participant_transitions: transitions,
    participant_assignments: assignmentRows,
    participant_assignment_reasons: assignmentReasons,
    participant_agreements: agreements,
    participant_lawful_bases: lawfulBases,
    participant_sharing_decisions: sharing,
    participant_contacts: contacts,
    safeguarding_concerns: concerns,
    support_plans: planRows,
    support_plan_versions: planVersions,
    support_goal_ratings: goalRatings,
    support_plan_comments: planComments,
    support_plan_signoffs: signoffs,
    family_members: family,
    support_referrals: referrals,
    support_session_attendees: attendance,
    support_outcome_observations: observations,
    participant_legal_holds: holds,
    participant_subject_access_requests: requests,
  } as Record<string, Row[]>;
}

/** Names for the ids a record mentions: people, organisations, teams, settings and outcome measures. */
export async function namesFor(
  db: Executor,
  placeId: string,
  ids: { users: string[]; organizations: string[]; teams: string[]; indicators: string[] },
) {
  const none = Promise.resolve([] as { id: string; name: string }[]);
  const [users, organizations, teams, indicators] = await Promise.all([
    ids.users.length
      ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids.users).execute()
      : none,
    ids.organizations.length
      ? db
          .selectFrom('organizations')
          .select(['id', 'name'])
          .where('place_id', '=', placeId)
          .where('id', 'in', ids.organizations)
          .execute()
      : none,
    ids.teams.length
      ? db
          .selectFrom('support_teams')
          .select(['id', 'name'])
          .where('place_id', '=', placeId)
          .where('id', 'in', ids.teams)
          .execute()
      : none,
    ids.indicators.length
      ? db
          .selectFrom('support_outcome_indicators')
          .select(['id', 'name'])
          .where('place_id', '=', placeId)
          .where('id', 'in', ids.indicators)
          .execute()
      : none,
  ]);
  const map = (rows: { id: string; name: string }[]) => Object.fromEntries(rows.map((r) => [r.id, r.name]));
  return {
    users: map(users),
    organizations: map(organizations),
    teams: map(teams),
    indicators: map(indicators),
  };
}

/** Every audit entry about the child, oldest first, with who acted: the access log in full. */
export async function accessLog(db: Executor, placeId: string, participantId: string) {
  return db
    .selectFrom('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select(['e.occurred_at', 'e.action', 'e.details', 'u.name as actor_name'])
    .where('e.place_id', '=', placeId)
    .where('e.subject_type', '=', 'participant')
    .where('e.subject_id', '=', participantId)
    .orderBy('e.occurred_at')
    .orderBy('e.id')
    .execute();
}

// --- Legal hold --------------------------------------------------------------------------------------------

export async function holdsOf(db: Executor, placeId: string, participantId: string) {
  return db
    .selectFrom('participant_legal_holds as h')
    .leftJoin('users as s', 's.id', 'h.set_by')
    .leftJoin('users as l', 'l.id', 'h.lifted_by')
    .select([
      'h.id',
      'h.reason',
      'h.set_at',
      'h.lifted_at',
      'h.lift_reason',
      's.name as set_by_name',
      'l.name as lifted_by_name',
    ])
    .where('h.place_id', '=', placeId)
    .where('h.participant_id', '=', participantId)
    .orderBy('h.set_at', 'desc')
    .execute();
}

export async function setHold(
  tx: Transaction<DB>,
  placeId: string,
  h: { participantId: string; reason: string; by: string | null },
): Promise<string> {
  const row = await tx
    .insertInto('participant_legal_holds')
    .values({ place_id: placeId, participant_id: h.participantId, reason: h.reason, set_by: h.by })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .updateTable('participants')
    .set({ legal_hold: true, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', h.participantId)
    .execute();
  return row.id;
}

/** Lifts the live hold; returns its id, or undefined when none was live. */
export async function liftHold(
  tx: Transaction<DB>,
  placeId: string,
  h: { participantId: string; reason: string; by: string | null },
): Promise<string | undefined> {
  const row = await tx
    .updateTable('participant_legal_holds')
    .set({ lifted_at: new Date(), lifted_by: h.by, lift_reason: h.reason })
    .where('place_id', '=', placeId)
    .where('participant_id', '=', h.participantId)
    .where('lifted_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  await tx
    .updateTable('participants')
    .set({ legal_hold: false, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', h.participantId)
    .execute();
  return row?.id;
}

// --- Erasure -----------------------------------------------------------------------------------------------

export async function placesForErasure(db: Executor, slug?: string) {
  let query = db.selectFrom('places').select(['id', 'slug']).orderBy('slug');
  if (slug !== undefined) query = query.where('slug', '=', slug);
  return query.execute();
}

export interface ErasureCandidate {
  id: string;
  programmeId: string;
  programmeName: string;
  basis: ErasureBasis;
  retentionYears: number;
}

/**
 * The retention rule in SQL: an exit (or a not-taken-forward decision) on or before `today` minus the
 * programme's retention years, and no legal hold. A child identified but never reviewed was only ever
 * held for this programme's review, so is due as soon as the programme has ended. `today` is a London
 * calendar day (YYYY-MM-DD).
 */
function dueCondition(today: string, held = false) {
  const cutoff = sql`(${today}::date - make_interval(years => sp.retention_years))::date`;
  return sql<SqlBool>`participants.legal_hold = ${held} AND (
    (participants.status = 'exited' AND participants.exited_on IS NOT NULL AND participants.exited_on <= ${cutoff})
    OR (participants.status = 'not_taken_forward' AND participants.decided_at IS NOT NULL
        AND (participants.decided_at AT TIME ZONE 'Europe/London')::date <= ${cutoff})
    OR (participants.status = 'identified' AND sp.ends_on < ${today}::date)
  )`;
}

export async function erasureCandidates(
  db: Executor,
  placeId: string,
  today: string,
): Promise<ErasureCandidate[]> {
  const rows = await db
    .selectFrom('participants')
    .innerJoin('support_programmes as sp', 'sp.id', 'participants.programme_id')
    .select([
      'participants.id',
      'participants.status',
      'sp.id as programme_id',
      'sp.name as programme_name',
      'sp.retention_years',
    ])
    .where('participants.place_id', '=', placeId)
    .where('sp.place_id', '=', placeId)
    .where(dueCondition(today))
    .orderBy('sp.name')
    .orderBy('participants.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    programmeId: r.programme_id,
    programmeName: r.programme_name,
    basis:
      r.status === 'identified' ? 'never_reviewed' : (r.status as Extract<ParticipantStatus, ErasureBasis>),
    retentionYears: r.retention_years,
  }));
}

/** Children past their retention period whom a legal hold keeps, for the run's report. */
export async function heldPastRetention(db: Executor, placeId: string, today: string): Promise<number> {
  const row = await db
    .selectFrom('participants')
    .innerJoin('support_programmes as sp', 'sp.id', 'participants.programme_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('participants.place_id', '=', placeId)
    .where(dueCondition(today, true))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Locks the child and checks again, inside the erasing transaction, that the rule still applies. */
export async function lockIfStillDue(tx: Transaction<DB>, placeId: string, id: string, today: string) {
  return tx
    .selectFrom('participants')
    .innerJoin('support_programmes as sp', 'sp.id', 'participants.programme_id')
    .select(['participants.id'])
    .where('participants.place_id', '=', placeId)
    .where('participants.id', '=', id)
    .where(dueCondition(today))
    .forUpdate('participants')
    .executeTakeFirst();
}

/**
 * Deletes every row held on the child, children of the child's rows first, then the participant row. The
 * foreign keys would cascade most of this, but naming each table keeps the list checkable against the
 * coverage test. One-to-one sessions left without anyone are deleted too: their titles may name the child.
 * The safeguarding lead's in-app notification of a concern is removed with the concern it links to.
 */
export async function eraseParticipant(tx: Transaction<DB>, placeId: string, id: string): Promise<void> {
  const plans = (
    await tx
      .selectFrom('support_plans')
      .select('id')
      .where('place_id', '=', placeId)
      .where('participant_id', '=', id)
      .execute()
  ).map((r) => r.id);
  if (plans.length) {
    for (const table of [
      'support_plan_signoffs',
      'support_plan_comments',
      'support_goal_ratings',
      'support_plan_versions',
    ] as const) {
      await tx
        .deleteFrom(table as 'support_plan_signoffs')
        .where('place_id', '=', placeId)
        .where('plan_id', 'in', plans)
        .execute();
    }
  }
  const assignments = tx
    .selectFrom('participant_assignments')
    .select('id')
    .where('place_id', '=', placeId)
    .where('participant_id', '=', id);
  await tx
    .deleteFrom('participant_assignment_reasons')
    .where('place_id', '=', placeId)
    .where('assignment_id', 'in', assignments)
    .execute();
  const oneToOne = (
    await tx
      .selectFrom('support_session_attendees as a')
      .innerJoin('support_sessions as s', 's.id', 'a.session_id')
      .select('s.id')
      .where('a.place_id', '=', placeId)
      .where('a.participant_id', '=', id)
      .where('s.kind', '=', 'one_to_one')
      .execute()
  ).map((r) => r.id);
  const concerns = (
    await tx
      .selectFrom('safeguarding_concerns')
      .select('id')
      .where('place_id', '=', placeId)
      .where('participant_id', '=', id)
      .execute()
  ).map((r) => r.id);
  if (concerns.length) {
    await tx
      .deleteFrom('notifications')
      .where('place_id', '=', placeId)
      .where('kind', '=', 'safeguarding_concern')
      .where((eb) => eb.or(concerns.map((c) => eb('link', 'like', `%/support/safeguarding/${c}`))))
      .execute();
  }
  for (const table of [
    'support_session_attendees',
    'support_outcome_observations',
    'support_referrals',
    'family_members',
    'support_plans',
    'participant_assignments',
    'participant_contacts',
    'safeguarding_concerns',
    'participant_sharing_decisions',
    'participant_lawful_bases',
    'participant_agreements',
    'participant_transitions',
    'participant_legal_holds',
    'participant_subject_access_requests',
  ] as const) {
    await tx
      .deleteFrom(table as 'participant_transitions')
      .where('place_id', '=', placeId)
      .where('participant_id', '=', id)
      .execute();
  }
  if (oneToOne.length) {
    await tx
      .deleteFrom('support_sessions')
      .where('place_id', '=', placeId)
      .where('id', 'in', oneToOne)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('support_session_attendees as left_over')
              .select('left_over.session_id')
              .whereRef('left_over.session_id', '=', 'support_sessions.id'),
          ),
        ),
      )
      .execute();
  }
  await tx.deleteFrom('participants').where('place_id', '=', placeId).where('id', '=', id).execute();
}

export async function logErasure(
  tx: Transaction<DB>,
  placeId: string,
  e: { programmeId: string; basis: ErasureBasis; retentionYears: number; erasedBy: ErasedBy },
): Promise<string> {
  const row = await tx
    .insertInto('support_erasures')
    .values({
      place_id: placeId,
      programme_id: e.programmeId,
      basis: e.basis,
      retention_years: e.retentionYears,
      erased_by: e.erasedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

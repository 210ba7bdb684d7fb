import { expressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { AgreementGiver, IndicatorDomain, LawfulBasis, ParticipantStatus } from '../support.table.ts';
import { type SupportViewer, visibleParticipants } from '../support-policy.ts';

type Executor = Kysely<DB> | Transaction<DB>;
type Page = { limit: number; offset: number };

export interface ImportedChild {
  reference: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  yearGroup: number;
  measures: Record<string, string>;
  flaggedDomains: IndicatorDomain[];
  flagCount: number;
}

/**
 * Inserts new children and refreshes those still identified; children a reviewer has already decided on
 * keep their minimised record (their measures are not brought back).
 */
export async function upsertIdentified(
  tx: Transaction<DB>,
  placeId: string,
  target: { programmeId: string; cohortId: string; settingId: string },
  children: readonly ImportedChild[],
): Promise<{ created: number; updated: number }> {
  if (children.length === 0) return { created: 0, updated: 0 };
  let created = 0;
  let updated = 0;
  // Chunks keep each statement well under the parameter limit.
  for (let i = 0; i < children.length; i += 500) {
    const rows = await tx
      .insertInto('participants')
      .values(
        children.slice(i, i + 500).map((c) => ({
          place_id: placeId,
          programme_id: target.programmeId,
          cohort_id: target.cohortId,
          setting_id: target.settingId,
          reference: c.reference,
          given_name: c.givenName,
          family_name: c.familyName,
          date_of_birth: c.dateOfBirth,
          year_group: c.yearGroup,
          measures: JSON.stringify(c.measures),
          flagged_domains: JSON.stringify(c.flaggedDomains),
          flag_count: c.flagCount,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['cohort_id', 'setting_id', 'reference'])
          .doUpdateSet((eb) => ({
            given_name: eb.ref('excluded.given_name'),
            family_name: eb.ref('excluded.family_name'),
            date_of_birth: eb.ref('excluded.date_of_birth'),
            year_group: eb.ref('excluded.year_group'),
            measures: eb.ref('excluded.measures'),
            flagged_domains: eb.ref('excluded.flagged_domains'),
            flag_count: eb.ref('excluded.flag_count'),
            updated_at: new Date(),
          }))
          .where('participants.status', '=', 'identified'),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
    for (const row of rows) {
      if (row.inserted) created++;
      else updated++;
    }
  }
  return { created, updated };
}

export async function insertImport(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    programmeId: string;
    cohortId: string;
    settingId: string;
    filename: string;
    rows: number;
    created: number;
    updated: number;
    unchanged: number;
    importedBy: string | null;
  },
) {
  const row = await tx
    .insertInto('support_imports')
    .values({
      place_id: placeId,
      programme_id: v.programmeId,
      cohort_id: v.cohortId,
      setting_id: v.settingId,
      filename: v.filename,
      row_count: v.rows,
      created_count: v.created,
      updated_count: v.updated,
      unchanged_count: v.unchanged,
      imported_by: v.importedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The ranked list for review: identified children the viewer may see, most flags first, then by reference. */
export async function reviewList(
  db: Executor,
  viewer: SupportViewer,
  cohortId: string,
  settingId: string | undefined,
  page: { limit: number; offset: number },
) {
  let query = db
    .selectFrom('participants')
    .innerJoin('support_settings as s', 's.id', 'participants.setting_id')
    .where(visibleParticipants(viewer))
    .where('participants.cohort_id', '=', cohortId)
    .where('participants.status', '=', 'identified');
  if (settingId) query = query.where('participants.setting_id', '=', settingId);
  const [rows, count] = await Promise.all([
    query
      .select([
        'participants.id',
        'participants.reference',
        'participants.given_name',
        'participants.family_name',
        'participants.flag_count',
        'participants.flagged_domains',
        's.name as setting_name',
      ])
      .orderBy('participants.flag_count', 'desc')
      .orderBy('participants.reference')
      .orderBy('participants.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Settings of a cohort's programme the viewer may filter the review list by. */
export async function settingsOfCohort(db: Executor, placeId: string, cohortId: string) {
  return db
    .selectFrom('support_settings as s')
    .innerJoin('support_cohorts as c', 'c.programme_id', 's.programme_id')
    .select(['s.id', 's.name'])
    .where('s.place_id', '=', placeId)
    .where('c.id', '=', cohortId)
    .orderBy('s.name')
    .execute();
}

function participantQuery(db: Executor, viewer: SupportViewer) {
  return db
    .selectFrom('participants')
    .innerJoin('support_programmes as p', 'p.id', 'participants.programme_id')
    .innerJoin('support_cohorts as c', 'c.id', 'participants.cohort_id')
    .innerJoin('support_settings as s', 's.id', 'participants.setting_id')
    .leftJoin('support_teams as t', 't.id', 'participants.team_id')
    .leftJoin('users as w', 'w.id', 'participants.link_worker_id')
    .select([
      'participants.id',
      'participants.programme_id',
      'participants.cohort_id',
      'participants.setting_id',
      'participants.reference',
      'participants.given_name',
      'participants.family_name',
      'participants.date_of_birth',
      'participants.year_group',
      'participants.measures',
      'participants.flagged_domains',
      'participants.flag_count',
      'participants.status',
      'participants.decided_at',
      'participants.team_id',
      'participants.link_worker_id',
      'participants.exited_on',
      'p.name as programme_name',
      'c.name as cohort_name',
      's.name as setting_name',
      't.name as team_name',
      'w.name as link_worker_name',
    ])
    .where(visibleParticipants(viewer));
}

export async function findParticipant(db: Executor, viewer: SupportViewer, id: string) {
  return participantQuery(db, viewer).where('participants.id', '=', id).executeTakeFirst();
}

/** The participant's row locked for a change, only when the viewer may see it. */
export async function lockParticipant(tx: Transaction<DB>, viewer: SupportViewer, id: string) {
  return tx
    .selectFrom('participants')
    .select(['id', 'status', 'programme_id', 'team_id', 'link_worker_id', 'reference'])
    .where(visibleParticipants(viewer))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * The child's id, only when the viewer may see them. Every list of a child's record reads under this
 * condition, so a list asked for a child the viewer may not see is empty, whatever the caller checked.
 */
function visibleChild(viewer: SupportViewer, participantId: string) {
  return expressionBuilder<DB>()
    .selectFrom('participants')
    .select('participants.id')
    .where('participants.id', '=', participantId)
    .where(visibleParticipants(viewer));
}

/** A reviewer's decision: the row keeps only what the next stage needs (see participants.service). */
export async function recordDecision(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  to: 'approached' | 'not_taken_forward',
) {
  const minimised =
    to === 'not_taken_forward'
      ? {
          given_name: null,
          family_name: null,
          date_of_birth: null,
          year_group: null,
          measures: null,
          flagged_domains: null,
          flag_count: 0,
        }
      : { measures: null };
  await tx
    .updateTable('participants')
    .set({ ...minimised, status: to, decided_at: new Date(), updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function setStatus(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  to: ParticipantStatus,
  exitedOn: string | null,
) {
  await tx
    .updateTable('participants')
    .set({ status: to, updated_at: new Date(), ...(to === 'exited' ? { exited_on: exitedOn } : {}) })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function insertTransition(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    from: ParticipantStatus | null;
    to: ParticipantStatus;
    reason: string;
    actorId: string | null;
  },
) {
  await tx
    .insertInto('participant_transitions')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      from_status: v.from,
      to_status: v.to,
      reason: v.reason,
      actor_id: v.actorId,
    })
    .execute();
}

/** A child's changes of stage, oldest first, paged. */
export async function transitions(db: Executor, viewer: SupportViewer, participantId: string, page: Page) {
  const query = db
    .selectFrom('participant_transitions as tr')
    .where('tr.place_id', '=', viewer.placeId)
    .where('tr.participant_id', '=', participantId)
    .where('tr.participant_id', 'in', visibleChild(viewer, participantId));
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'tr.actor_id')
      .select([
        'tr.id',
        'tr.from_status',
        'tr.to_status',
        'tr.reason',
        'tr.occurred_at',
        'u.name as actor_name',
      ])
      .orderBy('tr.occurred_at')
      .orderBy('tr.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function assign(
  tx: Transaction<DB>,
  placeId: string,
  v: { participantId: string; teamId: string; linkWorkerId: string | null; assignedBy: string | null },
) {
  const now = new Date();
  await tx
    .updateTable('participant_assignments')
    .set({ ended_at: now })
    .where('place_id', '=', placeId)
    .where('participant_id', '=', v.participantId)
    .where('ended_at', 'is', null)
    .execute();
  await tx
    .insertInto('participant_assignments')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      team_id: v.teamId,
      link_worker_id: v.linkWorkerId,
      assigned_by: v.assignedBy,
    })
    .execute();
  await tx
    .updateTable('participants')
    .set({ team_id: v.teamId, link_worker_id: v.linkWorkerId, updated_at: now })
    .where('place_id', '=', placeId)
    .where('id', '=', v.participantId)
    .execute();
}

/** A child's assignments to teams and link workers, oldest first, paged. */
export async function assignments(db: Executor, viewer: SupportViewer, participantId: string, page: Page) {
  const query = db
    .selectFrom('participant_assignments as a')
    .where('a.place_id', '=', viewer.placeId)
    .where('a.participant_id', '=', participantId)
    .where('a.participant_id', 'in', visibleChild(viewer, participantId));
  const [rows, count] = await Promise.all([
    query
      .leftJoin('support_teams as t', 't.id', 'a.team_id')
      .leftJoin('users as w', 'w.id', 'a.link_worker_id')
      .leftJoin('users as b', 'b.id', 'a.assigned_by')
      .select([
        'a.id',
        'a.assigned_at',
        'a.ended_at',
        't.name as team_name',
        'w.name as link_worker_name',
        'b.name as assigned_by_name',
      ])
      .orderBy('a.assigned_at')
      .orderBy('a.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Teams of a programme the viewer belongs to, and every team's members, for assignment. */
export async function teamsWithMembers(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_teams as t')
    .leftJoin('support_team_members as m', 'm.team_id', 't.id')
    .leftJoin('users as u', 'u.id', 'm.user_id')
    .select(['t.id as team_id', 't.name as team_name', 'u.id as user_id', 'u.name as user_name'])
    .where('t.place_id', '=', placeId)
    .where('t.programme_id', '=', programmeId)
    .orderBy('t.name')
    .orderBy('u.name')
    .limit(1000)
    .execute();
}

/** The first team (by name) of a programme that the user belongs to, if any. */
export async function teamOfMember(db: Executor, placeId: string, programmeId: string, userId: string) {
  return db
    .selectFrom('support_teams as t')
    .innerJoin('support_team_members as m', 'm.team_id', 't.id')
    .select('t.id')
    .where('t.place_id', '=', placeId)
    .where('t.programme_id', '=', programmeId)
    .where('m.user_id', '=', userId)
    .orderBy('t.name')
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
}

export async function insertAgreement(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    givenBy: AgreementGiver;
    giverName: string;
    capacityJudgement: string;
    recordedBy: string | null;
  },
) {
  const row = await tx
    .insertInto('participant_agreements')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      given_by: v.givenBy,
      giver_name: v.giverName,
      capacity_judgement: v.capacityJudgement,
      recorded_by: v.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const agreementColumns = [
  'a.id',
  'a.given_by',
  'a.giver_name',
  'a.capacity_judgement',
  'a.recorded_at',
  'a.withdrawn_at',
  'a.withdrawal_reason',
  'r.name as recorded_by_name',
  'w.name as withdrawn_by_name',
] as const;

function agreementsOf(db: Executor, viewer: SupportViewer, participantId: string) {
  return db
    .selectFrom('participant_agreements as a')
    .where('a.place_id', '=', viewer.placeId)
    .where('a.participant_id', '=', participantId)
    .where('a.participant_id', 'in', visibleChild(viewer, participantId));
}

/** Every agreement recorded for a child, live or withdrawn, oldest first, paged. */
export async function agreements(db: Executor, viewer: SupportViewer, participantId: string, page: Page) {
  const query = agreementsOf(db, viewer, participantId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as r', 'r.id', 'a.recorded_by')
      .leftJoin('users as w', 'w.id', 'a.withdrawn_by')
      .select(agreementColumns)
      .orderBy('a.recorded_at')
      .orderBy('a.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Every live (not withdrawn) agreement of a child the viewer may see, oldest first: the ones a withdrawal can name. */
export async function liveAgreements(db: Executor, viewer: SupportViewer, participantId: string) {
  return agreementsOf(db, viewer, participantId)
    .leftJoin('users as r', 'r.id', 'a.recorded_by')
    .leftJoin('users as w', 'w.id', 'a.withdrawn_by')
    .select(agreementColumns)
    .where('a.withdrawn_at', 'is', null)
    .orderBy('a.recorded_at')
    .orderBy('a.id')
    .execute();
}

/** Whether a child the viewer may see has a live agreement (false for a child they may not see). */
export async function hasLiveAgreement(db: Executor, viewer: SupportViewer, participantId: string) {
  const row = await agreementsOf(db, viewer, participantId)
    .select('a.id')
    .where('a.withdrawn_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Withdraws an agreement and, in the same statement's transaction, every live sharing decision. */
export async function withdrawAgreement(
  tx: Transaction<DB>,
  placeId: string,
  v: { participantId: string; agreementId: string; reason: string; by: string | null },
) {
  const now = new Date();
  const withdrawn = await tx
    .updateTable('participant_agreements')
    .set({ withdrawn_at: now, withdrawn_by: v.by, withdrawal_reason: v.reason })
    .where('place_id', '=', placeId)
    .where('participant_id', '=', v.participantId)
    .where('id', '=', v.agreementId)
    .where('withdrawn_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!withdrawn) return undefined;
  const sharing = await tx
    .updateTable('participant_sharing_decisions')
    .set({ withdrawn_at: now, withdrawal_reason: 'Agreement to the service withdrawn' })
    .where('place_id', '=', placeId)
    .where('participant_id', '=', v.participantId)
    .where('withdrawn_at', 'is', null)
    .returning('id')
    .execute();
  return { sharingWithdrawn: sharing.map((s) => s.id) };
}

export async function insertLawfulBasis(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    purpose: string;
    basis: LawfulBasis;
    condition: string | null;
    recordedBy: string | null;
  },
) {
  const row = await tx
    .insertInto('participant_lawful_bases')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      purpose: v.purpose,
      basis: v.basis,
      special_category_condition: v.condition,
      recorded_by: v.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A child's lawful bases, oldest first, paged. */
export async function lawfulBases(db: Executor, viewer: SupportViewer, participantId: string, page: Page) {
  const query = db
    .selectFrom('participant_lawful_bases as b')
    .where('b.place_id', '=', viewer.placeId)
    .where('b.participant_id', '=', participantId)
    .where('b.participant_id', 'in', visibleChild(viewer, participantId));
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as r', 'r.id', 'b.recorded_by')
      .select([
        'b.id',
        'b.purpose',
        'b.basis',
        'b.special_category_condition',
        'b.recorded_at',
        'r.name as recorded_by_name',
      ])
      .orderBy('b.recorded_at')
      .orderBy('b.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function insertSharingDecision(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    organizationId: string;
    dataItems: string[];
    rationale: string;
    decidedBy: string | null;
  },
) {
  const row = await tx
    .insertInto('participant_sharing_decisions')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      organization_id: v.organizationId,
      data_items: JSON.stringify(v.dataItems),
      rationale: v.rationale,
      decided_by: v.decidedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A child's information-sharing decisions, live or withdrawn, oldest first, paged. */
export async function sharingDecisions(
  db: Executor,
  viewer: SupportViewer,
  participantId: string,
  page: Page,
) {
  const query = db
    .selectFrom('participant_sharing_decisions as d')
    .where('d.place_id', '=', viewer.placeId)
    .where('d.participant_id', '=', participantId)
    .where('d.participant_id', 'in', visibleChild(viewer, participantId));
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as r', 'r.id', 'd.decided_by')
      .select([
        'd.id',
        'd.organization_id',
        'd.data_items',
        'd.rationale',
        'd.decided_at',
        'd.withdrawn_at',
        'd.withdrawal_reason',
        'r.name as decided_by_name',
      ])
      .orderBy('d.decided_at')
      .orderBy('d.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/**
 * For the access log only: the pseudonymous reference and where the child belongs, never the record.
 * Place admins read this without the visibility condition because they see who viewed, not what.
 */
function labels(db: Executor, placeId: string) {
  return db
    .selectFrom('participants')
    .innerJoin('support_programmes as p', 'p.id', 'participants.programme_id')
    .innerJoin('support_cohorts as c', 'c.id', 'participants.cohort_id')
    .innerJoin('support_settings as s', 's.id', 'participants.setting_id')
    .select([
      'participants.id',
      'participants.reference',
      'p.name as programme_name',
      'c.name as cohort_name',
      's.name as setting_name',
    ])
    .where('participants.place_id', '=', placeId);
}

export async function participantLabel(db: Executor, placeId: string, id: string) {
  return labels(db, placeId).where('participants.id', '=', id).executeTakeFirst();
}

/** A page of the children with a reference (one per cohort and setting), in programme, cohort, setting order. */
export async function labelsByReference(db: Executor, placeId: string, reference: string, page: Page) {
  const [rows, count] = await Promise.all([
    labels(db, placeId)
      .where('participants.reference', '=', reference)
      .orderBy('p.name')
      .orderBy('c.name')
      .orderBy('s.name')
      .orderBy('participants.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('participants')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('participants.place_id', '=', placeId)
      .where('participants.reference', '=', reference)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

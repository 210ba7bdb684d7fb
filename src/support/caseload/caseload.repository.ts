import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { ContactKind, SupportProgrammeSafeguardingColumns } from '../plans/support-plans.table.ts';
import type { ParticipantStatus } from '../support.table.ts';
import { type SupportViewer, visibleParticipants } from '../support-policy.ts';

type Executor = Kysely<DB> | Transaction<DB>;
type Page = { limit: number; offset: number };

/** The stages in which a child is in someone's caseload. */
export const CASELOAD_STATUSES: ParticipantStatus[] = ['approached', 'agreed', 'enrolled', 'active'];

/** The programme row with the safeguarding lead column this feature's migration adds. */
const withLead = (db: Executor) => db.withTables<SupportProgrammeSafeguardingColumns>();

/** A participant the viewer may see (the one visibility condition), with what these pages need. */
export async function findVisible(db: Executor, viewer: SupportViewer, id: string) {
  return db
    .selectFrom('participants')
    .select([
      'participants.id',
      'participants.programme_id',
      'participants.reference',
      'participants.given_name',
      'participants.family_name',
      'participants.date_of_birth',
      'participants.status',
      'participants.team_id',
      'participants.link_worker_id',
    ])
    .where(visibleParticipants(viewer))
    .where('participants.id', '=', id)
    .executeTakeFirst();
}

/** The same, locked for a change in the caller's transaction. */
export async function lockVisible(tx: Transaction<DB>, viewer: SupportViewer, id: string) {
  return tx
    .selectFrom('participants')
    .select(['id', 'programme_id', 'reference', 'status', 'date_of_birth', 'team_id', 'link_worker_id'])
    .where(visibleParticipants(viewer))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** The caseload: children past review the viewer works with, with last contact, next review and concerns. */
export async function caseload(db: Executor, viewer: SupportViewer, page: Page) {
  const query = db
    .selectFrom('participants')
    .innerJoin('support_programmes as p', 'p.id', 'participants.programme_id')
    .leftJoin('support_teams as t', 't.id', 'participants.team_id')
    .leftJoin('support_plans as sp', (join) =>
      join.onRef('sp.participant_id', '=', 'participants.id').on('sp.place_id', '=', viewer.placeId),
    )
    .where(visibleParticipants(viewer))
    .where('participants.status', 'in', CASELOAD_STATUSES);
  const [rows, count] = await Promise.all([
    query
      .select((eb) => [
        'participants.id',
        'participants.reference',
        'participants.given_name',
        'participants.family_name',
        'participants.status',
        'participants.link_worker_id',
        'p.name as programme_name',
        't.name as team_name',
        'sp.next_review_on',
        eb
          .selectFrom('participant_contacts as pc')
          .select((e) => e.fn.max('pc.contact_on').as('last'))
          .where('pc.place_id', '=', viewer.placeId)
          .whereRef('pc.participant_id', '=', 'participants.id')
          .as('last_contact_on'),
        eb
          .exists(
            eb
              .selectFrom('safeguarding_concerns as sc')
              .select('sc.id')
              .where('sc.place_id', '=', viewer.placeId)
              .whereRef('sc.participant_id', '=', 'participants.id')
              .where('sc.resolved_at', 'is', null),
          )
          .as('open_concern'),
      ])
      .orderBy('participants.family_name')
      .orderBy('participants.given_name')
      .orderBy('participants.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Each programme where the worker holds children: how many, and the programme's limit. */
export async function loadsOf(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('participants as pa')
    .innerJoin('support_programmes as p', 'p.id', 'pa.programme_id')
    .select((eb) => [
      'p.id as programme_id',
      'p.name as programme_name',
      'p.caseload_limit',
      eb.fn.countAll<string>().as('n'),
    ])
    .where('pa.place_id', '=', placeId)
    .where('pa.link_worker_id', '=', userId)
    .where('pa.status', 'in', CASELOAD_STATUSES)
    .groupBy(['p.id', 'p.name', 'p.caseload_limit'])
    .orderBy('p.name')
    .execute();
}

/** How many children a worker holds in a programme, not counting one child (the one being assigned). */
export async function loadInProgramme(
  db: Executor,
  placeId: string,
  programmeId: string,
  userId: string,
  exceptParticipantId: string,
) {
  const row = await db
    .selectFrom('participants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .where('link_worker_id', '=', userId)
    .where('status', 'in', CASELOAD_STATUSES)
    .where('id', '!=', exceptParticipantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function programmeOf(db: Executor, placeId: string, programmeId: string) {
  return withLead(db)
    .selectFrom('support_programmes')
    .select(['id', 'name', 'caseload_limit', 'safeguarding_lead_id'])
    .where('place_id', '=', placeId)
    .where('id', '=', programmeId)
    .executeTakeFirst();
}

export async function setSafeguardingLead(
  tx: Transaction<DB>,
  placeId: string,
  programmeId: string,
  leadId: string | null,
) {
  await withLead(tx)
    .updateTable('support_programmes')
    .set({ safeguarding_lead_id: leadId, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', programmeId)
    .execute();
}

/** Teams of a programme and their members, to check an assignee. */
export async function teamMembers(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_teams as t')
    .leftJoin('support_team_members as m', 'm.team_id', 't.id')
    .select(['t.id as team_id', 'm.user_id'])
    .where('t.place_id', '=', placeId)
    .where('t.programme_id', '=', programmeId)
    .limit(1000)
    .execute();
}

/** Ends the current assignment and starts a new one with its reason; the participant row follows. */
export async function reassign(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    teamId: string;
    linkWorkerId: string | null;
    assignedBy: string | null;
    reason: string;
    overLimit: boolean;
  },
) {
  const now = new Date();
  await tx
    .updateTable('participant_assignments')
    .set({ ended_at: now })
    .where('place_id', '=', placeId)
    .where('participant_id', '=', v.participantId)
    .where('ended_at', 'is', null)
    .execute();
  const row = await tx
    .insertInto('participant_assignments')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      team_id: v.teamId,
      link_worker_id: v.linkWorkerId,
      assigned_by: v.assignedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('participant_assignment_reasons')
    .values({ assignment_id: row.id, place_id: placeId, reason: v.reason, over_limit: v.overLimit })
    .execute();
  await tx
    .updateTable('participants')
    .set({ team_id: v.teamId, link_worker_id: v.linkWorkerId, updated_at: now })
    .where('place_id', '=', placeId)
    .where('id', '=', v.participantId)
    .execute();
  return row.id;
}

/** Every assignment of a child, newest first, each with the one before it (from → to), who and why. */
export async function assignmentHistory(db: Executor, placeId: string, participantId: string, page: Page) {
  const query = db
    .selectFrom('participant_assignments as a')
    .where('a.place_id', '=', placeId)
    .where('a.participant_id', '=', participantId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('support_teams as t', 't.id', 'a.team_id')
      .leftJoin('users as w', 'w.id', 'a.link_worker_id')
      .leftJoin('users as b', 'b.id', 'a.assigned_by')
      .leftJoin('participant_assignment_reasons as r', 'r.assignment_id', 'a.id')
      .select([
        'a.id',
        'a.assigned_at',
        'a.ended_at',
        't.name as team_name',
        'w.name as link_worker_name',
        'b.name as assigned_by_name',
        'r.reason',
        'r.over_limit',
        sql<string | null>`lag(t.name) over (order by a.assigned_at, a.id)`.as('from_team_name'),
        sql<string | null>`lag(w.name) over (order by a.assigned_at, a.id)`.as('from_link_worker_name'),
      ])
      .orderBy('a.assigned_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function insertContact(
  tx: Transaction<DB>,
  placeId: string,
  v: { participantId: string; on: string; kind: ContactKind; notes: string; by: string | null },
) {
  const row = await tx
    .insertInto('participant_contacts')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      contact_on: v.on,
      kind: v.kind,
      notes: v.notes,
      recorded_by: v.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function contacts(db: Executor, placeId: string, participantId: string, page: Page) {
  const query = db
    .selectFrom('participant_contacts as c')
    .where('c.place_id', '=', placeId)
    .where('c.participant_id', '=', participantId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'c.recorded_by')
      .select(['c.id', 'c.contact_on', 'c.kind', 'c.notes', 'c.recorded_at', 'u.name as recorded_by_name'])
      .orderBy('c.contact_on', 'desc')
      .orderBy('c.recorded_at', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function insertConcern(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    programmeId: string;
    summary: string;
    by: string | null;
    leadId: string | null;
  },
) {
  const row = await tx
    .insertInto('safeguarding_concerns')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      programme_id: v.programmeId,
      summary: v.summary,
      raised_by: v.by,
      lead_id: v.leadId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function markLeadEmailed(db: Executor, placeId: string, concernId: string) {
  await db
    .updateTable('safeguarding_concerns')
    .set({ lead_emailed_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', concernId)
    .execute();
}

export async function userContact(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

function concernQuery(db: Executor, placeId: string) {
  return db
    .selectFrom('safeguarding_concerns as sc')
    .innerJoin('participants', 'participants.id', 'sc.participant_id')
    .leftJoin('users as r', 'r.id', 'sc.raised_by')
    .leftJoin('users as v', 'v.id', 'sc.resolved_by')
    .leftJoin('users as l', 'l.id', 'sc.lead_id')
    .select([
      'sc.id',
      'sc.participant_id',
      'sc.summary',
      'sc.raised_at',
      'sc.lead_emailed_at',
      'sc.resolved_at',
      'sc.resolution',
      'r.name as raised_by_name',
      'v.name as resolved_by_name',
      'l.name as lead_name',
      'participants.reference',
      'participants.given_name',
      'participants.family_name',
    ])
    .where('sc.place_id', '=', placeId);
}

export async function concernsOf(db: Executor, placeId: string, participantId: string, page: Page) {
  const [rows, count] = await Promise.all([
    concernQuery(db, placeId)
      .where('sc.participant_id', '=', participantId)
      .orderBy('sc.raised_at', 'desc')
      .orderBy('sc.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('safeguarding_concerns')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .where('participant_id', '=', participantId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/**
 * A concern the viewer may read: its child is visible to them (the one visibility condition), or they are
 * the designated safeguarding lead of the child's programme now. The lead reaches the concern, not the
 * child's whole record.
 */
export async function findConcern(
  db: Executor,
  viewer: SupportViewer,
  leadUserId: string | null,
  concernId: string,
  lock = false,
) {
  let query = concernQuery(db, viewer.placeId)
    .select('sc.programme_id')
    .where('sc.id', '=', concernId)
    .where((eb) => {
      const ors = [
        eb(
          'sc.participant_id',
          'in',
          db.selectFrom('participants').select('participants.id').where(visibleParticipants(viewer)),
        ),
      ];
      if (leadUserId)
        ors.push(
          eb(
            'sc.programme_id',
            'in',
            withLead(db)
              .selectFrom('support_programmes as lp')
              .select('lp.id')
              .where('lp.place_id', '=', viewer.placeId)
              .where('lp.safeguarding_lead_id', '=', leadUserId),
          ),
        );
      return eb.or(ors);
    });
  if (lock) query = query.forUpdate('sc');
  return query.executeTakeFirst();
}

export async function resolveConcern(
  tx: Transaction<DB>,
  placeId: string,
  concernId: string,
  v: { by: string | null; resolution: string },
) {
  const row = await tx
    .updateTable('safeguarding_concerns')
    .set({ resolved_at: new Date(), resolved_by: v.by, resolution: v.resolution })
    .where('place_id', '=', placeId)
    .where('id', '=', concernId)
    .where('resolved_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Open concerns in the programmes the person is the designated safeguarding lead of. */
export async function openConcernsForLead(db: Executor, placeId: string, leadUserId: string, page: Page) {
  const programmes = withLead(db)
    .selectFrom('support_programmes as lp')
    .select('lp.id')
    .where('lp.place_id', '=', placeId)
    .where('lp.safeguarding_lead_id', '=', leadUserId);
  const [rows, count] = await Promise.all([
    concernQuery(db, placeId)
      .where('sc.resolved_at', 'is', null)
      .where('sc.programme_id', 'in', programmes)
      .orderBy('sc.raised_at', 'desc')
      .orderBy('sc.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('safeguarding_concerns as sc')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('sc.place_id', '=', placeId)
      .where('sc.resolved_at', 'is', null)
      .where('sc.programme_id', 'in', programmes)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

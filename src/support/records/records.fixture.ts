import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { TestApp } from '../../testing/harness.ts';
import type { ParticipantStatus } from '../support.table.ts';

/** A programme with a setting, cohort, team, a link worker, a parent account, a partner and a measure. */
export async function recordsSetup(t: TestApp, placeId: string, suffix = '') {
  const db = t.database.db;
  const workerId = await t.createUser({
    email: `leah${suffix}@example.test`,
    name: 'Leah Brennan',
    roles: [{ placeId, role: 'link_worker' }],
  });
  const parentId = await t.createUser({ email: `pam${suffix}@example.test`, name: 'Pam Okoro' });
  const org = await db
    .insertInto('organizations')
    .values({ place_id: placeId, name: 'Riverside Youth Trust', kind: 'charity' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const service = await db
    .insertInto('services')
    .values({ place_id: placeId, organization_id: org.id, name: 'Mentoring' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const programme = await db
    .insertInto('support_programmes')
    .values({
      place_id: placeId,
      name: 'Riverside Zone',
      starts_on: '2020-09-01',
      ends_on: '2028-07-31',
      retention_years: 7,
      caseload_limit: 20,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const setting = await db
    .insertInto('support_settings')
    .values({ place_id: placeId, programme_id: programme.id, name: 'Northbank Academy', kind: 'school' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cohort = await db
    .insertInto('support_cohorts')
    .values({
      place_id: placeId,
      programme_id: programme.id,
      name: 'Year 7',
      year_group: 7,
      intake_year: 2020,
      life_stage: 'secondary',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const team = await db
    .insertInto('support_teams')
    .values({ place_id: placeId, programme_id: programme.id, name: 'North team', lead_user_id: workerId })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('support_team_members')
    .values({ place_id: placeId, team_id: team.id, user_id: workerId })
    .execute();
  const indicator = await db
    .insertInto('support_outcome_indicators')
    .values({
      place_id: placeId,
      name: 'Wellbeing (SWEMWBS)',
      instrument: 'SWEMWBS',
      scale_min: '7',
      scale_max: '35',
      threshold: '20',
      direction: 'higher',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    placeId,
    workerId,
    parentId,
    organizationId: org.id,
    serviceId: service.id,
    programmeId: programme.id,
    settingId: setting.id,
    cohortId: cohort.id,
    teamId: team.id,
    indicatorId: indicator.id,
  };
}

export type RecordsSetup = Awaited<ReturnType<typeof recordsSetup>>;

/**
 * A child with at least one row in every table that holds a child's data, written directly, so that the
 * coverage tests can prove the export and the erasure reach each of them.
 */
export async function childWithEverything(
  db: Database,
  s: RecordsSetup,
  child: {
    reference: string;
    givenName: string;
    familyName: string;
    status?: ParticipantStatus;
    exitedOn?: string | null;
    decidedAt?: Date | null;
    legalHold?: boolean;
    parentLinked?: boolean;
  },
) {
  const p = s.placeId;
  const participant = await db
    .insertInto('participants')
    .values({
      place_id: p,
      programme_id: s.programmeId,
      cohort_id: s.cohortId,
      setting_id: s.settingId,
      reference: child.reference,
      given_name: child.givenName,
      family_name: child.familyName,
      date_of_birth: '2009-03-14',
      year_group: 7,
      flagged_domains: JSON.stringify(['attendance', 'wellbeing']),
      flag_count: 2,
      status: child.status ?? 'active',
      decided_at: child.decidedAt ?? new Date('2020-10-01T10:00:00Z'),
      team_id: s.teamId,
      link_worker_id: s.workerId,
      exited_on: child.exitedOn ?? null,
      legal_hold: child.legalHold ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = participant.id;
  await db
    .insertInto('participant_transitions')
    .values({
      place_id: p,
      participant_id: id,
      from_status: 'identified',
      to_status: 'approached',
      actor_id: s.workerId,
    })
    .execute();
  const assignment = await db
    .insertInto('participant_assignments')
    .values({
      place_id: p,
      participant_id: id,
      team_id: s.teamId,
      link_worker_id: s.workerId,
      assigned_by: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('participant_assignment_reasons')
    .values({ assignment_id: assignment.id, place_id: p, reason: `Lives near ${child.givenName}’s school` })
    .execute();
  await db
    .insertInto('participant_agreements')
    .values({
      place_id: p,
      participant_id: id,
      given_by: 'parent_carer',
      giver_name: 'Pam Okoro',
      capacity_judgement: 'Parental responsibility.',
      recorded_by: s.workerId,
    })
    .execute();
  await db
    .insertInto('participant_lawful_bases')
    .values({
      place_id: p,
      participant_id: id,
      purpose: 'Link worker support',
      basis: 'public_task',
      special_category_condition: null,
      recorded_by: s.workerId,
    })
    .execute();
  const sharing = await db
    .insertInto('participant_sharing_decisions')
    .values({
      place_id: p,
      participant_id: id,
      organization_id: s.organizationId,
      data_items: JSON.stringify(['name', 'support_plan']),
      rationale: 'Mentoring needs the goals.',
      decided_by: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('participant_contacts')
    .values({
      place_id: p,
      participant_id: id,
      contact_on: '2021-02-03',
      kind: 'visit',
      notes: `Met ${child.givenName} at home.`,
      recorded_by: s.workerId,
    })
    .execute();
  const concern = await db
    .insertInto('safeguarding_concerns')
    .values({
      place_id: p,
      participant_id: id,
      programme_id: s.programmeId,
      summary: `Worried about ${child.givenName}.`,
      raised_by: s.workerId,
      lead_id: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('notifications')
    .values({
      place_id: p,
      user_id: s.workerId,
      kind: 'safeguarding_concern',
      title: 'A safeguarding concern has been raised',
      body: '',
      read_at: null,
      emailed_at: null,
      link: `/places/riverside/support/safeguarding/${concern.id}`,
    })
    .execute();
  const plan = await db
    .insertInto('support_plans')
    .values({ place_id: p, participant_id: id, current_version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const goalId = randomUUID();
  await db
    .insertInto('support_plan_versions')
    .values({
      place_id: p,
      plan_id: plan.id,
      version: 1,
      content: JSON.stringify({
        goals: [{ id: goalId, text: `${child.givenName} wants to join the football team` }],
        components: [],
        actions: [{ id: randomUUID(), text: 'Find a club', owner: 'Leah', dueOn: '2021-03-01', done: false }],
        reviewDates: ['2021-06-01'],
      }),
      change_summary: 'First version',
      changed_by: s.workerId,
    })
    .execute();
  await db
    .insertInto('support_goal_ratings')
    .values({
      place_id: p,
      plan_id: plan.id,
      goal_id: goalId,
      rating: 4,
      rated_by: s.workerId,
      rated_as: 'link_worker',
    })
    .execute();
  await db
    .insertInto('support_plan_comments')
    .values({
      place_id: p,
      plan_id: plan.id,
      version: 1,
      author_id: s.workerId,
      author_as: 'link_worker',
      body: 'Good start.',
    })
    .execute();
  const linked = child.parentLinked ?? true;
  const family = await db
    .insertInto('family_members')
    .values({
      place_id: p,
      participant_id: id,
      email: `family-${child.reference.toLowerCase()}@example.test`,
      user_id: linked ? s.parentId : null,
      relationship: 'parent_carer',
      token_hash: linked ? null : `hash-${child.reference}`,
      invited_by: s.workerId,
      accepted_at: linked ? new Date('2021-01-10T09:00:00Z') : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('support_plan_signoffs')
    .values({
      place_id: p,
      plan_id: plan.id,
      version: 1,
      family_member_id: family.id,
      signed_by: linked ? s.parentId : null,
    })
    .execute();
  const referral = await db
    .insertInto('support_referrals')
    .values({
      place_id: p,
      participant_id: id,
      organization_id: s.organizationId,
      service_id: s.serviceId,
      service_name: 'Mentoring',
      status: 'accepted',
      note: 'Would enjoy mentoring.',
      data_items: JSON.stringify(['name']),
      sharing_decision_id: sharing.id,
      referred_by: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const session = await db
    .insertInto('support_sessions')
    .values({
      place_id: p,
      organization_id: s.organizationId,
      service_id: s.serviceId,
      service_name: 'Mentoring',
      run_by: 'organisation',
      kind: 'one_to_one',
      title: `Mentoring with ${child.givenName}`,
      held_on: '2021-04-01',
      starts_at: '16:00',
      duration_minutes: 60,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('support_session_attendees')
    .values({
      place_id: p,
      session_id: session.id,
      participant_id: id,
      referral_id: referral.id,
      status: 'present',
    })
    .execute();
  await db
    .insertInto('support_outcome_observations')
    .values({
      place_id: p,
      participant_id: id,
      indicator_id: s.indicatorId,
      stage: 'baseline',
      value: '18',
      observed_on: '2021-01-15',
      recorded_by: s.workerId,
    })
    .execute();
  await db
    .insertInto('participant_legal_holds')
    .values({
      place_id: p,
      participant_id: id,
      reason: 'A complaint was open.',
      set_by: s.workerId,
      ...(child.legalHold
        ? {}
        : { lifted_at: new Date('2022-01-01T00:00:00Z'), lift_reason: 'Complaint closed.' }),
    })
    .execute();
  await db
    .insertInto('participant_subject_access_requests')
    .values({ place_id: p, participant_id: id, reason: 'SAR-2021-001', requested_by: s.workerId })
    .execute();
  await db
    .insertInto('audit_events')
    .values({
      action: 'participant.viewed',
      subject_type: 'participant',
      subject_id: id,
      place_id: p,
      actor_id: s.workerId,
      details: JSON.stringify({ roles: ['link_worker'] }),
    })
    .execute();
  return {
    id,
    planId: plan.id,
    assignmentId: assignment.id,
    familyMemberId: family.id,
    sessionId: session.id,
    concernId: concern.id,
  };
}

/** Tables with a participant_id column (and participants itself), as the database itself lists them. */
export async function participantTables(db: Database): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    SELECT DISTINCT table_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'participant_id'
    ORDER BY table_name
  `.execute(db);
  return ['participants', ...rows.map((r) => r.table_name)];
}

/**
 * Tables without a participant_id that hang off one that has it (a plan's versions, an assignment's
 * reason): found from the foreign keys, each with the column and the key it points at.
 */
export async function dependentTables(db: Database, holding: readonly string[]) {
  const { rows } = await sql<{ child: string; column: string; parent: string; parent_column: string }>`
    SELECT c.conrelid::regclass::text AS child, a.attname AS column,
           c.confrelid::regclass::text AS parent, pa.attname AS parent_column
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1
    ORDER BY 1, 2
  `.execute(db);
  return rows.filter((r) => holding.includes(r.parent) && !holding.includes(r.child));
}

/** How many rows of `table` belong to the child, directly or through the foreign key given. */
export async function rowsOfChild(
  db: Database,
  table: string,
  participantId: string,
  via?: { column: string; parent: string; parentColumn: string },
): Promise<number> {
  const t = sql.table(table);
  const query = !via
    ? table === 'participants'
      ? sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE id = ${participantId}`
      : sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE participant_id = ${participantId}`
    : via.parent === 'participants'
      ? sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE ${sql.ref(via.column)} = ${participantId}`
      : sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE ${sql.ref(via.column)} IN (
          SELECT ${sql.ref(via.parentColumn)} FROM ${sql.table(via.parent)} WHERE participant_id = ${participantId})`;
  const { rows } = await query.execute(db);
  return Number(rows[0]!.n);
}

import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { IndicatorDirection, IndicatorDomain, LifeStage, SettingKind } from '../support.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;
type Page = { limit: number; offset: number };

export interface ProgrammeValues {
  name: string;
  summary: string;
  startsOn: string;
  endsOn: string;
  retentionYears: number;
  caseloadLimit: number;
}

const programmeColumns = [
  'id',
  'name',
  'summary',
  'starts_on',
  'ends_on',
  'retention_years',
  'caseload_limit',
] as const;

export async function listProgrammes(db: Executor, placeId: string, page: { limit: number; offset: number }) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('support_programmes')
      .select(programmeColumns)
      .where('place_id', '=', placeId)
      .orderBy('starts_on', 'desc')
      .orderBy('name')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('support_programmes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findProgramme(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('support_programmes')
    .select(programmeColumns)
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function programmeNameTaken(db: Executor, placeId: string, name: string, exceptId?: string) {
  let query = db
    .selectFrom('support_programmes')
    .select('id')
    .where('place_id', '=', placeId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertProgramme(tx: Transaction<DB>, placeId: string, v: ProgrammeValues) {
  const row = await tx
    .insertInto('support_programmes')
    .values({
      place_id: placeId,
      name: v.name,
      summary: v.summary,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      retention_years: v.retentionYears,
      caseload_limit: v.caseloadLimit,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateProgramme(tx: Transaction<DB>, placeId: string, id: string, v: ProgrammeValues) {
  await tx
    .updateTable('support_programmes')
    .set({
      name: v.name,
      summary: v.summary,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      retention_years: v.retentionYears,
      caseload_limit: v.caseloadLimit,
      updated_at: new Date(),
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

const settingColumns = ['id', 'name', 'kind', 'organization_id'] as const;

function settingsOf(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_settings')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId);
}

export async function listSettings(db: Executor, placeId: string, programmeId: string, page: Page) {
  const [rows, count] = await Promise.all([
    settingsOf(db, placeId, programmeId)
      .select(settingColumns)
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    settingsOf(db, placeId, programmeId)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Every setting of the programme, for choosing one on a form: a choice must offer all of them. */
export async function allSettings(db: Executor, placeId: string, programmeId: string) {
  return settingsOf(db, placeId, programmeId).select(settingColumns).orderBy('name').orderBy('id').execute();
}

export async function findSetting(db: Executor, placeId: string, programmeId: string, id: string) {
  return settingsOf(db, placeId, programmeId).select(settingColumns).where('id', '=', id).executeTakeFirst();
}

export async function insertSetting(
  tx: Transaction<DB>,
  placeId: string,
  programmeId: string,
  v: { name: string; kind: SettingKind; organizationId: string | null },
) {
  const row = await tx
    .insertInto('support_settings')
    .values({
      place_id: placeId,
      programme_id: programmeId,
      name: v.name,
      kind: v.kind,
      organization_id: v.organizationId,
    })
    .onConflict((oc) => oc.columns(['programme_id', 'name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

const cohortColumns = ['id', 'programme_id', 'name', 'year_group', 'intake_year', 'life_stage'] as const;

function cohortsOf(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_cohorts')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId);
}

export async function listCohorts(db: Executor, placeId: string, programmeId: string, page: Page) {
  const [rows, count] = await Promise.all([
    cohortsOf(db, placeId, programmeId)
      .select(cohortColumns)
      .orderBy('intake_year', 'desc')
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    cohortsOf(db, placeId, programmeId)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Every cohort of the programme, for choosing one on a form. */
export async function allCohorts(db: Executor, placeId: string, programmeId: string) {
  return cohortsOf(db, placeId, programmeId)
    .select(cohortColumns)
    .orderBy('intake_year', 'desc')
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function findCohort(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('support_cohorts')
    .select(cohortColumns)
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertCohort(
  tx: Transaction<DB>,
  placeId: string,
  programmeId: string,
  v: { name: string; yearGroup: number; intakeYear: number; lifeStage: LifeStage },
) {
  const row = await tx
    .insertInto('support_cohorts')
    .values({
      place_id: placeId,
      programme_id: programmeId,
      name: v.name,
      year_group: v.yearGroup,
      intake_year: v.intakeYear,
      life_stage: v.lifeStage,
    })
    .onConflict((oc) => oc.columns(['programme_id', 'name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function listTeams(db: Executor, placeId: string, programmeId: string, page: Page) {
  const teamsOf = db
    .selectFrom('support_teams as t')
    .where('t.place_id', '=', placeId)
    .where('t.programme_id', '=', programmeId);
  const [teams, count] = await Promise.all([
    teamsOf
      .leftJoin('users as u', 'u.id', 't.lead_user_id')
      .select(['t.id', 't.name', 't.lead_user_id', 'u.name as lead_name'])
      .orderBy('t.name')
      .orderBy('t.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    teamsOf.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const members =
    teams.length === 0
      ? []
      : await db
          .selectFrom('support_team_members as m')
          .innerJoin('users as u', 'u.id', 'm.user_id')
          .select(['m.team_id', 'u.id', 'u.name'])
          .where('m.place_id', '=', placeId)
          .where(
            'm.team_id',
            'in',
            teams.map((t) => t.id),
          )
          .orderBy('u.name')
          .execute();
  return {
    rows: teams.map((t) => ({ ...t, members: members.filter((m) => m.team_id === t.id) })),
    total: Number(count.n),
  };
}

export async function findTeam(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('support_teams')
    .select(['id', 'programme_id', 'name', 'lead_user_id'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertTeam(
  tx: Transaction<DB>,
  placeId: string,
  programmeId: string,
  v: { name: string; leadUserId: string },
) {
  const row = await tx
    .insertInto('support_teams')
    .values({ place_id: placeId, programme_id: programmeId, name: v.name, lead_user_id: v.leadUserId })
    .onConflict((oc) => oc.columns(['programme_id', 'name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function addTeamMember(tx: Transaction<DB>, placeId: string, teamId: string, userId: string) {
  const row = await tx
    .insertInto('support_team_members')
    .values({ place_id: placeId, team_id: teamId, user_id: userId })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

function linkWorkers(db: Executor, placeId: string) {
  return db
    .selectFrom('place_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .where('r.place_id', '=', placeId)
    .where('r.role', '=', 'link_worker')
    .where('u.deleted_at', 'is', null);
}

/** Everyone holding the link worker role in the place, for team selects: a choice must offer all of them. */
export async function linkWorkersOfPlace(db: Executor, placeId: string) {
  return linkWorkers(db, placeId).select(['u.id', 'u.name']).orderBy('u.name').orderBy('u.id').execute();
}

export async function isLinkWorker(db: Executor, placeId: string, userId: string) {
  const row = await linkWorkers(db, placeId).select('u.id').where('u.id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

const indicatorColumns = ['id', 'domain', 'column_name', 'label', 'direction', 'threshold'] as const;

function indicatorsOf(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_indicators')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId);
}

export async function listIndicators(db: Executor, placeId: string, programmeId: string, page: Page) {
  const [rows, count] = await Promise.all([
    indicatorsOf(db, placeId, programmeId)
      .select(indicatorColumns)
      .orderBy('domain')
      .orderBy('column_name')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    indicatorsOf(db, placeId, programmeId)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Every indicator of the programme: flagging a child must apply each one. */
export async function allIndicators(db: Executor, placeId: string, programmeId: string) {
  return indicatorsOf(db, placeId, programmeId)
    .select(indicatorColumns)
    .orderBy('domain')
    .orderBy('column_name')
    .execute();
}

export async function insertIndicator(
  tx: Transaction<DB>,
  placeId: string,
  programmeId: string,
  v: {
    domain: IndicatorDomain;
    columnName: string;
    label: string;
    direction: IndicatorDirection;
    threshold: string | null;
  },
) {
  const row = await tx
    .insertInto('support_indicators')
    .values({
      place_id: placeId,
      programme_id: programmeId,
      domain: v.domain,
      column_name: v.columnName,
      label: v.label,
      direction: v.direction,
      threshold: v.threshold,
    })
    .onConflict((oc) => oc.columns(['programme_id', 'column_name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function deleteIndicator(tx: Transaction<DB>, placeId: string, programmeId: string, id: string) {
  const row = await tx
    .deleteFrom('support_indicators')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .where('id', '=', id)
    .returning(['id', 'column_name'])
    .executeTakeFirst();
  return row;
}

/** Import summaries, newest first: counts only, never a child. */
export async function listImports(db: Executor, placeId: string, programmeId: string, page: Page) {
  const importsOf = db
    .selectFrom('support_imports as i')
    .where('i.place_id', '=', placeId)
    .where('i.programme_id', '=', programmeId);
  const [rows, count] = await Promise.all([
    importsOf
      .innerJoin('support_cohorts as c', 'c.id', 'i.cohort_id')
      .innerJoin('support_settings as s', 's.id', 'i.setting_id')
      .leftJoin('users as u', 'u.id', 'i.imported_by')
      .select([
        'i.id',
        'i.filename',
        'i.row_count',
        'i.created_count',
        'i.updated_count',
        'i.unchanged_count',
        'i.imported_at',
        'c.name as cohort_name',
        's.name as setting_name',
        'u.name as imported_by_name',
      ])
      .orderBy('i.imported_at', 'desc')
      .orderBy('i.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    importsOf.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Cohorts (with their programme) a reviewer can review: through their teams, or their settings' organisations. */
export async function reviewableCohorts(
  db: Executor,
  placeId: string,
  userId: string,
  linkWorker: boolean,
  organizationIds: readonly string[],
  page: { limit: number; offset: number },
) {
  if (!linkWorker && organizationIds.length === 0) return { rows: [], total: 0 };
  const query = db
    .selectFrom('support_cohorts as c')
    .innerJoin('support_programmes as p', 'p.id', 'c.programme_id')
    .where('c.place_id', '=', placeId)
    .where((eb) => {
      const ors = [];
      if (linkWorker) {
        ors.push(
          eb(
            'c.programme_id',
            'in',
            eb
              .selectFrom('support_team_members as m')
              .innerJoin('support_teams as t', 't.id', 'm.team_id')
              .select('t.programme_id')
              .where('m.place_id', '=', placeId)
              .where('m.user_id', '=', userId),
          ),
        );
      }
      if (organizationIds.length > 0) {
        ors.push(
          eb(
            'c.programme_id',
            'in',
            eb
              .selectFrom('support_settings as s')
              .select('s.programme_id')
              .where('s.place_id', '=', placeId)
              .where('s.organization_id', 'in', [...organizationIds]),
          ),
        );
      }
      return eb.or(ors);
    });
  const [rows, count] = await Promise.all([
    query
      .select(['c.id', 'c.name', 'p.id as programme_id', 'p.name as programme_name'])
      .orderBy('p.name')
      .orderBy('c.name')
      .orderBy('c.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

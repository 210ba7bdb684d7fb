import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { ObservationStage, OutcomeDirection } from './outcomes.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function listIndicators(db: Executor, placeId: string, page: { limit: number; offset: number }) {
  const query = db.selectFrom('support_outcome_indicators').where('place_id', '=', placeId);
  const [rows, count] = await Promise.all([
    query
      .select([
        'id',
        'name',
        'instrument',
        'scale_min',
        'scale_max',
        'threshold',
        'direction',
        'licence_note',
      ])
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findIndicator(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('support_outcome_indicators')
    .select(['id', 'name', 'instrument', 'scale_min', 'scale_max', 'threshold', 'direction', 'licence_note'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function indicatorNameTaken(db: Executor, placeId: string, name: string) {
  const row = await db
    .selectFrom('support_outcome_indicators')
    .select('id')
    .where('place_id', '=', placeId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertIndicator(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    name: string;
    instrument: string;
    scaleMin: number;
    scaleMax: number;
    threshold: number;
    direction: OutcomeDirection;
    licenceNote: string;
  },
) {
  const row = await tx
    .insertInto('support_outcome_indicators')
    .values({
      place_id: placeId,
      name: v.name,
      instrument: v.instrument,
      scale_min: String(v.scaleMin),
      scale_max: String(v.scaleMax),
      threshold: String(v.threshold),
      direction: v.direction,
      licence_note: v.licenceNote,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A page of a child's observations, by indicator then date; the total counts every one. What is worked out
 * per indicator comes from `observationSummaries`, which reads all of them.
 */
export async function observationsOf(
  db: Executor,
  placeId: string,
  participantId: string,
  page: { limit: number; offset: number },
) {
  const query = db
    .selectFrom('support_outcome_observations as ob')
    .innerJoin('support_outcome_indicators as i', 'i.id', 'ob.indicator_id')
    .where('ob.place_id', '=', placeId)
    .where('ob.participant_id', '=', participantId);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('users as u', 'u.id', 'ob.recorded_by')
      .select([
        'ob.id',
        'ob.indicator_id',
        'ob.stage',
        'ob.value',
        'ob.observed_on',
        'ob.recorded_at',
        'i.name as indicator_name',
        'i.direction',
        'i.threshold',
        'u.name as recorded_by_name',
      ])
      .orderBy('i.name')
      .orderBy('i.id')
      .orderBy('ob.observed_on')
      .orderBy('ob.recorded_at')
      .orderBy('ob.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/**
 * Per indicator of a child (those named), from every observation rather than a page of them: how many there
 * are, and the baseline and exit values (at most one of each, by a unique index).
 */
export async function observationSummaries(
  db: Executor,
  placeId: string,
  participantId: string,
  indicatorIds: readonly string[],
) {
  if (indicatorIds.length === 0) return [];
  return db
    .selectFrom('support_outcome_observations as ob')
    .select([
      'ob.indicator_id',
      (eb) => eb.fn.countAll<string>().as('n'),
      sql<string | null>`max(ob.value) FILTER (WHERE ob.stage = 'baseline')`.as('baseline'),
      sql<string | null>`max(ob.value) FILTER (WHERE ob.stage = 'exit')`.as('exit'),
    ])
    .where('ob.place_id', '=', placeId)
    .where('ob.participant_id', '=', participantId)
    .where('ob.indicator_id', 'in', [...indicatorIds])
    .groupBy('ob.indicator_id')
    .execute();
}

export async function hasObservation(
  db: Executor,
  placeId: string,
  participantId: string,
  indicatorId: string,
  stage: ObservationStage,
) {
  const row = await db
    .selectFrom('support_outcome_observations')
    .select('id')
    .where('place_id', '=', placeId)
    .where('participant_id', '=', participantId)
    .where('indicator_id', '=', indicatorId)
    .where('stage', '=', stage)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertObservation(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    indicatorId: string;
    stage: ObservationStage;
    value: number;
    observedOn: string;
    recordedBy: string | null;
  },
) {
  const row = await tx
    .insertInto('support_outcome_observations')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      indicator_id: v.indicatorId,
      stage: v.stage,
      value: String(v.value),
      observed_on: v.observedOn,
      recorded_by: v.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

// The dashboard: counts only. Nothing below returns a name, a reference or a date of birth.

export async function programmes(db: Executor, placeId: string, page: { limit: number; offset: number }) {
  const query = db.selectFrom('support_programmes').where('place_id', '=', placeId);
  const [rows, count] = await Promise.all([
    query
      .select(['id', 'name'])
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function programme(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('support_programmes')
    .select(['id', 'name'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function participantsByStatus(db: Executor, placeId: string, programmeId: string) {
  const rows = await db
    .selectFrom('participants')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

export async function referralsByOrganization(db: Executor, placeId: string, programmeId: string) {
  const rows = await db
    .selectFrom('support_referrals as r')
    .innerJoin('participants as p', 'p.id', 'r.participant_id')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .select(['o.id', 'o.name', 'r.status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('r.place_id', '=', placeId)
    .where('p.programme_id', '=', programmeId)
    .where('r.status', '!=', 'draft')
    .groupBy(['o.id', 'o.name', 'r.status'])
    .execute();
  return rows.map((r) => ({
    organizationId: r.id,
    organizationName: r.name,
    status: r.status,
    count: Number(r.n),
  }));
}

export async function attendanceByOrganization(db: Executor, placeId: string, programmeId: string) {
  const rows = await db
    .selectFrom('support_session_attendees as sa')
    .innerJoin('support_sessions as ss', 'ss.id', 'sa.session_id')
    .innerJoin('participants as p', 'p.id', 'sa.participant_id')
    .innerJoin('organizations as o', 'o.id', 'ss.organization_id')
    .select(['o.id', 'o.name', 'sa.status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('sa.place_id', '=', placeId)
    .where('p.programme_id', '=', programmeId)
    .where('sa.status', '!=', 'expected')
    .groupBy(['o.id', 'o.name', 'sa.status'])
    .execute();
  return rows.map((r) => ({
    organizationId: r.id,
    organizationName: r.name,
    status: r.status,
    count: Number(r.n),
  }));
}

/** Baseline and exit values per child and indicator, read only to be counted by the service. */
export async function baselineAndExit(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_outcome_observations as ob')
    .innerJoin('participants as p', 'p.id', 'ob.participant_id')
    .select(['ob.indicator_id', 'ob.participant_id', 'ob.stage', 'ob.value'])
    .where('ob.place_id', '=', placeId)
    .where('p.programme_id', '=', programmeId)
    .where('ob.stage', 'in', ['baseline', 'exit'])
    .execute();
}

/** Every indicator of the place: the dashboard and value for money count each one. */
export async function allIndicators(db: Executor, placeId: string) {
  return db
    .selectFrom('support_outcome_indicators')
    .select(['id', 'name', 'direction', 'threshold'])
    .where('place_id', '=', placeId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Every indicator of the place, for choosing one on a form: a choice must offer all of them. */
export async function indicatorOptions(db: Executor, placeId: string) {
  return db
    .selectFrom('support_outcome_indicators')
    .select(['id', 'name', 'instrument', 'scale_min', 'scale_max', 'threshold', 'direction', 'licence_note'])
    .where('place_id', '=', placeId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

// Value for money: counts for a period, never rows of children leaving the service.

/** Participants of a programme enrolled (or active) on or before `to` and not exited before `from`. */
export async function participantsInPeriod(
  db: Executor,
  placeId: string,
  programmeId: string,
  from: string,
  to: string,
) {
  const row = await db
    .selectFrom('participants as p')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('p.place_id', '=', placeId)
    .where('p.programme_id', '=', programmeId)
    .where((eb) => eb.or([eb('p.exited_on', 'is', null), eb('p.exited_on', '>=', from)]))
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('participant_transitions as t')
          .select('t.id')
          .whereRef('t.participant_id', '=', 'p.id')
          .where('t.place_id', '=', placeId)
          .where('t.to_status', 'in', ['enrolled', 'active'])
          .where(sql<boolean>`t.occurred_at::date <= ${to}::date`),
      ),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Baseline and exit values per child and indicator, with the day each was observed, to be counted. */
export async function baselineAndExitObserved(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('support_outcome_observations as ob')
    .innerJoin('participants as p', 'p.id', 'ob.participant_id')
    .select(['ob.indicator_id', 'ob.participant_id', 'ob.stage', 'ob.value', 'ob.observed_on'])
    .where('ob.place_id', '=', placeId)
    .where('p.programme_id', '=', programmeId)
    .where('ob.stage', 'in', ['baseline', 'exit'])
    .execute();
}

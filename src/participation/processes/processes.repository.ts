import { type Kysely, sql, type Transaction } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { DB } from '../../platform/db/schema.ts';
import type { ProcessStatus } from './phases.ts';
import type { Eligibility, VerificationMethod } from './processes.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface ProcessValues {
  title: string;
  summary: string;
  body: string;
  area: string | null;
  categories: string[];
  eligibility: Eligibility;
  minimumAge: number | null;
  supportThreshold: number | null;
  supportsPerResident: number | null;
}

export interface PhaseValues {
  name: string;
  description: string;
  startsOn: string;
  endsOn: string;
  allowsPropose: boolean;
  allowsSupport: boolean;
  allowsComment: boolean;
  allowsVote: boolean;
}

const processColumns = [
  'id',
  'place_id',
  'title',
  'summary',
  'body',
  'area',
  'categories',
  'eligibility',
  'minimum_age',
  'support_threshold',
  'supports_per_resident',
  'created_at',
  'updated_at',
] as const;

export async function insertProcess(db: Executor, placeId: string, createdBy: string, v: ProcessValues) {
  return db
    .insertInto('processes')
    .values({
      place_id: placeId,
      title: v.title,
      summary: v.summary,
      body: v.body,
      area: v.area,
      categories: v.categories,
      eligibility: v.eligibility,
      minimum_age: v.minimumAge,
      support_threshold: v.supportThreshold,
      supports_per_resident: v.supportsPerResident,
      created_by: createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateProcess(db: Executor, placeId: string, id: string, v: ProcessValues) {
  await db
    .updateTable('processes')
    .set({
      title: v.title,
      summary: v.summary,
      body: v.body,
      area: v.area,
      categories: v.categories,
      eligibility: v.eligibility,
      minimum_age: v.minimumAge,
      support_threshold: v.supportThreshold,
      supports_per_resident: v.supportsPerResident,
      updated_at: new Date(),
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function replacePhases(db: Executor, placeId: string, processId: string, phases: PhaseValues[]) {
  await db
    .deleteFrom('process_phases')
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .execute();
  if (phases.length === 0) return;
  await db
    .insertInto('process_phases')
    .values(
      phases.map((p, i) => ({
        place_id: placeId,
        process_id: processId,
        position: i + 1,
        name: p.name,
        description: p.description,
        starts_on: p.startsOn,
        ends_on: p.endsOn,
        allows_propose: p.allowsPropose,
        allows_support: p.allowsSupport,
        allows_comment: p.allowsComment,
        allows_vote: p.allowsVote,
      })),
    )
    .execute();
}

export async function findProcess(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('processes')
    .select(processColumns)
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A process with its phases in one query. */
export async function findProcessWithPhases(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('processes')
    .select(processColumns)
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('process_phases as ph')
          .selectAll('ph')
          .whereRef('ph.process_id', '=', 'processes.id')
          .where('ph.place_id', '=', placeId)
          .orderBy('ph.position'),
      ).as('phases'),
    )
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * The process of a budget with its phases, as one JSON object to read within another query (dates and
 * times arrive as text: see processFromJson).
 */
export function processOfBudgetJson(db: Executor, placeId: string, budgetId: string) {
  return jsonObjectFrom(
    db
      .selectFrom('processes as pr')
      .select(processColumns.map((c) => `pr.${c}` as const))
      .select((eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('process_phases as ph')
            .selectAll('ph')
            .whereRef('ph.process_id', '=', 'pr.id')
            .where('ph.place_id', '=', placeId)
            .orderBy('ph.position'),
        ).as('phases'),
      )
      .where('pr.place_id', '=', placeId)
      .where('pr.id', '=', (eb) =>
        eb
          .selectFrom('budgets as b')
          .select('b.process_id')
          .where('b.id', '=', budgetId)
          .where('b.place_id', '=', placeId),
      ),
  );
}

export async function findPhases(db: Executor, placeId: string, processIds: string[]) {
  if (processIds.length === 0) return [];
  return db
    .selectFrom('process_phases')
    .selectAll()
    .where('place_id', '=', placeId)
    .where('process_id', 'in', processIds)
    .orderBy('process_id')
    .orderBy('position')
    .execute();
}

/** Processes by status on a date, computed from their phases in SQL so that paging is exact. */
export async function listProcesses(
  db: Executor,
  placeId: string,
  status: ProcessStatus,
  on: string,
  page: { limit: number; offset: number },
) {
  const bounds = db
    .selectFrom('process_phases')
    .select(['process_id', sql<string>`min(starts_on)`.as('starts'), sql<string>`max(ends_on)`.as('ends')])
    .where('place_id', '=', placeId)
    .groupBy('process_id')
    .as('b');
  let query = db
    .selectFrom('processes as p')
    .leftJoin(bounds, 'b.process_id', 'p.id')
    .where('p.place_id', '=', placeId);
  if (status === 'upcoming')
    query = query.where((eb) => eb.or([eb('b.starts', 'is', null), eb('b.starts', '>', on)]));
  if (status === 'active') query = query.where('b.starts', '<=', on).where('b.ends', '>=', on);
  if (status === 'past') query = query.where('b.ends', '<', on);
  const [rows, count] = await Promise.all([
    query
      .select(processColumns.map((c) => `p.${c}` as const))
      .select(['b.starts', 'b.ends'])
      .orderBy(status === 'past' ? 'b.ends' : 'b.starts', status === 'past' ? 'desc' : 'asc')
      .orderBy('p.created_at', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Every process of a place, newest first, whatever its phase: for open data. */
export async function listAllProcesses(
  db: Executor,
  placeId: string,
  page: { limit: number; offset: number },
) {
  const query = db.selectFrom('processes').where('place_id', '=', placeId);
  const [rows, count] = await Promise.all([
    query
      .select(processColumns)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findVerification(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('resident_verifications')
    .selectAll()
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function upsertVerification(
  db: Executor,
  v: {
    placeId: string;
    userId: string;
    method: VerificationMethod;
    postcode: string | null;
    dateOfBirth: string;
    verifiedBy: string | null;
    note: string | null;
  },
) {
  const values = {
    method: v.method,
    postcode: v.postcode,
    date_of_birth: v.dateOfBirth,
    verified_by: v.verifiedBy,
    note: v.note,
    verified_at: new Date(),
  };
  await db
    .insertInto('resident_verifications')
    .values({ place_id: v.placeId, user_id: v.userId, ...values })
    .onConflict((oc) => oc.columns(['place_id', 'user_id']).doUpdateSet(values))
    .execute();
}

export async function postcodeIsInPlace(db: Executor, placeId: string, postcode: string): Promise<boolean> {
  const row = await db
    .selectFrom('place_postcodes')
    .select('postcode')
    .where('place_id', '=', placeId)
    .where('postcode', '=', postcode)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countPostcodes(db: Executor, placeId: string): Promise<number> {
  const row = await db
    .selectFrom('place_postcodes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function replacePostcodes(db: Executor, placeId: string, postcodes: string[]) {
  await db.deleteFrom('place_postcodes').where('place_id', '=', placeId).execute();
  for (let i = 0; i < postcodes.length; i += 1000) {
    await db
      .insertInto('place_postcodes')
      .values(postcodes.slice(i, i + 1000).map((postcode) => ({ place_id: placeId, postcode })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

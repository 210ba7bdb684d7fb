import type { Kysely, Transaction } from 'kysely';
import { minorToDecimal } from '../../participation/budgeting/money.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { UnitCostValues } from './unit-costs-csv.ts';
import type { CostCategory, OutcomeMeasure } from './value.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const unitCostColumns = [
  'id',
  'item',
  'unit',
  'source',
  'year',
  'fiscal_value',
  'economic_value',
  'social_value',
  'confidence',
  'notes',
] as const;

const money = (pence: bigint | null) => (pence === null ? null : minorToDecimal(pence));

function unitCostRow(placeId: string, v: UnitCostValues) {
  return {
    place_id: placeId,
    item: v.item,
    unit: v.unit,
    source: v.source,
    year: v.year,
    fiscal_value: money(v.fiscal),
    economic_value: money(v.economic),
    social_value: money(v.social),
    confidence: v.confidence,
    notes: v.notes,
  };
}

export async function listUnitCosts(db: Executor, placeId: string, page: { limit: number; offset: number }) {
  const query = db.selectFrom('value_unit_costs').where('place_id', '=', placeId);
  const [rows, count] = await Promise.all([
    query
      .select(unitCostColumns)
      .orderBy('item')
      .orderBy('year', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function unitCostOptions(db: Executor, placeId: string) {
  return db
    .selectFrom('value_unit_costs')
    .select(['id', 'item', 'unit', 'year'])
    .where('place_id', '=', placeId)
    .orderBy('item')
    .orderBy('year', 'desc')
    .limit(1000)
    .execute();
}

export async function findUnitCost(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('value_unit_costs')
    .select(unitCostColumns)
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertUnitCosts(tx: Transaction<DB>, placeId: string, rows: UnitCostValues[]) {
  if (rows.length === 0) return [];
  const inserted = await tx
    .insertInto('value_unit_costs')
    .values(rows.map((r) => unitCostRow(placeId, r)))
    .returning('id')
    .execute();
  return inserted.map((r) => r.id);
}

export async function updateUnitCost(tx: Transaction<DB>, placeId: string, id: string, v: UnitCostValues) {
  const { place_id: _place, ...columns } = unitCostRow(placeId, v);
  const result = await tx
    .updateTable('value_unit_costs')
    .set({ ...columns, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listProgrammeCosts(
  db: Executor,
  placeId: string,
  programmeId: string,
  page: { limit: number; offset: number },
) {
  const query = db
    .selectFrom('value_programme_costs')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId);
  const [rows, count] = await Promise.all([
    query
      .select(['id', 'category', 'starts_on', 'ends_on', 'amount', 'note'])
      .orderBy('starts_on')
      .orderBy('category')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Costs whose whole period lies within [from, to], summed per category (exact: numeric in the database). */
export async function costsInPeriod(
  db: Executor,
  placeId: string,
  programmeId: string,
  from: string,
  to: string,
) {
  return db
    .selectFrom('value_programme_costs')
    .select(['category', (eb) => eb.fn.sum<string>('amount').as('total')])
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .where('starts_on', '>=', from)
    .where('ends_on', '<=', to)
    .groupBy('category')
    .execute();
}

export async function insertProgrammeCost(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    programmeId: string;
    category: CostCategory;
    startsOn: string;
    endsOn: string;
    amount: string;
    note: string;
    createdBy: string | null;
  },
) {
  const row = await tx
    .insertInto('value_programme_costs')
    .values({
      place_id: placeId,
      programme_id: v.programmeId,
      category: v.category,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      amount: v.amount,
      note: v.note,
      created_by: v.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteProgrammeCost(
  tx: Transaction<DB>,
  placeId: string,
  programmeId: string,
  id: string,
) {
  return tx
    .deleteFrom('value_programme_costs')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .where('id', '=', id)
    .returning(['amount', 'category'])
    .executeTakeFirst();
}

function mappingsOf(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('value_benefit_mappings as m')
    .innerJoin('value_unit_costs as u', 'u.id', 'm.unit_cost_id')
    .where('m.place_id', '=', placeId)
    .where('m.programme_id', '=', programmeId);
}

const mappingColumns = [
  'm.id',
  'm.indicator_id',
  'm.measure',
  'm.deadweight',
  'm.displacement',
  'm.attribution',
  'm.optimism_bias',
  'u.id as unit_cost_id',
  'u.item',
  'u.unit',
  'u.year',
  'u.fiscal_value',
  'u.economic_value',
  'u.social_value',
  'u.confidence',
] as const;

/** One page of a programme's outcome-to-unit-cost mappings, for showing them. */
export async function listMappings(
  db: Executor,
  placeId: string,
  programmeId: string,
  page: { limit: number; offset: number },
) {
  const [rows, count] = await Promise.all([
    mappingsOf(db, placeId, programmeId)
      .select(mappingColumns)
      .orderBy('u.item')
      .orderBy('m.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    mappingsOf(db, placeId, programmeId)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/**
 * Every mapping of a programme, for the value-for-money summary: a benefit total must count them all, so this
 * read is never capped or paged. (At most two per outcome indicator of the place: one per measure.)
 */
export async function allMappings(db: Executor, placeId: string, programmeId: string) {
  return mappingsOf(db, placeId, programmeId)
    .select(mappingColumns)
    .orderBy('u.item')
    .orderBy('m.id')
    .execute();
}

export async function mappingExists(
  db: Executor,
  placeId: string,
  programmeId: string,
  indicatorId: string,
  measure: OutcomeMeasure,
) {
  const row = await db
    .selectFrom('value_benefit_mappings')
    .select('id')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .where('indicator_id', '=', indicatorId)
    .where('measure', '=', measure)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertMapping(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    programmeId: string;
    indicatorId: string;
    unitCostId: string;
    measure: OutcomeMeasure;
    deadweight: string;
    displacement: string;
    attribution: string;
    optimismBias: string;
  },
) {
  const row = await tx
    .insertInto('value_benefit_mappings')
    .values({
      place_id: placeId,
      programme_id: v.programmeId,
      indicator_id: v.indicatorId,
      unit_cost_id: v.unitCostId,
      measure: v.measure,
      deadweight: v.deadweight,
      displacement: v.displacement,
      attribution: v.attribution,
      optimism_bias: v.optimismBias,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteMapping(tx: Transaction<DB>, placeId: string, programmeId: string, id: string) {
  const result = await tx
    .deleteFrom('value_benefit_mappings')
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** The first and last day of a programme's recorded costs, for a default period. */
export async function costSpan(db: Executor, placeId: string, programmeId: string) {
  return db
    .selectFrom('value_programme_costs')
    .select([(eb) => eb.fn.min('starts_on').as('from'), (eb) => eb.fn.max('ends_on').as('to')])
    .where('place_id', '=', placeId)
    .where('programme_id', '=', programmeId)
    .executeTakeFirst();
}

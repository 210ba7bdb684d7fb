import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { AssemblyStatus } from '../assemblies.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const ASSEMBLY = [
  'id',
  'title',
  'purpose',
  'panel_size',
  'starts_on',
  'ends_on',
  'status',
  'registrant_count',
  'created_at',
] as const;

export async function insertAssembly(
  tx: Transaction<DB>,
  a: {
    placeId: string;
    title: string;
    purpose: string;
    panelSize: number;
    startsOn: string | null;
    endsOn: string | null;
    createdBy: string | null;
  },
): Promise<string> {
  const row = await tx
    .insertInto('assemblies')
    .values({
      place_id: a.placeId,
      title: a.title,
      purpose: a.purpose,
      panel_size: a.panelSize,
      starts_on: a.startsOn,
      ends_on: a.endsOn,
      created_by: a.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateAssembly(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  a: {
    title: string;
    purpose: string;
    panelSize: number;
    startsOn: string | null;
    endsOn: string | null;
    status: AssemblyStatus;
  },
): Promise<void> {
  await tx
    .updateTable('assemblies')
    .set({
      title: a.title,
      purpose: a.purpose,
      panel_size: a.panelSize,
      starts_on: a.startsOn,
      ends_on: a.endsOn,
      status: a.status,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function setStatus(tx: Executor, placeId: string, id: string, status: AssemblyStatus) {
  await tx
    .updateTable('assemblies')
    .set({ status })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function findAssembly(db: Executor, placeId: string, id: string, lock = false) {
  let query = db
    .selectFrom('assemblies')
    .select(ASSEMBLY)
    .where('place_id', '=', placeId)
    .where('id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listAssemblies(
  db: Executor,
  placeId: string,
  includeDrafts: boolean,
  page: { limit: number; offset: number },
) {
  let query = db.selectFrom('assemblies').where('place_id', '=', placeId);
  if (!includeDrafts) query = query.where('status', '!=', 'draft');
  const rows = await query
    .select(ASSEMBLY)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await query.select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** Takes the next pseudonymous number under the assembly's row lock. */
export async function nextRegistrantNumbers(
  tx: Transaction<DB>,
  placeId: string,
  assemblyId: string,
  count: number,
): Promise<number> {
  const row = await tx
    .updateTable('assemblies')
    .set({ registrant_count: sql`registrant_count + ${count}` })
    .where('place_id', '=', placeId)
    .where('id', '=', assemblyId)
    .returning('registrant_count')
    .executeTakeFirstOrThrow();
  return row.registrant_count - count + 1;
}

export async function listFeatures(db: Executor, placeId: string, assemblyId: string) {
  const features = await db
    .selectFrom('assembly_features')
    .select(['id', 'position', 'name', 'question', 'special_category'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('position')
    .orderBy('id')
    .execute();
  const values = await db
    .selectFrom('assembly_feature_values')
    .select(['id', 'feature_id', 'position', 'name', 'min', 'max', 'min_flex', 'max_flex'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return { features, values };
}

export async function insertFeature(
  tx: Transaction<DB>,
  f: {
    placeId: string;
    assemblyId: string;
    name: string;
    question: string;
    specialCategory: boolean;
  },
): Promise<string> {
  const last = await tx
    .selectFrom('assembly_features')
    .select(sql<number>`coalesce(max(position), 0)`.as('p'))
    .where('place_id', '=', f.placeId)
    .where('assembly_id', '=', f.assemblyId)
    .executeTakeFirstOrThrow();
  const row = await tx
    .insertInto('assembly_features')
    .values({
      place_id: f.placeId,
      assembly_id: f.assemblyId,
      position: Number(last.p) + 1,
      name: f.name,
      question: f.question,
      special_category: f.specialCategory,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateFeature(
  tx: Transaction<DB>,
  placeId: string,
  featureId: string,
  f: { name: string; question: string; specialCategory: boolean },
) {
  await tx
    .updateTable('assembly_features')
    .set({ name: f.name, question: f.question, special_category: f.specialCategory })
    .where('place_id', '=', placeId)
    .where('id', '=', featureId)
    .execute();
}

export interface ValueRow {
  name: string;
  min: number;
  max: number;
  minFlex: number | null;
  maxFlex: number | null;
}

export async function insertValue(
  tx: Transaction<DB>,
  v: ValueRow & { placeId: string; assemblyId: string; featureId: string; position: number },
) {
  await tx
    .insertInto('assembly_feature_values')
    .values({
      place_id: v.placeId,
      assembly_id: v.assemblyId,
      feature_id: v.featureId,
      position: v.position,
      name: v.name,
      min: v.min,
      max: v.max,
      min_flex: v.minFlex,
      max_flex: v.maxFlex,
    })
    .execute();
}

export async function updateValue(
  tx: Transaction<DB>,
  placeId: string,
  valueId: string,
  v: ValueRow & { position: number },
) {
  await tx
    .updateTable('assembly_feature_values')
    .set({
      name: v.name,
      min: v.min,
      max: v.max,
      min_flex: v.minFlex,
      max_flex: v.maxFlex,
      position: v.position,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', valueId)
    .execute();
}

export async function updateBounds(
  tx: Transaction<DB>,
  placeId: string,
  valueId: string,
  bounds: { min: number; max: number },
) {
  // Flexible bounds never stand inside the new bounds.
  await tx
    .updateTable('assembly_feature_values')
    .set({
      min: bounds.min,
      max: bounds.max,
      min_flex: sql`least(min_flex, ${bounds.min})`,
      max_flex: sql`greatest(max_flex, ${bounds.max})`,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', valueId)
    .execute();
}

/** Values no registrant has chosen may be removed from a feature. */
export async function deleteValues(tx: Transaction<DB>, placeId: string, valueIds: string[]) {
  if (valueIds.length === 0) return;
  await tx
    .deleteFrom('assembly_feature_values')
    .where('place_id', '=', placeId)
    .where('id', 'in', valueIds)
    .execute();
}

/** How many registrants answered each value (answers is feature id → value id). */
export async function answerCounts(db: Executor, placeId: string, assemblyId: string) {
  const rows = await db
    .selectFrom('assembly_registrants as r')
    .select([sql<string>`a.value`.as('value_id'), (eb) => eb.fn.countAll<string>().as('n')])
    .innerJoin(sql`jsonb_each_text(r.answers)`.as('a'), (join) => join.onTrue())
    .where('r.place_id', '=', placeId)
    .where('r.assembly_id', '=', assemblyId)
    .groupBy(sql`a.value`)
    .execute();
  return new Map(rows.map((r) => [r.value_id, Number(r.n)]));
}

/** Registrants who may be drawn: registered, not selected or dropped out yet. */
export async function poolMembers(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_registrants')
    .select(['id', 'pseudonym', 'answers', 'household', 'status'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('pseudonym')
    .execute();
}

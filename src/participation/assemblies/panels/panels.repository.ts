import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { RegistrantStatus } from '../assemblies.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

const SUMMARY = [
  's.id',
  's.assembly_id',
  's.algorithm',
  's.uniform_panels',
  's.status',
  's.steps_done',
  's.steps_total',
  's.progress_text',
  's.input_hash',
  's.distribution_hash',
  's.error',
  's.created_at',
  's.started_at',
  's.finished_at',
  's.published_at',
  's.seed',
  's.drawn_at',
] as const;

export async function insertSelection(
  tx: Transaction<DB>,
  s: {
    placeId: string;
    assemblyId: string;
    algorithm: 'maximin' | 'leximin';
    uniformPanels: number | null;
    inputs: unknown;
    inputHash: string;
    requestedBy: string | null;
  },
): Promise<string> {
  const row = await tx
    .insertInto('assembly_selections')
    .values({
      place_id: s.placeId,
      assembly_id: s.assemblyId,
      algorithm: s.algorithm,
      uniform_panels: s.uniformPanels,
      inputs: JSON.stringify(s.inputs),
      input_hash: s.inputHash,
      requested_by: s.requestedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findSelection(
  db: Executor,
  placeId: string,
  assemblyId: string,
  id: string,
  lock = false,
) {
  let query = db
    .selectFrom('assembly_selections as s')
    .select([...SUMMARY, 's.result', 's.panel', 's.inputs'])
    .where('s.place_id', '=', placeId)
    .where('s.assembly_id', '=', assemblyId)
    .where('s.id', '=', id);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function publishedSelection(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_selections as s')
    .select([...SUMMARY, 's.result', 's.panel', 's.inputs'])
    .where('s.place_id', '=', placeId)
    .where('s.assembly_id', '=', assemblyId)
    .where('s.published_at', 'is not', null)
    .executeTakeFirst();
}

export async function activeSelection(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_selections as s')
    .select(SUMMARY)
    .where('s.place_id', '=', placeId)
    .where('s.assembly_id', '=', assemblyId)
    .where('s.status', 'in', ['queued', 'running'])
    .executeTakeFirst();
}

export async function listSelections(
  db: Executor,
  placeId: string,
  assemblyId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .selectFrom('assembly_selections as s')
    .select(SUMMARY)
    .where('s.place_id', '=', placeId)
    .where('s.assembly_id', '=', assemblyId)
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await db
    .selectFrom('assembly_selections')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

// The runner's queries span every place: it works for the whole instance.

export async function runningSelections(db: Executor) {
  return db
    .selectFrom('assembly_selections')
    .select(['id', 'place_id'])
    .where('status', '=', 'running')
    .orderBy('created_at')
    .execute();
}

export async function nextQueued(db: Executor) {
  return db
    .selectFrom('assembly_selections')
    .select(['id', 'place_id'])
    .where('status', '=', 'queued')
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
}

export async function claimQueued(db: Executor, placeId: string, id: string): Promise<boolean> {
  const row = await db
    .updateTable('assembly_selections')
    .set({ status: 'running', started_at: sql`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function jobInputs(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('assembly_selections')
    .select(['id', 'status', 'algorithm', 'inputs'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Saves progress while the job is still running; false when it was cancelled meanwhile. */
export async function saveProgress(
  db: Executor,
  placeId: string,
  id: string,
  p: { done: number; total: number; text: string },
): Promise<boolean> {
  const row = await db
    .updateTable('assembly_selections')
    .set({ steps_done: p.done, steps_total: p.total, progress_text: p.text })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function stillRunning(db: Executor, placeId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('assembly_selections')
    .select('status')
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.status === 'running';
}

export async function finishSelection(
  db: Executor,
  placeId: string,
  id: string,
  result: unknown,
  text: string,
) {
  const row = await db
    .updateTable('assembly_selections')
    .set({
      status: 'done',
      result: JSON.stringify(result),
      finished_at: sql`now()`,
      steps_done: sql`steps_total`,
      progress_text: text,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function failSelection(db: Executor, placeId: string, id: string, error: string) {
  await db
    .updateTable('assembly_selections')
    .set({ status: 'failed', error, finished_at: sql`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute();
}

export async function cancelSelection(tx: Executor, placeId: string, assemblyId: string, id: string) {
  const row = await tx
    .updateTable('assembly_selections')
    .set({ status: 'cancelled', finished_at: sql`now()` })
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function publishSelection(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  distributionHash: string,
  result: unknown,
) {
  await tx
    .updateTable('assembly_selections')
    .set({ published_at: sql`now()`, distribution_hash: distributionHash, result: JSON.stringify(result) })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function saveDraw(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  d: { seed: string; panel: unknown; drawnBy: string | null },
) {
  await tx
    .updateTable('assembly_selections')
    .set({ seed: d.seed, panel: JSON.stringify(d.panel), drawn_at: sql`now()`, drawn_by: d.drawnBy })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function markRegistrants(
  tx: Transaction<DB>,
  placeId: string,
  assemblyId: string,
  pseudonyms: readonly string[],
  status: RegistrantStatus,
  replacement = false,
) {
  if (pseudonyms.length === 0) return;
  await tx
    .updateTable('assembly_registrants')
    .set(replacement ? { status, replacement: true } : { status })
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('pseudonym', 'in', [...pseudonyms])
    .execute();
}

export async function registrantsByStatus(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_registrants')
    .select(['id', 'pseudonym', 'name', 'status', 'replacement', 'household'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('status', 'in', ['selected', 'dropped_out'])
    .orderBy('pseudonym')
    .execute();
}

export async function insertReplacement(
  tx: Transaction<DB>,
  r: {
    placeId: string;
    assemblyId: string;
    selectionId: string;
    dropped: string[];
    chosen: string[];
    seed: string;
    createdBy: string | null;
  },
) {
  await tx
    .insertInto('assembly_replacements')
    .values({
      place_id: r.placeId,
      assembly_id: r.assemblyId,
      selection_id: r.selectionId,
      dropped: JSON.stringify(r.dropped),
      chosen: JSON.stringify(r.chosen),
      seed: r.seed,
      created_by: r.createdBy,
    })
    .execute();
}

/** One page of an assembly's replacements, oldest first, with how many there are in all. */
export async function listReplacements(
  db: Executor,
  placeId: string,
  assemblyId: string,
  page: { limit: number; offset: number },
) {
  const query = db
    .selectFrom('assembly_replacements')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId);
  const [rows, count] = await Promise.all([
    query
      .select(['id', 'dropped', 'chosen', 'seed', 'created_at'])
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { RecommendationResponse } from '../assemblies.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

type Page = { limit: number; offset: number };

/** Sessions in date order, a page at a time. */
export async function sessionsPage(db: Executor, placeId: string, assemblyId: string, page: Page) {
  const base = db
    .selectFrom('assembly_sessions')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId);
  const [rows, count] = await Promise.all([
    base
      .select(['id', 'held_on', 'location', 'agenda'])
      .orderBy('held_on')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Documents in the order they were added, a page at a time; the stored file itself is not read. */
export async function documentsPage(db: Executor, placeId: string, assemblyId: string, page: Page) {
  const base = db
    .selectFrom('assembly_documents')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId);
  const [rows, count] = await Promise.all([
    base
      .select(['id', 'title', 'url', 'filename', 'created_at'])
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function session(db: Executor, placeId: string, assemblyId: string, id: string) {
  return db
    .selectFrom('assembly_sessions')
    .select(['id', 'held_on', 'location', 'agenda'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function document(db: Executor, placeId: string, assemblyId: string, id: string) {
  return db
    .selectFrom('assembly_documents')
    .select(['id', 'title', 'url', 'filename'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function documentFile(db: Executor, placeId: string, assemblyId: string, id: string) {
  return db
    .selectFrom('assembly_documents')
    .select(['filename', 'content'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .where('content', 'is not', null)
    .executeTakeFirst();
}

export async function recommendationsPage(db: Executor, placeId: string, assemblyId: string, page: Page) {
  const base = db
    .selectFrom('assembly_recommendations')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId);
  const [rows, count] = await Promise.all([
    base
      .select(['id', 'title', 'body', 'published_at', 'response', 'response_reason', 'responded_at'])
      .orderBy('published_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function recommendation(db: Executor, placeId: string, assemblyId: string, id: string) {
  return db
    .selectFrom('assembly_recommendations')
    .select(['id', 'title', 'body', 'response', 'response_reason'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateSession(
  tx: Transaction<DB>,
  placeId: string,
  assemblyId: string,
  id: string,
  s: { heldOn: string; location: string; agenda: string },
): Promise<boolean> {
  const row = await tx
    .updateTable('assembly_sessions')
    .set({ held_on: s.heldOn, location: s.location, agenda: s.agenda })
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteSession(tx: Transaction<DB>, placeId: string, assemblyId: string, id: string) {
  const row = await tx
    .deleteFrom('assembly_sessions')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .returning(['id', 'held_on'])
    .executeTakeFirst();
  return row;
}

/** Changes a document; with `file: 'keep'` the stored PDF stays as it is and only the title changes. */
export async function updateDocument(
  tx: Transaction<DB>,
  placeId: string,
  assemblyId: string,
  id: string,
  d: {
    title: string;
    file: 'keep' | { url: string | null; filename: string | null; content: Buffer | null };
  },
): Promise<boolean> {
  const row = await tx
    .updateTable('assembly_documents')
    .set(
      d.file === 'keep'
        ? { title: d.title }
        : { title: d.title, url: d.file.url, filename: d.file.filename, content: d.file.content },
    )
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteDocument(tx: Transaction<DB>, placeId: string, assemblyId: string, id: string) {
  return tx
    .deleteFrom('assembly_documents')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .returning(['id', 'title'])
    .executeTakeFirst();
}

export async function updateRecommendation(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  r: { title: string; body: string },
) {
  await tx
    .updateTable('assembly_recommendations')
    .set({ title: r.title, body: r.body })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function deleteRecommendation(tx: Transaction<DB>, placeId: string, id: string) {
  await tx
    .deleteFrom('assembly_recommendations')
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function insertSession(
  tx: Transaction<DB>,
  s: { placeId: string; assemblyId: string; heldOn: string; location: string; agenda: string },
) {
  const row = await tx
    .insertInto('assembly_sessions')
    .values({
      place_id: s.placeId,
      assembly_id: s.assemblyId,
      held_on: s.heldOn,
      location: s.location,
      agenda: s.agenda,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertDocument(
  tx: Transaction<DB>,
  d: {
    placeId: string;
    assemblyId: string;
    title: string;
    url: string | null;
    filename: string | null;
    content: Buffer | null;
  },
) {
  const row = await tx
    .insertInto('assembly_documents')
    .values({
      place_id: d.placeId,
      assembly_id: d.assemblyId,
      title: d.title,
      url: d.url,
      filename: d.filename,
      content: d.content,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertRecommendation(
  tx: Transaction<DB>,
  r: { placeId: string; assemblyId: string; title: string; body: string },
) {
  const row = await tx
    .insertInto('assembly_recommendations')
    .values({ place_id: r.placeId, assembly_id: r.assemblyId, title: r.title, body: r.body })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findRecommendation(tx: Executor, placeId: string, assemblyId: string, id: string) {
  return tx
    .selectFrom('assembly_recommendations')
    .select(['id', 'title', 'response'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function respond(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  r: { response: RecommendationResponse; reason: string; by: string | null },
) {
  await tx
    .updateTable('assembly_recommendations')
    .set({ response: r.response, response_reason: r.reason, responded_at: sql`now()`, responded_by: r.by })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { RecommendationResponse } from '../assemblies.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function sessions(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_sessions')
    .select(['id', 'held_on', 'location', 'agenda'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('held_on')
    .limit(100)
    .execute();
}

export async function documents(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_documents')
    .select(['id', 'title', 'url', 'filename', 'created_at'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('created_at')
    .limit(100)
    .execute();
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

export async function recommendations(db: Executor, placeId: string, assemblyId: string) {
  return db
    .selectFrom('assembly_recommendations')
    .select(['id', 'title', 'body', 'published_at', 'response', 'response_reason', 'responded_at'])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('published_at')
    .orderBy('id')
    .limit(100)
    .execute();
}

export async function recommendationsPage(
  db: Executor,
  placeId: string,
  assemblyId: string,
  page: { limit: number; offset: number },
) {
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
    .select(['id', 'title'])
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

/** An accepted (or partly accepted) recommendation is a decision to track; one per recommendation. */
export async function keepDecision(tx: Transaction<DB>, placeId: string, id: string, title: string) {
  await tx
    .insertInto('decisions')
    .values({
      place_id: placeId,
      process_id: null,
      source_type: 'assembly_recommendation',
      source_id: id,
      title,
    })
    .onConflict((oc) => oc.columns(['source_type', 'source_id']).doUpdateSet({ title }))
    .execute();
}

export async function dropDecision(tx: Transaction<DB>, placeId: string, id: string) {
  await tx
    .deleteFrom('decisions')
    .where('place_id', '=', placeId)
    .where('source_type', '=', 'assembly_recommendation')
    .where('source_id', '=', id)
    .execute();
}

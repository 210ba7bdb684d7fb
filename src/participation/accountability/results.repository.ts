import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { DecisionSource, ResultStatus } from './decisions.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface ResultFilters {
  status?: ResultStatus;
  sourceType?: DecisionSource;
  processId?: string;
  text?: string;
}

function like(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A result with what it came from: the proposal, budget project or recommendation, each in this place. */
function resultsWithSources(db: Executor, placeId: string) {
  return db
    .selectFrom('decisions as d')
    .leftJoin('processes as pc', (j) => j.onRef('pc.id', '=', 'd.process_id').on('pc.place_id', '=', placeId))
    .leftJoin('proposals as p', (j) =>
      j.onRef('p.id', '=', 'd.source_id').on('d.source_type', '=', 'proposal').on('p.place_id', '=', placeId),
    )
    .leftJoin('projects as pr', (j) =>
      j
        .onRef('pr.id', '=', 'd.source_id')
        .on('d.source_type', '=', 'budget_project')
        .on('pr.place_id', '=', placeId),
    )
    .leftJoin('budgets as b', 'b.id', 'pr.budget_id')
    .leftJoin('assembly_recommendations as ar', (j) =>
      j
        .onRef('ar.id', '=', 'd.source_id')
        .on('d.source_type', '=', 'assembly_recommendation')
        .on('ar.place_id', '=', placeId),
    )
    .leftJoin('assemblies as a', 'a.id', 'ar.assembly_id')
    .where('d.place_id', '=', placeId)
    .select([
      'd.id',
      'd.title',
      'd.summary',
      'd.source_type',
      'd.source_id',
      'd.process_id',
      'pc.title as process_title',
      'd.status',
      'd.progress',
      'd.drop_reason',
      'd.starts_on',
      'd.ends_on',
      sql<string | null>`d.budgeted::text`.as('budgeted'),
      sql<string | null>`d.spent::text`.as('spent'),
      'd.currency',
      'd.parent_id',
      'd.decided_at',
      'd.updated_at',
      'p.title as proposal_title',
      'p.answer_reason as proposal_answer_reason',
      'p.status as proposal_status',
      'p.author_id as proposal_author_id',
      'pr.title as project_title',
      'pr.budget_id as project_budget_id',
      'pr.proposal_id as project_proposal_id',
      'b.title as budget_title',
      'ar.title as recommendation_title',
      'ar.response as recommendation_response',
      'ar.response_reason as recommendation_reason',
      'ar.assembly_id as recommendation_assembly_id',
      'a.title as assembly_title',
    ]);
}

export type ResultRow = Awaited<ReturnType<ReturnType<typeof resultsWithSources>['executeTakeFirstOrThrow']>>;

export async function listResults(
  db: Executor,
  placeId: string,
  filters: ResultFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: ResultRow[]; total: number }> {
  let q = resultsWithSources(db, placeId);
  if (filters.status) q = q.where('d.status', '=', filters.status);
  if (filters.sourceType) q = q.where('d.source_type', '=', filters.sourceType);
  if (filters.processId) q = q.where('d.process_id', '=', filters.processId);
  if (filters.text) {
    const pattern = like(filters.text);
    q = q.where((eb) =>
      eb.or([
        eb('d.title', 'ilike', pattern),
        eb('d.summary', 'ilike', pattern),
        eb('p.title', 'ilike', pattern),
        eb('pr.title', 'ilike', pattern),
        eb('ar.title', 'ilike', pattern),
      ]),
    );
  }
  const rows = await q
    .select(sql<string>`count(*) over ()`.as('total'))
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && page.offset > 0) {
    const counted = await countResults(db, placeId, filters);
    total = counted;
  }
  return { rows, total };
}

async function countResults(db: Executor, placeId: string, filters: ResultFilters): Promise<number> {
  const { rows } = await listResults(db, placeId, filters, { limit: 1, offset: 0 });
  return rows.length === 0 ? 0 : Number((rows[0] as { total?: string }).total ?? 0);
}

export function findResult(db: Executor, placeId: string, id: string): Promise<ResultRow | undefined> {
  return resultsWithSources(db, placeId).where('d.id', '=', id).executeTakeFirst();
}

/**
 * One page of a result's parts, by title, with how many parts there are. Only for showing them: the roll-up
 * of progress reads every result of the place (`rollupNodes`).
 */
export async function childrenOf(
  db: Executor,
  placeId: string,
  id: string,
  page: { limit: number; offset: number },
): Promise<{ rows: ResultRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    resultsWithSources(db, placeId)
      .where('d.parent_id', '=', id)
      .orderBy('d.title')
      .orderBy('d.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('decisions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .where('parent_id', '=', id)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Everything the roll-up and the parent list need, for every result of the place. */
export function rollupNodes(db: Executor, placeId: string) {
  return db
    .selectFrom('decisions')
    .select([
      'id',
      'parent_id',
      'progress',
      'status',
      'title',
      sql<string | null>`budgeted::text`.as('budgeted'),
    ])
    .where('place_id', '=', placeId)
    .orderBy('title')
    .execute();
}

/** The latest update of each result, in one query. */
export async function latestUpdates(db: Executor, placeId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('result_updates')
    .distinctOn('decision_id')
    .select(['decision_id', 'id', 'body', 'created_at', 'photo_alt'])
    .where('place_id', '=', placeId)
    .where('decision_id', 'in', ids)
    .orderBy('decision_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function listUpdates(
  db: Executor,
  placeId: string,
  decisionId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .selectFrom('result_updates as u')
    .leftJoin('users as au', 'au.id', 'u.author_id')
    .select([
      'u.id',
      'u.body',
      'u.status',
      'u.progress',
      sql<string | null>`u.spent::text`.as('spent'),
      'u.photo_type',
      'u.photo_alt',
      'u.created_at',
      'au.name as author_name',
      sql<string>`count(*) over ()`.as('total'),
    ])
    .where('u.place_id', '=', placeId)
    .where('u.decision_id', '=', decisionId)
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  if (rows.length === 0 && page.offset > 0) {
    // A page beyond the end has no row to carry the count: count on its own, so the page can lead back.
    const count = await db
      .selectFrom('result_updates')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .where('decision_id', '=', decisionId)
      .executeTakeFirstOrThrow();
    return { rows, total: Number(count.n) };
  }
  return { rows, total: Number(rows[0]?.total ?? 0) };
}

export function findPhoto(db: Executor, placeId: string, decisionId: string, updateId: string) {
  return db
    .selectFrom('result_updates')
    .select(['photo', 'photo_type'])
    .where('place_id', '=', placeId)
    .where('decision_id', '=', decisionId)
    .where('id', '=', updateId)
    .where('photo', 'is not', null)
    .executeTakeFirst();
}

export function lockResult(tx: Transaction<DB>, placeId: string, id: string) {
  return tx
    .selectFrom('decisions')
    .select(['id', 'title', 'status', 'progress', 'drop_reason', sql<string | null>`spent::text`.as('spent')])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export interface ResultValues {
  title: string;
  summary: string;
  parentId: string | null;
  startsOn: string | null;
  endsOn: string | null;
  budgeted: string | null;
  currency: string;
}

export async function insertManualResult(
  tx: Transaction<DB>,
  placeId: string,
  v: ResultValues & { processId: string | null },
): Promise<string> {
  const row = await tx
    .insertInto('decisions')
    .values({
      place_id: placeId,
      process_id: v.processId,
      source_type: 'manual',
      source_id: null,
      title: v.title,
      summary: v.summary,
      parent_id: v.parentId,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      budgeted: v.budgeted,
      currency: v.currency,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDetails(tx: Transaction<DB>, placeId: string, id: string, v: ResultValues) {
  await tx
    .updateTable('decisions')
    .set({
      title: v.title,
      summary: v.summary,
      parent_id: v.parentId,
      starts_on: v.startsOn,
      ends_on: v.endsOn,
      budgeted: v.budgeted,
      currency: v.currency,
      updated_at: sql`now()`,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function insertUpdate(
  tx: Transaction<DB>,
  u: {
    placeId: string;
    decisionId: string;
    authorId: string;
    body: string;
    status: ResultStatus;
    progress: number;
    dropReason: string | null;
    spent: string | null;
    photo?: { contentType: 'image/jpeg' | 'image/png' | 'image/webp'; bytes: Buffer; altText: string };
  },
): Promise<string> {
  await tx
    .updateTable('decisions')
    .set({
      status: u.status,
      progress: u.progress,
      drop_reason: u.dropReason,
      spent: u.spent,
      updated_at: sql`now()`,
    })
    .where('place_id', '=', u.placeId)
    .where('id', '=', u.decisionId)
    .execute();
  const row = await tx
    .insertInto('result_updates')
    .values({
      place_id: u.placeId,
      decision_id: u.decisionId,
      author_id: u.authorId,
      body: u.body,
      status: u.status,
      progress: u.progress,
      spent: u.spent,
      photo: u.photo?.bytes ?? null,
      photo_type: u.photo?.contentType ?? null,
      photo_alt: u.photo?.altText ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Processes of this place that have results, for the filter. */
export function processesWithResults(db: Executor, placeId: string) {
  return db
    .selectFrom('processes')
    .select(['id', 'title'])
    .where('place_id', '=', placeId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('decisions')
          .select('decisions.id')
          .whereRef('decisions.process_id', '=', 'processes.id')
          .where('decisions.place_id', '=', placeId),
      ),
    )
    .orderBy('title')
    .limit(200)
    .execute();
}

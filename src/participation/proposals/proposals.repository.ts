import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { ProposalAnswer, ProposalStatus } from './proposals.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface ProposalValues {
  title: string;
  body: string;
  category: string | null;
  area: string | null;
  postcode: string | null;
}

export type ProposalSort = 'newest' | 'supported' | 'random' | 'relevance';

export interface ProposalFilter {
  category?: string | undefined;
  answer?: ProposalAnswer | 'unanswered' | undefined;
  area?: string | undefined;
  q?: string | undefined;
  /** Held or hidden proposals are listed only for moderators; authors see their own. */
  includeHiddenFor?: 'moderator' | { authorId: string } | undefined;
}

const listColumns = [
  'p.id',
  'p.process_id',
  'p.author_id',
  'p.title',
  'p.body',
  'p.category',
  'p.area',
  'p.status',
  'p.answer',
  'p.support_count',
  'p.comment_count',
  'p.created_at',
] as const;

export async function insertProposal(
  db: Executor,
  v: ProposalValues & { placeId: string; processId: string; authorId: string; status: ProposalStatus },
) {
  return db
    .insertInto('proposals')
    .values({
      place_id: v.placeId,
      process_id: v.processId,
      author_id: v.authorId,
      title: v.title,
      body: v.body,
      category: v.category,
      area: v.area,
      postcode: v.postcode,
      status: v.status,
      answer: null,
      answer_reason: null,
      answered_by: null,
      answered_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateProposal(
  db: Executor,
  placeId: string,
  id: string,
  v: ProposalValues & { status: ProposalStatus },
) {
  await db
    .updateTable('proposals')
    .set({ ...v, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function setStatus(db: Executor, placeId: string, id: string, status: ProposalStatus) {
  await db
    .updateTable('proposals')
    .set({ status, updated_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function setAnswer(
  db: Executor,
  placeId: string,
  id: string,
  a: { answer: ProposalAnswer; reason: string; answeredBy: string },
) {
  await db
    .updateTable('proposals')
    .set({ answer: a.answer, answer_reason: a.reason, answered_by: a.answeredBy, answered_at: new Date() })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

export async function findProposal(db: Executor, placeId: string, processId: string, id: string) {
  return db
    .selectFrom('proposals as p')
    .innerJoin('users as u', 'u.id', 'p.author_id')
    .leftJoin('proposal_images as i', 'i.proposal_id', 'p.id')
    .select([
      ...listColumns,
      'p.postcode',
      'p.answer_reason',
      'p.answered_at',
      'p.updated_at',
      'u.name as author_name',
      'i.alt_text as image_alt',
    ])
    .where('p.place_id', '=', placeId)
    .where('p.process_id', '=', processId)
    .where('p.id', '=', id)
    .executeTakeFirst();
}

/** Locks the proposal row for the rest of the transaction, so counts and rules are read and changed together. */
export async function lockProposal(db: Transaction<DB>, placeId: string, id: string) {
  return db
    .selectFrom('proposals')
    .select(['id', 'process_id', 'author_id', 'status', 'support_count', 'comment_count', 'title'])
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function listProposals(
  db: Executor,
  placeId: string,
  processId: string,
  filter: ProposalFilter,
  sort: ProposalSort,
  seed: string,
  page: { limit: number; offset: number },
) {
  let query = db
    .selectFrom('proposals as p')
    .where('p.place_id', '=', placeId)
    .where('p.process_id', '=', processId);
  const hiddenFor = filter.includeHiddenFor;
  if (hiddenFor === 'moderator') query = query.where('p.status', '<>', 'withdrawn');
  else if (hiddenFor) {
    query = query.where((eb) =>
      eb.or([
        eb('p.status', '=', 'published'),
        eb.and([eb('p.status', 'in', ['held', 'hidden']), eb('p.author_id', '=', hiddenFor.authorId)]),
      ]),
    );
  } else query = query.where('p.status', '=', 'published');
  if (filter.category) query = query.where('p.category', '=', filter.category);
  if (filter.area) query = query.where('p.area', '=', filter.area);
  if (filter.answer === 'unanswered') query = query.where('p.answer', 'is', null);
  else if (filter.answer) query = query.where('p.answer', '=', filter.answer);
  const tsquery = filter.q ? sql`websearch_to_tsquery('english', ${filter.q})` : undefined;
  if (tsquery) query = query.where(sql<boolean>`p.search @@ ${tsquery}`);

  // The author's name is needed for the rows shown, not for counting them.
  let ordered = query
    .innerJoin('users as u', 'u.id', 'p.author_id')
    .select([...listColumns, 'u.name as author_name']);
  if (sort === 'relevance' && tsquery) ordered = ordered.orderBy(sql`ts_rank(p.search, ${tsquery})`, 'desc');
  if (sort === 'supported') ordered = ordered.orderBy('p.support_count', 'desc');
  if (sort === 'random') ordered = ordered.orderBy(sql`md5(p.id::text || ${seed})`);
  ordered = ordered.orderBy('p.created_at', 'desc').orderBy('p.id');

  const [rows, count] = await Promise.all([
    ordered.limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function distinctAreas(db: Executor, placeId: string, processId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('proposals')
    .select('area')
    .distinct()
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .where('status', '=', 'published')
    .where('area', 'is not', null)
    .orderBy('area')
    .limit(200)
    .execute();
  return rows.map((r) => r.area!);
}

export async function insertSupport(
  db: Executor,
  s: { placeId: string; processId: string; proposalId: string; userId: string },
) {
  const result = await db
    .insertInto('supports')
    .values({ place_id: s.placeId, process_id: s.processId, proposal_id: s.proposalId, user_id: s.userId })
    .onConflict((oc) => oc.columns(['proposal_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteSupport(db: Executor, placeId: string, proposalId: string, userId: string) {
  const result = await db
    .deleteFrom('supports')
    .where('place_id', '=', placeId)
    .where('proposal_id', '=', proposalId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function adjustSupportCount(db: Executor, placeId: string, proposalId: string, by: 1 | -1) {
  await db
    .updateTable('proposals')
    .set((eb) => ({ support_count: eb('support_count', '+', by) }))
    .where('place_id', '=', placeId)
    .where('id', '=', proposalId)
    .execute();
}

export async function countSupportsInProcess(
  db: Executor,
  placeId: string,
  processId: string,
  userId: string,
) {
  // Only supports on proposals still published count: one on a withdrawn or hidden proposal
  // cannot be taken back, so it must not use up the limit.
  const row = await db
    .selectFrom('supports as s')
    .innerJoin('proposals as p', 'p.id', 's.proposal_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('s.place_id', '=', placeId)
    .where('s.process_id', '=', processId)
    .where('s.user_id', '=', userId)
    .where('p.status', '=', 'published')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Which of these proposals the person supports: one query for a whole page. */
export async function supportedAmong(db: Executor, placeId: string, userId: string, proposalIds: string[]) {
  if (proposalIds.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('supports')
    .select('proposal_id')
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .where('proposal_id', 'in', proposalIds)
    .execute();
  return new Set(rows.map((r) => r.proposal_id));
}

export async function upsertImage(
  db: Executor,
  i: {
    placeId: string;
    proposalId: string;
    contentType: 'image/jpeg' | 'image/png' | 'image/webp';
    altText: string;
    bytes: Buffer;
  },
) {
  await db
    .insertInto('proposal_images')
    .values({
      place_id: i.placeId,
      proposal_id: i.proposalId,
      content_type: i.contentType,
      alt_text: i.altText,
      bytes: i.bytes,
    })
    .onConflict((oc) =>
      oc
        .column('proposal_id')
        .doUpdateSet({ content_type: i.contentType, alt_text: i.altText, bytes: i.bytes }),
    )
    .execute();
}

export async function deleteImage(db: Executor, placeId: string, proposalId: string) {
  await db
    .deleteFrom('proposal_images')
    .where('place_id', '=', placeId)
    .where('proposal_id', '=', proposalId)
    .execute();
}

export async function findImage(db: Executor, placeId: string, proposalId: string) {
  return db
    .selectFrom('proposal_images as i')
    .innerJoin('proposals as p', 'p.id', 'i.proposal_id')
    .select(['i.content_type', 'i.bytes', 'p.status', 'p.author_id'])
    .where('i.place_id', '=', placeId)
    .where('i.proposal_id', '=', proposalId)
    .executeTakeFirst();
}

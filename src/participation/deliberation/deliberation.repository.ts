import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { CommentStatus, Stance } from './deliberation.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** What a comment is about: a process, or one proposal in it. */
export interface TargetKey {
  processId: string;
  proposalId: string | null;
}

/** Who is reading, for what they may see: held comments show only to their author and moderators. */
export interface Viewer {
  userId: string | null;
  isModerator: boolean;
}

export interface CommentRecord {
  id: string;
  processId: string;
  proposalId: string | null;
  parentId: string | null;
  depth: number;
  authorId: string;
  body: string;
  stance: Stance;
  status: CommentStatus;
  heldReason: string | null;
  agreeCount: number;
  disagreeCount: number;
  editedAt: Date | null;
  createdAt: Date;
}

export interface ThreadRecord extends CommentRecord {
  authorName: string;
  authorDeleted: boolean;
  /** The viewer's own reaction: 1 agree, -1 disagree. */
  myReaction: 1 | -1 | null;
}

const commentColumns = [
  'c.id',
  'c.process_id',
  'c.proposal_id',
  'c.parent_id',
  'c.depth',
  'c.author_id',
  'c.body',
  'c.stance',
  'c.status',
  'c.held_reason',
  'c.agree_count',
  'c.disagree_count',
  'c.edited_at',
  'c.created_at',
] as const;

interface CommentRow {
  id: string;
  process_id: string;
  proposal_id: string | null;
  parent_id: string | null;
  depth: number;
  author_id: string;
  body: string;
  stance: Stance;
  status: CommentStatus;
  held_reason: string | null;
  agree_count: number;
  disagree_count: number;
  edited_at: Date | null;
  created_at: Date;
}

function toRecord(row: CommentRow): CommentRecord {
  return {
    id: row.id,
    processId: row.process_id,
    proposalId: row.proposal_id,
    parentId: row.parent_id,
    depth: row.depth,
    authorId: row.author_id,
    body: row.body,
    stance: row.stance,
    status: row.status,
    heldReason: row.held_reason,
    agreeCount: row.agree_count,
    disagreeCount: row.disagree_count,
    editedAt: row.edited_at,
    createdAt: row.created_at,
  };
}

function toThreadRecord(
  row: CommentRow & { author_name: string; author_deleted_at: Date | null; my_reaction: number | null },
): ThreadRecord {
  return {
    ...toRecord(row),
    authorName: row.author_name,
    authorDeleted: row.author_deleted_at !== null,
    myReaction: row.my_reaction === 1 ? 1 : row.my_reaction === -1 ? -1 : null,
  };
}

/** Comments on exactly this target: a process's own comments exclude those on its proposals. */
function onTarget(eb: ExpressionBuilder<DB & { c: DB['comments'] }, 'c'>, target: TargetKey) {
  return eb.and([
    eb('c.process_id', '=', target.processId),
    target.proposalId === null
      ? eb('c.proposal_id', 'is', null)
      : eb('c.proposal_id', '=', target.proposalId),
  ]);
}

/**
 * A held comment shows to its author and to moderators; to anyone else only
 * when replies hang from it (it was edited into pre-moderation after people
 * answered), so that their replies are not lost.
 */
function visibleTo(eb: ExpressionBuilder<DB & { c: DB['comments'] }, 'c'>, viewer: Viewer) {
  if (viewer.isModerator) return eb.lit(true);
  const alternatives = [
    eb('c.status', '<>', 'held'),
    eb.exists(
      eb
        .selectFrom('comments as child')
        .select('child.id')
        .whereRef('child.parent_id', '=', 'c.id')
        .whereRef('child.place_id', '=', 'c.place_id'),
    ),
  ];
  if (viewer.userId) alternatives.push(eb('c.author_id', '=', viewer.userId));
  return eb.or(alternatives);
}

// Proposals are read here only for what commenting needs: whether the proposal is open and its title.
export async function findProposal(db: Executor, placeId: string, processId: string, proposalId: string) {
  const row = await db
    .selectFrom('proposals')
    .select(['id', 'title', 'status', 'author_id'])
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .where('id', '=', proposalId)
    .executeTakeFirst();
  return row && { id: row.id, title: row.title, status: row.status, authorId: row.author_id };
}

export async function changeProposalCommentCount(
  db: Executor,
  placeId: string,
  proposalId: string,
  delta: number,
): Promise<void> {
  await db
    .updateTable('proposals')
    .set((eb) => ({ comment_count: sql<number>`greatest(0, ${eb.ref('comment_count')} + ${delta})` }))
    .where('place_id', '=', placeId)
    .where('id', '=', proposalId)
    .execute();
}

/**
 * Sets each proposal's comment_count to its published comments. The rows are
 * locked first so that the count, taken by the next statement, sees every
 * comment whose increment has already been committed.
 */
export async function recountProposalComments(
  db: Executor,
  placeId: string,
  commentIds: readonly string[],
): Promise<void> {
  if (commentIds.length === 0) return;
  const proposals = await db
    .selectFrom('proposals')
    .select('id')
    .where('place_id', '=', placeId)
    .where((eb) =>
      eb(
        'id',
        'in',
        eb
          .selectFrom('comments')
          .select('proposal_id')
          .where('place_id', '=', placeId)
          .where('id', 'in', commentIds)
          .where('proposal_id', 'is not', null)
          .$narrowType<{ proposal_id: string }>(),
      ),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
  if (proposals.length === 0) return;
  await db
    .updateTable('proposals as p')
    .set((eb) => ({
      comment_count: eb
        .selectFrom('comments as c')
        .select((s) => s.fn.countAll<number>().as('n'))
        .whereRef('c.proposal_id', '=', 'p.id')
        .where('c.place_id', '=', placeId)
        .where('c.status', '=', 'published'),
    }))
    .where('p.place_id', '=', placeId)
    .where(
      'p.id',
      'in',
      proposals.map((r) => r.id),
    )
    .execute();
}

export async function findComment(
  db: Executor,
  placeId: string,
  commentId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CommentRecord | undefined> {
  let query = db
    .selectFrom('comments as c')
    .select(commentColumns)
    .where('c.place_id', '=', placeId)
    .where('c.id', '=', commentId);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toRecord(row);
}

/** One comment with its author's name, for the reply, edit and delete pages. */
export async function findThreadComment(
  db: Executor,
  placeId: string,
  commentId: string,
  viewerId: string | null,
): Promise<ThreadRecord | undefined> {
  const row = await db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .leftJoin('comment_reactions as r', (join) =>
      join.onRef('r.comment_id', '=', 'c.id').on('r.user_id', '=', viewerId ?? sql<string>`null`),
    )
    .select(commentColumns)
    .select(['u.name as author_name', 'u.deleted_at as author_deleted_at', 'r.value as my_reaction'])
    .where('c.place_id', '=', placeId)
    .where('c.id', '=', commentId)
    .executeTakeFirst();
  return row && toThreadRecord(row);
}

export async function insertComment(
  db: Executor,
  values: {
    placeId: string;
    processId: string;
    proposalId: string | null;
    parentId: string | null;
    depth: number;
    authorId: string;
    body: string;
    stance: Stance;
    status: 'published' | 'held';
    heldReason: string | null;
  },
): Promise<{ id: string; createdAt: Date }> {
  const row = await db
    .insertInto('comments')
    .values({
      place_id: values.placeId,
      process_id: values.processId,
      proposal_id: values.proposalId,
      parent_id: values.parentId,
      depth: values.depth,
      author_id: values.authorId,
      body: values.body,
      stance: values.stance,
      status: values.status,
      held_reason: values.heldReason,
      edited_at: null,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, createdAt: row.created_at };
}

export async function updateCommentText(
  db: Executor,
  placeId: string,
  commentId: string,
  values: { body: string; stance: Stance; status: 'published' | 'held'; heldReason: string | null },
): Promise<void> {
  await db
    .updateTable('comments')
    .set({
      body: values.body,
      stance: values.stance,
      status: values.status,
      held_reason: values.heldReason,
      edited_at: new Date(),
    })
    .where('place_id', '=', placeId)
    .where('id', '=', commentId)
    .execute();
}

/** The body goes in the same update that marks the tombstone, so no copy of it survives. */
export async function markDeleted(db: Executor, placeId: string, commentId: string): Promise<void> {
  await db
    .updateTable('comments')
    .set({ status: 'deleted', body: '', held_reason: null, agree_count: 0, disagree_count: 0 })
    .where('place_id', '=', placeId)
    .where('id', '=', commentId)
    .execute();
}

export async function deleteReactionsTo(db: Executor, placeId: string, commentId: string): Promise<void> {
  await db
    .deleteFrom('comment_reactions')
    .where('place_id', '=', placeId)
    .where('comment_id', '=', commentId)
    .execute();
}

export async function findReaction(
  db: Executor,
  placeId: string,
  commentId: string,
  userId: string,
): Promise<1 | -1 | undefined> {
  const row = await db
    .selectFrom('comment_reactions')
    .select('value')
    .where('place_id', '=', placeId)
    .where('comment_id', '=', commentId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.value;
}

export async function insertReaction(
  db: Executor,
  r: { placeId: string; commentId: string; userId: string; value: 1 | -1 },
): Promise<void> {
  await db
    .insertInto('comment_reactions')
    .values({ place_id: r.placeId, comment_id: r.commentId, user_id: r.userId, value: r.value })
    .execute();
}

export async function updateReaction(
  db: Executor,
  r: { placeId: string; commentId: string; userId: string; value: 1 | -1 },
): Promise<void> {
  await db
    .updateTable('comment_reactions')
    .set({ value: r.value })
    .where('place_id', '=', r.placeId)
    .where('comment_id', '=', r.commentId)
    .where('user_id', '=', r.userId)
    .execute();
}

export async function deleteReaction(
  db: Executor,
  r: { placeId: string; commentId: string; userId: string },
): Promise<void> {
  await db
    .deleteFrom('comment_reactions')
    .where('place_id', '=', r.placeId)
    .where('comment_id', '=', r.commentId)
    .where('user_id', '=', r.userId)
    .execute();
}

export async function changeReactionCounts(
  db: Executor,
  placeId: string,
  commentId: string,
  delta: { agree: number; disagree: number },
): Promise<{ agreeCount: number; disagreeCount: number }> {
  const row = await db
    .updateTable('comments')
    .set((eb) => ({
      agree_count: sql<number>`${eb.ref('agree_count')} + ${delta.agree}`,
      disagree_count: sql<number>`${eb.ref('disagree_count')} + ${delta.disagree}`,
    }))
    .where('place_id', '=', placeId)
    .where('id', '=', commentId)
    .returning(['agree_count', 'disagree_count'])
    .executeTakeFirstOrThrow();
  return { agreeCount: row.agree_count, disagreeCount: row.disagree_count };
}

/** For the heading and the pager: top-level comments the viewer sees, and comments everyone sees. */
export async function threadCounts(
  db: Executor,
  placeId: string,
  target: TargetKey,
  viewer: Viewer,
): Promise<{ topLevel: number; published: number }> {
  const row = await db
    .selectFrom('comments as c')
    .select((eb) => [
      eb.fn
        .countAll<string>()
        .filterWhere((w) => w.and([w('c.parent_id', 'is', null), visibleTo(w, viewer)]))
        .as('top_level'),
      eb.fn.countAll<string>().filterWhere('c.status', '=', 'published').as('published'),
    ])
    .where('c.place_id', '=', placeId)
    .where((eb) => onTarget(eb, target))
    .executeTakeFirstOrThrow();
  return { topLevel: Number(row.top_level), published: Number(row.published) };
}

/** One page of top-level comments, with authors and the viewer's reactions, in one query. */
export async function threadRoots(
  db: Executor,
  placeId: string,
  target: TargetKey,
  viewer: Viewer,
  order: 'oldest' | 'newest',
  page: { limit: number; offset: number },
): Promise<ThreadRecord[]> {
  const direction = order === 'oldest' ? 'asc' : 'desc';
  const rows = await db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.author_id')
    .leftJoin('comment_reactions as r', (join) =>
      join.onRef('r.comment_id', '=', 'c.id').on('r.user_id', '=', viewer.userId ?? sql<string>`null`),
    )
    .select(commentColumns)
    .select(['u.name as author_name', 'u.deleted_at as author_deleted_at', 'r.value as my_reaction'])
    .where('c.place_id', '=', placeId)
    .where((eb) => onTarget(eb, target))
    .where('c.parent_id', 'is', null)
    .where((eb) => visibleTo(eb, viewer))
    .orderBy('c.created_at', direction)
    .orderBy('c.id', direction)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toThreadRecord);
}

/**
 * Every reply under the given top-level comments, level by level: one
 * indexed query per level of depth (at most three), however many comments
 * there are. A recursive query reads the same rows but leads the planner to
 * scan the whole table. Visibility is left to the caller, which sees the
 * whole tree and so knows which held replies have answers of their own.
 */
export async function threadReplies(
  db: Executor,
  placeId: string,
  rootIds: string[],
  viewerId: string | null,
  maxDepth = 3,
): Promise<ThreadRecord[]> {
  const all: ThreadRecord[] = [];
  let parents = rootIds;
  for (let level = 1; level <= maxDepth && parents.length > 0; level++) {
    const rows = await db
      .selectFrom('comments as c')
      .innerJoin('users as u', 'u.id', 'c.author_id')
      .leftJoin('comment_reactions as r', (join) =>
        join.onRef('r.comment_id', '=', 'c.id').on('r.user_id', '=', viewerId ?? sql<string>`null`),
      )
      .select(commentColumns)
      .select(['u.name as author_name', 'u.deleted_at as author_deleted_at', 'r.value as my_reaction'])
      .where('c.place_id', '=', placeId)
      .where('c.parent_id', 'in', parents)
      .orderBy('c.created_at', 'asc')
      .orderBy('c.id', 'asc')
      .execute();
    const records = rows.map(toThreadRecord);
    all.push(...records);
    parents = records.map((r) => r.id);
  }
  return all.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

/** The top-level comment a comment hangs from (itself when it is top-level). */
export async function findRootId(
  db: Executor,
  placeId: string,
  commentId: string,
): Promise<string | undefined> {
  const row = await db
    .withRecursive('up(id, parent_id)', (qb) =>
      qb
        .selectFrom('comments')
        .select(['id', 'parent_id'])
        .where('place_id', '=', placeId)
        .where('id', '=', commentId)
        .unionAll((u) =>
          u
            .selectFrom('comments as p')
            .innerJoin('up', 'up.parent_id', 'p.id')
            .select(['p.id', 'p.parent_id'])
            .where('p.place_id', '=', placeId),
        ),
    )
    .selectFrom('up')
    .select('id')
    .where('parent_id', 'is', null)
    .executeTakeFirst();
  return row?.id;
}

/** How many top-level comments the viewer sees before this one, in the given order. */
export async function rootsBefore(
  db: Executor,
  placeId: string,
  target: TargetKey,
  viewer: Viewer,
  root: { id: string; createdAt: Date },
  order: 'oldest' | 'newest',
): Promise<number> {
  const comparison = order === 'oldest' ? '<' : '>';
  const row = await db
    .selectFrom('comments as c')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('c.place_id', '=', placeId)
    .where((eb) => onTarget(eb, target))
    .where('c.parent_id', 'is', null)
    .where((eb) => visibleTo(eb, viewer))
    .where((eb) =>
      eb.or([
        eb('c.created_at', comparison, root.createdAt),
        eb.and([eb('c.created_at', '=', root.createdAt), eb('c.id', comparison, root.id)]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Why hidden comments were hidden, for moderators: the reasons people gave
 * when they reported them. Reports belong to moderation; this only reads them.
 */
export async function reportReasons(
  db: Executor,
  placeId: string,
  commentIds: string[],
): Promise<Map<string, string[]>> {
  const reasons = new Map<string, string[]>();
  if (commentIds.length === 0) return reasons;
  const rows = await db
    .selectFrom('reports')
    .select(['target_id', 'reason'])
    .distinct()
    .where('place_id', '=', placeId)
    .where('target_type', '=', 'comment')
    .where('target_id', 'in', commentIds)
    .orderBy('target_id')
    .orderBy('reason')
    .execute();
  for (const row of rows) reasons.set(row.target_id, [...(reasons.get(row.target_id) ?? []), row.reason]);
  return reasons;
}

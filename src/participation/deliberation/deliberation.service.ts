import type { Transaction } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { ForbiddenError, NotFoundError, RefusalError, ValidationError } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { ModerationService } from '../moderation/moderation.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { Process, ProcessesService } from '../processes/processes.service.ts';
import type { ProposalStatus } from '../proposals/proposals.table.ts';
import * as repo from './deliberation.repository.ts';
import type { CommentStatus, Stance } from './deliberation.table.ts';

/*
 * proposals.comment_count is the number of the proposal's comments that
 * everyone can read (status 'published'), at every level. A held comment
 * counts once it is published; a comment deleted by its author or hidden by a
 * moderator stops counting, though its tombstone stays in the thread. So the
 * count never rewards content no one can see, and sorting by it cannot be
 * gamed by posting what moderators then hide.
 */

/** Replies nest at most this deep below a top-level comment (depth 0), so a thread has four levels. */
export const MAX_DEPTH = 3;
/** How long after posting the author may still change a comment. */
export const EDIT_WINDOW_MINUTES = 15;
export const THREAD_PAGE_SIZE = 50;
export const BODY_MAX_LENGTH = 2000;

export type ThreadOrder = 'oldest' | 'newest';
export type ReactionValue = 'agree' | 'disagree';

export const STANCE_LABELS: Record<Stance, string> = {
  in_favour: 'In favour',
  against: 'Against',
  neutral: 'Neutral',
};

const REPORT_REASON_LABELS: Record<string, string> = {
  spam: 'spam',
  offensive: 'offensive',
  personal_information: 'personal information',
  off_topic: 'off topic',
  other: 'other',
};

/** A process (proposalId null) or one of its proposals. */
export interface CommentTarget {
  processId: string;
  proposalId: string | null;
}

export interface Refusal {
  code: string;
  reason: string;
  howToQualify: string;
  link?: { href: string; text: string } | undefined;
}

export interface CommentActions {
  reply: boolean;
  edit: boolean;
  delete: boolean;
  react: boolean;
  report: boolean;
}

export interface ThreadComment {
  id: string;
  parentId: string | null;
  depth: number;
  /** Null when the name is not shown: deleted comments, and hidden ones to all but moderators. */
  authorName: string | null;
  mine: boolean;
  stance: Stance;
  stanceLabel: string;
  status: CommentStatus;
  /** Safe HTML of the body, or null when the viewer may not read it. */
  html: string | null;
  /** What stands in for, or is said about, the text: tombstones, hiding, waiting for a moderator. */
  notice: string | null;
  /** Why the comment is held or hidden, for the author (held) and moderators. */
  moderationReason: string | null;
  agreeCount: number;
  disagreeCount: number;
  myReaction: ReactionValue | null;
  edited: boolean;
  editedAt: Date | null;
  createdAt: Date;
  actions: CommentActions;
  replies: ThreadComment[];
}

export interface Thread {
  target: CommentTarget;
  subject: { kind: 'process' | 'proposal'; title: string };
  /** Comments everyone can read, at every level. */
  count: number;
  topLevelTotal: number;
  page: number;
  pages: number;
  pageSize: number;
  order: ThreadOrder;
  comments: ThreadComment[];
  signedIn: boolean;
  isModerator: boolean;
  canComment: boolean;
  /** Why the viewer cannot comment, and how to qualify; null when they can. */
  refusal: Refusal | null;
}

export interface CommentInput {
  body: string;
  stance: Stance;
  parentId: string | null;
}

interface ProposalInfo {
  id: string;
  title: string;
  status: ProposalStatus;
  authorId: string;
}

interface LoadedTarget {
  target: CommentTarget;
  process: Process;
  proposal: ProposalInfo | null;
  subject: Thread['subject'];
}

export function targetPath(place: Pick<PlaceSummary, 'slug'>, target: CommentTarget): string {
  const process = `/places/${place.slug}/processes/${target.processId}`;
  return target.proposalId ? `${process}/proposals/${target.proposalId}` : process;
}

/** A lasting link to one comment: it finds the right page of the thread and the comment's anchor. */
export function commentLink(
  place: Pick<PlaceSummary, 'slug'>,
  target: CommentTarget,
  commentId: string,
): string {
  return `${targetPath(place, target)}/comments/${commentId}`;
}

function reactionOf(value: 1 | -1 | null): ReactionValue | null {
  return value === 1 ? 'agree' : value === -1 ? 'disagree' : null;
}

function withinEditWindow(createdAt: Date, now = Date.now()): boolean {
  return now - createdAt.getTime() <= EDIT_WINDOW_MINUTES * 60_000;
}

/** Hidden text, as moderators see it: in the secondary text colour, so it reads as not shown to others. */
function greyed(html: string): string {
  return html.replace(/class="(govuk-body|govuk-list[^"]*)"/g, 'class="$1 govuk-hint"');
}

function checkBody(body: string): string {
  const text = body.replace(/\r\n?/g, '\n').trim();
  if (text.length === 0) throw new ValidationError('body', 'Enter a comment');
  if (text.length > BODY_MAX_LENGTH) {
    throw new ValidationError('body', `Comment must be ${BODY_MAX_LENGTH} characters or fewer`);
  }
  return text;
}

function proposalClosed(status: ProposalStatus): RefusalError | undefined {
  switch (status) {
    case 'published':
      return undefined;
    case 'withdrawn':
      return new RefusalError(
        'proposal_closed',
        'This proposal has been withdrawn, so it cannot be commented on.',
        'You can still comment on the process and on its other proposals.',
      );
    case 'held':
      return new RefusalError(
        'proposal_closed',
        'This proposal is waiting for a moderator, so it cannot be commented on yet.',
        'You can comment once a moderator has published it.',
      );
    case 'hidden':
      return new RefusalError(
        'proposal_closed',
        'This proposal has been hidden by a moderator, so it cannot be commented on.',
        'You can still comment on the process and on its other proposals.',
      );
  }
}

function toRefusal(error: RefusalError): Refusal {
  return {
    code: error.code,
    reason: error.message,
    howToQualify: error.howToQualify,
    link: error.qualifyLink,
  };
}

export type DeliberationService = ReturnType<typeof createDeliberationService>;

export function createDeliberationService(deps: {
  db: Database;
  processes: ProcessesService;
  moderation: ModerationService;
  notifications: NotificationsService;
}) {
  const { db, processes, moderation, notifications } = deps;

  function isModerator(actor: Actor, place: PlaceSummary): boolean {
    return can(actor, 'content.moderate', place.id);
  }

  async function loadTarget(actor: Actor, place: PlaceSummary, target: CommentTarget): Promise<LoadedTarget> {
    authorise(actor, 'place.view', place.id);
    const process = await processes.getProcess(place, target.processId);
    if (!target.proposalId) {
      return { target, process, proposal: null, subject: { kind: 'process', title: process.title } };
    }
    const proposal = await repo.findProposal(db, place.id, process.id, target.proposalId);
    if (!proposal) throw new NotFoundError();
    // A proposal not yet or no longer shown is not there for anyone but its author and moderators.
    const shown = proposal.status === 'published' || proposal.status === 'withdrawn';
    if (!shown && proposal.authorId !== actor.user?.id && !isModerator(actor, place))
      throw new NotFoundError();
    return { target, process, proposal, subject: { kind: 'proposal', title: proposal.title } };
  }

  /** Everything that decides whether this person may comment here now; throws a refusal if not. */
  async function assertCanComment(actor: Actor, place: PlaceSummary, loaded: LoadedTarget): Promise<void> {
    const closed = loaded.proposal && proposalClosed(loaded.proposal.status);
    if (closed) throw closed;
    await processes.assertCanAct(actor, place, loaded.process, 'comment');
    await moderation.assertNotBlocked(actor, place);
  }

  async function commentRefusal(
    actor: Actor,
    place: PlaceSummary,
    loaded: LoadedTarget,
  ): Promise<Refusal | null> {
    try {
      await assertCanComment(actor, place, loaded);
      return null;
    } catch (error) {
      if (!(error instanceof RefusalError)) throw error;
      const refusal = toRefusal(error);
      if (refusal.code === 'not_signed_in') {
        refusal.link = {
          href: `/sign-in?next=${encodeURIComponent(targetPath(place, loaded.target))}`,
          text: 'Sign in',
        };
      }
      return refusal;
    }
  }

  /** The comment, which must be on this target in this place. */
  async function commentOn(
    executor: Database | Transaction<DB>,
    place: PlaceSummary,
    target: CommentTarget,
    commentId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<repo.CommentRecord> {
    const comment = await repo.findComment(executor, place.id, commentId, options);
    if (!comment || comment.processId !== target.processId || comment.proposalId !== target.proposalId) {
      throw new NotFoundError();
    }
    return comment;
  }

  function followTarget(target: CommentTarget) {
    return target.proposalId
      ? { targetType: 'proposal' as const, targetId: target.proposalId }
      : { targetType: 'process' as const, targetId: target.processId };
  }

  /** Followers of the proposal and of its process hear of a newly shown comment, except its author. */
  async function announce(
    tx: Transaction<DB>,
    place: PlaceSummary,
    target: CommentTarget,
    loaded: LoadedTarget,
    comment: { id: string; authorId: string; authorName: string; body: string },
  ): Promise<void> {
    const targets: { type: 'process' | 'proposal'; id: string }[] = [
      { type: 'process', id: target.processId },
    ];
    if (target.proposalId) targets.unshift({ type: 'proposal', id: target.proposalId });
    await notifications.notifyFollowers(tx, targets, comment.authorId, {
      placeId: place.id,
      kind: 'comment.created',
      title: `New comment on “${loaded.subject.title}”`,
      // Only who commented, never what: a copy of the text would outlive its deletion or hiding.
      body: `${comment.authorName} commented. Open the link to read it.`,
      link: commentLink(place, target, comment.id),
    });
  }

  async function adjustCommentCount(
    tx: Transaction<DB>,
    place: PlaceSummary,
    proposalId: string | null,
    from: CommentStatus | null,
    to: CommentStatus,
  ): Promise<void> {
    if (!proposalId) return;
    const delta = (to === 'published' ? 1 : 0) - (from === 'published' ? 1 : 0);
    if (delta !== 0) await repo.changeProposalCommentCount(tx, place.id, proposalId, delta);
  }

  async function pageOf(
    actor: Actor,
    place: PlaceSummary,
    target: CommentTarget,
    commentId: string,
    order: ThreadOrder,
  ): Promise<number> {
    const rootId = (await repo.findRootId(db, place.id, commentId)) ?? commentId;
    const root = await repo.findComment(db, place.id, rootId);
    if (!root) throw new NotFoundError();
    const before = await repo.rootsBefore(
      db,
      place.id,
      target,
      { userId: actor.user?.id ?? null, isModerator: isModerator(actor, place) },
      { id: root.id, createdAt: root.createdAt },
      order,
    );
    return Math.floor(before / THREAD_PAGE_SIZE) + 1;
  }

  /**
   * Nests replies under their parents and decides, for this viewer, what each
   * comment shows and allows. Comments whose parent is not among the records
   * are the roots, in the order given.
   */
  function buildTree(
    actor: Actor,
    records: repo.ThreadRecord[],
    context: { canComment: boolean; moderator: boolean; reasons: Map<string, string[]> },
  ): ThreadComment[] {
    const userId = actor.user?.id ?? null;
    const now = Date.now();
    const ids = new Set(records.map((r) => r.id));
    const children = new Map<string, repo.ThreadRecord[]>();
    for (const r of records) {
      if (r.parentId && ids.has(r.parentId))
        children.set(r.parentId, [...(children.get(r.parentId) ?? []), r]);
    }

    const toComment = (r: repo.ThreadRecord): ThreadComment | undefined => {
      const replies = (children.get(r.id) ?? []).map(toComment).filter((c) => c !== undefined);
      const mine = userId !== null && r.authorId === userId;
      const privileged = mine || context.moderator;
      if (r.status === 'held' && !privileged && replies.length === 0) return undefined;
      const shown = r.status === 'published';
      const readable =
        shown || (r.status === 'held' && privileged) || (r.status === 'hidden' && context.moderator);
      let notice: string | null = null;
      let moderationReason: string | null = null;
      if (r.status === 'deleted') notice = 'This comment was deleted by its author';
      if (r.status === 'hidden') {
        notice = 'This comment was hidden by a moderator';
        if (context.moderator) {
          const reasons = context.reasons.get(r.id) ?? [];
          moderationReason = reasons.length
            ? `Reported as ${reasons.map((reason) => REPORT_REASON_LABELS[reason] ?? reason).join(', ')}`
            : 'Hidden by a moderator';
        }
      }
      if (r.status === 'held') {
        notice = privileged ? 'Waiting for a moderator' : 'This comment is waiting for a moderator';
        if (privileged) moderationReason = r.heldReason;
      }
      const nameShown = r.status !== 'deleted' && (readable || (r.status === 'held' && privileged));
      return {
        id: r.id,
        parentId: r.parentId,
        depth: r.depth,
        authorName: nameShown ? (r.authorDeleted ? 'Deleted account' : r.authorName) : null,
        mine,
        stance: r.stance,
        stanceLabel: STANCE_LABELS[r.stance],
        status: r.status,
        html: readable
          ? r.status === 'hidden'
            ? greyed(renderMarkdown(r.body, 'basic'))
            : renderMarkdown(r.body, 'basic')
          : null,
        notice,
        moderationReason,
        agreeCount: r.agreeCount,
        disagreeCount: r.disagreeCount,
        myReaction: reactionOf(r.myReaction),
        edited: r.editedAt !== null && r.status !== 'deleted',
        editedAt: r.editedAt,
        createdAt: r.createdAt,
        actions: {
          reply: context.canComment && shown,
          edit:
            mine &&
            context.canComment &&
            (r.status === 'published' || r.status === 'held') &&
            withinEditWindow(r.createdAt, now),
          delete: mine && (r.status === 'published' || r.status === 'held'),
          react: context.canComment && shown && !mine,
          report: shown && !mine,
        },
        replies,
      };
    };

    return records
      .filter((r) => !r.parentId || !ids.has(r.parentId))
      .map(toComment)
      .filter((c) => c !== undefined);
  }

  return {
    /**
     * A page of the conversation on a process or proposal: top-level comments
     * (50 a page) with every reply nested under them, loaded with a fixed
     * number of queries however many comments there are.
     */
    async thread(
      actor: Actor,
      place: PlaceSummary,
      target: CommentTarget,
      page: { page?: number; order?: ThreadOrder } = {},
    ): Promise<Thread> {
      const loaded = await loadTarget(actor, place, target);
      const refusal = await commentRefusal(actor, place, loaded);
      const moderator = isModerator(actor, place);
      const viewer = { userId: actor.user?.id ?? null, isModerator: moderator };
      const order = page.order ?? 'oldest';
      const counts = await repo.threadCounts(db, place.id, target, viewer);
      const pages = Math.max(1, Math.ceil(counts.topLevel / THREAD_PAGE_SIZE));
      const current = Math.min(Math.max(1, Math.floor(page.page ?? 1)), pages);
      const roots = await repo.threadRoots(db, place.id, target, viewer, order, {
        limit: THREAD_PAGE_SIZE,
        offset: (current - 1) * THREAD_PAGE_SIZE,
      });
      const replies = await repo.threadReplies(
        db,
        place.id,
        roots.map((r) => r.id),
        viewer.userId,
      );
      const hidden = moderator ? [...roots, ...replies].filter((r) => r.status === 'hidden') : [];
      const reasons = await repo.reportReasons(
        db,
        place.id,
        hidden.map((r) => r.id),
      );
      const comments = buildTree(actor, [...roots, ...replies], {
        canComment: refusal === null,
        moderator,
        reasons,
      });
      return {
        target,
        subject: loaded.subject,
        count: counts.published,
        topLevelTotal: counts.topLevel,
        page: current,
        pages,
        pageSize: THREAD_PAGE_SIZE,
        order,
        comments,
        signedIn: actor.user !== null,
        isModerator: moderator,
        canComment: refusal === null,
        refusal,
      };
    },

    /** For the page with a form for a new comment: refuses, with the reason, when the person cannot comment. */
    async newCommentForm(actor: Actor, place: PlaceSummary, target: CommentTarget) {
      const loaded = await loadTarget(actor, place, target);
      await assertCanComment(actor, place, loaded);
      return { subject: loaded.subject };
    },

    /** For the reply page: the comment being answered, and whether the reply will sit beside it instead. */
    async replyForm(actor: Actor, place: PlaceSummary, target: CommentTarget, parentId: string) {
      const loaded = await loadTarget(actor, place, target);
      await commentOn(db, place, target, parentId);
      await assertCanComment(actor, place, loaded);
      const record = await repo.findThreadComment(db, place.id, parentId, actor.user?.id ?? null);
      if (!record) throw new NotFoundError();
      const [parent] = buildTree(actor, [record], {
        canComment: true,
        moderator: isModerator(actor, place),
        reasons: new Map(),
      });
      if (!parent || record.status !== 'published') {
        throw new RefusalError(
          'comment_closed',
          'You cannot reply to this comment because it is not shown.',
          'You can reply to another comment, or add your own.',
        );
      }
      return { subject: loaded.subject, parent, atMaxDepth: record.depth >= MAX_DEPTH };
    },

    /**
     * Posts a comment or a reply. Pre-moderation decides whether it shows now
     * or waits for a moderator; a shown comment counts towards the proposal's
     * comment_count and is announced to followers, in the same transaction.
     * A reply to a comment at the deepest level sits beside it, under the same parent.
     */
    async create(
      actor: Actor,
      place: PlaceSummary,
      target: CommentTarget,
      input: CommentInput,
      options: { order?: ThreadOrder } = {},
    ): Promise<{ id: string; status: 'published' | 'held'; heldReason: string | null; page: number }> {
      const loaded = await loadTarget(actor, place, target);
      await assertCanComment(actor, place, loaded);
      const user = actor.user!;
      const body = checkBody(input.body);
      let parentId: string | null = null;
      let depth = 0;
      if (input.parentId) {
        const parent = await commentOn(db, place, target, input.parentId);
        if (parent.status !== 'published') {
          throw new ValidationError(
            'body',
            parent.status === 'deleted'
              ? 'You cannot reply to this comment because its author deleted it'
              : 'You cannot reply to this comment because it is not shown',
          );
        }
        parentId = parent.depth >= MAX_DEPTH ? parent.parentId : parent.id;
        depth = Math.min(parent.depth + 1, MAX_DEPTH);
      }
      const screened = await moderation.screen(place, user.id, body);
      const heldReason = screened.status === 'held' ? (screened.reason ?? null) : null;
      const id = await db.transaction().execute(async (tx) => {
        const created = await repo.insertComment(tx, {
          placeId: place.id,
          processId: target.processId,
          proposalId: target.proposalId,
          parentId,
          depth,
          authorId: user.id,
          body,
          stance: input.stance,
          status: screened.status,
          heldReason,
        });
        // You follow what you comment on, even while your comment waits for a moderator.
        await notifications.follow(tx, { placeId: place.id, userId: user.id, ...followTarget(target) });
        if (screened.status === 'published') {
          await adjustCommentCount(tx, place, target.proposalId, null, 'published');
          await announce(tx, place, target, loaded, {
            id: created.id,
            authorId: user.id,
            authorName: user.name,
            body,
          });
        }
        await recordAudit(tx, actor, {
          action: 'comment.created',
          subjectType: 'comment',
          subjectId: created.id,
          placeId: place.id,
          details: {
            processId: target.processId,
            proposalId: target.proposalId,
            parentId,
            stance: input.stance,
            status: screened.status,
          },
        });
        return created.id;
      });
      const page = await pageOf(actor, place, target, id, options.order ?? 'oldest');
      return { id, status: screened.status, heldReason, page };
    },

    /**
     * Agree or disagree, once per person: the other value switches, the same
     * value again takes the reaction back. Counts change in the same transaction.
     */
    async react(
      actor: Actor,
      place: PlaceSummary,
      target: CommentTarget,
      commentId: string,
      value: ReactionValue,
    ): Promise<{ value: ReactionValue | null; agreeCount: number; disagreeCount: number }> {
      const loaded = await loadTarget(actor, place, target);
      await commentOn(db, place, target, commentId);
      await assertCanComment(actor, place, loaded);
      const user = actor.user!;
      const wanted: 1 | -1 = value === 'agree' ? 1 : -1;
      return db.transaction().execute(async (tx) => {
        // The row lock puts reactions to one comment in a queue, so its counts stay exact.
        const comment = await commentOn(tx, place, target, commentId, { forUpdate: true });
        if (comment.authorId === user.id) {
          throw new RefusalError(
            'own_comment',
            'You cannot agree or disagree with your own comment.',
            'You can reply to it to add to what you said.',
          );
        }
        if (comment.status !== 'published') {
          throw new RefusalError(
            'comment_closed',
            'You can only agree or disagree with comments that are shown.',
            'You can react to other comments in the conversation.',
          );
        }
        const key = { placeId: place.id, commentId, userId: user.id };
        const previous = await repo.findReaction(tx, place.id, commentId, user.id);
        let next: 1 | -1 | null;
        if (previous === undefined) {
          await repo.insertReaction(tx, { ...key, value: wanted });
          next = wanted;
        } else if (previous === wanted) {
          await repo.deleteReaction(tx, key);
          next = null;
        } else {
          await repo.updateReaction(tx, { ...key, value: wanted });
          next = wanted;
        }
        const delta = (v: 1 | -1) => (next === v ? 1 : 0) - (previous === v ? 1 : 0);
        const counts = await repo.changeReactionCounts(tx, place.id, commentId, {
          agree: delta(1),
          disagree: delta(-1),
        });
        await recordAudit(tx, actor, {
          action: 'comment.reacted',
          subjectType: 'comment',
          subjectId: commentId,
          placeId: place.id,
          details: { value: reactionOf(next), previous: reactionOf(previous ?? null) },
        });
        return { value: reactionOf(next), ...counts };
      });
    },

    /** For the edit page: the author's own text, while the edit window is open. */
    async editForm(actor: Actor, place: PlaceSummary, target: CommentTarget, commentId: string) {
      const loaded = await loadTarget(actor, place, target);
      const comment = await commentOn(db, place, target, commentId);
      assertEditable(actor, comment);
      await assertCanComment(actor, place, loaded);
      return {
        subject: loaded.subject,
        comment: { id: comment.id, body: comment.body, stance: comment.stance, createdAt: comment.createdAt },
        editableUntil: new Date(comment.createdAt.getTime() + EDIT_WINDOW_MINUTES * 60_000),
      };
    },

    /** The author changes their comment within the edit window; it is screened again and marked edited. */
    async edit(
      actor: Actor,
      place: PlaceSummary,
      target: CommentTarget,
      commentId: string,
      input: { body: string; stance: Stance },
    ): Promise<{ status: 'published' | 'held'; heldReason: string | null }> {
      const loaded = await loadTarget(actor, place, target);
      assertEditable(actor, await commentOn(db, place, target, commentId));
      await assertCanComment(actor, place, loaded);
      const user = actor.user!;
      const body = checkBody(input.body);
      const screened = await moderation.screen(place, user.id, body);
      const heldReason = screened.status === 'held' ? (screened.reason ?? null) : null;
      await db.transaction().execute(async (tx) => {
        const comment = await commentOn(tx, place, target, commentId, { forUpdate: true });
        assertEditable(actor, comment);
        await repo.updateCommentText(tx, place.id, commentId, {
          body,
          stance: input.stance,
          status: screened.status,
          heldReason,
        });
        await adjustCommentCount(tx, place, target.proposalId, comment.status, screened.status);
        if (comment.status === 'held' && screened.status === 'published') {
          await announce(tx, place, target, loaded, {
            id: commentId,
            authorId: user.id,
            authorName: user.name,
            body,
          });
        }
        await recordAudit(tx, actor, {
          action: 'comment.edited',
          subjectType: 'comment',
          subjectId: commentId,
          placeId: place.id,
          details: { stance: input.stance, status: screened.status },
        });
      });
      return { status: screened.status, heldReason };
    },

    /** For the delete page: the author's own comment. */
    async deleteForm(actor: Actor, place: PlaceSummary, target: CommentTarget, commentId: string) {
      const loaded = await loadTarget(actor, place, target);
      const comment = await commentOn(db, place, target, commentId);
      assertDeletable(actor, comment);
      return {
        subject: loaded.subject,
        comment: {
          id: comment.id,
          html: renderMarkdown(comment.body, 'basic'),
          createdAt: comment.createdAt,
        },
      };
    },

    /**
     * The author deletes their comment: its text goes, a tombstone keeps its
     * place so that replies stay in the conversation. It stops counting
     * towards the proposal's comment_count. Allowed whatever the phase, and
     * to blocked people: taking back what you said is always possible.
     */
    async deleteComment(actor: Actor, place: PlaceSummary, target: CommentTarget, commentId: string) {
      await loadTarget(actor, place, target);
      assertDeletable(actor, await commentOn(db, place, target, commentId));
      await db.transaction().execute(async (tx) => {
        const comment = await commentOn(tx, place, target, commentId, { forUpdate: true });
        assertDeletable(actor, comment);
        await repo.markDeleted(tx, place.id, commentId);
        await repo.deleteReactionsTo(tx, place.id, commentId);
        await adjustCommentCount(tx, place, target.proposalId, comment.status, 'deleted');
        await recordAudit(tx, actor, {
          action: 'comment.deleted',
          subjectType: 'comment',
          subjectId: commentId,
          placeId: place.id,
          details: {
            processId: target.processId,
            proposalId: target.proposalId,
            previousStatus: comment.status,
          },
        });
      });
    },

    /** Which page of the thread (in the given order) shows this comment; refuses comments the person cannot see. */
    async locate(
      actor: Actor,
      place: PlaceSummary,
      target: CommentTarget,
      commentId: string,
      order: ThreadOrder = 'oldest',
    ): Promise<{ page: number }> {
      await loadTarget(actor, place, target);
      const comment = await commentOn(db, place, target, commentId);
      if (comment.status === 'held' && comment.authorId !== actor.user?.id && !isModerator(actor, place)) {
        throw new NotFoundError();
      }
      return { page: await pageOf(actor, place, target, commentId, order) };
    },

    /**
     * For moderation, inside its own transaction, after it changes the status
     * of comments (publishing held ones, hiding or restoring): keeps each
     * proposal's comment_count equal to its published comments.
     */
    async commentsChangedByModeration(
      tx: Transaction<DB>,
      place: PlaceSummary,
      commentIds: readonly string[],
    ): Promise<void> {
      await repo.recountProposalComments(tx, place.id, commentIds);
    },
  };
}

function assertEditable(actor: Actor, comment: repo.CommentRecord): void {
  if (!actor.user) {
    throw new RefusalError(
      'not_signed_in',
      'You need to sign in to take part.',
      'Sign in, or create an account.',
    );
  }
  if (comment.authorId !== actor.user.id)
    throw new ForbiddenError('Only the author of a comment can change it');
  if (comment.status !== 'published' && comment.status !== 'held') {
    throw new RefusalError(
      'comment_closed',
      comment.status === 'deleted'
        ? 'This comment has been deleted, so it cannot be changed.'
        : 'This comment has been hidden by a moderator, so it cannot be changed.',
      'You can add a new comment instead.',
    );
  }
  if (!withinEditWindow(comment.createdAt)) {
    throw new RefusalError(
      'edit_window_closed',
      `You can only change a comment in the ${EDIT_WINDOW_MINUTES} minutes after you post it.`,
      'You can reply to your comment to correct or add to it, or delete it.',
    );
  }
}

function assertDeletable(actor: Actor, comment: repo.CommentRecord): void {
  if (!actor.user) {
    throw new RefusalError(
      'not_signed_in',
      'You need to sign in to take part.',
      'Sign in, or create an account.',
    );
  }
  if (comment.authorId !== actor.user.id)
    throw new ForbiddenError('Only the author of a comment can delete it');
  if (comment.status === 'deleted') throw new NotFoundError();
  if (comment.status === 'hidden') {
    // Moderators still need to see what was hidden to review it.
    throw new RefusalError(
      'comment_closed',
      'This comment has been hidden by a moderator, so it cannot be deleted while it is reviewed.',
      'If you think it was hidden by mistake, contact the moderators of this place.',
    );
  }
}

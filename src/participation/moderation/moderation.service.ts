import type { Transaction } from 'kysely';
import type { AuditAction } from '../../platform/audit/audit.actions.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor, SignedInUser } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { ForbiddenError, NotFoundError, RefusalError, ValidationError } from '../../platform/errors.ts';
import { containsLink } from '../../platform/markdown.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import * as repo from './moderation.repository.ts';
import {
  MAX_BLOCKED_WORD_LENGTH,
  MAX_BLOCKED_WORDS,
  type MODERATION_ACTIONS,
  type QUEUE_SORTS,
  REPORT_REASONS,
} from './moderation.schema.ts';
import type { ReportReason, ReportResolution, ReportTarget } from './moderation.table.ts';

export const DEFAULT_SETTINGS = {
  hideAfterReports: 3,
  holdLinksFromAccountsYoungerThanDays: 0,
  blockedWords: [] as string[],
};

export interface ModerationSettings {
  hideAfterReports: number;
  holdLinksFromAccountsYoungerThanDays: number;
  blockedWords: string[];
}

export interface ScreenResult {
  status: 'published' | 'held';
  /** Why the content was held, to tell the author. */
  reason?: string;
}

export const REASON_LABELS: Record<ReportReason, string> = {
  spam: 'Spam or advertising',
  offensive: 'Offensive, abusive or hateful',
  personal_information: 'Shares someone’s personal information',
  off_topic: 'Off topic',
  other: 'Something else',
};

/** How a reason reads after “reported it”, for the author. */
const REASON_PHRASES: Record<ReportReason, string> = {
  spam: 'as spam',
  offensive: 'as offensive',
  personal_information: 'for sharing someone’s personal information',
  off_topic: 'as off topic',
  other: 'for breaking the rules of the place',
};

const TARGET_NOUNS: Record<ReportTarget, string> = {
  proposal: 'proposal',
  comment: 'comment',
  user: 'person',
};

const letterOrDigit = '[\\p{L}\\p{N}_]';

function blockedWordPattern(word: string): RegExp {
  const escaped = word
    .normalize('NFC')
    .toLowerCase()
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return new RegExp(`(?<!${letterOrDigit})${escaped}(?!${letterOrDigit})`, 'u');
}

/**
 * Pure: the pre-moderation rules of a place applied to one piece of text.
 * Blocked words match as whole words in any case, letters beyond English
 * included (a blocked “scam” holds “SCAM!” but not “scampi”); links are held
 * only from accounts younger than the rule.
 */
export function screenText(
  settings: { holdLinksFromAccountsYoungerThanDays: number; blockedWords: string[] },
  text: string,
  accountAgeDays: number,
): ScreenResult {
  const lower = text.normalize('NFC').toLowerCase();
  const word = settings.blockedWords.find((w) => w.trim() !== '' && blockedWordPattern(w).test(lower));
  if (word) return { status: 'held', reason: 'it contains a word that moderators review before it is shown' };
  if (
    settings.holdLinksFromAccountsYoungerThanDays > 0 &&
    accountAgeDays < settings.holdLinksFromAccountsYoungerThanDays &&
    containsLink(text)
  ) {
    return { status: 'held', reason: 'it contains a link and your account is new' };
  }
  return { status: 'published' };
}

/** Pure: one line of plain text from content, short enough for a list. */
export function excerpt(text: string, max = 200): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max
    ? chars.join('')
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

export type ModerationAction = (typeof MODERATION_ACTIONS)[number];
export type QueueSort = (typeof QUEUE_SORTS)[number];
export type QueueState = repo.QueueState;
export type ContentStatus = NonNullable<repo.QueueRow['status']>;

/** A proposal, comment or person as the report form shows it. */
export interface ReportableTarget {
  type: ReportTarget;
  id: string;
  /** “proposal”, “comment” or “person”. */
  noun: string;
  title: string;
  excerpt: string;
  /** Where to go back to after reporting. */
  link: string;
  alreadyReported: boolean;
}

export interface QueueItem {
  /** The checkbox value: `proposal:<id>`, `comment:<id>` or `user:<id>`. */
  key: string;
  type: ReportTarget;
  id: string;
  title: string | null;
  excerpt: string;
  /** Null for people. */
  status: ContentStatus | null;
  link: string | undefined;
  author: { id: string; name: string; blocked: boolean };
  reportCount: number;
  reasons: ReportReason[];
  /** The latest details reporters gave, newest first, at most three. */
  details: string[];
  lastActivityAt: Date;
}

export interface QueueFilter {
  type?: ReportTarget | undefined;
  state?: QueueState | undefined;
  reason?: ReportReason | undefined;
  sort: QueueSort;
}

export interface ActionOutcome {
  action: ModerationAction;
  /** Items the action was applied to. */
  done: number;
  /** Items found in this place that the action does not apply to, such as hiding a person. */
  skipped: number;
  /** Items not found in this place. */
  notFound: number;
  /** For blocks: how many people were newly blocked. */
  peopleBlocked: number;
}

export interface BlockedPerson {
  userId: string;
  name: string;
  reason: string;
  blockedByName: string | null;
  blockedAt: Date;
}

interface Target {
  type: ReportTarget;
  id: string;
  title: string | null;
  body: string;
  status: ContentStatus | null;
  authorId: string;
  authorName: string;
  processId: string | null;
  proposalId: string | null;
}

function contentLink(
  place: PlaceSummary,
  target: { type: ReportTarget; id: string; processId: string | null; proposalId: string | null },
): string | undefined {
  if (target.type === 'user' || !target.processId) return undefined;
  const process = `/places/${place.slug}/processes/${target.processId}`;
  if (target.type === 'proposal') return `${process}/proposals/${target.id}`;
  return target.proposalId
    ? `${process}/proposals/${target.proposalId}#comment-${target.id}`
    : `${process}#comment-${target.id}`;
}

function parseItem(value: string): { type: ReportTarget; id: string } | undefined {
  const match =
    /^(proposal|comment|user):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(value);
  return match ? { type: match[1] as ReportTarget, id: match[2]!.toLowerCase() } : undefined;
}

function signedIn(actor: Actor): SignedInUser {
  if (!actor.user) throw new ForbiddenError('You need to sign in to report something');
  return actor.user;
}

export type ModerationService = ReturnType<typeof createModerationService>;

/** Deliberation keeps counts of published comments: moderation tells it which comments' status it changed. */
export interface CommentStatusListener {
  commentsChangedByModeration(
    tx: Transaction<DB>,
    place: PlaceSummary,
    commentIds: readonly string[],
  ): Promise<void>;
}

export function createModerationService(deps: {
  db: Database;
  notifications: Pick<NotificationsService, 'notifyUser' | 'notifyFollowers'>;
  comments: CommentStatusListener;
}) {
  const { db, notifications, comments } = deps;

  /** Changes the status of proposals and comments that are in one of `from`; returns the ids changed. */
  async function changeStatus(
    tx: Transaction<DB>,
    place: PlaceSummary,
    list: readonly Target[],
    to: 'hidden' | 'published',
    from: ('published' | 'held' | 'hidden' | 'withdrawn')[],
  ): Promise<Set<string>> {
    const ids = (type: ReportTarget) => list.filter((t) => t.type === type).map((t) => t.id);
    const proposals = await repo.setProposalStatus(tx, place.id, ids('proposal'), to, from);
    const commentFrom = from.filter((s): s is 'published' | 'held' | 'hidden' => s !== 'withdrawn');
    const changedComments = await repo.setCommentStatus(tx, place.id, ids('comment'), to, commentFrom);
    if (changedComments.length > 0) await comments.commentsChangedByModeration(tx, place, changedComments);
    return new Set([...proposals, ...changedComments]);
  }

  async function settingsOf(placeId: string, tx?: Transaction<DB>): Promise<ModerationSettings> {
    const row = await repo.findSettings(tx ?? db, placeId);
    return row
      ? {
          hideAfterReports: row.hide_after_reports,
          holdLinksFromAccountsYoungerThanDays: row.hold_links_from_accounts_younger_than_days,
          blockedWords: row.blocked_words,
        }
      : { ...DEFAULT_SETTINGS, blockedWords: [] };
  }

  async function loadTargets(
    tx: Database | Transaction<DB>,
    place: PlaceSummary,
    items: readonly { type: ReportTarget; id: string }[],
    options: { lock?: boolean } = {},
  ): Promise<Target[]> {
    const ids = (type: ReportTarget) => items.filter((i) => i.type === type).map((i) => i.id);
    const [proposals, comments, people] = [
      await repo.findProposals(tx, place.id, ids('proposal'), options),
      await repo.findComments(tx, place.id, ids('comment'), options),
      await repo.findPeople(tx, place.id, ids('user')),
    ];
    return [
      ...proposals,
      ...comments,
      ...people.map((p) => ({
        type: 'user' as const,
        id: p.id,
        title: p.name,
        body: '',
        status: null,
        authorId: p.id,
        authorName: p.name,
        processId: null,
        proposalId: null,
      })),
    ];
  }

  function notify(
    tx: Transaction<DB>,
    place: PlaceSummary,
    userId: string,
    n: { kind: string; title: string; body: string; link: string | undefined },
  ) {
    return notifications.notifyUser(tx, userId, {
      placeId: place.id,
      kind: n.kind,
      title: n.title,
      body: n.body,
      link: n.link ?? `/places/${place.slug}`,
    });
  }

  /** What a signed-in person may report: published content, or a person who takes part here, not themselves. */
  async function reportable(
    tx: Database | Transaction<DB>,
    user: SignedInUser,
    place: PlaceSummary,
    type: ReportTarget,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<Target> {
    const [target] = await loadTargets(tx, place, [{ type, id }], options);
    // Anything the public can see can be reported, withdrawn proposals included.
    if (
      !target ||
      (target.status !== null && target.status !== 'published' && target.status !== 'withdrawn')
    ) {
      throw new NotFoundError();
    }
    if (target.authorId === user.id) {
      throw new RefusalError(
        'own_content',
        type === 'user' ? 'You cannot report yourself.' : `You cannot report your own ${TARGET_NOUNS[type]}.`,
        type === 'user'
          ? `If you need help, contact ${place.name}.`
          : `You can change your ${TARGET_NOUNS[type]} instead.`,
      );
    }
    return target;
  }

  return {
    settingsOf,

    async isBlocked(placeId: string, userId: string): Promise<boolean> {
      return (await repo.findBlock(db, placeId, userId)) !== undefined;
    },

    /** Refuses people blocked in this place from posting anything. Reporting is not posting: blocked people may report. */
    async assertNotBlocked(actor: Actor, place: PlaceSummary, tx?: Transaction<DB>): Promise<void> {
      if (!actor.user) return;
      const block = await repo.findBlock(tx ?? db, place.id, actor.user.id);
      if (block) {
        throw new RefusalError(
          'blocked',
          `The moderators of ${place.name} have blocked you from posting. The reason given was: ${block.reason}`,
          `If you think this is a mistake, contact ${place.name}.`,
        );
      }
    },

    /** Applies the place's pre-moderation rules to new or edited content. */
    async screen(place: PlaceSummary, authorId: string, text: string): Promise<ScreenResult> {
      const settings = await settingsOf(place.id);
      const created = await repo.accountCreatedAt(db, authorId);
      const ageDays = created ? (Date.now() - created.getTime()) / 86_400_000 : 0;
      return screenText(settings, text, ageDays);
    },

    /** The target of the report form, for a signed-in person; refuses their own content. */
    async reportTarget(
      actor: Actor,
      place: PlaceSummary,
      type: ReportTarget,
      id: string,
    ): Promise<ReportableTarget> {
      const user = signedIn(actor);
      const target = await reportable(db, user, place, type, id);
      return {
        type,
        id,
        noun: TARGET_NOUNS[type],
        title: target.title ?? excerpt(target.body, 80),
        excerpt: type === 'user' ? '' : excerpt(target.body, 300),
        link: contentLink(place, target) ?? `/places/${place.slug}`,
        alreadyReported: await repo.hasOpenReport(db, place.id, user.id, type, id),
      };
    },

    /** Where the confirmation page links back to; the content may have been hidden by the report. */
    async reportedTargetLink(
      actor: Actor,
      place: PlaceSummary,
      type: ReportTarget,
      id: string,
    ): Promise<string> {
      signedIn(actor);
      const [target] = await loadTargets(db, place, [{ type, id }]);
      return (
        (target && target.status === 'published' && contentLink(place, target)) || `/places/${place.slug}`
      );
    },

    /**
     * Records a report. When the open reports on a proposal or comment reach
     * the place's threshold, it is hidden at once, pending review, and its
     * author is told why. Blocked people may report: reporting is how they
     * too can ask for help.
     */
    async report(
      actor: Actor,
      place: PlaceSummary,
      input: { type: ReportTarget; id: string; reason: ReportReason; details: string },
    ): Promise<{ hidden: boolean }> {
      const user = signedIn(actor);
      return db.transaction().execute(async (tx) => {
        // The lock makes concurrent reports on one target count in turn, so the threshold is never skipped.
        const target = await reportable(tx, user, place, input.type, input.id, { lock: true });
        const reportId = await repo.insertReport(tx, {
          placeId: place.id,
          reporterId: user.id,
          targetType: input.type,
          targetId: input.id,
          reason: input.reason,
          details: input.details,
        });
        if (!reportId) throw new ValidationError('reason', 'You have already reported this');
        await recordAudit(tx, actor, {
          action: 'content.reported',
          subjectType: input.type,
          subjectId: input.id,
          placeId: place.id,
          details: { reportId, reason: input.reason },
        });
        if (input.type === 'user') return { hidden: false };

        const settings = await settingsOf(place.id, tx);
        const reasons = await repo.openReportReasons(tx, place.id, input.type, input.id);
        const count = reasons.reduce((sum, r) => sum + r.count, 0);
        if (count < settings.hideAfterReports) return { hidden: false };
        const changed = await changeStatus(tx, place, [target], 'hidden', ['published']);
        if (changed.size === 0) return { hidden: false };
        const mainReason = reasons[0]!.reason;
        await recordAudit(tx, actor, {
          action: 'moderation.hidden',
          subjectType: input.type,
          subjectId: input.id,
          placeId: place.id,
          actorId: null,
          details: {
            automatic: true,
            reports: count,
            threshold: settings.hideAfterReports,
            reason: mainReason,
          },
        });
        const noun = TARGET_NOUNS[input.type];
        await notify(tx, place, target.authorId, {
          kind: 'moderation.hidden',
          title: `Your ${noun} has been hidden while a moderator reviews it`,
          body:
            `People reported your ${noun} ${REASON_PHRASES[mainReason]}, so it is hidden until a moderator ` +
            `has looked at it. If it breaks no rules, it will be shown again.`,
          link: contentLink(place, target),
        });
        return { hidden: true };
      });
    },

    /** The moderation queue: reported targets and held content, or hidden content when asked. */
    async queue(
      actor: Actor,
      place: PlaceSummary,
      filter: QueueFilter,
      page: { limit: number; offset: number },
    ): Promise<{ items: QueueItem[]; total: number }> {
      authorise(actor, 'content.moderate', place.id);
      const { rows, total } = await repo.queue(db, place.id, filter, page);
      return {
        total,
        items: rows.map((r) => ({
          key: `${r.type}:${r.id}`,
          type: r.type,
          id: r.id,
          title: r.type === 'user' ? r.author_name : r.title,
          excerpt: r.body ? excerpt(r.body) : '',
          status: r.status,
          link: contentLink(place, {
            type: r.type,
            id: r.id,
            processId: r.process_id,
            proposalId: r.proposal_id,
          }),
          author: { id: r.author_id, name: r.author_name, blocked: r.author_blocked },
          reportCount: Number(r.report_count),
          reasons: REPORT_REASONS.filter((reason) => r.reasons?.includes(reason)),
          details: r.details ?? [],
          lastActivityAt: new Date(r.last_activity_at),
        })),
      };
    },

    /**
     * One bulk action on items of the queue, in one transaction: content
     * status, the items' open reports, an audit row per item and a
     * notification to each author affected. Items of other places are not
     * found, because every query filters on the place.
     */
    async act(
      actor: Actor,
      place: PlaceSummary,
      input: { items: string[]; action: ModerationAction; reason: string },
    ): Promise<ActionOutcome> {
      authorise(actor, 'content.moderate', place.id);
      const moderator = actor.user!;
      const reason = input.reason.trim();
      if ((input.action === 'hide' || input.action === 'block') && reason === '') {
        throw new ValidationError('reason', 'Enter a reason');
      }
      const requested = new Map<string, { type: ReportTarget; id: string }>();
      let malformed = 0;
      for (const value of input.items) {
        const item = parseItem(value);
        if (item) requested.set(`${item.type}:${item.id}`, item);
        else malformed++;
      }
      if (requested.size === 0 && malformed === 0)
        throw new ValidationError('items', 'Select at least one item');

      return db.transaction().execute(async (tx) => {
        const targets = await loadTargets(tx, place, [...requested.values()], { lock: true });
        const outcome: ActionOutcome = {
          action: input.action,
          done: 0,
          skipped: 0,
          notFound: requested.size - targets.length + malformed,
          peopleBlocked: 0,
        };
        const audit = (target: Target, action: AuditAction, details: object) =>
          recordAudit(tx, actor, {
            action,
            subjectType: target.type,
            subjectId: target.id,
            placeId: place.id,
            details: { ...details },
          });
        const setStatus = (
          list: Target[],
          to: 'hidden' | 'published',
          from: ('published' | 'held' | 'hidden' | 'withdrawn')[],
        ) => changeStatus(tx, place, list, to, from);
        const resolve = async (list: { type: ReportTarget; id: string }[], resolution: ReportResolution) => {
          const closed = await repo.resolveReports(tx, place.id, list, resolution, moderator.id);
          const counts = new Map<string, number>();
          for (const c of closed) counts.set(`${c.type}:${c.id}`, (counts.get(`${c.type}:${c.id}`) ?? 0) + 1);
          return (t: { type: ReportTarget; id: string }) => counts.get(`${t.type}:${t.id}`) ?? 0;
        };

        if (input.action === 'hide') {
          // A withdrawn proposal is still public, so it can still be hidden.
          const applicable = targets.filter(
            (t) =>
              t.status === 'published' ||
              t.status === 'held' ||
              t.status === 'hidden' ||
              t.status === 'withdrawn',
          );
          outcome.skipped = targets.length - applicable.length;
          await setStatus(applicable, 'hidden', ['published', 'held', 'withdrawn']);
          const closed = await resolve(applicable, 'hidden');
          for (const t of applicable) {
            const noun = TARGET_NOUNS[t.type];
            await audit(t, 'moderation.hidden', {
              reason,
              previousStatus: t.status,
              reportsResolved: closed(t),
            });
            await notify(tx, place, t.authorId, {
              kind: 'moderation.hidden',
              title: `Your ${noun} was hidden`,
              body: `Your ${noun} was hidden because ${reason}`,
              link: contentLink(place, t),
            });
          }
          outcome.done = applicable.length;
        } else if (input.action === 'restore') {
          const applicable = targets.filter(
            (t) => t.status === 'published' || t.status === 'held' || t.status === 'hidden',
          );
          outcome.skipped = targets.length - applicable.length;
          const shown = await setStatus(applicable, 'published', ['held', 'hidden']);
          const closed = await resolve(applicable, 'restored');
          for (const t of applicable) {
            const noun = TARGET_NOUNS[t.type];
            await audit(t, 'moderation.restored', {
              ...(reason ? { reason } : {}),
              previousStatus: t.status,
              reportsResolved: closed(t),
            });
            if (!shown.has(t.id)) continue;
            await notify(tx, place, t.authorId, {
              kind: 'moderation.restored',
              title: `Your ${noun} is now shown`,
              body: `A moderator has reviewed your ${noun} and it is now shown.${reason ? ` They said: ${reason}` : ''}`,
              link: contentLink(place, t),
            });
            // Content held before it was ever shown is new to followers: announce it as if just posted.
            const link = contentLink(place, t);
            if (t.status === 'held' && link && t.processId) {
              const followed: { type: 'process' | 'proposal'; id: string }[] = [
                { type: 'process', id: t.processId },
              ];
              if (t.type === 'comment' && t.proposalId)
                followed.unshift({ type: 'proposal', id: t.proposalId });
              await notifications.notifyFollowers(tx, followed, t.authorId, {
                placeId: place.id,
                kind: t.type === 'proposal' ? 'proposal.created' : 'comment.created',
                title:
                  t.type === 'proposal'
                    ? `New proposal: ${t.title ?? ''}`
                    : 'A new comment has been published',
                body: `${t.authorName} ${t.type === 'proposal' ? 'made a proposal' : 'commented'}. Open the link to read it.`,
                link,
              });
            }
          }
          outcome.done = applicable.length;
        } else if (input.action === 'dismiss') {
          const closed = await resolve(targets, 'dismissed');
          const applicable = targets.filter((t) => closed(t) > 0);
          outcome.skipped = targets.length - applicable.length;
          // Hidden content with open reports was hidden by those reports: dismissing them shows it again.
          const shown = await setStatus(
            applicable.filter((t) => t.status === 'hidden'),
            'published',
            ['hidden'],
          );
          for (const t of applicable) {
            await audit(t, 'moderation.dismissed', {
              ...(reason ? { reason } : {}),
              reportsResolved: closed(t),
              shownAgain: shown.has(t.id),
            });
            if (!shown.has(t.id)) continue;
            const noun = TARGET_NOUNS[t.type];
            await notify(tx, place, t.authorId, {
              kind: 'moderation.restored',
              title: `Your ${noun} is now shown`,
              body: `A moderator has reviewed the reports about your ${noun} and it is now shown again.`,
              link: contentLink(place, t),
            });
          }
          outcome.done = applicable.length;
        } else {
          const applicable = targets.filter((t) => t.authorId !== moderator.id);
          outcome.skipped = targets.length - applicable.length;
          const authors = new Map(applicable.map((t) => [t.authorId, t.authorName]));
          const newlyBlocked = new Set<string>();
          for (const authorId of authors.keys()) {
            const inserted = await repo.insertBlock(tx, {
              placeId: place.id,
              userId: authorId,
              blockedBy: moderator.id,
              reason,
            });
            if (inserted) newlyBlocked.add(authorId);
          }
          const closed = await resolve(
            [
              ...applicable,
              ...[...authors.keys()]
                .filter((id) => !requested.has(`user:${id}`))
                .map((id) => ({ type: 'user' as const, id })),
            ],
            'blocked',
          );
          for (const t of applicable) {
            await recordAudit(tx, actor, {
              action: 'moderation.user_blocked',
              subjectType: 'user',
              subjectId: t.authorId,
              placeId: place.id,
              details: {
                reason,
                item: `${t.type}:${t.id}`,
                reportsResolved: closed(t),
                alreadyBlocked: !newlyBlocked.has(t.authorId),
              },
            });
          }
          for (const authorId of newlyBlocked) {
            await notify(tx, place, authorId, {
              kind: 'moderation.user_blocked',
              title: `You have been blocked from posting in ${place.name}`,
              body: `You have been blocked from posting in ${place.name} because ${reason}`,
              link: undefined,
            });
          }
          outcome.done = applicable.length;
          outcome.peopleBlocked = newlyBlocked.size;
        }
        return outcome;
      });
    },

    async blockedPeople(
      actor: Actor,
      place: PlaceSummary,
      page: { limit: number; offset: number },
    ): Promise<{ people: BlockedPerson[]; total: number }> {
      authorise(actor, 'content.moderate', place.id);
      const { rows, total } = await repo.listBlocks(db, place.id, page);
      return {
        total,
        people: rows.map((r) => ({
          userId: r.userId,
          name: r.name,
          reason: r.reason,
          blockedByName: r.blockedByName,
          blockedAt: r.createdAt,
        })),
      };
    },

    /** Lifts a block; returns the person's name. */
    async unblock(actor: Actor, place: PlaceSummary, userId: string): Promise<string> {
      authorise(actor, 'content.moderate', place.id);
      return db.transaction().execute(async (tx) => {
        const removed = await repo.deleteBlock(tx, place.id, userId);
        if (!removed) throw new NotFoundError();
        await recordAudit(tx, actor, {
          action: 'moderation.user_unblocked',
          subjectType: 'user',
          subjectId: userId,
          placeId: place.id,
          details: { reason: removed.reason },
        });
        await notify(tx, place, userId, {
          kind: 'moderation.user_unblocked',
          title: `You can post in ${place.name} again`,
          body: `A moderator has lifted your block. You can post in ${place.name} again.`,
          link: undefined,
        });
        return removed.name;
      });
    },

    async settings(actor: Actor, place: PlaceSummary): Promise<ModerationSettings> {
      authorise(actor, 'moderation.configure', place.id);
      return settingsOf(place.id);
    },

    async updateSettings(actor: Actor, place: PlaceSummary, input: ModerationSettings): Promise<void> {
      authorise(actor, 'moderation.configure', place.id);
      if (
        !Number.isInteger(input.hideAfterReports) ||
        input.hideAfterReports < 1 ||
        input.hideAfterReports > 100
      ) {
        throw new ValidationError('hideAfterReports', 'Number of reports must be between 1 and 100');
      }
      const days = input.holdLinksFromAccountsYoungerThanDays;
      if (!Number.isInteger(days) || days < 0 || days > 365) {
        throw new ValidationError('holdLinksDays', 'Number of days must be between 0 and 365');
      }
      if (input.blockedWords.length > MAX_BLOCKED_WORDS) {
        throw new ValidationError('blockedWords', `Enter ${MAX_BLOCKED_WORDS} blocked words or fewer`);
      }
      if (input.blockedWords.some((w) => w.length > MAX_BLOCKED_WORD_LENGTH)) {
        throw new ValidationError(
          'blockedWords',
          `Each blocked word must be ${MAX_BLOCKED_WORD_LENGTH} characters or fewer`,
        );
      }
      await db.transaction().execute(async (tx) => {
        const before = await settingsOf(place.id, tx);
        await repo.upsertSettings(tx, place.id, input);
        await recordAudit(tx, actor, {
          action: 'moderation.settings_changed',
          subjectType: 'place',
          subjectId: place.id,
          placeId: place.id,
          details: {
            hideAfterReports: { from: before.hideAfterReports, to: input.hideAfterReports },
            holdLinksFromAccountsYoungerThanDays: {
              from: before.holdLinksFromAccountsYoungerThanDays,
              to: input.holdLinksFromAccountsYoungerThanDays,
            },
            blockedWordsAdded: input.blockedWords.filter((w) => !before.blockedWords.includes(w)).length,
            blockedWordsRemoved: before.blockedWords.filter((w) => !input.blockedWords.includes(w)).length,
          },
        });
      });
    },
  };
}

import type { Transaction } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor, SignedInUser } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { newSecret } from '../../platform/session/tokens.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import {
  digestEmail,
  isLocalPath,
  type MailableNotification,
  notificationEmail,
} from './notifications.emails.ts';
import * as repo from './notifications.repository.ts';
import type { EmailPreference, FollowTarget } from './notifications.table.ts';

export interface NotificationInput {
  placeId: string;
  kind: string;
  title: string;
  body: string;
  /** A path on this site, e.g. /places/riverside/proposals/… */
  link: string;
}

/** What the follow-button partial needs: include it with this as `follow`. */
export interface FollowState {
  targetType: FollowTarget;
  targetId: string;
  following: boolean;
  /** Where to come back to after following: a path under /places/<slug>/. */
  returnTo: string;
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  createdAt: Date;
  unread: boolean;
  place: { slug: string; name: string };
}

export interface DeliveryResult {
  /** Emails sent. */
  sent: number;
  /** Emails that failed and will be tried again on the next run. */
  failed: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;

function signedIn(actor: Actor): SignedInUser {
  if (!actor.user) throw new ForbiddenError('You need to sign in to do this');
  return actor.user;
}

function defaultReturnTo(place: PlaceSummary, targetType: FollowTarget, targetId: string, processId: string) {
  return targetType === 'process'
    ? `/places/${place.slug}/processes/${targetId}`
    : `/places/${place.slug}/processes/${processId}/proposals/${targetId}`;
}

function mailable(row: repo.ClaimedNotification): MailableNotification {
  return { title: row.title, body: row.body, link: row.link, placeName: row.place_name };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;

export function createNotificationsService(deps: { db: Database; mailer: Mailer; baseUrl: string }) {
  const { db, mailer, baseUrl } = deps;

  async function followTarget(actor: Actor, place: PlaceSummary, targetType: FollowTarget, targetId: string) {
    const user = signedIn(actor);
    authorise(actor, 'place.view', place.id);
    const target = await repo.findFollowTarget(db, place.id, user.id, targetType, targetId);
    if (!target) throw new NotFoundError();
    return { user, target };
  }

  return {
    /** Follow inside the caller's transaction: you follow what you create or comment on. */
    async follow(
      tx: Transaction<DB> | Database,
      f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
    ) {
      await repo.insertFollow(tx, f);
    },

    async unfollow(f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string }) {
      await repo.deleteFollow(db, f);
    },

    /** Stops following inside the caller's transaction, beside its audit entry. */
    async unfollowIn(
      tx: Transaction<DB>,
      f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
    ) {
      await repo.deleteFollow(tx, f);
    },

    isFollowing(
      f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
      tx?: Transaction<DB>,
    ) {
      return repo.isFollowing(tx ?? db, f);
    },

    /** Notifies everyone following any of the targets, once each, except the person who acted. */
    async notifyFollowers(
      tx: Transaction<DB>,
      targets: { type: FollowTarget; id: string }[],
      exceptUserId: string | null,
      n: NotificationInput,
    ): Promise<string[]> {
      return repo.insertForFollowers(tx, { ...n, targets, exceptUserId });
    },

    async notifyUser(tx: Transaction<DB>, userId: string, n: NotificationInput): Promise<string> {
      return repo.insertNotification(tx, { ...n, userId });
    },

    /**
     * For the follow-button partial: whether the signed-in person follows the
     * target, or nothing for visitors (the button is not shown to them).
     * `returnTo` defaults to the target's own page.
     */
    async followState(
      actor: Actor,
      place: PlaceSummary,
      targetType: FollowTarget,
      targetId: string,
      returnTo?: string,
    ): Promise<FollowState | undefined> {
      if (!actor.user) return undefined;
      const userId = actor.user.id;
      const following = await repo.isFollowing(db, { placeId: place.id, userId, targetType, targetId });
      if (returnTo) return { targetType, targetId, following, returnTo };
      const target = await repo.findFollowTarget(db, place.id, userId, targetType, targetId);
      return {
        targetType,
        targetId,
        following,
        returnTo: defaultReturnTo(place, targetType, targetId, target?.processId ?? targetId),
      };
    },

    /** Follows or stops following a process or proposal of this place; returns the target's own page. */
    async setFollowing(
      actor: Actor,
      place: PlaceSummary,
      input: { targetType: FollowTarget; targetId: string; follow: boolean },
    ): Promise<{ targetPage: string }> {
      const { user, target } = await followTarget(actor, place, input.targetType, input.targetId);
      const f = {
        placeId: place.id,
        userId: user.id,
        targetType: input.targetType,
        targetId: input.targetId,
      };
      await db.transaction().execute(async (tx) => {
        const was = await repo.isFollowing(tx, f);
        if (was === input.follow) return;
        if (input.follow) await repo.insertFollow(tx, f);
        else await repo.deleteFollow(tx, f);
        await recordAudit(tx, actor, {
          action: input.follow ? 'notifications.followed' : 'notifications.unfollowed',
          subjectType: input.targetType,
          subjectId: input.targetId,
          placeId: place.id,
        });
      });
      return { targetPage: defaultReturnTo(place, input.targetType, input.targetId, target.processId) };
    },

    /** For the header: one count query, for signed-in people only. */
    unreadCount(userId: string): Promise<number> {
      return repo.countUnread(db, userId);
    },

    async listNotifications(
      actor: Actor,
      page: { limit: number; offset: number },
    ): Promise<{ notifications: Notification[]; total: number }> {
      const user = signedIn(actor);
      const { rows, total } = await repo.listForUser(db, user.id, page);
      return {
        total,
        notifications: rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          title: r.title,
          body: r.body,
          link: r.link,
          createdAt: r.created_at,
          unread: r.read_at === null,
          place: { slug: r.place_slug, name: r.place_name },
        })),
      };
    },

    /** Marks one of the person's own notifications read; returns where to go, always a path on this site. */
    async openNotification(actor: Actor, id: string, now = new Date()): Promise<string> {
      const user = signedIn(actor);
      const row = await repo.markRead(db, user.id, id, now);
      if (!row) throw new NotFoundError();
      return isLocalPath(row.link) ? row.link : '/notifications';
    },

    async markAllRead(actor: Actor, now = new Date()): Promise<number> {
      const user = signedIn(actor);
      return repo.markAllRead(db, user.id, now);
    },

    async emailPreference(actor: Actor): Promise<EmailPreference> {
      const user = signedIn(actor);
      return (await repo.findPreferences(db, user.id))?.email ?? 'immediate';
    },

    async setEmailPreference(actor: Actor, email: EmailPreference): Promise<void> {
      const user = signedIn(actor);
      await db.transaction().execute(async (tx) => {
        const before = await repo.findPreferences(tx, user.id);
        await repo.upsertEmailPreference(tx, { userId: user.id, email, tokenIfNew: newSecret() });
        await recordAudit(tx, actor, {
          action: 'notifications.preferences_changed',
          subjectType: 'user',
          subjectId: user.id,
          details: { from: before?.email ?? 'immediate', to: email },
        });
      });
    },

    /** What an unsubscribe link is for, without changing anything: mail scanners follow links. */
    async unsubscribeLink(token: string): Promise<{ emailsOff: boolean } | undefined> {
      const row = await repo.findPreferencesByToken(db, token);
      return row && { emailsOff: row.email === 'off' };
    },

    /** Turns notification emails off for whoever the link was sent to; false when the link is unknown. */
    async unsubscribe(actor: Actor, token: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const before = await repo.findPreferencesByToken(tx, token);
        if (!before) return false;
        if (before.email === 'off') return true;
        await repo.turnEmailOffByToken(tx, token);
        await recordAudit(tx, actor, {
          action: 'notifications.preferences_changed',
          subjectType: 'user',
          subjectId: before.user_id,
          actorId: before.user_id,
          details: { from: before.email, to: 'off', via: 'unsubscribe_link' },
        });
        return true;
      });
    },

    /**
     * Emails each waiting notification to people who want them one by one
     * (the default), and settles those of people who want none. Safe to run
     * again at any time: a notification is claimed before it is sent.
     */
    async sendPendingEmails(now: Date): Promise<DeliveryResult> {
      const missing = await repo.usersWithoutPreferences(db);
      await repo.insertDefaultPreferences(
        db,
        missing.map((userId) => ({ userId, token: newSecret() })),
      );
      await repo.settleUnmailable(db, now);
      const result: DeliveryResult = { sent: 0, failed: 0 };
      for (;;) {
        const claimed = await repo.claimImmediate(db, now, BATCH);
        const failedIds: string[] = [];
        for (const row of claimed) {
          if (!row.email) continue;
          try {
            await mailer.send(
              notificationEmail(
                baseUrl,
                { email: row.email, name: row.name, unsubscribeToken: row.unsubscribe_token },
                mailable(row),
              ),
            );
            result.sent += 1;
          } catch {
            failedIds.push(row.id);
          }
        }
        await repo.unclaim(db, failedIds);
        result.failed += failedIds.length;
        // After a failure, stop: the mail server is unlikely to be back within this run.
        if (claimed.length < BATCH || failedIds.length > 0) return result;
      }
    },

    /**
     * One email per person who wants a daily digest, is due one (never sent,
     * or more than 24 hours ago) and has something new. Safe to run again: a
     * second run within 24 hours finds no one due.
     */
    async sendDailyDigests(now: Date): Promise<DeliveryResult> {
      const result: DeliveryResult = { sent: 0, failed: 0 };
      const dueBefore = new Date(now.getTime() - DAY_MS);
      for (;;) {
        const { due, items } = await db.transaction().execute(async (tx) => {
          const due = await repo.claimDueDigests(tx, now, dueBefore, BATCH);
          const items = await repo.claimForUsers(
            tx,
            due.map((d) => d.user_id),
            now,
          );
          return { due, items };
        });
        const byPerson = new Map<string, repo.ClaimedNotification[]>();
        for (const item of items) {
          const list = byPerson.get(item.user_id);
          if (list) list.push(item);
          else byPerson.set(item.user_id, [item]);
        }
        let failedNow = 0;
        for (const person of due) {
          const mine = byPerson.get(person.user_id) ?? [];
          const first = mine[0];
          if (!first?.email) continue;
          try {
            await mailer.send(
              digestEmail(
                baseUrl,
                { email: first.email, name: first.name, unsubscribeToken: person.unsubscribe_token },
                mine.map(mailable),
              ),
            );
            result.sent += 1;
          } catch {
            failedNow += 1;
            await repo.unclaim(
              db,
              mine.map((i) => i.id),
            );
            await repo.restoreDigestStamp(db, person.user_id, person.previous);
          }
        }
        result.failed += failedNow;
        if (due.length < BATCH || failedNow > 0) return result;
      }
    },
  };
}

import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import * as repo from './notifications.repository.ts';
import type { FollowTarget } from './notifications.table.ts';

export interface NotificationInput {
  placeId: string;
  kind: string;
  title: string;
  body: string;
  /** A path on this site, e.g. /places/riverside/proposals/… */
  link: string;
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;

export function createNotificationsService(deps: { db: Database }) {
  const { db } = deps;
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

    isFollowing(f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string }) {
      return repo.isFollowing(db, f);
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
  };
}

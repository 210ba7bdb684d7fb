import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FollowTarget } from './notifications.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function insertFollow(
  db: Executor,
  f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
) {
  await db
    .insertInto('follows')
    .values({ place_id: f.placeId, user_id: f.userId, target_type: f.targetType, target_id: f.targetId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteFollow(
  db: Executor,
  f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
) {
  await db
    .deleteFrom('follows')
    .where('place_id', '=', f.placeId)
    .where('user_id', '=', f.userId)
    .where('target_type', '=', f.targetType)
    .where('target_id', '=', f.targetId)
    .execute();
}

export async function isFollowing(
  db: Executor,
  f: { placeId: string; userId: string; targetType: FollowTarget; targetId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('follows')
    .select('user_id')
    .where('place_id', '=', f.placeId)
    .where('user_id', '=', f.userId)
    .where('target_type', '=', f.targetType)
    .where('target_id', '=', f.targetId)
    .executeTakeFirst();
  return row !== undefined;
}

/** One INSERT … SELECT for every follower: no query per follower. */
export async function insertForFollowers(
  db: Executor,
  n: {
    placeId: string;
    targets: { type: FollowTarget; id: string }[];
    exceptUserId: string | null;
    kind: string;
    title: string;
    body: string;
    link: string;
  },
): Promise<string[]> {
  if (n.targets.length === 0) return [];
  const rows = await db
    .insertInto('notifications')
    .columns(['place_id', 'user_id', 'kind', 'title', 'body', 'link'])
    .expression((eb) =>
      eb
        .selectFrom('follows as f')
        .innerJoin('users as u', 'u.id', 'f.user_id')
        .select((s) => [
          s.val(n.placeId).as('place_id'),
          'f.user_id',
          s.val(n.kind).as('kind'),
          s.val(n.title).as('title'),
          s.val(n.body).as('body'),
          s.val(n.link).as('link'),
        ])
        .distinctOn('f.user_id')
        .where('f.place_id', '=', n.placeId)
        .where('u.deleted_at', 'is', null)
        .where((w) =>
          w.or(n.targets.map((t) => w.and([w('f.target_type', '=', t.type), w('f.target_id', '=', t.id)]))),
        )
        .$if(n.exceptUserId !== null, (q) => q.where('f.user_id', '<>', n.exceptUserId!)),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function insertNotification(
  db: Executor,
  n: { placeId: string; userId: string; kind: string; title: string; body: string; link: string },
): Promise<string> {
  const row = await db
    .insertInto('notifications')
    .values({
      place_id: n.placeId,
      user_id: n.userId,
      kind: n.kind,
      title: n.title,
      body: n.body,
      link: n.link,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

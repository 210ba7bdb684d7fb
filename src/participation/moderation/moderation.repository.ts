import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function findSettings(db: Executor, placeId: string) {
  return db.selectFrom('moderation_settings').selectAll().where('place_id', '=', placeId).executeTakeFirst();
}

export async function findBlock(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('user_blocks')
    .selectAll()
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function accountCreatedAt(db: Executor, userId: string): Promise<Date | undefined> {
  const row = await db.selectFrom('users').select('created_at').where('id', '=', userId).executeTakeFirst();
  return row?.created_at;
}

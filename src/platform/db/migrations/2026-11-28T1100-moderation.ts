import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
// The moderation queue reads held and hidden content of one place; without these it would scan every post.
const statements = [
  `CREATE INDEX proposals_moderation_idx ON proposals (place_id, status, created_at DESC) WHERE status IN ('held', 'hidden')`,
  `CREATE INDEX comments_moderation_idx ON comments (place_id, status, created_at DESC) WHERE status IN ('held', 'hidden')`,
  `CREATE INDEX user_blocks_place_idx ON user_blocks (place_id, created_at DESC)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

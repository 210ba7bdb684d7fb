import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
const statements = [
  // Why pre-moderation held a comment, so that its author is told while it waits.
  `ALTER TABLE comments ADD COLUMN held_reason text`,
  // Replies are loaded by parent for a page of threads at once.
  `CREATE INDEX comments_parent_idx ON comments (place_id, parent_id, created_at) WHERE parent_id IS NOT NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

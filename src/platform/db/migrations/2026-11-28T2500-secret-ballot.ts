import { type Kysely, sql } from 'kysely';

// The secret ballot. An online ballot is kept against its voter only while the voter may still change
// it; when the results are published the link is cut. Who voted (never how) moves to budget_voters,
// which is what the "who takes part" figures read. Budgets published before this migration are
// anonymised by it.
const statements = [
  `
    CREATE TABLE budget_voters (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      voted_at timestamptz NOT NULL,
      PRIMARY KEY (budget_id, user_id)
    )
  `,
  `CREATE INDEX budget_voters_user_idx ON budget_voters (user_id)`,
  `
    INSERT INTO budget_voters (place_id, budget_id, user_id, voted_at)
    SELECT b.place_id, b.budget_id, b.voter_id, b.created_at
    FROM ballots b
    WHERE b.voter_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM budget_counts c WHERE c.budget_id = b.budget_id AND c.published_at IS NOT NULL)
  `,
  `
    UPDATE ballots b SET voter_id = NULL
    WHERE b.voter_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM budget_counts c WHERE c.budget_id = b.budget_id AND c.published_at IS NOT NULL)
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

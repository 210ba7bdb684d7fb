import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
// Every table carries place_id, and every query filters on it.
const statements = [
  // How a budget's ballot works. Imported elections may also be choose-1 or scoring (pabulib vote types).
  `ALTER TABLE budgets ADD COLUMN ballot_kind text NOT NULL DEFAULT 'approval'
     CHECK (ballot_kind IN ('approval', 'choose-1', 'cumulative', 'ordinal', 'scoring'))`,
  `ALTER TABLE budgets ADD COLUMN min_projects integer CHECK (min_projects >= 1)`,
  `ALTER TABLE budgets ADD COLUMN max_projects integer CHECK (max_projects >= 1)`,
  // A "shopping basket": the chosen projects together may not cost more than the money of their ballot.
  `ALTER TABLE budgets ADD COLUMN basket boolean NOT NULL DEFAULT false`,
  `ALTER TABLE budgets ADD COLUMN points_total integer CHECK (points_total >= 1)`,
  `ALTER TABLE budgets ADD COLUMN max_points_per_project integer CHECK (max_points_per_project >= 1)`,
  // Ranked ballots: rank up to this many projects.
  `ALTER TABLE budgets ADD COLUMN rank_limit integer CHECK (rank_limit >= 1)`,
  // The META section of an imported .pb file, kept so that an export gives it back.
  `ALTER TABLE budgets ADD COLUMN pb_meta jsonb`,
  `ALTER TABLE budgets ADD CONSTRAINT budgets_project_limits CHECK (max_projects IS NULL OR min_projects IS NULL OR max_projects >= min_projects)`,
  // The project's id and any further columns of an imported .pb file.
  `ALTER TABLE projects ADD COLUMN pb_id text`,
  `ALTER TABLE projects ADD COLUMN pb_fields jsonb`,
  `CREATE UNIQUE INDEX projects_pb_id_idx ON projects (budget_id, pb_id) WHERE pb_id IS NOT NULL`,

  // Single-use codes for residents without an account, printed as letters. Only a hash is kept.
  `
    CREATE TABLE access_code_batches (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      quantity integer NOT NULL CHECK (quantity > 0),
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      voided_at timestamptz,
      voided_by uuid REFERENCES users (id) ON DELETE SET NULL,
      void_reason text
    )
  `,
  `CREATE INDEX access_code_batches_budget_idx ON access_code_batches (place_id, budget_id, created_at)`,
  `
    CREATE TABLE access_codes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      batch_id uuid NOT NULL REFERENCES access_code_batches (id) ON DELETE CASCADE,
      code_hash text NOT NULL UNIQUE,
      used_at timestamptz
    )
  `,
  `CREATE INDEX access_codes_batch_idx ON access_codes (batch_id)`,

  // Paper ballots: each sheet is typed in twice by two different people; a third resolves a mismatch.
  `
    CREATE TABLE paper_sheets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      reference text NOT NULL,
      status text NOT NULL DEFAULT 'awaiting_second'
        CHECK (status IN ('awaiting_second', 'matched', 'mismatch', 'resolved', 'spoilt')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (budget_id, reference)
    )
  `,
  `CREATE INDEX paper_sheets_status_idx ON paper_sheets (place_id, budget_id, status, created_at)`,
  `
    CREATE TABLE paper_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      sheet_id uuid NOT NULL REFERENCES paper_sheets (id) ON DELETE CASCADE,
      stage text NOT NULL CHECK (stage IN ('first', 'second', 'resolution')),
      entered_by uuid NOT NULL REFERENCES users (id),
      district_id uuid REFERENCES budget_districts (id),
      spoilt boolean NOT NULL DEFAULT false,
      items jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (sheet_id, stage),
      UNIQUE (sheet_id, entered_by)
    )
  `,

  // One ballot per voter per budget, whatever the channel. Online ballots are kept against their voter
  // only so that the voter can change them until voting closes; no page or export shows who voted how.
  `
    CREATE TABLE ballots (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigserial NOT NULL,
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      district_id uuid REFERENCES budget_districts (id),
      channel text NOT NULL CHECK (channel IN ('online', 'code', 'paper', 'imported')),
      voter_id uuid REFERENCES users (id) ON DELETE SET NULL,
      access_code_id uuid UNIQUE REFERENCES access_codes (id),
      paper_sheet_id uuid UNIQUE REFERENCES paper_sheets (id) ON DELETE CASCADE,
      pb_fields jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (channel <> 'code' OR access_code_id IS NOT NULL),
      CHECK (channel <> 'paper' OR paper_sheet_id IS NOT NULL)
    )
  `,
  `CREATE UNIQUE INDEX ballots_one_per_voter ON ballots (budget_id, voter_id) WHERE voter_id IS NOT NULL`,
  `CREATE INDEX ballots_budget_idx ON ballots (place_id, budget_id, seq)`,
  `
    CREATE TABLE ballot_items (
      ballot_id uuid NOT NULL REFERENCES ballots (id) ON DELETE CASCADE,
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      points integer CHECK (points >= 0),
      rank integer CHECK (rank >= 1),
      PRIMARY KEY (ballot_id, project_id)
    )
  `,
  `CREATE INDEX ballot_items_project_idx ON ballot_items (project_id)`,

  // A count of a budget's ballots under every rule, run as a background job; the published one is the result.
  `
    CREATE TABLE budget_counts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
      steps_done integer NOT NULL DEFAULT 0,
      steps_total integer NOT NULL DEFAULT 0,
      result jsonb,
      error text,
      requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      published_at timestamptz,
      published_by uuid REFERENCES users (id) ON DELETE SET NULL
    )
  `,
  `CREATE INDEX budget_counts_budget_idx ON budget_counts (place_id, budget_id, created_at)`,
  `CREATE UNIQUE INDEX budget_counts_one_published ON budget_counts (budget_id) WHERE published_at IS NOT NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
// Every table carries place_id, and every query filters on it.
const statements = [
  // The voting phase of a process: how much there is to spend, when people vote and how votes are counted.
  `
    CREATE TABLE budgets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
      title text NOT NULL,
      currency text NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),
      total_amount numeric(14, 2) NOT NULL CHECK (total_amount > 0),
      voting_opens_on date NOT NULL,
      voting_closes_on date NOT NULL,
      rule text NOT NULL DEFAULT 'mes_cost_add1' CHECK (rule IN (
        'greedy_votes', 'mes_cost', 'mes_cost_add1', 'mes_cost_add1_noexh', 'mes_approval',
        'mes_approval_add1', 'mes_approval_add1_noexh', 'greedy_points', 'mes_points'
      )),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (voting_closes_on >= voting_opens_on)
    )
  `,
  `CREATE INDEX budgets_process_idx ON budgets (place_id, process_id, created_at)`,
  // Districts each have their own share of the money and their own ballot.
  `
    CREATE TABLE budget_districts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL,
      amount numeric(14, 2) NOT NULL CHECK (amount > 0)
    )
  `,
  `CREATE INDEX budget_districts_budget_idx ON budget_districts (place_id, budget_id, position)`,
  `
    CREATE TABLE projects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
      district_id uuid REFERENCES budget_districts (id),
      proposal_id uuid REFERENCES proposals (id) ON DELETE SET NULL,
      title text NOT NULL,
      description text NOT NULL,
      estimated_cost numeric(14, 2) CHECK (estimated_cost > 0),
      feasibility text NOT NULL DEFAULT 'pending' CHECK (feasibility IN ('pending', 'feasible', 'not_feasible')),
      feasibility_reason text,
      assessed_by uuid REFERENCES users (id) ON DELETE SET NULL,
      assessed_at timestamptz,
      valuator_id uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (budget_id, proposal_id)
    )
  `,
  `CREATE INDEX projects_budget_idx ON projects (place_id, budget_id, created_at, id)`,
  `CREATE INDEX projects_valuator_idx ON projects (place_id, valuator_id, created_at) WHERE valuator_id IS NOT NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

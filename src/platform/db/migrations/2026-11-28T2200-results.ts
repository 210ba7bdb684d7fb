import { type Kysely, sql } from 'kysely';

// "You said, we did": every decision row is itself a tracked result. The tracking columns are added to
// `decisions` with defaults, so every existing decision (and every one the proposal, budget and assembly
// features insert later) is a result with no further step. Officers may also add results by hand
// (source_type 'manual', no source), e.g. a programme of works grouping projects. One statement per entry.
const statements = [
  `ALTER TABLE decisions ADD COLUMN status text NOT NULL DEFAULT 'not_started'
     CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped'))`,
  `ALTER TABLE decisions ADD COLUMN progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100)`,
  `ALTER TABLE decisions ADD COLUMN summary text NOT NULL DEFAULT ''`,
  `ALTER TABLE decisions ADD COLUMN drop_reason text`,
  `ALTER TABLE decisions ADD COLUMN starts_on date`,
  `ALTER TABLE decisions ADD COLUMN ends_on date`,
  `ALTER TABLE decisions ADD COLUMN budgeted numeric(14, 2) CHECK (budgeted >= 0)`,
  `ALTER TABLE decisions ADD COLUMN spent numeric(14, 2) CHECK (spent >= 0)`,
  `ALTER TABLE decisions ADD COLUMN currency text NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$')`,
  `ALTER TABLE decisions ADD COLUMN parent_id uuid REFERENCES decisions (id) ON DELETE SET NULL`,
  `ALTER TABLE decisions ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`,
  `ALTER TABLE decisions ADD CONSTRAINT decisions_dropped_reason CHECK (status <> 'dropped' OR drop_reason IS NOT NULL)`,
  `ALTER TABLE decisions ADD CONSTRAINT decisions_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)`,
  `ALTER TABLE decisions ADD CONSTRAINT decisions_dates CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)`,
  // Results made by hand have no source.
  `ALTER TABLE decisions ALTER COLUMN source_id DROP NOT NULL`,
  `ALTER TABLE decisions DROP CONSTRAINT decisions_source_type_check`,
  `ALTER TABLE decisions ADD CONSTRAINT decisions_source_type_check
     CHECK (source_type IN ('proposal', 'budget_project', 'assembly_recommendation', 'manual'))`,
  `ALTER TABLE decisions ADD CONSTRAINT decisions_manual_without_source
     CHECK ((source_type = 'manual') = (source_id IS NULL))`,
  `CREATE INDEX decisions_place_idx ON decisions (place_id, updated_at DESC, id)`,
  `CREATE INDEX decisions_parent_idx ON decisions (place_id, parent_id) WHERE parent_id IS NOT NULL`,
  // A budget winner starts with the project's cost as its money budgeted, in the budget's currency: for the
  // rows already there, and (by trigger) for those that publishing a count inserts later.
  `
    UPDATE decisions d SET budgeted = p.estimated_cost, currency = b.currency
    FROM projects p JOIN budgets b ON b.id = p.budget_id
    WHERE d.source_type = 'budget_project' AND p.id = d.source_id AND p.place_id = d.place_id
  `,
  `
    CREATE FUNCTION decisions_budget_money() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.source_type = 'budget_project' AND NEW.budgeted IS NULL THEN
        SELECT p.estimated_cost, b.currency INTO NEW.budgeted, NEW.currency
        FROM projects p JOIN budgets b ON b.id = p.budget_id
        WHERE p.id = NEW.source_id AND p.place_id = NEW.place_id;
        NEW.currency := coalesce(NEW.currency, 'GBP');
      END IF;
      RETURN NEW;
    END;
    $$
  `,
  `
    CREATE TRIGGER decisions_budget_money BEFORE INSERT ON decisions
      FOR EACH ROW EXECUTE FUNCTION decisions_budget_money()
  `,
  `
    CREATE TABLE result_updates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      decision_id uuid NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
      author_id uuid REFERENCES users (id) ON DELETE SET NULL,
      body text NOT NULL,
      -- What the result stood at once this update was posted, so the timeline shows the history.
      status text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'dropped')),
      progress integer NOT NULL CHECK (progress BETWEEN 0 AND 100),
      spent numeric(14, 2),
      photo bytea,
      photo_type text CHECK (photo_type IN ('image/jpeg', 'image/png', 'image/webp')),
      photo_alt text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((photo IS NULL) = (photo_type IS NULL) AND (photo IS NULL) = (photo_alt IS NULL))
    )
  `,
  `CREATE INDEX result_updates_idx ON result_updates (place_id, decision_id, created_at DESC)`,
  // People follow results as they follow processes and proposals.
  `ALTER TABLE follows DROP CONSTRAINT follows_target_type_check`,
  `ALTER TABLE follows ADD CONSTRAINT follows_target_type_check
     CHECK (target_type IN ('process', 'proposal', 'result'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

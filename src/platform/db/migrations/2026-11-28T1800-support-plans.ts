import { type Kysely, sql } from 'kysely';

// Link workers' caseloads, the contact log, safeguarding concerns, co-produced support plans and the family
// view. Plans are kept as immutable, numbered snapshots: a change writes a new version row and never updates
// an old one, so any version can be read back exactly as it was.
const statements = [
  `ALTER TABLE support_programmes ADD COLUMN safeguarding_lead_id uuid REFERENCES users (id) ON DELETE SET NULL`,
  // Why an assignment was made; the assignment itself stays in participant_assignments (one row each).
  `
    CREATE TABLE participant_assignment_reasons (
      assignment_id uuid PRIMARY KEY REFERENCES participant_assignments (id) ON DELETE CASCADE,
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
      over_limit boolean NOT NULL DEFAULT false
    )
  `,
  `
    CREATE TABLE participant_contacts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      contact_on date NOT NULL,
      kind text NOT NULL CHECK (kind IN ('visit', 'phone', 'message', 'meeting', 'school', 'other')),
      notes text NOT NULL CHECK (length(notes) BETWEEN 1 AND 4000),
      recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX participant_contacts_idx ON participant_contacts (place_id, participant_id, contact_on DESC)`,
  `
    CREATE TABLE safeguarding_concerns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
      raised_by uuid REFERENCES users (id) ON DELETE SET NULL,
      raised_at timestamptz NOT NULL DEFAULT now(),
      -- The designated lead at the time, and when the email to them went out.
      lead_id uuid REFERENCES users (id) ON DELETE SET NULL,
      lead_emailed_at timestamptz,
      resolved_at timestamptz,
      resolved_by uuid REFERENCES users (id) ON DELETE SET NULL,
      resolution text,
      CHECK ((resolved_at IS NULL) = (resolution IS NULL))
    )
  `,
  `CREATE INDEX safeguarding_concerns_idx ON safeguarding_concerns (place_id, participant_id, raised_at DESC)`,
  `CREATE INDEX safeguarding_concerns_open_idx ON safeguarding_concerns (place_id, programme_id) WHERE resolved_at IS NULL`,
  `
    CREATE TABLE support_plans (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL UNIQUE REFERENCES participants (id) ON DELETE CASCADE,
      current_version integer NOT NULL DEFAULT 0,
      -- Kept from the current version so the caseload list need not read snapshots.
      next_review_on date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE support_plan_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      plan_id uuid NOT NULL REFERENCES support_plans (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version >= 1),
      content jsonb NOT NULL,
      change_summary text NOT NULL,
      changed_by uuid REFERENCES users (id) ON DELETE SET NULL,
      changed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (plan_id, version)
    )
  `,
  // Versions are immutable: the database refuses to change or remove one (the plan's deletion still cascades).
  `
    CREATE FUNCTION support_plan_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'support plan versions cannot be changed';
    END
    $$
  `,
  `
    CREATE TRIGGER support_plan_versions_no_update BEFORE UPDATE ON support_plan_versions
    FOR EACH ROW EXECUTE FUNCTION support_plan_versions_immutable()
  `,
  `
    CREATE TABLE family_members (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
      user_id uuid REFERENCES users (id) ON DELETE CASCADE,
      relationship text NOT NULL CHECK (relationship IN ('young_person', 'parent_carer')),
      -- SHA-256 of the invitation token; cleared once accepted.
      token_hash text UNIQUE,
      invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
      invited_at timestamptz NOT NULL DEFAULT now(),
      accepted_at timestamptz,
      ended_at timestamptz,
      CHECK ((accepted_at IS NULL) = (user_id IS NULL))
    )
  `,
  `CREATE INDEX family_members_participant_idx ON family_members (place_id, participant_id)`,
  `CREATE INDEX family_members_user_idx ON family_members (place_id, user_id) WHERE accepted_at IS NOT NULL`,
  `CREATE UNIQUE INDEX family_members_one_link ON family_members (participant_id, user_id) WHERE user_id IS NOT NULL AND ended_at IS NULL`,
  `
    CREATE TABLE support_goal_ratings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      plan_id uuid NOT NULL REFERENCES support_plans (id) ON DELETE CASCADE,
      -- A goal's id is stable across plan versions.
      goal_id uuid NOT NULL,
      rating integer NOT NULL CHECK (rating BETWEEN 0 AND 10),
      rated_by uuid REFERENCES users (id) ON DELETE SET NULL,
      rated_as text NOT NULL CHECK (rated_as IN ('link_worker', 'young_person', 'parent_carer')),
      note text NOT NULL DEFAULT '',
      rated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_goal_ratings_idx ON support_goal_ratings (place_id, plan_id, goal_id, rated_at)`,
  `
    CREATE TABLE support_plan_comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      plan_id uuid NOT NULL REFERENCES support_plans (id) ON DELETE CASCADE,
      version integer NOT NULL,
      author_id uuid REFERENCES users (id) ON DELETE SET NULL,
      author_as text NOT NULL CHECK (author_as IN ('link_worker', 'young_person', 'parent_carer')),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_plan_comments_idx ON support_plan_comments (place_id, plan_id, created_at DESC)`,
  `
    CREATE TABLE support_plan_signoffs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      plan_id uuid NOT NULL REFERENCES support_plans (id) ON DELETE CASCADE,
      version integer NOT NULL,
      family_member_id uuid NOT NULL REFERENCES family_members (id) ON DELETE CASCADE,
      signed_by uuid REFERENCES users (id) ON DELETE SET NULL,
      signed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (plan_id, version, family_member_id),
      FOREIGN KEY (plan_id, version) REFERENCES support_plan_versions (plan_id, version)
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

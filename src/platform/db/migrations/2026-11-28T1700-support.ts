import { type Kysely, sql } from 'kysely';

// The support pillar: programmes, identification of children from school data, enrolment, agreements,
// lawful bases and information-sharing decisions. This holds children's data, so tables keep only what a
// stage needs (identification measures are deleted once a reviewer decides), every change is a row of its
// own, and every table carries place_id so that every query can filter on it.
const statements = [
  `
    CREATE TABLE support_programmes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      summary text NOT NULL DEFAULT '',
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      -- Years after a participant's exit before their record is erased.
      retention_years integer NOT NULL CHECK (retention_years BETWEEN 1 AND 30),
      caseload_limit integer NOT NULL CHECK (caseload_limit BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_on >= starts_on),
      UNIQUE (place_id, name)
    )
  `,
  `
    CREATE TABLE support_settings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      kind text NOT NULL CHECK (kind IN ('school', 'nursery', 'college')),
      -- The directory entry whose members are the setting's staff; a setting may be a name only.
      organization_id uuid REFERENCES organizations (id) ON DELETE SET NULL,
      UNIQUE (programme_id, name)
    )
  `,
  `CREATE INDEX support_settings_place_idx ON support_settings (place_id, programme_id)`,
  `
    CREATE TABLE support_cohorts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      year_group integer NOT NULL CHECK (year_group BETWEEN -1 AND 14),
      intake_year integer NOT NULL CHECK (intake_year BETWEEN 2000 AND 2100),
      life_stage text NOT NULL CHECK (life_stage IN ('early_years', 'primary', 'secondary', 'young_adult')),
      UNIQUE (programme_id, name)
    )
  `,
  `CREATE INDEX support_cohorts_place_idx ON support_cohorts (place_id, programme_id)`,
  `
    CREATE TABLE support_teams (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      lead_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      UNIQUE (programme_id, name)
    )
  `,
  `CREATE INDEX support_teams_place_idx ON support_teams (place_id, programme_id)`,
  `
    CREATE TABLE support_team_members (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      team_id uuid NOT NULL REFERENCES support_teams (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (team_id, user_id)
    )
  `,
  `CREATE INDEX support_team_members_user_idx ON support_team_members (place_id, user_id)`,
  `
    CREATE TABLE support_indicators (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      domain text NOT NULL CHECK (domain IN (
        'attendance', 'attainment', 'wellbeing', 'economic_disadvantage', 'exclusions', 'other'
      )),
      column_name text NOT NULL CHECK (column_name ~ '^[a-z][a-z0-9_]{0,62}$'),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
      direction text NOT NULL CHECK (direction IN ('below', 'above', 'yes')),
      threshold numeric(10, 2),
      CHECK ((direction = 'yes') = (threshold IS NULL)),
      UNIQUE (programme_id, column_name)
    )
  `,
  `
    CREATE TABLE support_imports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      cohort_id uuid NOT NULL REFERENCES support_cohorts (id) ON DELETE CASCADE,
      setting_id uuid NOT NULL REFERENCES support_settings (id) ON DELETE CASCADE,
      filename text NOT NULL,
      row_count integer NOT NULL,
      created_count integer NOT NULL,
      updated_count integer NOT NULL,
      unchanged_count integer NOT NULL,
      imported_by uuid REFERENCES users (id) ON DELETE SET NULL,
      imported_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_imports_place_idx ON support_imports (place_id, programme_id, imported_at)`,
  `
    CREATE TABLE participants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      cohort_id uuid NOT NULL REFERENCES support_cohorts (id) ON DELETE CASCADE,
      setting_id uuid NOT NULL REFERENCES support_settings (id) ON DELETE CASCADE,
      -- The school's own pupil reference: the one identifier kept for a child not taken forward.
      reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 50),
      given_name text,
      family_name text,
      date_of_birth date,
      year_group integer,
      -- The imported values of the indicators' columns, deleted once a reviewer decides.
      measures jsonb,
      -- The domains flagged, deleted with the measures for a child not taken forward.
      flagged_domains jsonb,
      flag_count integer NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'identified' CHECK (status IN (
        'identified', 'not_taken_forward', 'approached', 'agreed', 'enrolled', 'active', 'exited'
      )),
      decided_at timestamptz,
      team_id uuid REFERENCES support_teams (id) ON DELETE SET NULL,
      link_worker_id uuid REFERENCES users (id) ON DELETE SET NULL,
      exited_on date,
      legal_hold boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cohort_id, setting_id, reference)
    )
  `,
  `CREATE INDEX participants_review_idx ON participants (place_id, cohort_id, status, flag_count DESC)`,
  `CREATE INDEX participants_team_idx ON participants (place_id, team_id)`,
  `CREATE INDEX participants_worker_idx ON participants (place_id, link_worker_id)`,
  `
    CREATE TABLE participant_transitions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      from_status text,
      to_status text NOT NULL,
      reason text NOT NULL DEFAULT '',
      actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
      occurred_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX participant_transitions_idx ON participant_transitions (place_id, participant_id, occurred_at)`,
  // Every assignment is a row; reassignment ends the previous one, so the history stays.
  `
    CREATE TABLE participant_assignments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      team_id uuid REFERENCES support_teams (id) ON DELETE SET NULL,
      link_worker_id uuid REFERENCES users (id) ON DELETE SET NULL,
      assigned_by uuid REFERENCES users (id) ON DELETE SET NULL,
      assigned_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz
    )
  `,
  `CREATE INDEX participant_assignments_idx ON participant_assignments (place_id, participant_id, assigned_at)`,
  `CREATE UNIQUE INDEX participant_assignments_current ON participant_assignments (participant_id) WHERE ended_at IS NULL`,
  `
    CREATE TABLE participant_agreements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      given_by text NOT NULL CHECK (given_by IN ('young_person', 'parent_carer')),
      giver_name text NOT NULL CHECK (length(giver_name) BETWEEN 1 AND 200),
      capacity_judgement text NOT NULL CHECK (length(capacity_judgement) BETWEEN 1 AND 2000),
      recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      withdrawn_at timestamptz,
      withdrawn_by uuid REFERENCES users (id) ON DELETE SET NULL,
      withdrawal_reason text
    )
  `,
  `CREATE INDEX participant_agreements_idx ON participant_agreements (place_id, participant_id)`,
  `
    CREATE TABLE participant_lawful_bases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 200),
      basis text NOT NULL CHECK (basis IN (
        'consent', 'public_task', 'legitimate_interests', 'vital_interests', 'legal_obligation'
      )),
      special_category_condition text,
      recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX participant_lawful_bases_idx ON participant_lawful_bases (place_id, participant_id)`,
  `
    CREATE TABLE participant_sharing_decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      data_items jsonb NOT NULL,
      rationale text NOT NULL CHECK (length(rationale) BETWEEN 1 AND 2000),
      decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
      decided_at timestamptz NOT NULL DEFAULT now(),
      withdrawn_at timestamptz,
      withdrawal_reason text
    )
  `,
  `CREATE INDEX participant_sharing_idx ON participant_sharing_decisions (place_id, participant_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

import { type Kysely, sql } from 'kysely';

// Citizens' assemblies: quotas, invitations by letter, registrants, the selection lottery and its report,
// and the assembly at work. One statement per entry; every table carries place_id.
const statements = [
  `
    CREATE TABLE assemblies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      title text NOT NULL,
      purpose text NOT NULL,
      panel_size integer NOT NULL CHECK (panel_size >= 1),
      starts_on date,
      ends_on date,
      status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'recruiting', 'selecting', 'sitting', 'finished')),
      -- Numbers the registrants' pseudonymous ids (R0001, R0002 …) under the row lock.
      registrant_count integer NOT NULL DEFAULT 0,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX assemblies_place_idx ON assemblies (place_id, created_at)`,
  `
    CREATE TABLE assembly_features (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL,
      question text NOT NULL,
      -- Ethnicity, disability, health …: answers kept only with the registrant's explicit consent.
      special_category boolean NOT NULL DEFAULT false
    )
  `,
  `CREATE UNIQUE INDEX assembly_features_name_idx ON assembly_features (assembly_id, lower(name))`,
  `
    CREATE TABLE assembly_feature_values (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      feature_id uuid NOT NULL REFERENCES assembly_features (id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL,
      min integer NOT NULL CHECK (min >= 0),
      max integer NOT NULL,
      min_flex integer CHECK (min_flex >= 0),
      max_flex integer,
      CHECK (max >= min),
      CHECK (min_flex IS NULL OR min_flex <= min),
      CHECK (max_flex IS NULL OR max_flex >= max)
    )
  `,
  `CREATE UNIQUE INDEX assembly_feature_values_name_idx ON assembly_feature_values (feature_id, lower(name))`,
  `
    CREATE TABLE assembly_addresses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      line1 text NOT NULL,
      line2 text NOT NULL DEFAULT '',
      town text NOT NULL DEFAULT '',
      postcode text NOT NULL,
      household text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE UNIQUE INDEX assembly_addresses_household_idx ON assembly_addresses (assembly_id, household)`,
  `
    CREATE TABLE assembly_invitation_draws (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      seed text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  // Only the SHA-256 of each code is kept.
  `
    CREATE TABLE assembly_invitations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      draw_id uuid NOT NULL REFERENCES assembly_invitation_draws (id) ON DELETE CASCADE,
      address_id uuid NOT NULL UNIQUE REFERENCES assembly_addresses (id) ON DELETE CASCADE,
      code_hash text NOT NULL UNIQUE,
      used_at timestamptz
    )
  `,
  `
    CREATE TABLE assembly_registrants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      -- One registration per code, enforced here whatever the application does.
      invitation_id uuid UNIQUE REFERENCES assembly_invitations (id) ON DELETE SET NULL,
      source text NOT NULL CHECK (source IN ('code', 'import')),
      pseudonym text NOT NULL,
      external_id text,
      name text NOT NULL,
      email text,
      phone text,
      address text NOT NULL DEFAULT '',
      household text,
      -- Feature id → value id; special-category answers only with consent.
      answers jsonb NOT NULL,
      special_consent boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'registered'
        CHECK (status IN ('registered', 'selected', 'dropped_out')),
      replacement boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE UNIQUE INDEX assembly_registrants_pseudonym_idx ON assembly_registrants (assembly_id, pseudonym)`,
  `CREATE UNIQUE INDEX assembly_registrants_external_idx ON assembly_registrants (assembly_id, external_id) WHERE external_id IS NOT NULL`,
  `CREATE INDEX assembly_registrants_list_idx ON assembly_registrants (place_id, assembly_id, pseudonym)`,
  `
    CREATE TABLE assembly_selections (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      algorithm text NOT NULL CHECK (algorithm IN ('maximin', 'leximin')),
      uniform_panels integer CHECK (uniform_panels >= 1),
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
      steps_done integer NOT NULL DEFAULT 0,
      steps_total integer NOT NULL DEFAULT 0,
      progress_text text NOT NULL DEFAULT '',
      -- What the lottery was computed from, fixed when it was asked for, so a rerun gives the same answer.
      inputs jsonb NOT NULL,
      input_hash text NOT NULL,
      result jsonb,
      distribution_hash text,
      error text,
      requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      published_at timestamptz,
      seed text,
      drawn_at timestamptz,
      drawn_by uuid REFERENCES users (id) ON DELETE SET NULL,
      panel jsonb
    )
  `,
  `CREATE INDEX assembly_selections_idx ON assembly_selections (place_id, assembly_id, created_at)`,
  `CREATE UNIQUE INDEX assembly_selections_one_published ON assembly_selections (assembly_id) WHERE published_at IS NOT NULL`,
  `
    CREATE TABLE assembly_replacements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      selection_id uuid NOT NULL REFERENCES assembly_selections (id) ON DELETE CASCADE,
      dropped jsonb NOT NULL,
      chosen jsonb NOT NULL,
      seed text NOT NULL,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX assembly_replacements_idx ON assembly_replacements (place_id, assembly_id, created_at)`,
  `
    CREATE TABLE assembly_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      held_on date NOT NULL,
      location text NOT NULL,
      agenda text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX assembly_sessions_idx ON assembly_sessions (place_id, assembly_id, held_on)`,
  `
    CREATE TABLE assembly_documents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      title text NOT NULL,
      url text,
      filename text,
      content bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((url IS NULL) <> (content IS NULL))
    )
  `,
  `CREATE INDEX assembly_documents_idx ON assembly_documents (place_id, assembly_id, created_at)`,
  `
    CREATE TABLE assembly_recommendations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
      title text NOT NULL,
      body text NOT NULL,
      published_at timestamptz NOT NULL DEFAULT now(),
      response text CHECK (response IN ('accepted', 'partly', 'not_accepted')),
      response_reason text,
      responded_at timestamptz,
      responded_by uuid REFERENCES users (id) ON DELETE SET NULL
    )
  `,
  `CREATE INDEX assembly_recommendations_idx ON assembly_recommendations (place_id, assembly_id, published_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

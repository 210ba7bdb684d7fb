import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
const statements = [
  `
    CREATE TABLE places (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text NOT NULL,
      summary text NOT NULL DEFAULT '',
      contact_email text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text,
      name text NOT NULL,
      password_hash text,
      email_verified_at timestamptz,
      is_instance_admin boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )
  `,
  `
    CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL
  `,
  `
    CREATE TABLE user_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'magic_link', 'change_email')),
      token_hash text NOT NULL UNIQUE,
      new_email text,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose)
  `,
  `
    CREATE TABLE sign_in_throttle (
      key text PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      user_agent text,
      flash jsonb NOT NULL DEFAULT '[]'
    )
  `,
  `
    CREATE INDEX sessions_user_idx ON sessions (user_id)
  `,
  `
    CREATE TABLE place_roles (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('resident', 'organisation_member', 'link_worker', 'officer',
                                         'moderator', 'valuator', 'analyst', 'place_admin')),
      granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
      granted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (place_id, user_id, role)
    )
  `,
  `
    CREATE INDEX place_roles_user_idx ON place_roles (user_id)
  `,
  `
    CREATE TABLE audit_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      action text NOT NULL,
      subject_type text NOT NULL,
      subject_id text,
      place_id uuid,
      request_id text,
      details jsonb NOT NULL DEFAULT '{}'
    )
  `,
  `
    CREATE INDEX audit_events_place_idx ON audit_events (place_id, occurred_at DESC)
  `,
  `
    CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at DESC)
  `,
  // The trail is append-only: no row is ever changed or removed.
  `
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only';
    END;
    $$
  `,
  `
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
  `,
  `
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
// Every table carries place_id, and every query filters on it.
const statements = [
  // The postcodes that make someone a resident of a place, for eligibility.
  `
    CREATE TABLE place_postcodes (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      postcode text NOT NULL CHECK (postcode ~ '^[A-Z0-9]{5,7}$'),
      PRIMARY KEY (place_id, postcode)
    )
  `,
  `
    CREATE TABLE resident_verifications (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      method text NOT NULL CHECK (method IN ('postcode', 'in_person')),
      postcode text,
      date_of_birth date NOT NULL,
      verified_by uuid REFERENCES users (id) ON DELETE SET NULL,
      note text,
      verified_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (place_id, user_id)
    )
  `,
  `
    CREATE TABLE processes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      title text NOT NULL,
      summary text NOT NULL DEFAULT '',
      body text NOT NULL DEFAULT '',
      area text,
      categories text[] NOT NULL DEFAULT '{}',
      eligibility text NOT NULL DEFAULT 'signed_in'
        CHECK (eligibility IN ('signed_in', 'verified_residents', 'verified_in_person')),
      minimum_age integer CHECK (minimum_age BETWEEN 0 AND 120),
      support_threshold integer CHECK (support_threshold > 0),
      supports_per_resident integer CHECK (supports_per_resident > 0),
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX processes_place_idx ON processes (place_id, created_at DESC)`,
  `
    CREATE TABLE process_phases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      allows_propose boolean NOT NULL DEFAULT false,
      allows_support boolean NOT NULL DEFAULT false,
      allows_comment boolean NOT NULL DEFAULT false,
      allows_vote boolean NOT NULL DEFAULT false,
      CHECK (ends_on >= starts_on),
      UNIQUE (process_id, position)
    )
  `,
  `
    CREATE TABLE proposals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
      author_id uuid NOT NULL REFERENCES users (id),
      title text NOT NULL,
      body text NOT NULL,
      category text,
      area text,
      postcode text,
      -- published | withdrawn | held (waiting for a moderator before it shows) | hidden (by moderation)
      status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn', 'held', 'hidden')),
      answer text CHECK (answer IN ('evaluating', 'accepted', 'not_accepted', 'already_happening')),
      answer_reason text,
      answered_by uuid REFERENCES users (id) ON DELETE SET NULL,
      answered_at timestamptz,
      support_count integer NOT NULL DEFAULT 0,
      comment_count integer NOT NULL DEFAULT 0,
      search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'B')
      ) STORED,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX proposals_process_new_idx ON proposals (place_id, process_id, created_at DESC, id)`,
  `CREATE INDEX proposals_process_supported_idx ON proposals (place_id, process_id, support_count DESC, created_at DESC)`,
  `CREATE INDEX proposals_author_idx ON proposals (author_id)`,
  `CREATE INDEX proposals_search_idx ON proposals USING gin (search)`,
  `
    CREATE TABLE proposal_images (
      proposal_id uuid PRIMARY KEY REFERENCES proposals (id) ON DELETE CASCADE,
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
      alt_text text NOT NULL,
      bytes bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE supports (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      proposal_id uuid NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id),
      process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (proposal_id, user_id)
    )
  `,
  `CREATE INDEX supports_user_process_idx ON supports (place_id, process_id, user_id)`,
  // What was decided, from whichever source, to be tracked to completion.
  `
    CREATE TABLE decisions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      process_id uuid REFERENCES processes (id) ON DELETE SET NULL,
      source_type text NOT NULL CHECK (source_type IN ('proposal', 'budget_project', 'assembly_recommendation')),
      source_id uuid NOT NULL,
      title text NOT NULL,
      decided_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_type, source_id)
    )
  `,
  `
    CREATE TABLE comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
      proposal_id uuid REFERENCES proposals (id) ON DELETE CASCADE,
      parent_id uuid REFERENCES comments (id) ON DELETE CASCADE,
      depth integer NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 3),
      author_id uuid NOT NULL REFERENCES users (id),
      body text NOT NULL,
      stance text NOT NULL DEFAULT 'neutral' CHECK (stance IN ('in_favour', 'against', 'neutral')),
      -- published | held (waiting for a moderator) | hidden (by moderation) | deleted (tombstone kept for the thread)
      status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'held', 'hidden', 'deleted')),
      agree_count integer NOT NULL DEFAULT 0,
      disagree_count integer NOT NULL DEFAULT 0,
      edited_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX comments_proposal_idx ON comments (place_id, proposal_id, created_at)`,
  `CREATE INDEX comments_process_idx ON comments (place_id, process_id, created_at) WHERE proposal_id IS NULL`,
  `CREATE INDEX comments_author_idx ON comments (author_id)`,
  `
    CREATE TABLE comment_reactions (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      comment_id uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id),
      value smallint NOT NULL CHECK (value IN (-1, 1)),
      PRIMARY KEY (comment_id, user_id)
    )
  `,
  `
    CREATE TABLE moderation_settings (
      place_id uuid PRIMARY KEY REFERENCES places (id) ON DELETE CASCADE,
      hide_after_reports integer NOT NULL DEFAULT 3 CHECK (hide_after_reports > 0),
      hold_links_from_accounts_younger_than_days integer NOT NULL DEFAULT 0 CHECK (hold_links_from_accounts_younger_than_days >= 0),
      blocked_words text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      reporter_id uuid REFERENCES users (id) ON DELETE SET NULL,
      target_type text NOT NULL CHECK (target_type IN ('proposal', 'comment', 'user')),
      target_id uuid NOT NULL,
      reason text NOT NULL CHECK (reason IN ('spam', 'offensive', 'personal_information', 'off_topic', 'other')),
      details text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolved_by uuid REFERENCES users (id) ON DELETE SET NULL,
      resolution text CHECK (resolution IN ('hidden', 'restored', 'dismissed', 'blocked'))
    )
  `,
  `CREATE UNIQUE INDEX reports_once_idx ON reports (target_type, target_id, reporter_id) WHERE resolved_at IS NULL`,
  `CREATE INDEX reports_open_idx ON reports (place_id, created_at) WHERE resolved_at IS NULL`,
  `
    CREATE TABLE user_blocks (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      blocked_by uuid REFERENCES users (id) ON DELETE SET NULL,
      reason text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (place_id, user_id)
    )
  `,
  `
    CREATE TABLE follows (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      target_type text NOT NULL CHECK (target_type IN ('process', 'proposal')),
      target_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, target_type, target_id)
    )
  `,
  `CREATE INDEX follows_target_idx ON follows (place_id, target_type, target_id)`,
  `
    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind text NOT NULL,
      title text NOT NULL,
      body text NOT NULL DEFAULT '',
      link text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      emailed_at timestamptz
    )
  `,
  `CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC)`,
  `CREATE INDEX notifications_unemailed_idx ON notifications (user_id) WHERE emailed_at IS NULL`,
  `
    CREATE TABLE notification_preferences (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      email text NOT NULL DEFAULT 'immediate' CHECK (email IN ('immediate', 'daily', 'off')),
      unsubscribe_token text NOT NULL UNIQUE,
      last_digest_at timestamptz
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

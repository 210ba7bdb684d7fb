import { type Kysely, sql } from 'kysely';

// Subject access requests, legal holds and the erasure log. Requests and holds are about a child, so they
// carry participant_id and go with the child's record when it is erased; the erasure log outlives the
// child and therefore holds no personal data and no participant id at all: only the programme, when, and
// which rule applied (the audit trail keeps the id, which no longer leads to anyone).
const statements = [
  `
    CREATE TABLE participant_subject_access_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      -- The request's reference and why it is answered; kept here, not in the audit trail.
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
      requested_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX participant_subject_access_idx ON participant_subject_access_requests (place_id, participant_id)`,
  // Every hold is a row (set, then lifted); participants.legal_hold mirrors whether one is live.
  `
    CREATE TABLE participant_legal_holds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
      set_by uuid REFERENCES users (id) ON DELETE SET NULL,
      set_at timestamptz NOT NULL DEFAULT now(),
      lifted_at timestamptz,
      lifted_by uuid REFERENCES users (id) ON DELETE SET NULL,
      lift_reason text,
      CHECK ((lifted_at IS NULL) = (lift_reason IS NULL))
    )
  `,
  `CREATE INDEX participant_legal_holds_idx ON participant_legal_holds (place_id, participant_id, set_at)`,
  `CREATE UNIQUE INDEX participant_legal_holds_live ON participant_legal_holds (participant_id) WHERE lifted_at IS NULL`,
  `
    CREATE TABLE support_erasures (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid REFERENCES support_programmes (id) ON DELETE SET NULL,
      -- What started the retention clock, and for how many years it ran.
      basis text NOT NULL CHECK (basis IN ('exited', 'not_taken_forward', 'never_reviewed')),
      retention_years integer NOT NULL,
      erased_by text NOT NULL CHECK (erased_by IN ('schedule', 'command')),
      erased_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_erasures_idx ON support_erasures (place_id, erased_at DESC)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

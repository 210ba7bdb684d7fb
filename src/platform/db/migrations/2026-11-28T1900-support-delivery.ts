import { type Kysely, sql } from 'kysely';

// Support delivery: referrals of participants to partners' directory services, sessions with their
// registers, and outcomes (a place's indicator library and observations per participant). Referrals keep
// the items they may carry, and which sharing decision allowed them; what a partner may read is decided
// again at read time against the live sharing decisions, so a withdrawal stops sharing at once.
const statements = [
  `
    CREATE TABLE support_referrals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      -- The receiving organisation, copied from the service so that the partner's query can filter on it
      -- even if the service is later removed from the directory.
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      service_id uuid REFERENCES services (id) ON DELETE SET NULL,
      service_name text NOT NULL,
      status text NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'sent', 'accepted', 'declined', 'completed', 'revoked'
      )),
      note text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
      -- Ticked by the link worker in a draft; on sending, narrowed to what the sharing decision allows.
      data_items jsonb NOT NULL,
      sharing_decision_id uuid REFERENCES participant_sharing_decisions (id) ON DELETE SET NULL,
      decline_reason text,
      referred_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      responded_at timestamptz,
      closed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_referrals_participant_idx ON support_referrals (place_id, participant_id)`,
  `CREATE INDEX support_referrals_inbox_idx ON support_referrals (place_id, organization_id, status)`,
  `
    CREATE TABLE support_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      -- Run by the service's organisation (partner staff) or by the link worker who created it.
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      service_id uuid REFERENCES services (id) ON DELETE SET NULL,
      service_name text NOT NULL,
      run_by text NOT NULL CHECK (run_by IN ('organisation', 'link_worker')),
      kind text NOT NULL CHECK (kind IN ('group', 'one_to_one')),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      held_on date NOT NULL,
      starts_at text NOT NULL CHECK (starts_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 600),
      register_taken_at timestamptz,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_sessions_org_idx ON support_sessions (place_id, organization_id, held_on)`,
  `CREATE INDEX support_sessions_creator_idx ON support_sessions (place_id, created_by, held_on)`,
  `
    CREATE TABLE support_session_attendees (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      session_id uuid NOT NULL REFERENCES support_sessions (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      -- The accepted referral that let a partner add the participant; null when a link worker added them.
      referral_id uuid REFERENCES support_referrals (id) ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'expected' CHECK (status IN ('expected', 'present', 'late', 'absent', 'excused')),
      marked_by uuid REFERENCES users (id) ON DELETE SET NULL,
      marked_at timestamptz,
      PRIMARY KEY (session_id, participant_id)
    )
  `,
  `CREATE INDEX support_session_attendees_participant_idx ON support_session_attendees (place_id, participant_id)`,
  `
    CREATE TABLE support_outcome_indicators (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      instrument text NOT NULL CHECK (length(instrument) BETWEEN 1 AND 200),
      scale_min numeric(10, 2) NOT NULL,
      scale_max numeric(10, 2) NOT NULL,
      threshold numeric(10, 2) NOT NULL,
      direction text NOT NULL CHECK (direction IN ('higher', 'lower')),
      licence_note text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (scale_max > scale_min),
      CHECK (threshold BETWEEN scale_min AND scale_max),
      UNIQUE (place_id, name)
    )
  `,
  `
    CREATE TABLE support_outcome_observations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
      indicator_id uuid NOT NULL REFERENCES support_outcome_indicators (id) ON DELETE CASCADE,
      stage text NOT NULL CHECK (stage IN ('baseline', 'interim', 'exit')),
      value numeric(10, 2) NOT NULL,
      observed_on date NOT NULL,
      recorded_by uuid REFERENCES users (id) ON DELETE SET NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX support_outcome_observations_idx ON support_outcome_observations (place_id, participant_id, indicator_id)`,
  // One baseline and one exit per child and indicator; interims as many as needed.
  `
    CREATE UNIQUE INDEX support_outcome_observations_once_idx
      ON support_outcome_observations (participant_id, indicator_id, stage)
      WHERE stage IN ('baseline', 'exit')
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

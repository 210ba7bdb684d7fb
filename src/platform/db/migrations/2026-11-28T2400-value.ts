import { type Kysely, sql } from 'kysely';

// Value for money: a place's unit-cost table (GMCA unit cost database style), what each support programme
// cost per period, and which unit cost values each outcome indicator, with the adjustments applied to it.
// Money is numeric(14,2) and percentages numeric(5,2): exact decimals, never floating point.
const statements = [
  `
    CREATE TABLE value_unit_costs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      item text NOT NULL CHECK (length(item) BETWEEN 1 AND 200),
      unit text NOT NULL CHECK (length(unit) BETWEEN 1 AND 100),
      source text NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
      year integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
      fiscal_value numeric(14, 2) CHECK (fiscal_value >= 0),
      economic_value numeric(14, 2) CHECK (economic_value >= 0),
      social_value numeric(14, 2) CHECK (social_value >= 0),
      confidence text NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
      notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (fiscal_value IS NOT NULL OR economic_value IS NOT NULL OR social_value IS NOT NULL)
    )
  `,
  `CREATE INDEX value_unit_costs_place_idx ON value_unit_costs (place_id, item)`,
  `
    CREATE TABLE value_programme_costs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      category text NOT NULL CHECK (category IN ('staff', 'partner_delivery', 'other')),
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      amount numeric(14, 2) NOT NULL CHECK (amount > 0),
      note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_on >= starts_on)
    )
  `,
  `CREATE INDEX value_programme_costs_idx ON value_programme_costs (place_id, programme_id, starts_on)`,
  `
    CREATE TABLE value_benefit_mappings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      programme_id uuid NOT NULL REFERENCES support_programmes (id) ON DELETE CASCADE,
      indicator_id uuid NOT NULL REFERENCES support_outcome_indicators (id) ON DELETE CASCADE,
      unit_cost_id uuid NOT NULL REFERENCES value_unit_costs (id) ON DELETE CASCADE,
      measure text NOT NULL CHECK (measure IN ('improved', 'crossed_threshold')),
      deadweight numeric(5, 2) NOT NULL CHECK (deadweight BETWEEN 0 AND 100),
      displacement numeric(5, 2) NOT NULL CHECK (displacement BETWEEN 0 AND 100),
      attribution numeric(5, 2) NOT NULL CHECK (attribution BETWEEN 0 AND 100),
      optimism_bias numeric(5, 2) NOT NULL CHECK (optimism_bias BETWEEN 0 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (place_id, programme_id, indicator_id, measure)
    )
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

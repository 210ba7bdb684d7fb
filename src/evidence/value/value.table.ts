import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;
/** numeric: read as text or number depending on the driver, always written as text. */
type Numeric = ColumnType<string | number, string, string>;
type NullableNumeric = ColumnType<string | number | null, string | null, string | null>;

export type Confidence = 'high' | 'medium' | 'low';
export type CostCategory = 'staff' | 'partner_delivery' | 'other';
export type OutcomeMeasure = 'improved' | 'crossed_threshold';

export interface ValueUnitCostsTable {
  id: Generated<string>;
  place_id: string;
  item: string;
  unit: string;
  source: string;
  year: number;
  fiscal_value: NullableNumeric;
  economic_value: NullableNumeric;
  social_value: NullableNumeric;
  confidence: Confidence;
  notes: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ValueProgrammeCostsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  category: CostCategory;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  amount: Numeric;
  note: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ValueBenefitMappingsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  indicator_id: string;
  unit_cost_id: string;
  measure: OutcomeMeasure;
  deadweight: Numeric;
  displacement: Numeric;
  attribution: Numeric;
  optimism_bias: Numeric;
  created_at: CreatedAt;
}

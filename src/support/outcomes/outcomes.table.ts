import type { ColumnType, Generated } from 'kysely';

type Optional<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, never, never>;
/** numeric: read as text or number depending on the driver, written as text. */
type Numeric = ColumnType<string | number, string, string>;

export type OutcomeDirection = 'higher' | 'lower';
export type ObservationStage = 'baseline' | 'interim' | 'exit';

export interface SupportOutcomeIndicatorsTable {
  id: Generated<string>;
  place_id: string;
  name: string;
  instrument: string;
  scale_min: Numeric;
  scale_max: Numeric;
  threshold: Numeric;
  direction: OutcomeDirection;
  licence_note: Optional<string>;
  created_at: CreatedAt;
}

export interface SupportOutcomeObservationsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  indicator_id: string;
  stage: ObservationStage;
  value: Numeric;
  observed_on: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

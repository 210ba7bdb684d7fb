import type { ColumnType } from 'kysely';

export interface PopulationProfilesTable {
  place_id: string;
  filename: string;
  uploaded_by: string | null;
  uploaded_at: ColumnType<Date, string | undefined, string>;
}

export interface PopulationProfileRowsTable {
  place_id: string;
  dimension: string;
  dimension_label: string;
  dimension_position: number;
  category: string;
  position: number;
  /** bigint: read as text by pg and as number by PGlite. */
  population: ColumnType<string | number | null, number | null, number | null>;
  /** numeric(9,6), 0–1: read as text, written as text. */
  share: ColumnType<string | number, string, string>;
}

export interface AboutYouAnswersTable {
  place_id: string;
  user_id: string;
  dimension: string;
  answer: string;
  consented_at: ColumnType<Date, string, string>;
  updated_at: ColumnType<Date, string | undefined, string>;
}

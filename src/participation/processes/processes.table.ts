import type { ColumnType, Generated } from 'kysely';

export interface PlacePostcodesTable {
  place_id: string;
  postcode: string;
}

export type VerificationMethod = 'postcode' | 'in_person';

export interface ResidentVerificationsTable {
  place_id: string;
  user_id: string;
  method: VerificationMethod;
  postcode: string | null;
  /** A date (YYYY-MM-DD), kept as text to avoid time zones. */
  date_of_birth: ColumnType<string, string, string>;
  verified_by: string | null;
  note: string | null;
  verified_at: ColumnType<Date, Date | undefined, Date>;
}

export type Eligibility = 'signed_in' | 'verified_residents' | 'verified_in_person';

export interface ProcessesTable {
  id: Generated<string>;
  place_id: string;
  title: string;
  summary: string;
  body: string;
  area: string | null;
  categories: ColumnType<string[], string[], string[]>;
  eligibility: Eligibility;
  minimum_age: number | null;
  support_threshold: number | null;
  supports_per_resident: number | null;
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface ProcessPhasesTable {
  id: Generated<string>;
  place_id: string;
  process_id: string;
  position: number;
  name: string;
  description: string;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  allows_propose: boolean;
  allows_support: boolean;
  allows_comment: boolean;
  allows_vote: boolean;
}

import type { ColumnType, Generated } from 'kysely';

export type AssemblyStatus = 'draft' | 'recruiting' | 'selecting' | 'sitting' | 'finished';
export type RegistrantStatus = 'registered' | 'selected' | 'dropped_out';
export type SelectionStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type RecommendationResponse = 'accepted' | 'partly' | 'not_accepted';

type DateText = ColumnType<string, string, string>;
type Created = ColumnType<Date, never, never>;
type Json<T> = ColumnType<T, string, string>;

export interface AssembliesTable {
  id: Generated<string>;
  place_id: string;
  title: string;
  purpose: string;
  panel_size: number;
  starts_on: ColumnType<string | null, string | null, string | null>;
  ends_on: ColumnType<string | null, string | null, string | null>;
  status: ColumnType<AssemblyStatus, AssemblyStatus | undefined, AssemblyStatus>;
  registrant_count: ColumnType<number, never, number>;
  created_by: string | null;
  created_at: Created;
}

export interface AssemblyFeaturesTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  position: number;
  name: string;
  question: string;
  special_category: boolean;
}

export interface AssemblyFeatureValuesTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  feature_id: string;
  position: number;
  name: string;
  min: number;
  max: number;
  min_flex: number | null;
  max_flex: number | null;
}

export interface AssemblyAddressesTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  line1: string;
  line2: string;
  town: string;
  postcode: string;
  household: string;
  created_at: Created;
}

export interface AssemblyInvitationDrawsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  seed: string;
  quantity: number;
  created_by: string | null;
  created_at: Created;
}

export interface AssemblyInvitationsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  draw_id: string;
  address_id: string;
  code_hash: string;
  used_at: ColumnType<Date | null, never, Date | null>;
}

/** Feature id → value id. */
export type Answers = Record<string, string>;

export interface AssemblyRegistrantsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  invitation_id: string | null;
  source: 'code' | 'import';
  pseudonym: string;
  external_id: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  address: string;
  household: string | null;
  answers: Json<Answers>;
  special_consent: boolean;
  status: ColumnType<RegistrantStatus, RegistrantStatus | undefined, RegistrantStatus>;
  replacement: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Created;
}

export interface AssemblySelectionsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  algorithm: 'maximin' | 'leximin';
  uniform_panels: number | null;
  status: ColumnType<SelectionStatus, SelectionStatus | undefined, SelectionStatus>;
  steps_done: ColumnType<number, number | undefined, number>;
  steps_total: ColumnType<number, number | undefined, number>;
  progress_text: ColumnType<string, string | undefined, string>;
  inputs: Json<unknown>;
  input_hash: string;
  result: ColumnType<unknown | null, string | null | undefined, string | null>;
  distribution_hash: string | null;
  error: string | null;
  requested_by: string | null;
  created_at: Created;
  started_at: ColumnType<Date | null, never, Date | null>;
  finished_at: ColumnType<Date | null, never, Date | null>;
  published_at: ColumnType<Date | null, never, Date | null>;
  seed: string | null;
  drawn_at: ColumnType<Date | null, never, Date | null>;
  drawn_by: string | null;
  panel: ColumnType<unknown | null, string | null | undefined, string | null>;
}

export interface AssemblyReplacementsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  selection_id: string;
  dropped: Json<string[]>;
  chosen: Json<string[]>;
  seed: string;
  created_by: string | null;
  created_at: Created;
}

export interface AssemblySessionsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  held_on: DateText;
  location: string;
  agenda: string;
  created_at: Created;
}

export interface AssemblyDocumentsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  title: string;
  url: string | null;
  filename: string | null;
  content: Buffer | null;
  created_at: Created;
}

export interface AssemblyRecommendationsTable {
  id: Generated<string>;
  place_id: string;
  assembly_id: string;
  title: string;
  body: string;
  published_at: Created;
  response: RecommendationResponse | null;
  response_reason: string | null;
  responded_at: ColumnType<Date | null, never, Date | null>;
  responded_by: string | null;
}

import type { ColumnType, Generated } from 'kysely';

export type Channel = 'online' | 'code' | 'paper' | 'imported';
export type SheetStatus = 'awaiting_second' | 'matched' | 'mismatch' | 'resolved' | 'spoilt';
export type EntryStage = 'first' | 'second' | 'resolution';
export type CountStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** jsonb columns: read as parsed JSON, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface BallotsTable {
  id: Generated<string>;
  seq: ColumnType<string | number, never, never>;
  place_id: string;
  budget_id: string;
  district_id: string | null;
  channel: Channel;
  voter_id: string | null;
  access_code_id: string | null;
  paper_sheet_id: string | null;
  pb_fields: NullableJson<Record<string, string>>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, string | undefined, string>;
}

/** Who voted online in a budget whose results are published (never how): the ballot no longer says. */
export interface BudgetVotersTable {
  place_id: string;
  budget_id: string;
  user_id: string;
  voted_at: Date | string;
}

export interface BallotItemsTable {
  ballot_id: string;
  place_id: string;
  project_id: string;
  points: number | null;
  rank: number | null;
}

export interface AccessCodeBatchesTable {
  id: Generated<string>;
  place_id: string;
  budget_id: string;
  quantity: number;
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
  voided_at: Date | null;
  voided_by: string | null;
  void_reason: string | null;
}

export interface AccessCodesTable {
  id: Generated<string>;
  place_id: string;
  budget_id: string;
  batch_id: string;
  code_hash: string;
  used_at: Date | null;
}

export interface PaperSheetsTable {
  id: Generated<string>;
  place_id: string;
  budget_id: string;
  reference: string;
  status: ColumnType<SheetStatus, SheetStatus | undefined, SheetStatus>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, string | undefined, string>;
}

/** What one person read off a paper sheet: project ids with points or ranks where the ballot has them. */
export interface PaperEntryItem {
  projectId: string;
  points?: number | null;
  rank?: number | null;
}

export interface PaperEntriesTable {
  id: Generated<string>;
  place_id: string;
  sheet_id: string;
  stage: EntryStage;
  entered_by: string;
  district_id: string | null;
  spoilt: ColumnType<boolean, boolean | undefined, boolean>;
  items: Json<PaperEntryItem[]>;
  created_at: ColumnType<Date, never, never>;
}

export interface BudgetCountsTable {
  id: Generated<string>;
  place_id: string;
  budget_id: string;
  status: ColumnType<CountStatus, CountStatus | undefined, CountStatus>;
  steps_done: ColumnType<number, number | undefined, number>;
  steps_total: ColumnType<number, number | undefined, number>;
  result: NullableJson<unknown>;
  error: string | null;
  requested_by: string | null;
  created_at: ColumnType<Date, never, never>;
  started_at: Date | null;
  finished_at: Date | null;
  published_at: Date | null;
  published_by: string | null;
}

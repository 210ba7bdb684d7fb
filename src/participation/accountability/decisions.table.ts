import type { ColumnType, Generated } from 'kysely';

export type DecisionSource = 'proposal' | 'budget_project' | 'assembly_recommendation' | 'manual';
export type ResultStatus = 'not_started' | 'in_progress' | 'done' | 'dropped';

/** A decision is also its tracked result: the tracking columns have defaults, so any insert is a result. */
export interface DecisionsTable {
  id: Generated<string>;
  place_id: string;
  process_id: string | null;
  source_type: DecisionSource;
  /** Null only for results made by hand ('manual'). */
  source_id: ColumnType<string | null, string | null, string | null>;
  title: string;
  decided_at: ColumnType<Date, Date | undefined, never>;
  status: Generated<ResultStatus>;
  progress: Generated<number>;
  summary: Generated<string>;
  drop_reason: ColumnType<string | null, string | null | undefined, string | null>;
  starts_on: ColumnType<string | null, string | null | undefined, string | null>;
  ends_on: ColumnType<string | null, string | null | undefined, string | null>;
  budgeted: ColumnType<string | null, string | null | undefined, string | null>;
  spent: ColumnType<string | null, string | null | undefined, string | null>;
  currency: Generated<string>;
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

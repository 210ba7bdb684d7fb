import type { ColumnType, Generated } from 'kysely';

export type DecisionSource = 'proposal' | 'budget_project' | 'assembly_recommendation';

export interface DecisionsTable {
  id: Generated<string>;
  place_id: string;
  process_id: string | null;
  source_type: DecisionSource;
  source_id: string;
  title: string;
  decided_at: ColumnType<Date, Date | undefined, never>;
}

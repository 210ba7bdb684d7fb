import type { ColumnType, Generated } from 'kysely';

export type Feasibility = 'pending' | 'feasible' | 'not_feasible';

/** Money is numeric(14,2): read as text or number depending on the driver, always written as text. */
type Money = ColumnType<string | number, string, string>;

export interface BudgetsTable {
  id: Generated<string>;
  place_id: string;
  process_id: string;
  title: string;
  currency: ColumnType<string, string | undefined, string>;
  total_amount: Money;
  voting_opens_on: ColumnType<string, string, string>;
  voting_closes_on: ColumnType<string, string, string>;
  rule: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, never, never>;
}

export interface BudgetDistrictsTable {
  id: Generated<string>;
  place_id: string;
  budget_id: string;
  position: number;
  name: string;
  amount: Money;
}

export interface ProjectsTable {
  id: Generated<string>;
  place_id: string;
  budget_id: string;
  district_id: string | null;
  proposal_id: string | null;
  title: string;
  description: string;
  estimated_cost: ColumnType<string | number | null, string | null | undefined, string | null>;
  feasibility: ColumnType<Feasibility, Feasibility | undefined, Feasibility>;
  feasibility_reason: string | null;
  assessed_by: string | null;
  assessed_at: Date | null;
  valuator_id: string | null;
  created_at: ColumnType<Date, never, never>;
}

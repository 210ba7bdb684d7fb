import type { ColumnType, Generated } from 'kysely';

export type Feasibility = 'pending' | 'feasible' | 'not_feasible';

/** The pabulib vote types; residents vote online on approval, cumulative and ordinal ballots. */
export type BallotKind = 'approval' | 'choose-1' | 'cumulative' | 'ordinal' | 'scoring';

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
  ballot_kind: ColumnType<BallotKind, BallotKind | undefined, BallotKind>;
  min_projects: ColumnType<number | null, number | null | undefined, number | null>;
  max_projects: ColumnType<number | null, number | null | undefined, number | null>;
  basket: ColumnType<boolean, boolean | undefined, boolean>;
  points_total: ColumnType<number | null, number | null | undefined, number | null>;
  max_points_per_project: ColumnType<number | null, number | null | undefined, number | null>;
  rank_limit: ColumnType<number | null, number | null | undefined, number | null>;
  pb_meta: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
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
  pb_id: ColumnType<string | null, string | null | undefined, string | null>;
  pb_fields: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, never, never>;
}

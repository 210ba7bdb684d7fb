import type { ColumnType, Generated } from 'kysely';

type Optional<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, never, never>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
/** numeric: read as text or number depending on the driver, written as text. */
type Numeric = ColumnType<string | number | null, string | null, string | null>;

export type SettingKind = 'school' | 'nursery' | 'college';
export type LifeStage = 'early_years' | 'primary' | 'secondary' | 'young_adult';
export type IndicatorDomain =
  | 'attendance'
  | 'attainment'
  | 'wellbeing'
  | 'economic_disadvantage'
  | 'exclusions'
  | 'other';
export type IndicatorDirection = 'below' | 'above' | 'yes';
export type ParticipantStatus =
  | 'identified'
  | 'not_taken_forward'
  | 'approached'
  | 'agreed'
  | 'enrolled'
  | 'active'
  | 'exited';
export type AgreementGiver = 'young_person' | 'parent_carer';
export type LawfulBasis =
  | 'consent'
  | 'public_task'
  | 'legitimate_interests'
  | 'vital_interests'
  | 'legal_obligation';

export interface SupportProgrammesTable {
  id: Generated<string>;
  place_id: string;
  name: string;
  summary: Optional<string>;
  starts_on: string;
  ends_on: string;
  retention_years: number;
  caseload_limit: number;
  created_at: CreatedAt;
  updated_at: Optional<Date>;
}

export interface SupportSettingsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  name: string;
  kind: SettingKind;
  organization_id: Optional<string | null>;
}

export interface SupportCohortsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  name: string;
  year_group: number;
  intake_year: number;
  life_stage: LifeStage;
}

export interface SupportTeamsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  name: string;
  lead_user_id: Optional<string | null>;
}

export interface SupportTeamMembersTable {
  place_id: string;
  team_id: string;
  user_id: string;
  added_at: CreatedAt;
}

export interface SupportIndicatorsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  domain: IndicatorDomain;
  column_name: string;
  label: string;
  direction: IndicatorDirection;
  threshold: Numeric;
}

export interface SupportImportsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  cohort_id: string;
  setting_id: string;
  filename: string;
  row_count: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  imported_by: string | null;
  imported_at: CreatedAt;
}

export interface ParticipantsTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string;
  cohort_id: string;
  setting_id: string;
  reference: string;
  given_name: Optional<string | null>;
  family_name: Optional<string | null>;
  date_of_birth: Optional<string | null>;
  year_group: Optional<number | null>;
  measures: NullableJson<Record<string, string>>;
  flagged_domains: NullableJson<IndicatorDomain[]>;
  flag_count: Optional<number>;
  status: Optional<ParticipantStatus>;
  decided_at: Optional<Date | null>;
  team_id: Optional<string | null>;
  link_worker_id: Optional<string | null>;
  exited_on: Optional<string | null>;
  legal_hold: Optional<boolean>;
  created_at: CreatedAt;
  updated_at: Optional<Date>;
}

export interface ParticipantTransitionsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  from_status: ParticipantStatus | null;
  to_status: ParticipantStatus;
  reason: Optional<string>;
  actor_id: string | null;
  occurred_at: CreatedAt;
}

export interface ParticipantAssignmentsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  team_id: string | null;
  link_worker_id: string | null;
  assigned_by: string | null;
  assigned_at: CreatedAt;
  ended_at: Optional<Date | null>;
}

export interface ParticipantAgreementsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  given_by: AgreementGiver;
  giver_name: string;
  capacity_judgement: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
  withdrawn_at: Optional<Date | null>;
  withdrawn_by: Optional<string | null>;
  withdrawal_reason: Optional<string | null>;
}

export interface ParticipantLawfulBasesTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  purpose: string;
  basis: LawfulBasis;
  special_category_condition: string | null;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

export interface ParticipantSharingDecisionsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  organization_id: string;
  data_items: Json<string[]>;
  rationale: string;
  decided_by: string | null;
  decided_at: CreatedAt;
  withdrawn_at: Optional<Date | null>;
  withdrawal_reason: Optional<string | null>;
}

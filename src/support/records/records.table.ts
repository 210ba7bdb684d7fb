import type { ColumnType, Generated } from 'kysely';

type Optional<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, never, never>;

/** Why a child was due: exited, not taken forward, or never reviewed before the programme ended. */
export type ErasureBasis = 'exited' | 'not_taken_forward' | 'never_reviewed';
export type ErasedBy = 'schedule' | 'command';

export interface ParticipantSubjectAccessRequestsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  reason: string;
  requested_by: string | null;
  requested_at: CreatedAt;
}

export interface ParticipantLegalHoldsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  reason: string;
  set_by: string | null;
  set_at: CreatedAt;
  lifted_at: Optional<Date | null>;
  lifted_by: Optional<string | null>;
  lift_reason: Optional<string | null>;
}

export interface SupportErasuresTable {
  id: Generated<string>;
  place_id: string;
  programme_id: string | null;
  basis: ErasureBasis;
  retention_years: number;
  erased_by: ErasedBy;
  erased_at: Optional<Date>;
}

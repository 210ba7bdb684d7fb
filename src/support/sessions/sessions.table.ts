import type { ColumnType, Generated } from 'kysely';

type Optional<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, never, never>;

export type SessionKind = 'group' | 'one_to_one';
export type SessionRunBy = 'organisation' | 'link_worker';
export type AttendanceStatus = 'expected' | 'present' | 'late' | 'absent' | 'excused';

export interface SupportSessionsTable {
  id: Generated<string>;
  place_id: string;
  organization_id: string;
  service_id: string | null;
  service_name: string;
  run_by: SessionRunBy;
  kind: SessionKind;
  title: string;
  held_on: string;
  starts_at: string;
  duration_minutes: number;
  register_taken_at: Optional<Date | null>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface SupportSessionAttendeesTable {
  place_id: string;
  session_id: string;
  participant_id: string;
  referral_id: Optional<string | null>;
  status: Optional<AttendanceStatus>;
  marked_by: Optional<string | null>;
  marked_at: Optional<Date | null>;
}

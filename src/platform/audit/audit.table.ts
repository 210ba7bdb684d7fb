import type { ColumnType, Generated } from 'kysely';

export interface AuditEventsTable {
  id: Generated<string>;
  occurred_at: ColumnType<Date, never, never>;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  place_id: string | null;
  request_id: string | null;
  details: ColumnType<Record<string, unknown>, string, never>;
}

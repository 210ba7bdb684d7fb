import type { ColumnType, Generated } from 'kysely';

export type FollowTarget = 'process' | 'proposal' | 'result';
export type EmailPreference = 'immediate' | 'daily' | 'off';

export interface FollowsTable {
  place_id: string;
  user_id: string;
  target_type: FollowTarget;
  target_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface NotificationsTable {
  id: Generated<string>;
  place_id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  read_at: Date | null;
  emailed_at: Date | null;
}

export interface NotificationPreferencesTable {
  user_id: string;
  email: EmailPreference;
  unsubscribe_token: string;
  last_digest_at: Date | null;
}

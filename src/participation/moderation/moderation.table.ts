import type { ColumnType, Generated } from 'kysely';

export type ReportTarget = 'proposal' | 'comment' | 'user';
export type ReportReason = 'spam' | 'offensive' | 'personal_information' | 'off_topic' | 'other';
export type ReportResolution = 'hidden' | 'restored' | 'dismissed' | 'blocked';

export interface ModerationSettingsTable {
  place_id: string;
  hide_after_reports: number;
  hold_links_from_accounts_younger_than_days: number;
  blocked_words: ColumnType<string[], string[], string[]>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ReportsTable {
  id: Generated<string>;
  place_id: string;
  reporter_id: string | null;
  target_type: ReportTarget;
  target_id: string;
  reason: ReportReason;
  details: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: ReportResolution | null;
}

export interface UserBlocksTable {
  place_id: string;
  user_id: string;
  blocked_by: string | null;
  reason: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

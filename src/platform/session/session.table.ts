import type { ColumnType } from 'kysely';

export interface SessionsTable {
  /** SHA-256 of the cookie value: a leaked table does not leak live sessions. */
  id: string;
  user_id: string;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: Date;
  expires_at: Date;
  user_agent: string | null;
  flash: ColumnType<FlashMessage[], string, string>;
}

export interface FlashMessage {
  kind: 'success' | 'info';
  heading?: string;
  text: string;
}

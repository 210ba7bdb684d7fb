import type { ColumnType, Generated, Selectable } from 'kysely';

export interface UsersTable {
  id: Generated<string>;
  /** Null once the account is deleted: the row stays as a tombstone. */
  email: string | null;
  name: string;
  password_hash: string | null;
  email_verified_at: Date | null;
  is_instance_admin: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  deleted_at: Date | null;
}
export type UserRow = Selectable<UsersTable>;

export type TokenPurpose = 'verify_email' | 'reset_password' | 'magic_link' | 'change_email';

export interface UserTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: TokenPurpose;
  token_hash: string;
  new_email: string | null;
  expires_at: Date;
  used_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

/** Failed attempts per key (an email address or an IP), for backoff. */
export interface SignInThrottleTable {
  key: string;
  failures: number;
  locked_until: Date | null;
  updated_at: Date;
}

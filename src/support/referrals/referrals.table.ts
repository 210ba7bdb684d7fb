import type { ColumnType, Generated } from 'kysely';

type Optional<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, never, never>;
type Json<T> = ColumnType<T, string, string>;

export type ReferralStatus = 'draft' | 'sent' | 'accepted' | 'declined' | 'completed' | 'revoked';

export interface SupportReferralsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  organization_id: string;
  service_id: string | null;
  service_name: string;
  status: Optional<ReferralStatus>;
  note: string;
  data_items: Json<string[]>;
  sharing_decision_id: Optional<string | null>;
  decline_reason: Optional<string | null>;
  referred_by: string | null;
  created_at: CreatedAt;
  sent_at: Optional<Date | null>;
  responded_at: Optional<Date | null>;
  closed_at: Optional<Date | null>;
  updated_at: Optional<Date>;
}

import type { SignInThrottleTable, UsersTable, UserTokensTable } from '../../accounts/accounts.table.ts';
import type { PlaceRolesTable, PlacesTable } from '../../places/places.table.ts';
import type { AuditEventsTable } from '../audit/audit.table.ts';
import type { SessionsTable } from '../session/session.table.ts';

/** Every table Commonweal knows, as Kysely sees them. */
export interface DB {
  places: PlacesTable;
  place_roles: PlaceRolesTable;
  users: UsersTable;
  user_tokens: UserTokensTable;
  sign_in_throttle: SignInThrottleTable;
  sessions: SessionsTable;
  audit_events: AuditEventsTable;
}

import type { SignInThrottleTable, UsersTable, UserTokensTable } from '../../accounts/accounts.table.ts';
import type { DecisionsTable } from '../../participation/accountability/decisions.table.ts';
import type {
  AccessCodeBatchesTable,
  AccessCodesTable,
  BallotItemsTable,
  BallotsTable,
  BudgetCountsTable,
  PaperEntriesTable,
  PaperSheetsTable,
} from '../../participation/budgeting/ballots/ballots.table.ts';
import type {
  BudgetDistrictsTable,
  BudgetsTable,
  ProjectsTable,
} from '../../participation/budgeting/budgets/budgets.table.ts';
import type {
  CommentReactionsTable,
  CommentsTable,
} from '../../participation/deliberation/deliberation.table.ts';
import type {
  ModerationSettingsTable,
  ReportsTable,
  UserBlocksTable,
} from '../../participation/moderation/moderation.table.ts';
import type {
  FollowsTable,
  NotificationPreferencesTable,
  NotificationsTable,
} from '../../participation/notifications/notifications.table.ts';
import type {
  PlacePostcodesTable,
  ProcessesTable,
  ProcessPhasesTable,
  ResidentVerificationsTable,
} from '../../participation/processes/processes.table.ts';
import type {
  ProposalImagesTable,
  ProposalsTable,
  SupportsTable,
} from '../../participation/proposals/proposals.table.ts';
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
  place_postcodes: PlacePostcodesTable;
  resident_verifications: ResidentVerificationsTable;
  processes: ProcessesTable;
  process_phases: ProcessPhasesTable;
  proposals: ProposalsTable;
  proposal_images: ProposalImagesTable;
  supports: SupportsTable;
  decisions: DecisionsTable;
  comments: CommentsTable;
  comment_reactions: CommentReactionsTable;
  moderation_settings: ModerationSettingsTable;
  reports: ReportsTable;
  user_blocks: UserBlocksTable;
  follows: FollowsTable;
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
  budgets: BudgetsTable;
  budget_districts: BudgetDistrictsTable;
  projects: ProjectsTable;
  ballots: BallotsTable;
  ballot_items: BallotItemsTable;
  access_code_batches: AccessCodeBatchesTable;
  access_codes: AccessCodesTable;
  paper_sheets: PaperSheetsTable;
  paper_entries: PaperEntriesTable;
  budget_counts: BudgetCountsTable;
}

import type { SignInThrottleTable, UsersTable, UserTokensTable } from '../../accounts/accounts.table.ts';
import type {
  DirectoryContactsTable,
  LocationsTable,
  OrganizationMembersTable,
  OrganizationsTable,
  ServiceAtLocationsTable,
  ServicesTable,
  ServiceTaxonomyTermsTable,
  TaxonomyTermsTable,
} from '../../directory/directory.table.ts';
import type {
  AboutYouAnswersTable,
  PopulationProfileRowsTable,
  PopulationProfilesTable,
} from '../../evidence/representation/representation.table.ts';
import type {
  ValueBenefitMappingsTable,
  ValueProgrammeCostsTable,
  ValueUnitCostsTable,
} from '../../evidence/value/value.table.ts';
import type { DecisionsTable } from '../../participation/accountability/decisions.table.ts';
import type { ResultUpdatesTable } from '../../participation/accountability/results.table.ts';
import type {
  AssembliesTable,
  AssemblyAddressesTable,
  AssemblyDocumentsTable,
  AssemblyFeaturesTable,
  AssemblyFeatureValuesTable,
  AssemblyInvitationDrawsTable,
  AssemblyInvitationsTable,
  AssemblyRecommendationsTable,
  AssemblyRegistrantsTable,
  AssemblyReplacementsTable,
  AssemblySelectionsTable,
  AssemblySessionsTable,
} from '../../participation/assemblies/assemblies.table.ts';
import type {
  AccessCodeBatchesTable,
  AccessCodesTable,
  BallotItemsTable,
  BallotsTable,
  BudgetCountsTable,
  BudgetVotersTable,
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
import type {
  SupportOutcomeIndicatorsTable,
  SupportOutcomeObservationsTable,
} from '../../support/outcomes/outcomes.table.ts';
import type {
  FamilyMembersTable,
  ParticipantAssignmentReasonsTable,
  ParticipantContactsTable,
  SafeguardingConcernsTable,
  SupportGoalRatingsTable,
  SupportPlanCommentsTable,
  SupportPlanSignoffsTable,
  SupportPlansTable,
  SupportPlanVersionsTable,
} from '../../support/plans/support-plans.table.ts';
import type {
  ParticipantLegalHoldsTable,
  ParticipantSubjectAccessRequestsTable,
  SupportErasuresTable,
} from '../../support/records/records.table.ts';
import type { SupportReferralsTable } from '../../support/referrals/referrals.table.ts';
import type {
  SupportSessionAttendeesTable,
  SupportSessionsTable,
} from '../../support/sessions/sessions.table.ts';
import type {
  ParticipantAgreementsTable,
  ParticipantAssignmentsTable,
  ParticipantLawfulBasesTable,
  ParticipantSharingDecisionsTable,
  ParticipantsTable,
  ParticipantTransitionsTable,
  SupportCohortsTable,
  SupportImportsTable,
  SupportIndicatorsTable,
  SupportProgrammesTable,
  SupportSettingsTable,
  SupportTeamMembersTable,
  SupportTeamsTable,
} from '../../support/support.table.ts';
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
  result_updates: ResultUpdatesTable;
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
  budget_voters: BudgetVotersTable;
  access_code_batches: AccessCodeBatchesTable;
  access_codes: AccessCodesTable;
  paper_sheets: PaperSheetsTable;
  paper_entries: PaperEntriesTable;
  budget_counts: BudgetCountsTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  services: ServicesTable;
  locations: LocationsTable;
  service_at_locations: ServiceAtLocationsTable;
  directory_contacts: DirectoryContactsTable;
  taxonomy_terms: TaxonomyTermsTable;
  service_taxonomy_terms: ServiceTaxonomyTermsTable;
  // Support pillar tables (src/support/support.table.ts) are added below this line.
  support_programmes: SupportProgrammesTable;
  support_settings: SupportSettingsTable;
  support_cohorts: SupportCohortsTable;
  support_teams: SupportTeamsTable;
  support_team_members: SupportTeamMembersTable;
  support_indicators: SupportIndicatorsTable;
  support_imports: SupportImportsTable;
  participants: ParticipantsTable;
  participant_transitions: ParticipantTransitionsTable;
  participant_assignments: ParticipantAssignmentsTable;
  participant_agreements: ParticipantAgreementsTable;
  participant_lawful_bases: ParticipantLawfulBasesTable;
  participant_sharing_decisions: ParticipantSharingDecisionsTable;
  // Support delivery: referrals, sessions and outcomes (src/support/{referrals,sessions,outcomes}/*.table.ts).
  support_referrals: SupportReferralsTable;
  support_sessions: SupportSessionsTable;
  support_session_attendees: SupportSessionAttendeesTable;
  support_outcome_indicators: SupportOutcomeIndicatorsTable;
  support_outcome_observations: SupportOutcomeObservationsTable;
  // Citizens' assemblies (src/participation/assemblies/assemblies.table.ts).
  assemblies: AssembliesTable;
  assembly_features: AssemblyFeaturesTable;
  assembly_feature_values: AssemblyFeatureValuesTable;
  assembly_addresses: AssemblyAddressesTable;
  assembly_invitation_draws: AssemblyInvitationDrawsTable;
  assembly_invitations: AssemblyInvitationsTable;
  assembly_registrants: AssemblyRegistrantsTable;
  assembly_selections: AssemblySelectionsTable;
  assembly_replacements: AssemblyReplacementsTable;
  assembly_sessions: AssemblySessionsTable;
  assembly_documents: AssemblyDocumentsTable;
  assembly_recommendations: AssemblyRecommendationsTable;
  // Caseloads, contact log, safeguarding, support plans and the family view (src/support/plans/support-plans.table.ts).
  participant_assignment_reasons: ParticipantAssignmentReasonsTable;
  participant_contacts: ParticipantContactsTable;
  safeguarding_concerns: SafeguardingConcernsTable;
  support_plans: SupportPlansTable;
  support_plan_versions: SupportPlanVersionsTable;
  family_members: FamilyMembersTable;
  support_goal_ratings: SupportGoalRatingsTable;
  support_plan_comments: SupportPlanCommentsTable;
  support_plan_signoffs: SupportPlanSignoffsTable;
  // Subject access requests, legal holds and the erasure log (src/support/records/records.table.ts).
  participant_subject_access_requests: ParticipantSubjectAccessRequestsTable;
  participant_legal_holds: ParticipantLegalHoldsTable;
  support_erasures: SupportErasuresTable;
  // Population profiles and consented "About you" answers (src/evidence/representation/representation.table.ts).
  population_profiles: PopulationProfilesTable;
  population_profile_rows: PopulationProfileRowsTable;
  about_you_answers: AboutYouAnswersTable;
  // Value for money (src/evidence/value/value.table.ts).
  value_unit_costs: ValueUnitCostsTable;
  value_programme_costs: ValueProgrammeCostsTable;
  value_benefit_mappings: ValueBenefitMappingsTable;
}

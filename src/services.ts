import { createAccountsService } from './accounts/accounts.service.ts';
import { createDirectoryService } from './directory/directory.service.ts';
import { createActivityService } from './evidence/activity/activity.service.ts';
import { createOpenDataService } from './evidence/open-data/open-data.service.ts';
import { createRepresentationService } from './evidence/representation/representation.service.ts';
import { createValueService } from './evidence/value/value.service.ts';
import { createResultsTrackingService } from './participation/accountability/results.service.ts';
import { createAssembliesService } from './participation/assemblies/assemblies/assemblies.service.ts';
import { createPanelsService } from './participation/assemblies/panels/panels.service.ts';
import { createRecruitmentService } from './participation/assemblies/recruitment/recruitment.service.ts';
import { createWorkService } from './participation/assemblies/work/work.service.ts';
import { createBallotsService } from './participation/budgeting/ballots/ballots.service.ts';
import { createAccessCodesService } from './participation/budgeting/ballots/codes/codes.service.ts';
import { createPaperBallotsService } from './participation/budgeting/ballots/paper/paper.service.ts';
import { createBudgetsService } from './participation/budgeting/budgets/budgets.service.ts';
import { createResultsService } from './participation/budgeting/results/results.service.ts';
import { createTransferService } from './participation/budgeting/transfer/transfer.service.ts';
import {
  createDeliberationService,
  type DeliberationService,
} from './participation/deliberation/deliberation.service.ts';
import { createModerationService } from './participation/moderation/moderation.service.ts';
import { createNotificationsService } from './participation/notifications/notifications.service.ts';
import { createProcessesService } from './participation/processes/processes.service.ts';
import { createProposalsService } from './participation/proposals/proposals.service.ts';
import { createStatisticsService } from './participation/statistics/statistics.service.ts';
import { createPlacesService } from './places/places.service.ts';
import type { Database } from './platform/db/database.ts';
import type { Mailer } from './platform/mail/mailer.ts';
import { createSupportPlansServices } from './support/plans/support-plans.service.ts';
import { createRecordsService } from './support/records/records.service.ts';
import { createSupportDeliveryServices } from './support/referrals/support-delivery.ts';
import { createSupportService } from './support/support.service.ts';
import { supportDirectoryFrom } from './support/support-directory.ts';

/** Every service, built once, in dependency order. Routes, the seed and tests all use these. */
export function createServices(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  /** The clock of the short-lived caches (places, open ballots); Date.now unless a test moves it. */
  now?: (() => number) | undefined;
}) {
  const { db, mailer, baseUrl, now } = deps;
  const roleLookup = { rolesOfUser: (userId: string) => places.rolesOfUser(userId) };
  // Built later; the data download asks for the person's "About you" answers when it runs.
  const personalData = { aboutYou: (userId: string) => representation.exportOf(userId) };
  const accounts = createAccountsService({ db, mailer, baseUrl, roles: roleLookup, personalData });
  const places = createPlacesService({ db, accounts, now });
  const processes = createProcessesService({ db });
  const statistics = createStatisticsService({ db, processes });
  const notifications = createNotificationsService({ db, mailer, baseUrl });
  // Deliberation is built after moderation, which tells it when moderators change a comment's status.
  const comments = {
    commentsChangedByModeration: (...args: Parameters<DeliberationService['commentsChangedByModeration']>) =>
      deliberation.commentsChangedByModeration(...args),
  };
  const moderation = createModerationService({ db, notifications, comments });
  const proposals = createProposalsService({ db, processes, moderation, notifications });
  const deliberation = createDeliberationService({ db, processes, moderation, notifications });
  const budgets = createBudgetsService({ db });
  const ballots = createBallotsService({ db, processes, budgets, now });
  const accessCodes = createAccessCodesService({ db, baseUrl, budgets, processes });
  const paperBallots = createPaperBallotsService({ db });
  const budgetResults = createResultsService({ db, budgets });
  const assemblies = createAssembliesService({ db });
  const assemblyRecruitment = createRecruitmentService({ db, baseUrl, assemblies });
  const assemblyPanels = createPanelsService({ db, assemblies });
  const assemblyWork = createWorkService({ db });
  const results = createResultsTrackingService({ db, notifications });
  const directory = createDirectoryService({ db });
  const support = createSupportService({ db, directory: supportDirectoryFrom(directory) });
  const supportDelivery = createSupportDeliveryServices({
    db,
    mailer,
    baseUrl,
    directory,
    supportDirectory: supportDirectoryFrom(directory),
    participants: support.participants,
  });
  const supportPlans = createSupportPlansServices({
    db,
    mailer,
    baseUrl,
    directory: supportDirectoryFrom(directory),
    support,
    notifications,
  });
  const value = createValueService({ db, outcomes: supportDelivery.outcomes });
  const representation = createRepresentationService({ db, processes });
  const activity = createActivityService({ db, processes, profiles: representation });
  const transfer = createTransferService({ db });
  const openData = createOpenDataService({ baseUrl, processes, budgetResults, results });
  return {
    accounts,
    places,
    processes,
    moderation,
    notifications,
    proposals,
    statistics,
    deliberation,
    budgets,
    budgetResults,
    ballots,
    accessCodes,
    paperBallots,
    assemblies,
    assemblyRecruitment,
    assemblyPanels,
    assemblyWork,
    results,
    transfer,
    directory,
    support,
    supportDelivery,
    supportPlans,
    supportRecords: createRecordsService({ db }),
    value,
    representation,
    activity,
    openData,
  };
}

export type Services = ReturnType<typeof createServices>;

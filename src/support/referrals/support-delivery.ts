import type { DirectoryService } from '../../directory/directory.service.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { createOutcomesService } from '../outcomes/outcomes.service.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import type { SupportDirectory } from '../programmes/programmes.service.ts';
import { createSessionsService } from '../sessions/sessions.service.ts';
import { createReferralsService } from './referrals.service.ts';

/**
 * Support delivery: referrals, sessions and outcomes, built together because referrals show engagement
 * (from sessions) and sessions add children from accepted referrals.
 */
export function createSupportDeliveryServices(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  directory: DirectoryService;
  supportDirectory: SupportDirectory;
  participants: ParticipantsService;
}) {
  const sessions = createSessionsService({ ...deps, referrals: () => referrals });
  const referrals = createReferralsService({
    ...deps,
    engagement: (actor, place, participantId) => sessions.engagementOf(actor, place, participantId),
  });
  const outcomes = createOutcomesService(deps);
  return { referrals, sessions, outcomes };
}

export type SupportDeliveryServices = ReturnType<typeof createSupportDeliveryServices>;

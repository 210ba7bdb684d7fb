import type { NotificationsService } from '../../participation/notifications/notifications.service.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { createCaseloadService } from '../caseload/caseload.service.ts';
import { createFamilyService } from '../family/family.service.ts';
import type { SupportDirectory } from '../programmes/programmes.service.ts';
import type { SupportService } from '../support.service.ts';
import { createPlansService } from './plans.service.ts';

/** Caseloads, plans and the family view, built on the support pillar's participants and programmes. */
export function createSupportPlansServices(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  directory: SupportDirectory;
  support: SupportService;
  notifications: NotificationsService;
}) {
  const { db, mailer, baseUrl, directory, support, notifications } = deps;
  const { participants, programmes } = support;
  return {
    caseload: createCaseloadService({ db, mailer, baseUrl, participants, programmes, notifications }),
    plans: createPlansService({ db, directory, participants }),
    family: createFamilyService({ db, mailer, baseUrl, participants }),
  };
}

export type SupportPlansServices = ReturnType<typeof createSupportPlansServices>;

import { createAccountsService } from './accounts/accounts.service.ts';
import { createModerationService } from './participation/moderation/moderation.service.ts';
import { createNotificationsService } from './participation/notifications/notifications.service.ts';
import { createProcessesService } from './participation/processes/processes.service.ts';
import { createPlacesService } from './places/places.service.ts';
import type { Database } from './platform/db/database.ts';
import type { Mailer } from './platform/mail/mailer.ts';

/** Every service, built once, in dependency order. Routes, the seed and tests all use these. */
export function createServices(deps: { db: Database; mailer: Mailer; baseUrl: string }) {
  const { db, mailer, baseUrl } = deps;
  const roleLookup = { rolesOfUser: (userId: string) => places.rolesOfUser(userId) };
  const accounts = createAccountsService({ db, mailer, baseUrl, roles: roleLookup });
  const places = createPlacesService({ db, accounts });
  const processes = createProcessesService({ db });
  const moderation = createModerationService({ db });
  const notifications = createNotificationsService({ db });
  return { accounts, places, processes, moderation, notifications };
}

export type Services = ReturnType<typeof createServices>;

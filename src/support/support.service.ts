import type { Database } from '../platform/db/database.ts';
import { createIdentificationService } from './identification/identification.service.ts';
import { createParticipantsService } from './participants/participants.service.ts';
import { createProgrammesService, type SupportDirectory } from './programmes/programmes.service.ts';

/** The support pillar's services, built together because they share the directory lookups. */
export function createSupportService(deps: { db: Database; directory: SupportDirectory }) {
  const programmes = createProgrammesService(deps);
  return {
    programmes,
    identification: createIdentificationService({ db: deps.db, programmes }),
    participants: createParticipantsService(deps),
  };
}

export type SupportService = ReturnType<typeof createSupportService>;

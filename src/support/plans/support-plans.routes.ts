import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.ts';
import { caseloadRoutes } from '../caseload/caseload.routes.ts';
import { familyRoutes } from '../family/family.routes.ts';
import { plansRoutes } from './plans.routes.ts';

/** Contact log, safeguarding, assignment, support plans (/places/:slug/support/…) and the family view (/places/:slug/family). */
export function supportPlansRoutes(app: FastifyInstance, services: Services): void {
  caseloadRoutes(app, services);
  plansRoutes(app, services);
  familyRoutes(app, services);
}

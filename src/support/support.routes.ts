import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { participantsRoutes } from './participants/participants.routes.ts';
import { programmesRoutes } from './programmes/programmes.routes.ts';

/** Every support pillar page, under /places/:slug/support. */
export function supportRoutes(app: FastifyInstance, services: Services): void {
  programmesRoutes(app, services);
  participantsRoutes(app, services);
}

import type { FastifyInstance } from 'fastify';
import { type Database, databaseIsHealthy } from '../db/database.ts';

/** Mounted before sessions and CSRF so that probes never touch them. */
export function healthRoutes(
  app: FastifyInstance,
  deps: { db: Database; databaseKind: string; version: string; commit: string },
): void {
  app.get('/ping', async (_request, reply) => reply.type('text/plain').send('pong'));

  app.get('/health', async (_request, reply) => {
    const healthy = await databaseIsHealthy(deps.db);
    return reply
      .code(healthy ? 200 : 503)
      .send({ status: healthy ? 'ok' : 'unavailable', checks: { database: healthy ? 'ok' : 'failing' } });
  });

  app.get('/info', async () => ({
    name: 'commonweal',
    version: deps.version,
    commit: deps.commit,
    database: deps.databaseKind,
  }));
}

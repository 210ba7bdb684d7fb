import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { accountsRoutes } from './accounts/accounts.routes.ts';
import { directoryRoutes } from './directory/directory.routes.ts';
import { directoryApiRoutes } from './directory/directory-api.routes.ts';
import { activityRoutes } from './evidence/activity/activity.routes.ts';
import { openDataRoutes } from './evidence/open-data/open-data.routes.ts';
import { representationRoutes } from './evidence/representation/representation.routes.ts';
import { valueRoutes } from './evidence/value/value.routes.ts';
import { accountabilityRoutes } from './participation/accountability/results.routes.ts';
import { assembliesRoutes } from './participation/assemblies/assemblies.routes.ts';
import { ballotsRoutes } from './participation/budgeting/ballots/ballots.routes.ts';
import { accessCodesRoutes } from './participation/budgeting/ballots/codes/codes.routes.ts';
import { paperBallotsRoutes } from './participation/budgeting/ballots/paper/paper.routes.ts';
import { budgetsRoutes } from './participation/budgeting/budgets/budgets.routes.ts';
import { resultsRoutes } from './participation/budgeting/results/results.routes.ts';
import { transferRoutes } from './participation/budgeting/transfer/transfer.routes.ts';
import { deliberationRoutes } from './participation/deliberation/deliberation.routes.ts';
import { moderationRoutes } from './participation/moderation/moderation.routes.ts';
import { notificationsRoutes } from './participation/notifications/notifications.routes.ts';
import { processesRoutes } from './participation/processes/processes.routes.ts';
import { proposalsRoutes } from './participation/proposals/proposals.routes.ts';
import { placesRoutes } from './places/places.routes.ts';
import { auditRoutes } from './platform/audit/audit.routes.ts';
import type { Config } from './platform/config.ts';
import type { DatabaseHandle } from './platform/db/database.ts';
import { registerErrorPages } from './platform/error-pages.ts';
import { healthRoutes } from './platform/health/health.routes.ts';
import { devMailRoutes } from './platform/mail/dev-mail.routes.ts';
import type { Mailer } from './platform/mail/mailer.ts';
import { OneLinePerRequest } from './platform/request-log.ts';
import { registerCsrf, registerSecurityHeaders } from './platform/security.ts';
import { registerSessions } from './platform/session/sessions.ts';
import { staticPagesRoutes } from './platform/static-pages.routes.ts';
import { registerUploads } from './platform/uploads.ts';
import { registerViews } from './platform/views/views.ts';
import { createServices, type Services } from './services.ts';
import { outcomesRoutes } from './support/outcomes/outcomes.routes.ts';
import { supportPlansRoutes } from './support/plans/support-plans.routes.ts';
import { recordsRoutes } from './support/records/records.routes.ts';
import { referralsRoutes } from './support/referrals/referrals.routes.ts';
import { sessionsRoutes } from './support/sessions/sessions.routes.ts';
import { supportRoutes } from './support/support.routes.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  mailer: Mailer;
  /** Where the built stylesheet and scripts are (public/assets). */
  assetsDir: string;
  logLevel?: string;
  /** The clock the services' short-lived caches read (milliseconds); tests move it on. */
  now?: () => number;
}

/**
 * The one place where Commonweal is put together, in the order requests meet it:
 * health probes, static assets, then cookies, security headers, rate limits,
 * sessions, CSRF and views, then each feature's routes.
 */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, mailer } = deps;
  const db = database.db;
  const production = config.env === 'production';
  const secureCookies = production;

  const app = Fastify({
    logger: { level: deps.logLevel ?? (config.env === 'test' ? 'warn' : 'info') },
    genReqId: () => randomUUID(),
    // Only the proxies named in TRUST_PROXY may say who the client is; otherwise anyone could
    // dodge the per-address rate limits by sending their own X-Forwarded-For.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    bodyLimit: 1024 * 1024,
    logController: new OneLinePerRequest(),
  });

  // Services: one of each, built here and handed to routes.
  const services = createServices({ db, mailer, baseUrl: config.baseUrl, now: deps.now });
  const { accounts, places } = services;
  app.decorate('services', services);

  // Every response names its request, so a person reporting a problem can quote it.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // 1. Health, before sessions: probes never touch cookies or the session table.
  healthRoutes(app, { db, databaseKind: database.kind, version: config.version, commit: config.commit });

  // 2. Static assets.
  await app.register(fastifyStatic, {
    root: deps.assetsDir,
    prefix: '/assets/',
    maxAge: production ? '1d' : 0,
    decorateReply: false,
  });

  // 3. Request parsing and security.
  await app.register(fastifyCookie, { secret: config.sessionSecret });
  await app.register(fastifyFormbody);
  await registerUploads(app);
  await registerSecurityHeaders(app, production);
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `You have tried too many times. Wait ${context.after} and try again.`,
    }),
  });

  // 4. Sessions, CSRF and views.
  registerSessions(app, {
    db,
    secureCookies,
    loadSession: (sessionId, requestId) => accounts.loadSession(sessionId, requestId),
  });
  await registerCsrf(app, secureCookies);
  registerViews(app, {
    production,
    devMailEnabled: !production && mailer.folder !== undefined,
    listPlaces: async () => (await places.listPlaces({ limit: 50, offset: 0 })).places,
  });
  registerErrorPages(app, production);

  // 5. Features.
  staticPagesRoutes(app);
  accountsRoutes(app, accounts);
  placesRoutes(app, places);
  auditRoutes(app, { db, placeBySlug: (slug) => places.placeBySlug(slug) });
  if (!production && mailer.folder) devMailRoutes(app, mailer.folder);

  // 6. Participation (each feature registers its own routes under /places/:slug).
  // processes and proposals
  processesRoutes(app, services);
  proposalsRoutes(app, services);
  // deliberation
  deliberationRoutes(app, services);
  // moderation
  moderationRoutes(app, services);
  // notifications and statistics
  notificationsRoutes(app, services);
  budgetsRoutes(app, services);
  transferRoutes(app, services);
  resultsRoutes(app, services);
  // Counts run in the background in this process and resume after a restart; tests run them with runPending().
  if (config.env !== 'test') app.addHook('onReady', async () => services.budgetResults.runner.start());
  app.addHook('onClose', async () => services.budgetResults.runner.stop());
  ballotsRoutes(app, services);
  accessCodesRoutes(app, services);
  paperBallotsRoutes(app, services);
  // Citizens' assemblies; selections run in the background beside the count runner, the same way.
  assembliesRoutes(app, services);
  // "You said, we did": every decision tracked as a result under /places/:slug/results.
  accountabilityRoutes(app, services);
  if (config.env !== 'test') app.addHook('onReady', async () => services.assemblyPanels.runner.start());
  app.addHook('onClose', async () => services.assemblyPanels.runner.stop());

  // 7. Directory: public pages and management under /places/:slug/directory, and the open read API
  // (Open Referral UK) under /api/openreferral.
  directoryRoutes(app, services);
  directoryApiRoutes(app, services, config.baseUrl);
  // 8. Support: programmes, identification, enrolment and the access log under /places/:slug/support.
  supportRoutes(app, services);
  // Referrals to partners, sessions and registers, outcomes and the shared-measurement dashboard.
  referralsRoutes(app, services);
  sessionsRoutes(app, services);
  outcomesRoutes(app, services);
  // Caseloads, contact log, safeguarding and support plans under /places/:slug/support; the family view under
  // /places/:slug/family.
  supportPlansRoutes(app, services);
  // Subject access and legal holds for place admins; erasure by retention rule runs daily beside the runners.
  recordsRoutes(app, services);
  const erasure = services.supportRecords.erasureSchedule({ log: app.log });
  if (config.env !== 'test') app.addHook('onReady', async () => erasure.start());
  app.addHook('onClose', async () => erasure.stop());
  // 9. Evidence: value for money under /places/:slug/value.
  valueRoutes(app, services);

  // Evidence: who takes part against the population ("About you", profiles, dashboards) and participation
  // over time, under /places/:slug/evidence and /places/:slug/about-you.
  representationRoutes(app, services);
  activityRoutes(app, services);
  // Open data: /places/:slug/open-data with CSV downloads, and the open JSON API under /api/places and
  // /api/docs (no session, open CORS, like the directory's API).
  openDataRoutes(app, services, config.baseUrl);

  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export function defaultAssetsDir(root: string): string {
  return join(root, 'public', 'assets');
}

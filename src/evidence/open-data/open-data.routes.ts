import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { orukPage } from '../../directory/oruk.ts';
import { neutraliseFormula } from '../../participation/statistics/statistics.export.ts';
import { currentPlace as place, registerPlaceRoutes } from '../../places/place-scope.ts';
import { AppError } from '../../platform/errors.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { Services } from '../../services.ts';
import { apiDocsView } from './api-docs.ts';
import type { OpenBudgetResult, OpenProcess, OpenTrackedResult } from './open-data.service.ts';
import { openApiDocument } from './openapi.ts';

const V = 'evidence/open-data/views';
/** As generous as the directory's API: meant to be read by other services, not scraped in a loop. */
const API_RATE_LIMIT = { rateLimit: { max: 600, timeWindow: '1 minute' } };
const DOWNLOAD_RATE_LIMIT = { rateLimit: { max: 60, timeWindow: '1 minute' } };
const MAX_PER_PAGE = 100;
const DEFAULT_PER_PAGE = 50;

class BadRequestError extends AppError {
  constructor(message: string) {
    super(400, 'bad_request', message);
  }
}

const positiveInt = (name: string, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!/^\d{1,7}$/.test(v) || Number(v) < 1 || Number(v) > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from 1 to ${max}` });
        return z.NEVER;
      }
      return Number(v);
    });

const pageQuery = z.object({
  page: positiveInt('page', 1_000_000),
  per_page: positiveInt('per_page', MAX_PER_PAGE),
});

function apiPage(query: unknown) {
  const parsed = pageQuery.safeParse(query);
  if (!parsed.success) throw new BadRequestError(parsed.error.issues[0]!.message);
  const size = parsed.data.per_page ?? DEFAULT_PER_PAGE;
  const number = parsed.data.page ?? 1;
  return { number, size, limit: size, offset: (number - 1) * size };
}

function csv(reply: FastifyReply, filename: string, header: string[], rows: (string | number | null)[][]) {
  const body = stringify(
    [header, ...rows.map((r) => r.map((v) => (typeof v === 'string' ? neutraliseFormula(v) : v)))],
    {
      cast: { number: (v) => String(v) },
    },
  );
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(body);
}

function processRows(items: OpenProcess[]) {
  return items.map((p) => [
    p.id,
    p.title,
    p.summary,
    p.area,
    p.categories.join('; '),
    p.status,
    p.starts_on,
    p.ends_on,
    p.created_at,
    p.links.page,
    p.links.proposals_csv,
    p.links.proposals_json,
  ]);
}

function budgetRows(items: OpenBudgetResult[]) {
  return items.flatMap((b) =>
    b.sections.flatMap((s) =>
      s.projects.map((p) => [
        b.budget_id,
        b.title,
        b.currency,
        b.rule,
        b.published_at,
        s.name,
        s.amount,
        s.ballots.total,
        p.id,
        p.title,
        p.cost,
        p.selected ? 'yes' : 'no',
        p.votes,
        p.votes_by_channel.online,
        p.votes_by_channel.code,
        p.votes_by_channel.paper,
        p.votes_by_channel.imported,
        p.points,
      ]),
    ),
  );
}

function trackedRows(items: OpenTrackedResult[]) {
  return items.map((r) => [
    r.id,
    r.title,
    r.source,
    r.asked,
    r.decided,
    r.process?.title ?? null,
    r.status,
    r.progress,
    r.drop_reason,
    r.starts_on,
    r.ends_on,
    r.budgeted,
    r.spent,
    r.currency,
    r.parent_id,
    r.decided_at,
    r.updated_at,
    r.links.page,
  ]);
}

/**
 * The open-data pages of a place (/places/:slug/open-data, with CSV downloads) and the open JSON API
 * (/api/places/:slug/…, described at /api/docs). The API has no session and open CORS, like the
 * directory's: it only ever answers with what a signed-out visitor may read.
 */
export function openDataRoutes(app: FastifyInstance, services: Services, baseUrl: string): void {
  const { openData, places } = services;
  const document = openApiDocument(baseUrl);
  const docsView = apiDocsView(document);

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}/open-data`;

    scope.get<{ Querystring: Record<string, string> }>('/open-data', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { items, total } = await openData.processes(place(request), page);
      const slug = place(request).slug;
      return reply.page(`${V}/open-data.njk`, {
        title: 'Open data',
        base: base(request),
        api: `/api/places/${slug}`,
        slug,
        processes: items.map((p) => ({ ...p, path: `/places/${slug}/processes/${p.id}` })),
        pagination: paginationLinks(base(request), {}, page, total),
        columnClass: 'govuk-grid-column-full',
      });
    });

    scope.get<{ Querystring: Record<string, string> }>('/open-data/budgets', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { items, total } = await openData.budgetResults(place(request), page);
      return reply.page(`${V}/budgets.njk`, {
        title: 'Open data: participatory budgets',
        backLink: base(request),
        base: base(request),
        api: `/api/places/${place(request).slug}`,
        budgets: items.map((b) => ({
          ...b,
          path: `/places/${place(request).slug}/budgets/${b.budget_id}/results`,
          ballots: b.ballots_pb.map((l) => ({ ...l, href: l.href.replace(baseUrl, '') })),
          winners: b.sections.reduce((n, s) => n + s.winners.length, 0),
          ballotCount: b.sections.reduce((n, s) => n + s.ballots.total, 0),
        })),
        pagination: paginationLinks(`${base(request)}/budgets`, {}, page, total),
        columnClass: 'govuk-grid-column-full',
      });
    });

    scope.get('/open-data/processes.csv', { config: DOWNLOAD_RATE_LIMIT }, async (request, reply) =>
      csv(
        reply,
        `${place(request).slug}-processes.csv`,
        [
          'id',
          'title',
          'summary',
          'area',
          'categories',
          'status',
          'starts_on',
          'ends_on',
          'created_at',
          'page',
          'proposals_csv',
          'proposals_json',
        ],
        processRows(await openData.allProcesses(place(request))),
      ),
    );

    scope.get('/open-data/budget-results.csv', { config: DOWNLOAD_RATE_LIMIT }, async (request, reply) =>
      csv(
        reply,
        `${place(request).slug}-budget-results.csv`,
        [
          'budget_id',
          'budget',
          'currency',
          'rule',
          'published_at',
          'section',
          'section_amount',
          'section_ballots',
          'project_id',
          'project',
          'cost',
          'selected',
          'votes',
          'votes_online',
          'votes_code',
          'votes_paper',
          'votes_imported',
          'points',
        ],
        budgetRows(await openData.allBudgetResults(place(request))),
      ),
    );

    scope.get('/open-data/results.csv', { config: DOWNLOAD_RATE_LIMIT }, async (request, reply) =>
      csv(
        reply,
        `${place(request).slug}-results.csv`,
        [
          'id',
          'title',
          'source',
          'asked',
          'decided',
          'process',
          'status',
          'progress',
          'drop_reason',
          'starts_on',
          'ends_on',
          'budgeted',
          'spent',
          'currency',
          'parent_id',
          'decided_at',
          'updated_at',
          'page',
        ],
        trackedRows(await openData.allTrackedResults(place(request))),
      ),
    );
  });

  /** The open headers of every API answer, as on /api/openreferral. */
  async function openApiScope(scope: FastifyInstance) {
    scope.addHook('onRequest', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('cross-origin-resource-policy', 'cross-origin');
      reply.header('vary', 'Origin');
    });
    // An answer of the open API never sets or clears a cookie, whatever the request carried.
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.removeHeader('set-cookie');
      return payload;
    });
    scope.options('/*', { config: API_RATE_LIMIT }, async (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, OPTIONS')
        .header('access-control-allow-headers', 'Accept, Content-Type')
        .header('access-control-max-age', '86400')
        .send(),
    );
  }

  const json = (reply: FastifyReply, body: unknown) =>
    reply.header('cache-control', 'public, max-age=60').type('application/json; charset=utf-8').send(body);

  type PlaceParams = { Params: { slug: string } };
  const list =
    (
      read: (
        place: PlaceSummary,
        page: { limit: number; offset: number },
      ) => Promise<{ items: unknown[]; total: number }>,
    ) =>
    async (request: FastifyRequest<PlaceParams>, reply: FastifyReply) => {
      const page = apiPage(request.query);
      const found = await places.placeBySlug(request.params.slug);
      const { items, total } = await read({ id: found.id, slug: found.slug, name: found.name }, page);
      return json(reply, orukPage(items, total, page.number, page.size));
    };

  app.register(
    async (scope) => {
      await openApiScope(scope);
      scope.get<PlaceParams>('/:slug/processes', { config: API_RATE_LIMIT }, list(openData.processes));
      scope.get<PlaceParams>(
        '/:slug/budget-results',
        { config: API_RATE_LIMIT },
        list(openData.budgetResults),
      );
      scope.get<PlaceParams>('/:slug/results', { config: API_RATE_LIMIT }, list(openData.trackedResults));
    },
    { prefix: '/api/places' },
  );

  app.register(
    async (scope) => {
      await openApiScope(scope);
      scope.get('/openapi.json', { config: API_RATE_LIMIT }, async (_request, reply) =>
        json(reply, document),
      );
      scope.get('/', { config: API_RATE_LIMIT }, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=300').page(`${V}/api-docs.njk`, {
          ...docsView,
          title: 'Open data API',
          columnClass: 'govuk-grid-column-full',
        }),
      );
    },
    { prefix: '/api/docs' },
  );
}

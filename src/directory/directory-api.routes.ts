import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, NotFoundError } from '../platform/errors.ts';
import type { Services } from '../services.ts';
import { orukApiInfo, orukOrganization, orukPage, orukService, orukTaxonomyTerm } from './oruk.ts';

const BASE = '/api/openreferral';
/** Generous: the directory is meant to be read by other services, but not scraped in a loop. */
const API_RATE_LIMIT = { rateLimit: { max: 600, timeWindow: '1 minute' } };
const MAX_PER_PAGE = 100;

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

const listQuery = z.object({
  page: positiveInt('page', 1_000_000),
  per_page: positiveInt('per_page', MAX_PER_PAGE),
  place: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/, 'place must be the slug of a place, like riverside')
    .optional(),
});

const servicesQuery = listQuery.extend({
  text: z.string().max(100, 'text must be 100 characters or fewer').optional(),
  taxonomy_term_id: z.uuid({ error: 'taxonomy_term_id must be the id of a taxonomy term' }).optional(),
  area: z.string().max(100, 'area must be 100 characters or fewer').optional(),
  postcode: z
    .string()
    .regex(/^[A-Za-z0-9 ]{1,8}$/, 'postcode must be a postcode or the start of one, like RV1')
    .optional(),
  status: z.enum(['active', 'inactive', 'defunct', 'temporarily closed', 'all']).optional(),
});

function parse<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? String(issue.path[0]) : 'query';
    throw new BadRequestError(
      issue.code === 'invalid_type' || issue.code === 'invalid_value'
        ? `${field}: ${issue.message}`
        : issue.message,
    );
  }
  return result.data;
}

function paging(query: { page?: number | undefined; per_page?: number | undefined }) {
  const size = query.per_page ?? 50;
  const pageNumber = query.page ?? 1;
  return { pageNumber, size, limit: size, offset: (pageNumber - 1) * size };
}

/**
 * The open read API of the directory, in Open Referral UK (v3) shape: no session, no cookies, open to
 * every origin, read-only. Everything it returns is already public on the directory's pages; nothing
 * about members of organisations or residents is ever read here.
 */
export function directoryApiRoutes(app: FastifyInstance, services: Services, baseUrl: string): void {
  const { directory, places } = services;

  async function placeOf(slug: string | undefined) {
    if (!slug) return null;
    try {
      return await places.placeBySlug(slug);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new BadRequestError(`place: there is no place called ${slug}`);
      throw error;
    }
  }

  app.register(
    async (scope) => {
      scope.addHook('onRequest', async (_request, reply) => {
        reply.header('access-control-allow-origin', '*');
        reply.header('cross-origin-resource-policy', 'cross-origin');
        reply.header('vary', 'Origin');
      });
      // A reply of the open API never sets or clears a cookie, whatever the request carried.
      scope.addHook('onSend', async (_request, reply, payload) => {
        reply.removeHeader('set-cookie');
        return payload;
      });

      const json = (reply: FastifyReply, body: unknown) =>
        reply
          .header('cache-control', 'public, max-age=60')
          .type('application/json; charset=utf-8')
          .send(body);

      scope.options('/*', { config: API_RATE_LIMIT }, async (_request, reply) =>
        reply
          .code(204)
          .header('access-control-allow-methods', 'GET, OPTIONS')
          .header('access-control-allow-headers', 'Accept, Content-Type')
          .header('access-control-max-age', '86400')
          .send(),
      );
      scope.options('/', { config: API_RATE_LIMIT }, async (_request, reply) =>
        reply.code(204).header('access-control-allow-methods', 'GET, OPTIONS').send(),
      );

      scope.get('/', { config: API_RATE_LIMIT }, async (_request, reply) =>
        json(reply, orukApiInfo(baseUrl)),
      );

      scope.get('/services', { config: API_RATE_LIMIT }, async (request: FastifyRequest, reply) => {
        const query = parse(servicesQuery, request.query);
        const { pageNumber, size, limit, offset } = paging(query);
        const place = await placeOf(query.place);
        const status = query.status ?? 'active';
        const { services: found, total } = await directory.searchDetails(
          {
            placeId: place?.id ?? null,
            text: (query.text ?? '').trim(),
            ...(query.taxonomy_term_id ? { termId: query.taxonomy_term_id } : {}),
            area: (query.area ?? '').trim(),
            postcode: (query.postcode ?? '').trim(),
            activeOnly: status === 'active',
          },
          { limit, offset },
        );
        return json(reply, orukPage(found.map(orukService), total, pageNumber, size));
      });

      scope.get<{ Params: { id: string } }>(
        '/services/:id',
        { config: API_RATE_LIMIT },
        async (request, reply) => {
          const service = await directory.serviceAnywhere(request.params.id);
          if (!service) throw new NotFoundError('No service has this id');
          return json(reply, orukService(service));
        },
      );

      scope.get('/organizations', { config: API_RATE_LIMIT }, async (request: FastifyRequest, reply) => {
        const query = parse(listQuery, request.query);
        const { pageNumber, size, limit, offset } = paging(query);
        const place = await placeOf(query.place);
        const { organizations, total } = await directory.organizations(place, { limit, offset });
        return json(reply, orukPage(organizations.map(orukOrganization), total, pageNumber, size));
      });

      scope.get<{ Params: { id: string } }>(
        '/organizations/:id',
        { config: API_RATE_LIMIT },
        async (request, reply) => {
          const found = await directory.organizationAnywhere(request.params.id);
          if (!found) throw new NotFoundError('No organization has this id');
          return json(reply, {
            ...orukOrganization(found.organization),
            services: found.services.map(orukService),
          });
        },
      );

      scope.get('/taxonomy_terms', { config: API_RATE_LIMIT }, async (request: FastifyRequest, reply) => {
        const query = parse(listQuery, request.query);
        const { pageNumber, size, limit, offset } = paging(query);
        const place = await placeOf(query.place);
        const { terms, total } = await directory.needs(place, { limit, offset });
        return json(reply, orukPage(terms.map(orukTaxonomyTerm), total, pageNumber, size));
      });

      // Anything else under the API answers in JSON, with the same open headers.
      scope.get('/*', { config: API_RATE_LIMIT }, async () => {
        throw new NotFoundError();
      });
      scope.route({
        method: ['POST', 'PUT', 'PATCH', 'DELETE'],
        url: '/*',
        config: { ...API_RATE_LIMIT, csrf: false },
        handler: async (_request, reply) => {
          reply.header('allow', 'GET, OPTIONS');
          throw new AppError(405, 'method_not_allowed', 'The open API is read-only: use GET');
        },
      });
    },
    { prefix: BASE },
  );
}

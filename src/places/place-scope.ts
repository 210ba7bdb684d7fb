import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../platform/errors.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';

/**
 * Registers routes under /places/:slug with the place loaded once, before the
 * handler, into request.place (404 for an unknown place).
 */
export function registerPlaceRoutes(app: FastifyInstance, routes: (scope: FastifyInstance) => void): void {
  app.register(
    async (scope) => {
      scope.addHook('preHandler', async (request) => {
        const { slug } = request.params as { slug: string };
        const place = await app.services.places.placeBySlug(slug);
        request.placeRecord = place;
        request.place = { id: place.id, slug: place.slug, name: place.name };
      });
      routes(scope);
    },
    { prefix: '/places/:slug' },
  );
}

/** The place loaded by registerPlaceRoutes. */
export function currentPlace(request: FastifyRequest): PlaceSummary {
  const place = request.place;
  if (!place) throw new Error('currentPlace called outside registerPlaceRoutes');
  return place;
}

const uuid = z.uuid();

/** An id from the URL, or a 404 page when it is not a UUID at all. */
export function idParam(value: string): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/**
 * Where a form may send a person back to: only a page of this place (with its
 * query, without its fragment), never another place, another site or a trick
 * path; undefined for anything else.
 */
export function placeReturnTo(value: unknown, slug: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const withoutFragment = value.split('#')[0]!;
  const path = withoutFragment.split('?')[0]!;
  if (!path.startsWith(`/places/${slug}/`)) return undefined;
  if (/[\s\\]|\/\/|\/\.\.?(\/|$)|%2e|%2f|%5c/i.test(path)) return undefined;
  if (/[\s\\]/.test(withoutFragment)) return undefined;
  return withoutFragment;
}

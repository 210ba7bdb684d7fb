import type { FastifyInstance } from 'fastify';

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

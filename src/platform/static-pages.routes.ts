import type { FastifyInstance } from 'fastify';

const PAGES = {
  '/accessibility': { template: 'accessibility', title: 'Accessibility statement' },
  '/privacy': { template: 'privacy', title: 'Privacy notice' },
  '/cookies': { template: 'cookies', title: 'Cookies' },
};

export function staticPagesRoutes(app: FastifyInstance): void {
  for (const [path, page] of Object.entries(PAGES)) {
    app.get(path, async (_request, reply) =>
      reply.page(`platform/views/pages/${page.template}.njk`, { title: page.title }),
    );
  }
}

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import { can, type PlaceCapability } from '../auth/policy.ts';
import { ROLE_LABELS } from '../auth/roles.ts';
import type { PlaceSummary } from './place-context.ts';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const govukDir = join(srcDir, '..', 'node_modules', 'govuk-frontend', 'dist');

export interface PageContext {
  [key: string]: unknown;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a template under src/ with the layout's shared context. */
    page(template: string, context?: PageContext): Promise<FastifyReply>;
  }
  interface FastifyRequest {
    /** The place the request is about, when the URL names one. */
    place: PlaceSummary | undefined;
  }
  interface FastifyInstance {
    /** Set by the notifications feature: the header shows signed-in people how many they have not read. */
    unreadNotificationCount?: (userId: string) => Promise<number>;
  }
}

export interface ViewDeps {
  production: boolean;
  devMailEnabled: boolean;
  listPlaces: () => Promise<PlaceSummary[]>;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

export function registerViews(app: FastifyInstance, deps: ViewDeps): void {
  app.decorateRequest('place', undefined);
  app.register(fastifyView, {
    engine: { nunjucks },
    templates: [srcDir, govukDir],
    production: deps.production,
    options: {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
      onConfigure: (env: nunjucks.Environment) => {
        env.addFilter('date', (value: Date | string | null | undefined) =>
          value ? dateFormat.format(new Date(value)) : '',
        );
        env.addFilter('datetime', (value: Date | string | null | undefined) =>
          value ? dateTimeFormat.format(new Date(value)) : '',
        );
        env.addFilter('isoDatetime', (value: Date | string | null | undefined) =>
          value ? new Date(value).toISOString() : '',
        );
        env.addFilter('json', (value: unknown) => JSON.stringify(value));
      },
    },
  });

  app.decorateReply(
    'page',
    async function page(this: FastifyReply, template: string, context: PageContext = {}) {
      const request: FastifyRequest = this.request;
      const places = await deps.listPlaces();
      const place = (context.place as PlaceSummary | undefined) ?? request.place;
      const user = request.actor?.user ?? null;
      const countUnread = this.server.unreadNotificationCount;
      const unreadNotifications = user && countUnread ? await countUnread(user.id) : 0;
      this.type('text/html; charset=utf-8');
      return this.view(template, {
        ...context,
        actor: request.actor,
        user,
        unreadNotifications,
        csrfToken: this.generateCsrf(),
        flash: request.flash ?? [],
        place,
        placeNavigation: place ? placeNavigation(request, place) : [],
        places,
        devMailEnabled: deps.devMailEnabled,
        currentPath: request.url,
        requestId: request.id,
        roleLabels: ROLE_LABELS,
      });
    },
  );
}

const PLACE_NAVIGATION: { path: string; text: string; capability: PlaceCapability }[] = [
  { path: '', text: 'Overview', capability: 'place.view' },
  { path: '/processes', text: 'Have your say', capability: 'place.view' },
  { path: '/projects-to-assess', text: 'Projects to assess', capability: 'projects.assess' },
  { path: '/admin/residents', text: 'Residents', capability: 'residents.verify' },
  { path: '/admin/roles', text: 'People and roles', capability: 'roles.manage' },
  { path: '/admin/audit', text: 'Audit trail', capability: 'audit.view' },
  { path: '/moderation', text: 'Moderation', capability: 'content.moderate' },
];

function placeNavigation(request: FastifyRequest, place: PlaceSummary) {
  const base = `/places/${place.slug}`;
  const path = request.url.split('?')[0] ?? '';
  return PLACE_NAVIGATION.filter((item) => can(request.actor, item.capability, place.id)).map((item) => {
    const href = base + item.path;
    return { href, text: item.text, active: item.path === '' ? path === href : path.startsWith(href) };
  });
}

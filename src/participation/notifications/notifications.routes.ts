import type { FastifyInstance } from 'fastify';
import { placeReturnTo } from '../../places/place-scope.ts';
import type { PlacesService } from '../../places/places.service.ts';
import { requireUser } from '../../platform/auth/require-user.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { handleForm, parseForm } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import { statisticsRoutes } from '../statistics/statistics.routes.ts';
import type { StatisticsService } from '../statistics/statistics.service.ts';
import {
  EMAIL_PREFERENCES,
  followSchema,
  idParam,
  preferencesSchema,
  tokenParam,
} from './notifications.schema.ts';
import type { NotificationsService } from './notifications.service.ts';

const V = 'participation/notifications/views';

/** Kept for callers: the one rule lives in places/place-scope.ts. */
export function safeReturnTo(value: string | undefined, slug: string): string | undefined {
  return placeReturnTo(value, slug);
}

const preferenceItems = EMAIL_PREFERENCES.map((p) => ({
  value: p.value,
  text: p.text,
  hint: { text: p.hint },
}));

/**
 * Follows, notifications, email preferences and unsubscribing, plus the
 * place-scoped statistics and exports, which share this feature's place scope.
 */
export function notificationsRoutes(
  app: FastifyInstance,
  services: { notifications: NotificationsService; statistics: StatisticsService; places: PlacesService },
): void {
  const { notifications, statistics, places } = services;

  app.decorate('unreadNotificationCount', (userId: string) => notifications.unreadCount(userId));

  app.get<{ Querystring: { page?: string } }>('/notifications', async (request, reply) => {
    requireUser(request);
    const page = pageRequest(request.query.page);
    const { notifications: list, total } = await notifications.listNotifications(request.actor, page);
    return reply.page(`${V}/notifications.njk`, {
      title: 'Notifications',
      list,
      pagination: paginationLinks('/notifications', request.query, page, total),
    });
  });

  app.post('/notifications/read-all', async (request, reply) => {
    requireUser(request);
    await notifications.markAllRead(request.actor);
    await app.sessions.flash(request, {
      kind: 'success',
      text: 'All your notifications are marked as read.',
    });
    return reply.redirect('/notifications', 303);
  });

  app.get<{ Params: { id: string } }>('/notifications/:id/open', async (request, reply) => {
    requireUser(request);
    const id = idParam.safeParse(request.params.id);
    if (!id.success) throw new NotFoundError();
    const link = await notifications.openNotification(request.actor, id.data);
    return reply.redirect(link, 303);
  });

  app.get('/account/notifications', async (request, reply) => {
    requireUser(request);
    const email = await notifications.emailPreference(request.actor);
    return reply.page(`${V}/preferences.njk`, {
      title: 'Email notifications',
      preferenceItems,
      values: { email },
      backLink: '/account',
    });
  });

  app.post('/account/notifications', async (request, reply) => {
    requireUser(request);
    return handleForm(reply, {
      schema: preferencesSchema,
      body: request.body,
      template: `${V}/preferences.njk`,
      context: { title: 'Email notifications', preferenceItems, backLink: '/account' },
      action: async (data) => {
        await notifications.setEmailPreference(request.actor, data.email);
        await app.sessions.flash(request, {
          kind: 'success',
          text: 'Your email notification settings are saved.',
        });
        return reply.redirect('/account', 303);
      },
    });
  });

  // Unsubscribing works signed out: the link in each email is all it takes.
  app.get<{ Params: { token: string } }>('/unsubscribe/:token', async (request, reply) => {
    const token = tokenParam.safeParse(request.params.token);
    const link = token.success ? await notifications.unsubscribeLink(token.data) : undefined;
    if (!token.success || !link) {
      return reply
        .code(404)
        .page(`${V}/unsubscribe-unknown.njk`, { title: 'This unsubscribe link is not valid' });
    }
    return reply.page(`${V}/unsubscribe.njk`, {
      title: link.emailsOff ? 'You are unsubscribed' : 'Unsubscribe from notification emails',
      token: token.data,
      emailsOff: link.emailsOff,
    });
  });

  // No CSRF token: mail clients post here directly (RFC 8058), and the unguessable token in
  // the address is itself the proof; all it can do is turn emails off.
  app.post<{ Params: { token: string } }>(
    '/unsubscribe/:token',
    { config: { csrf: false } },
    async (request, reply) => {
      const token = tokenParam.safeParse(request.params.token);
      const done = token.success && (await notifications.unsubscribe(request.actor, token.data));
      if (!token.success || !done) {
        return reply
          .code(404)
          .page(`${V}/unsubscribe-unknown.njk`, { title: 'This unsubscribe link is not valid' });
      }
      return reply.redirect(`/unsubscribe/${token.data}`, 303);
    },
  );

  app.register(
    async (scope) => {
      scope.addHook('preHandler', async (request) => {
        const { slug } = request.params as { slug: string };
        const place = await places.placeBySlug(slug);
        request.placeRecord = place;
        request.place = { id: place.id, slug: place.slug, name: place.name };
      });

      scope.post('/follows', async (request, reply) => {
        const place = request.place!;
        const parsed = parseForm(followSchema, request.body);
        if (!parsed.ok) throw new AppError(400, 'bad_request', 'Sorry, we could not understand that request');
        const { targetType, targetId, follow } = parsed.data;
        const { targetPage } = await notifications.setFollowing(request.actor, place, {
          targetType,
          targetId,
          follow,
        });
        await app.sessions.flash(request, {
          kind: 'success',
          text: follow
            ? `You are following this ${targetType}. We will let you know when there is news.`
            : `You have stopped following this ${targetType}.`,
        });
        return reply.redirect(safeReturnTo(parsed.data.returnTo, place.slug) ?? targetPage, 303);
      });

      statisticsRoutes(scope, statistics);
    },
    { prefix: '/places/:slug' },
  );
}

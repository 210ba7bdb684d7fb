import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../../platform/auth/policy.ts';
import { requireUser } from '../../platform/auth/require-user.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { handleForm } from '../../platform/forms.ts';
import { type PageRequest, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { Services } from '../../services.ts';
import {
  moderationActionSchema,
  queueFilterSchema,
  REPORT_REASONS,
  reportSchema,
  reportTargetSchema,
  settingsSchema,
  userIdSchema,
} from './moderation.schema.ts';
import { type ActionOutcome, type QueueFilter, REASON_LABELS } from './moderation.service.ts';

const V = 'participation/moderation/views';

const TYPE_LABELS = { proposal: 'Proposals', comment: 'Comments', user: 'People' } as const;
const STATE_LABELS = {
  reported: 'Reported',
  held: 'Held before showing',
  hidden: 'Hidden',
} as const;
const SORT_LABELS = { newest: 'Newest first', most_reported: 'Most reported first' } as const;

type Query = Record<string, string | undefined>;

function currentPlace(request: FastifyRequest): PlaceSummary {
  return request.place!;
}

function select<K extends string>(labels: Record<K, string>, selected: string | undefined, any?: string) {
  return [
    ...(any ? [{ value: '', text: any, selected: !selected }] : []),
    ...(Object.keys(labels) as K[]).map((value) => ({
      value,
      text: labels[value],
      selected: value === selected,
    })),
  ];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function outcomeMessage(outcome: ActionOutcome): { text: string; kind: 'success' | 'info' } {
  const items = (n: number) => plural(n, 'item', 'items');
  const main = {
    hide: `${items(outcome.done)} hidden.`,
    restore: `${items(outcome.done)} restored.`,
    dismiss: `Reports dismissed on ${items(outcome.done)}.`,
    block: `${plural(outcome.peopleBlocked, 'person', 'people')} blocked from posting.`,
  }[outcome.action];
  const notes = [
    outcome.skipped > 0 ? `${items(outcome.skipped)} skipped because the action does not apply to them.` : '',
    outcome.notFound > 0 ? `${items(outcome.notFound)} not found in this place.` : '',
  ].filter(Boolean);
  return { text: [main, ...notes].join(' '), kind: notes.length > 0 ? 'info' : 'success' };
}

const reasonItems = REPORT_REASONS.map((value) => ({ value, text: REASON_LABELS[value] }));

export function moderationRoutes(app: FastifyInstance, services: Services): void {
  const { moderation } = services;

  app.register(
    async (scope) => {
      scope.addHook('preHandler', async (request) => {
        const { slug } = request.params as { slug: string };
        const place = await services.places.placeBySlug(slug);
        request.placeRecord = place;
        request.place = { id: place.id, slug: place.slug, name: place.name };
      });

      // Reporting

      const reportPage = async (request: FastifyRequest) => {
        requireUser(request);
        const place = currentPlace(request);
        const target = reportTargetSchema.safeParse(request.query);
        if (!target.success) throw new NotFoundError();
        const reportable = await moderation.reportTarget(
          request.actor,
          place,
          target.data.type,
          target.data.id,
        );
        return {
          target: target.data,
          context: {
            title: `Report this ${reportable.noun}`,
            reportable,
            reasonItems,
            action: `/places/${place.slug}/reports/new?type=${reportable.type}&id=${reportable.id}`,
            backLink: reportable.link,
          },
        };
      };

      scope.get('/reports/new', async (request, reply) => {
        const { context } = await reportPage(request);
        return reply.page(`${V}/report.njk`, { ...context, values: {} });
      });

      scope.post('/reports/new', async (request, reply) => {
        const place = currentPlace(request);
        const { target, context } = await reportPage(request);
        return handleForm(reply, {
          schema: reportSchema,
          body: request.body,
          template: `${V}/report.njk`,
          context,
          action: async (data) => {
            await moderation.report(request.actor, place, { ...target, ...data });
            return reply.redirect(
              `/places/${place.slug}/reports/done?type=${target.type}&id=${target.id}`,
              303,
            );
          },
        });
      });

      scope.get('/reports/done', async (request, reply) => {
        requireUser(request);
        const place = currentPlace(request);
        const target = reportTargetSchema.safeParse(request.query);
        if (!target.success) throw new NotFoundError();
        const link = await moderation.reportedTargetLink(
          request.actor,
          place,
          target.data.type,
          target.data.id,
        );
        return reply.page(`${V}/reported.njk`, {
          title: 'Thank you for your report',
          noun: { proposal: 'proposal', comment: 'comment', user: 'person' }[target.data.type],
          link,
        });
      });

      // The queue

      const queueContext = async (request: FastifyRequest, query: unknown) => {
        const place = currentPlace(request);
        const parsed = queueFilterSchema.parse(query ?? {});
        const filter: QueueFilter = {
          type: parsed.type,
          state: parsed.state,
          reason: parsed.reason,
          sort: parsed.sort,
        };
        const page: PageRequest = pageRequest(parsed.page);
        const { items, total } = await moderation.queue(request.actor, place, filter, page);
        const query_: Query = {
          type: filter.type,
          state: filter.state,
          reason: filter.reason,
          sort: filter.sort === 'newest' ? undefined : filter.sort,
        };
        return {
          title: 'Moderation',
          items,
          filter,
          filtered: Boolean(filter.type || filter.state || filter.reason),
          page: page.page,
          typeItems: select(TYPE_LABELS, filter.type, 'All types'),
          stateItems: select(STATE_LABELS, filter.state, 'Reported or held'),
          reasonItems: select(REASON_LABELS, filter.reason, 'Any reason'),
          sortItems: select(SORT_LABELS, filter.sort),
          reasonLabels: REASON_LABELS,
          canConfigure: can(request.actor, 'moderation.configure', place.id),
          pagination: paginationLinks(`/places/${place.slug}/moderation`, query_, page, total),
          columnClass: 'govuk-grid-column-full',
        };
      };

      scope.get('/moderation', async (request, reply) => {
        return reply.page(`${V}/queue.njk`, { ...(await queueContext(request, request.query)), values: {} });
      });

      scope.post('/moderation/actions', async (request, reply) => {
        const place = currentPlace(request);
        const body = (request.body ?? {}) as Record<string, unknown>;
        // The filters travel with the form, so that the moderator comes back to the same view.
        const filters = {
          type: body.filterType,
          state: body.filterState,
          reason: body.filterReason,
          sort: body.filterSort,
          page: body.filterPage,
        };
        const context = await queueContext(request, filters);
        return handleForm(reply, {
          schema: moderationActionSchema,
          body: request.body,
          template: `${V}/queue.njk`,
          context,
          action: async (data) => {
            const outcome = await moderation.act(request.actor, place, data);
            await app.sessions.flash(request, outcomeMessage(outcome));
            const params = new URLSearchParams();
            const { filter } = context;
            if (filter.type) params.set('type', filter.type);
            if (filter.state) params.set('state', filter.state);
            if (filter.reason) params.set('reason', filter.reason);
            if (filter.sort !== 'newest') params.set('sort', filter.sort);
            if (context.page > 1) params.set('page', String(context.page));
            const qs = params.toString();
            return reply.redirect(`/places/${place.slug}/moderation${qs ? `?${qs}` : ''}`, 303);
          },
        });
      });

      // Blocked people

      scope.get<{ Querystring: { page?: string } }>('/moderation/blocked', async (request, reply) => {
        const place = currentPlace(request);
        const page = pageRequest(request.query.page);
        const { people, total } = await moderation.blockedPeople(request.actor, place, page);
        return reply.page(`${V}/blocked.njk`, {
          title: 'Blocked people',
          people,
          pagination: paginationLinks(`/places/${place.slug}/moderation/blocked`, {}, page, total),
          backLink: `/places/${place.slug}/moderation`,
          columnClass: 'govuk-grid-column-full',
        });
      });

      scope.post<{ Params: { slug: string; userId: string } }>(
        '/moderation/blocked/:userId/unblock',
        async (request, reply) => {
          const place = currentPlace(request);
          const userId = userIdSchema.safeParse(request.params.userId);
          if (!userId.success) throw new NotFoundError();
          const name = await moderation.unblock(request.actor, place, userId.data);
          await app.sessions.flash(request, { kind: 'success', text: `${name} can post again.` });
          return reply.redirect(`/places/${place.slug}/moderation/blocked`, 303);
        },
      );

      // Settings

      const settingsContext = (place: PlaceSummary) => ({
        title: 'Moderation settings',
        backLink: `/places/${place.slug}/moderation`,
      });

      scope.get('/moderation/settings', async (request, reply) => {
        const place = currentPlace(request);
        const settings = await moderation.settings(request.actor, place);
        return reply.page(`${V}/settings.njk`, {
          ...settingsContext(place),
          values: {
            hideAfterReports: String(settings.hideAfterReports),
            holdLinksDays: String(settings.holdLinksFromAccountsYoungerThanDays),
            blockedWords: settings.blockedWords.join('\n'),
          },
        });
      });

      scope.post('/moderation/settings', async (request, reply) => {
        const place = currentPlace(request);
        // Authorise before anything is validated or shown.
        await moderation.settings(request.actor, place);
        return handleForm(reply, {
          schema: settingsSchema,
          body: request.body,
          template: `${V}/settings.njk`,
          context: settingsContext(place),
          action: async (data) => {
            await moderation.updateSettings(request.actor, place, {
              hideAfterReports: data.hideAfterReports,
              holdLinksFromAccountsYoungerThanDays: data.holdLinksDays,
              blockedWords: data.blockedWords,
            });
            await app.sessions.flash(request, { kind: 'success', text: 'Moderation settings saved.' });
            return reply.redirect(`/places/${place.slug}/moderation/settings`, 303);
          },
        });
      });
    },
    { prefix: '/places/:slug' },
  );
}

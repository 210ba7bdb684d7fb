import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Column, csvStream, exportFileName } from '../../participation/statistics/statistics.export.ts';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import type { Services } from '../../services.ts';
import { type Activity, type ActivityRow, KINDS } from './activity.service.ts';

const V = 'evidence/activity/views';

const percent = (share: number | null) => (share === null ? '' : `${(share * 100).toFixed(1)}%`);

function columns(activity: Activity): Column<ActivityRow>[] {
  return [
    { name: activity.granularity === 'week' ? 'week_starting' : 'month_starting', value: (r) => r.period },
    ...KINDS.map((k) => ({
      name:
        k.kind === 'proposals' || k.kind === 'comments' || k.kind === 'supports'
          ? k.kind
          : `ballots_${k.kind}`,
      value: (r: ActivityRow) => r.counts[k.kind],
    })),
    { name: 'total', value: (r) => r.total },
  ];
}

async function* each<T>(rows: T[]) {
  yield* rows;
}

function sendCsv(request: FastifyRequest, reply: FastifyReply, activity: Activity) {
  const name = exportFileName(place(request).slug, activity.process?.title ?? 'place', 'activity', 'csv');
  reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`);
  return reply.send(csvStream(each(activity.rows), columns(activity), (error) => request.log.error(error)));
}

export function activityRoutes(app: FastifyInstance, services: Services): void {
  const { activity } = services;

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}/evidence/activity`;

    scope.get('/evidence/activity', async (request, reply) => {
      const data = await activity.activity(request.actor, place(request), null);
      return reply.page(`${V}/activity.njk`, {
        title: 'Participation over time',
        activity: data,
        kinds: KINDS,
        csvHref: `${base(request)}.csv`,
        percent,
      });
    });

    scope.get('/evidence/activity.csv', async (request, reply) => {
      return sendCsv(request, reply, await activity.activity(request.actor, place(request), null));
    });

    scope.get<{ Params: { processId: string } }>('/evidence/activity/:processId', async (request, reply) => {
      const data = await activity.activity(request.actor, place(request), uuid(request.params.processId));
      return reply.page(`${V}/activity.njk`, {
        title: `Participation over time: ${data.process?.title}`,
        activity: data,
        kinds: KINDS,
        csvHref: `${base(request)}/${data.process?.id}/activity.csv`,
        percent,
        backLink: base(request),
      });
    });

    scope.get<{ Params: { processId: string } }>(
      '/evidence/activity/:processId/activity.csv',
      async (request, reply) => {
        return sendCsv(
          request,
          reply,
          await activity.activity(request.actor, place(request), uuid(request.params.processId)),
        );
      },
    );
  });
}

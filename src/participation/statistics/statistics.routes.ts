import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../platform/errors.ts';
import {
  COMMENT_COLUMNS,
  type Column,
  csvStream,
  exportFileName,
  jsonStream,
  PROPOSAL_COLUMNS,
} from './statistics.export.ts';
import type { StatisticsService } from './statistics.service.ts';

const V = 'participation/statistics/views';

type ProcessParams = { Params: { slug: string; processId: string } };

function processIdOf(params: { processId: string }): string {
  const id = z.uuid().safeParse(params.processId);
  if (!id.success) throw new NotFoundError();
  return id.data;
}

function sendExport<T>(
  reply: FastifyReply,
  format: 'csv' | 'json',
  fileName: string,
  rows: AsyncIterable<T>,
  columns: Column<T>[],
) {
  reply
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
  if (format === 'json') return reply.send(jsonStream(rows, columns));
  return reply.send(
    csvStream(rows, columns, (error) => reply.log.error({ err: error }, 'export stopped part way')),
  );
}

/** Public statistics and exports of a process; registered inside a scope that has loaded the place. */
export function statisticsRoutes(scope: FastifyInstance, statistics: StatisticsService): void {
  scope.get<ProcessParams>('/processes/:processId/statistics', async (request, reply) => {
    const place = request.place!;
    const stats = await statistics.processStatistics(request.actor, place, processIdOf(request.params));
    const base = `/places/${place.slug}/processes/${stats.process.id}`;
    return reply.page(`${V}/statistics.njk`, {
      title: `Statistics: ${stats.process.title}`,
      stats,
      exportsBase: `${base}/export`,
      backLink: base,
      columnClass: 'govuk-grid-column-full',
    });
  });

  for (const format of ['csv', 'json'] as const) {
    scope.get<ProcessParams>(`/processes/:processId/export/proposals.${format}`, async (request, reply) => {
      const place = request.place!;
      const { process, rows } = await statistics.proposalsExport(
        request.actor,
        place,
        processIdOf(request.params),
      );
      const fileName = exportFileName(place.slug, process.title, 'proposals', format);
      return sendExport(reply, format, fileName, rows, PROPOSAL_COLUMNS);
    });

    scope.get<ProcessParams>(`/processes/:processId/export/comments.${format}`, async (request, reply) => {
      const place = request.place!;
      const { process, rows } = await statistics.commentsExport(
        request.actor,
        place,
        processIdOf(request.params),
      );
      const fileName = exportFileName(place.slug, process.title, 'comments', format);
      return sendExport(reply, format, fileName, rows, COMMENT_COLUMNS);
    });
  }
}

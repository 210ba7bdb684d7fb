import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { authorise, authoriseOnInstance } from '../auth/policy.ts';
import type { Database } from '../db/database.ts';
import { parseForm } from '../forms.ts';
import { pageRequest, paginationLinks } from '../pagination.ts';
import type { PlaceSummary } from '../views/place-context.ts';
import { AUDIT_ACTIONS } from './audit.actions.ts';
import { findAuditEvents } from './audit.repository.ts';

const dateField = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), {
      message: `${label} must be a real date, like 2026-03-27`,
    });

const filterSchema = z
  .object({
    action: z
      .union([z.enum(AUDIT_ACTIONS), z.literal('')])
      .optional()
      .catch(undefined),
    subject: z.string().trim().max(100).optional(),
    from: dateField('Start date'),
    to: dateField('End date'),
    place: z.string().trim().max(60).optional(),
    page: z.string().optional().catch(undefined),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ['to'],
    message: 'End date must be the same as or after the start date',
  });

type Query = Record<string, string | undefined>;

/** The audit trail, read-only: place admins see their place, instance admins every place. */
export function auditRoutes(
  app: FastifyInstance,
  deps: { db: Database; placeBySlug: (slug: string) => Promise<PlaceSummary> },
): void {
  async function show(
    request: FastifyRequest<{ Querystring: Query }>,
    reply: FastifyReply,
    scope: { place?: PlaceSummary; basePath: string; actor: Actor },
  ) {
    const parsed = parseForm(filterSchema, request.query);
    const filter: z.output<typeof filterSchema> = parsed.ok
      ? parsed.data
      : { from: undefined, to: undefined };
    const page = pageRequest(parsed.ok ? parsed.data.page : undefined);
    let placeId = scope.place?.id;
    if (!scope.place && parsed.ok && parsed.data.place) {
      placeId =
        (await deps.placeBySlug(parsed.data.place).catch(() => undefined))?.id ??
        '00000000-0000-0000-0000-000000000000';
    }
    const to = filter.to ? new Date(Date.parse(filter.to) + 24 * 60 * 60 * 1000) : undefined;
    const { events, total } = await findAuditEvents(
      deps.db,
      {
        placeId,
        action: filter.action || undefined,
        subjectId: filter.subject || undefined,
        from: filter.from ? new Date(filter.from) : undefined,
        to,
      },
      page,
    );
    return reply.code(parsed.ok ? 200 : 400).page('platform/audit/views/trail.njk', {
      title: 'Audit trail',
      place: scope.place,
      instanceWide: !scope.place,
      events,
      actions: AUDIT_ACTIONS,
      values: request.query,
      errors: parsed.ok ? undefined : parsed.errors,
      basePath: scope.basePath,
      pagination: paginationLinks(scope.basePath, request.query, page, total),
      columnClass: 'govuk-grid-column-full',
    });
  }

  app.get<{ Params: { slug: string }; Querystring: Query }>(
    '/places/:slug/admin/audit',
    async (request, reply) => {
      const place = await deps.placeBySlug(request.params.slug);
      request.place = place;
      authorise(request.actor, 'audit.view', place.id);
      return show(request, reply, {
        place,
        basePath: `/places/${place.slug}/admin/audit`,
        actor: request.actor,
      });
    },
  );

  app.get<{ Querystring: Query }>('/admin/audit', async (request, reply) => {
    authoriseOnInstance(request.actor, 'instance_audit.view');
    return show(request, reply, { basePath: '/admin/audit', actor: request.actor });
  });
}

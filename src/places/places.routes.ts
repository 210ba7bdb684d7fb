import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authorise, authoriseOnInstance, can } from '../platform/auth/policy.ts';
import { PLACE_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from '../platform/auth/roles.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import { handleForm, parseForm } from '../platform/forms.ts';
import { pageRequest, paginationLinks } from '../platform/pagination.ts';
import { grantRoleSchema, membersFilterSchema, placeSchema, revokeRoleSchema } from './places.schema.ts';
import type { Place, PlacesService } from './places.service.ts';

const V = 'places/views';

declare module 'fastify' {
  interface FastifyRequest {
    placeRecord: Place | undefined;
  }
}

const roleItems = PLACE_ROLES.map((role) => ({
  value: role,
  text: ROLE_LABELS[role],
  hint: { text: ROLE_DESCRIPTIONS[role] },
}));

function roleFilterItems(selected: string | undefined) {
  return [
    { value: '', text: 'Any role' },
    ...PLACE_ROLES.map((role) => ({ value: role, text: ROLE_LABELS[role], selected: role === selected })),
  ];
}

function currentPlace(request: FastifyRequest): Place {
  return request.placeRecord!;
}

export function placesRoutes(app: FastifyInstance, places: PlacesService): void {
  app.decorateRequest('placeRecord', undefined);

  app.get('/', async (_request, reply) => {
    const { places: list } = await places.listPlaces({ limit: 12, offset: 0 });
    return reply.page(`${V}/home.njk`, {
      title: 'Home',
      places: list,
      columnClass: 'govuk-grid-column-full',
    });
  });

  app.get<{ Querystring: { page?: string } }>('/places', async (request, reply) => {
    const page = pageRequest(request.query.page);
    const { places: list, total } = await places.listPlaces(page);
    return reply.page(`${V}/list.njk`, {
      title: 'Places',
      list,
      pagination: paginationLinks('/places', request.query, page, total),
    });
  });

  app.get<{ Querystring: { slug?: string } }>('/places/switch', async (request, reply) => {
    const slug = z
      .string()
      .regex(/^[a-z0-9-]{1,60}$/)
      .safeParse(request.query.slug);
    return reply.redirect(slug.success ? `/places/${slug.data}` : '/places', 303);
  });

  // Everything about one place: the place is loaded once, before the handler.
  app.register(
    async (scope) => {
      scope.addHook('preHandler', async (request) => {
        const { slug } = request.params as { slug: string };
        const place = await places.placeBySlug(slug);
        request.placeRecord = place;
        request.place = { id: place.id, slug: place.slug, name: place.name };
      });

      scope.get('/', async (request, reply) => {
        const place = currentPlace(request);
        const roles = [...(request.actor.roles.get(place.id) ?? [])];
        return reply.page(`${V}/place.njk`, {
          title: place.name,
          placeDetails: place,
          myRoles: roles,
          canManageRoles: can(request.actor, 'roles.manage', place.id),
          canViewAudit: can(request.actor, 'audit.view', place.id),
          canManageDirectory: can(request.actor, 'directory.manage', place.id),
          canManageAssemblies: can(request.actor, 'assemblies.manage', place.id),
          canSeeWhoTakesPart: can(request.actor, 'evidence.analyse', place.id),
          canAnalyseValue: can(request.actor, 'evidence.analyse', place.id),
          canUseSupport: (
            ['programmes.manage', 'participants.review', 'participants.access_log'] as const
          ).some((capability) => can(request.actor, capability, place.id)),
        });
      });

      scope.get('/admin/roles', async (request, reply) => {
        const place = currentPlace(request);
        const filter = membersFilterSchema.parse(request.query ?? {});
        const page = pageRequest(filter.page);
        const { members, total } = await places.members(request.actor, place, filter, page);
        return reply.page(`${V}/roles.njk`, {
          title: 'People and roles',
          members,
          filter,
          roleItems,
          roleFilterItems: roleFilterItems(filter.role),
          values: {},
          pagination: paginationLinks(
            `/places/${place.slug}/admin/roles`,
            { search: filter.search, role: filter.role },
            page,
            total,
          ),
          columnClass: 'govuk-grid-column-full',
        });
      });

      scope.post('/admin/roles', async (request, reply) => {
        const place = currentPlace(request);
        const rerender = async () => {
          const page = pageRequest('1');
          const { members, total } = await places.members(request.actor, place, {}, page);
          return {
            title: 'People and roles',
            members,
            filter: {},
            roleItems,
            roleFilterItems: roleFilterItems(undefined),
            pagination: paginationLinks(`/places/${place.slug}/admin/roles`, {}, page, total),
            columnClass: 'govuk-grid-column-full',
          };
        };
        // Authorise before anything is validated or shown.
        const context = await rerender();
        return handleForm(reply, {
          schema: grantRoleSchema,
          body: request.body,
          template: `${V}/roles.njk`,
          context,
          action: async (data) => {
            const result = await places.grantRole(request.actor, place, data.email, data.role);
            await app.sessions.flash(request, {
              kind: 'success',
              text: result.added
                ? `${result.name} is now ${ROLE_LABELS[data.role].toLowerCase()} in ${place.name}.`
                : `${result.name} already had the role ${ROLE_LABELS[data.role].toLowerCase()}.`,
            });
            return reply.redirect(`/places/${place.slug}/admin/roles`, 303);
          },
        });
      });

      scope.get<{ Params: { slug: string; userId: string } }>(
        '/admin/roles/:userId',
        async (request, reply) => {
          const place = currentPlace(request);
          const userId = z.uuid().safeParse(request.params.userId);
          authorise(request.actor, 'roles.manage', place.id);
          const member = userId.success ? await places.member(request.actor, place, userId.data) : undefined;
          if (!member) throw new NotFoundError();
          return reply.page(`${V}/member.njk`, {
            title: member.name,
            member,
            backLink: `/places/${place.slug}/admin/roles`,
          });
        },
      );

      scope.post<{ Params: { slug: string; userId: string } }>(
        '/admin/roles/:userId/revoke',
        async (request, reply) => {
          const place = currentPlace(request);
          const userId = z.uuid().safeParse(request.params.userId);
          const parsed = parseForm(revokeRoleSchema, request.body);
          authorise(request.actor, 'roles.manage', place.id);
          if (!userId.success || !parsed.ok) throw new NotFoundError();
          try {
            await places.revokeRole(request.actor, place, userId.data, parsed.data.role);
            await app.sessions.flash(request, {
              kind: 'success',
              text: `Role ${ROLE_LABELS[parsed.data.role].toLowerCase()} removed.`,
            });
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            await app.sessions.flash(request, {
              kind: 'info',
              heading: 'The role was not removed',
              text: error.message,
            });
          }
          // Someone left with no role here is no longer on the list: go back to the list.
          const stillMember = await places.member(request.actor, place, userId.data);
          return reply.redirect(
            stillMember
              ? `/places/${place.slug}/admin/roles/${userId.data}`
              : `/places/${place.slug}/admin/roles`,
            303,
          );
        },
      );
    },
    { prefix: '/places/:slug' },
  );

  // Instance administration: places
  app.get('/admin', async (request, reply) => {
    authoriseOnInstance(request.actor, 'places.edit');
    const { places: list, total } = await places.listPlaces({ limit: 100, offset: 0 });
    return reply.page(`${V}/admin.njk`, {
      title: 'Instance administration',
      list,
      total,
      columnClass: 'govuk-grid-column-full',
    });
  });

  app.get('/admin/places/new', async (request, reply) => {
    authoriseOnInstance(request.actor, 'places.create');
    return reply.page(`${V}/place-form.njk`, { title: 'Add a place', action: '/admin/places', values: {} });
  });

  app.post('/admin/places', async (request, reply) => {
    authoriseOnInstance(request.actor, 'places.create');
    return handleForm(reply, {
      schema: placeSchema,
      body: request.body,
      template: `${V}/place-form.njk`,
      context: { title: 'Add a place', action: '/admin/places' },
      action: async (data) => {
        const place = await places.createPlace(request.actor, data);
        await app.sessions.flash(request, { kind: 'success', text: `${place.name} has been added.` });
        return reply.redirect(`/places/${place.slug}`, 303);
      },
    });
  });

  app.get<{ Params: { slug: string } }>('/admin/places/:slug/edit', async (request, reply) => {
    authoriseOnInstance(request.actor, 'places.edit');
    const place = await places.placeBySlug(request.params.slug);
    return reply.page(`${V}/place-form.njk`, {
      title: `Edit ${place.name}`,
      action: `/admin/places/${place.slug}`,
      values: {
        name: place.name,
        slug: place.slug,
        summary: place.summary,
        contactEmail: place.contactEmail ?? '',
      },
      backLink: '/admin',
    });
  });

  app.post<{ Params: { slug: string } }>('/admin/places/:slug', async (request, reply) => {
    authoriseOnInstance(request.actor, 'places.edit');
    const place = await places.placeBySlug(request.params.slug);
    return handleForm(reply, {
      schema: placeSchema,
      body: request.body,
      template: `${V}/place-form.njk`,
      context: { title: `Edit ${place.name}`, action: `/admin/places/${place.slug}`, backLink: '/admin' },
      action: async (data) => {
        const updated = await places.updatePlace(request.actor, place.id, data);
        await app.sessions.flash(request, { kind: 'success', text: `${updated.name} has been saved.` });
        return reply.redirect('/admin', 303);
      },
    });
  });
}

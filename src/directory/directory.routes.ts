import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../places/place-scope.ts';
import { authorise } from '../platform/auth/policy.ts';
import { registerDeletion } from '../platform/confirm-delete.ts';
import { ValidationError } from '../platform/errors.ts';
import { handleForm, parseForm, validationErrors } from '../platform/forms.ts';
import { type PageRequest, pageRequest, paginationLinks } from '../platform/pagination.ts';
import type { Services } from '../services.ts';
import {
  contactSchema,
  KIND_LABELS,
  locationSchema,
  memberSchema,
  ORGANIZATION_KINDS,
  organizationSchema,
  SERVICE_STATUSES,
  STATUS_LABELS,
  searchSchema,
  serviceSchema,
  taxonomyTermSchema,
} from './directory.schema.ts';
import type { Contact, Location, Organization, ServiceDetail, TaxonomyTerm } from './directory.service.ts';
import { type ListName, listPageRequests, listPagination } from './list-pagination.ts';

const V = 'directory/views';

type Values = Record<string, unknown>;

interface Field {
  name: string;
  label: string;
  kind: 'text' | 'textarea' | 'radios' | 'checkboxes' | 'select';
  hint?: string;
  classes?: string;
  inputmode?: string;
  type?: string;
  autocomplete?: string;
  rows?: number;
  items?: { value: string; text: string; checked?: boolean; selected?: boolean; hint?: { text: string } }[];
}

function chosen(values: Values, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' && value !== '' ? [value] : [];
}

function radios(
  name: string,
  label: string,
  options: [string, string][],
  values: Values,
  hint?: string,
): Field {
  const picked = chosen(values, name);
  return {
    name,
    label,
    kind: 'radios',
    ...(hint ? { hint } : {}),
    items: options.map(([value, text]) => ({ value, text, checked: picked.includes(value) })),
  };
}

function checkboxes(
  name: string,
  label: string,
  options: [string, string][],
  values: Values,
  hint: string,
): Field {
  const picked = chosen(values, name);
  return {
    name,
    label,
    kind: 'checkboxes',
    hint,
    items: options.map(([value, text]) => ({ value, text, checked: picked.includes(value) })),
  };
}

function select(
  name: string,
  label: string,
  options: [string, string][],
  values: Values,
  hint?: string,
): Field {
  const picked = chosen(values, name);
  return {
    name,
    label,
    kind: 'select',
    ...(hint ? { hint } : {}),
    items: options.map(([value, text]) => ({ value, text, selected: picked.includes(value) })),
  };
}

function organizationFields(values: Values): Field[] {
  return [
    { name: 'name', label: 'Name', kind: 'text' },
    radios(
      'kind',
      'Kind of organisation',
      ORGANIZATION_KINDS.map((k) => [k, KIND_LABELS[k]]),
      values,
      'Schools and nurseries can be chosen as settings of support programmes.',
    ),
    {
      name: 'description',
      label: 'Description (optional)',
      kind: 'textarea',
      hint: 'What the organisation does, in plain words.',
    },
    {
      name: 'email',
      label: 'Email address (optional)',
      kind: 'text',
      type: 'email',
      autocomplete: 'off',
      classes: 'govuk-!-width-two-thirds',
    },
    {
      name: 'url',
      label: 'Website (optional)',
      kind: 'text',
      type: 'url',
      classes: 'govuk-!-width-two-thirds',
      hint: 'Starting with https://',
    },
    {
      name: 'phone',
      label: 'Telephone (optional)',
      kind: 'text',
      type: 'tel',
      classes: 'govuk-!-width-one-half',
    },
  ];
}

function termLabel(term: TaxonomyTerm): string {
  return term.parentName ? `${term.parentName}: ${term.name}` : term.name;
}

interface Choice {
  id: string;
  name: string;
}

function serviceFields(
  values: Values,
  choices: { terms: TaxonomyTerm[]; locations: (Choice & { area: string })[] },
): Field[] {
  return [
    { name: 'name', label: 'Name', kind: 'text' },
    {
      name: 'description',
      label: 'Description (optional)',
      kind: 'textarea',
      hint: 'What the service offers and how to use it.',
    },
    radios(
      'status',
      'Is the service running?',
      SERVICE_STATUSES.map((s) => [s, STATUS_LABELS[s]]),
      values,
      'Only running services are shown in searches unless people ask to see all.',
    ),
    checkboxes(
      'termIds',
      'Needs it meets',
      choices.terms.map((t) => [t.id, termLabel(t)]),
      values,
      choices.terms.length ? 'Select all that apply.' : 'This place has no needs listed yet.',
    ),
    checkboxes(
      'locationIds',
      'Where it is offered',
      choices.locations.map((l) => [l.id, [l.name, l.area].filter(Boolean).join(', ')]),
      values,
      choices.locations.length
        ? 'Select all that apply.'
        : 'Add the organisation’s locations first; a service can be offered without one.',
    ),
    { name: 'eligibility', label: 'Who can use it (optional)', kind: 'textarea', rows: 3 },
    {
      name: 'fees',
      label: 'Fees (optional)',
      kind: 'textarea',
      rows: 2,
      hint: 'For example: free, or £2 a session.',
    },
    {
      name: 'minimumAge',
      label: 'Youngest age (optional)',
      kind: 'text',
      inputmode: 'numeric',
      classes: 'govuk-input--width-3',
    },
    {
      name: 'maximumAge',
      label: 'Oldest age (optional)',
      kind: 'text',
      inputmode: 'numeric',
      classes: 'govuk-input--width-3',
    },
    {
      name: 'url',
      label: 'Web page (optional)',
      kind: 'text',
      type: 'url',
      classes: 'govuk-!-width-two-thirds',
    },
    {
      name: 'email',
      label: 'Email address (optional)',
      kind: 'text',
      type: 'email',
      autocomplete: 'off',
      classes: 'govuk-!-width-two-thirds',
    },
  ];
}

function locationFields(): Field[] {
  return [
    { name: 'name', label: 'Name', kind: 'text', hint: 'For example: Northbank Community Centre' },
    { name: 'address1', label: 'Address (optional)', kind: 'text', autocomplete: 'off' },
    { name: 'city', label: 'Town or city (optional)', kind: 'text', classes: 'govuk-!-width-two-thirds' },
    { name: 'postalCode', label: 'Postcode (optional)', kind: 'text', classes: 'govuk-input--width-10' },
    {
      name: 'area',
      label: 'Area (optional)',
      kind: 'text',
      classes: 'govuk-!-width-two-thirds',
      hint: 'The neighbourhood people search by, like Northbank.',
    },
    { name: 'description', label: 'Directions or access (optional)', kind: 'textarea', rows: 3 },
    {
      name: 'latitude',
      label: 'Latitude (optional)',
      kind: 'text',
      inputmode: 'decimal',
      classes: 'govuk-input--width-10',
    },
    {
      name: 'longitude',
      label: 'Longitude (optional)',
      kind: 'text',
      inputmode: 'decimal',
      classes: 'govuk-input--width-10',
    },
  ];
}

function contactFields(values: Values, services: Choice[]): Field[] {
  return [
    { name: 'name', label: 'Name (optional if you give a job title)', kind: 'text' },
    { name: 'title', label: 'Job title (optional if you give a name)', kind: 'text' },
    {
      name: 'email',
      label: 'Email address',
      kind: 'text',
      type: 'email',
      autocomplete: 'off',
      hint: 'An email address or a telephone number, or both.',
    },
    { name: 'phone', label: 'Telephone', kind: 'text', type: 'tel', classes: 'govuk-!-width-one-half' },
    select(
      'serviceId',
      'Contact for',
      [['', 'The whole organisation'], ...services.map((s): [string, string] => [s.id, s.name])],
      values,
    ),
  ];
}

function termFields(values: Values, terms: TaxonomyTerm[], exceptId?: string): Field[] {
  return [
    {
      name: 'name',
      label: 'Name',
      kind: 'text',
      hint: 'As residents would say it, like Emotional wellbeing and mental health.',
    },
    {
      name: 'code',
      label: 'Code',
      kind: 'text',
      classes: 'govuk-!-width-one-half',
      hint: 'Lower-case letters, numbers and hyphens, like mental-health. It appears in web addresses and the open data.',
    },
    { name: 'description', label: 'Description (optional)', kind: 'textarea', rows: 3 },
    select(
      'parentId',
      'Broader need (optional)',
      [
        ['', 'None: this is a broad need'],
        ...terms.filter((t) => t.id !== exceptId).map((t): [string, string] => [t.id, termLabel(t)]),
      ],
      values,
    ),
  ];
}

function organizationValuesOf(o: Organization): Values {
  return {
    name: o.name,
    kind: o.kind,
    description: o.description,
    email: o.email ?? '',
    url: o.url ?? '',
    phone: o.phone ?? '',
  };
}

function serviceValuesOf(s: ServiceDetail): Values {
  return {
    name: s.name,
    description: s.description,
    status: s.status,
    termIds: s.terms.map((t) => t.id),
    locationIds: s.locations.map((l) => l.id),
    eligibility: s.eligibility,
    fees: s.fees,
    minimumAge: s.minimumAge ?? '',
    maximumAge: s.maximumAge ?? '',
    url: s.url ?? '',
    email: s.email ?? '',
  };
}

function locationValuesOf(l: Location): Values {
  return {
    name: l.name,
    address1: l.address1,
    city: l.city,
    postalCode: l.postalCode,
    area: l.area,
    description: l.description,
    latitude: l.latitude ?? '',
    longitude: l.longitude ?? '',
  };
}

function contactValuesOf(c: Contact): Values {
  return {
    name: c.name,
    title: c.title,
    email: c.email ?? '',
    phone: c.phone ?? '',
    serviceId: c.serviceId ?? '',
  };
}

function ageText(s: ServiceDetail): string {
  if (s.minimumAge !== null && s.maximumAge !== null) return `${s.minimumAge} to ${s.maximumAge}`;
  if (s.minimumAge !== null) return `${s.minimumAge} and over`;
  if (s.maximumAge !== null) return `Up to ${s.maximumAge}`;
  return '';
}

function memberItems(
  candidates: { id: string; name: string; email: string | null }[] | null,
  picked?: unknown,
) {
  return [
    { value: '', text: 'Choose a person' },
    ...(candidates ?? []).map((c) => ({
      value: c.id,
      text: c.email ? `${c.name} (${c.email})` : c.name,
      selected: c.id === picked,
    })),
  ];
}

function summaryRows(pairs: [string, string | null][]) {
  return pairs
    .filter(([, value]) => value)
    .map(([key, value]) => ({ key: { text: key }, value: { text: value } }));
}

function body(request: FastifyRequest): Values {
  return (request.body as Values | undefined) ?? {};
}

const ORGANIZATION_LISTS = ['services', 'locations', 'contacts'] as const satisfies readonly ListName[];
const MANAGED_ORGANIZATION_LISTS = [...ORGANIZATION_LISTS, 'members'] as const satisfies readonly ListName[];

export function directoryRoutes(app: FastifyInstance, services: Services): void {
  const { directory } = services;

  registerPlaceRoutes(app, (scope) => {
    const root = (request: FastifyRequest) => `/places/${place(request).slug}/directory`;
    const manage = (request: FastifyRequest) => `${root(request)}/manage`;

    // Public pages: anyone, signed in or not.

    scope.get<{ Querystring: Record<string, string> }>('/directory', async (request, reply) => {
      const query = searchSchema.parse(request.query);
      const page = pageRequest(query.page);
      const [needs, areas] = await Promise.all([
        directory.needOptions(place(request)),
        directory.areas(place(request)),
      ]);
      const {
        services: results,
        total,
        need,
      } = await directory.search(
        place(request),
        { text: query.q, needCode: query.need, area: query.area, activeOnly: query.include !== 'all' },
        page,
      );
      const searched = Boolean(query.q || query.need || query.area);
      return reply.page(`${V}/search.njk`, {
        title: 'Find local services',
        query,
        need,
        needItems: [
          { value: '', text: 'Any need' },
          ...needs.map((t) => ({ value: t.code, text: termLabel(t), selected: t.code === query.need })),
        ],
        areaItems: [
          { value: '', text: 'Anywhere' },
          ...areas.map((a) => ({
            value: a,
            text: a,
            selected: a.toLowerCase() === query.area.toLowerCase(),
          })),
        ],
        results,
        total,
        searched,
        statusLabels: STATUS_LABELS,
        canManage: directory.canManage(request.actor, place(request)),
        pagination: paginationLinks(
          root(request),
          { q: query.q, need: query.need, area: query.area, include: query.include },
          page,
          total,
        ),
      });
    });

    scope.get<{ Params: { id: string } }>('/directory/services/:id', async (request, reply) => {
      const service = await directory.service(place(request), uuid(request.params.id));
      return reply.page(`${V}/service.njk`, {
        title: service.name,
        service,
        rows: summaryRows([
          ['Helps with', service.terms.map((t) => t.name).join(', ')],
          ['Who can use it', service.eligibility],
          ['Ages', ageText(service)],
          ['Fees', service.fees],
          ['Website', service.url],
          ['Email', service.email],
        ]),
        statusLabels: STATUS_LABELS,
        backLink: root(request),
      });
    });

    scope.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
      '/directory/organisations/:id',
      async (request, reply) => {
        const pages = listPageRequests(request.query, ORGANIZATION_LISTS);
        const found = await directory.organization(place(request), uuid(request.params.id), pages);
        const base = `${root(request)}/organisations/${found.organization.id}`;
        return reply.page(`${V}/organisation.njk`, {
          title: found.organization.name,
          ...found,
          rows: summaryRows([
            ['Website', found.organization.url],
            ['Email', found.organization.email],
            ['Telephone', found.organization.phone],
          ]),
          kindLabel: KIND_LABELS[found.organization.kind],
          pagination: {
            services: listPagination(base, pages, 'services', found.services.total),
            locations: listPagination(base, pages, 'locations', found.locations.total),
            contacts: listPagination(base, pages, 'contacts', found.contacts.total),
          },
          backLink: root(request),
        });
      },
    );

    // Management: officers every entry, organisation members their own organisations'.

    scope.get<{ Querystring: { page?: string } }>('/directory/manage', async (request, reply) => {
      authorise(request.actor, 'directory.manage', place(request).id);
      const page = pageRequest(request.query.page);
      const { organizations, total } = await directory.manageableOrganizations(
        request.actor,
        place(request),
        page,
      );
      return reply.page(`${V}/manage/list.njk`, {
        title: 'Manage the directory',
        organizations,
        total,
        kindLabels: KIND_LABELS,
        officer: directory.canManageAll(request.actor, place(request)),
        pagination: paginationLinks(manage(request), {}, page, total),
        backLink: `/places/${place(request).slug}`,
      });
    });

    // Organisations.

    const newOrganization = (request: FastifyRequest) => ({
      title: 'Add an organisation',
      action: `${manage(request)}/organisations`,
      backLink: manage(request),
      submitText: 'Add organisation',
    });

    scope.get('/directory/manage/organisations/new', async (request, reply) => {
      authorise(request.actor, 'directory.manage_all', place(request).id);
      const values = { kind: 'charity' };
      return reply.page(`${V}/manage/form.njk`, {
        ...newOrganization(request),
        values,
        fields: organizationFields(values),
      });
    });

    scope.post('/directory/manage/organisations', async (request, reply) => {
      authorise(request.actor, 'directory.manage_all', place(request).id);
      return handleForm(reply, {
        schema: organizationSchema,
        body: request.body,
        template: `${V}/manage/form.njk`,
        context: { ...newOrganization(request), fields: organizationFields(body(request)) },
        action: async (data) => {
          const id = await directory.createOrganization(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been added.` });
          return reply.redirect(`${manage(request)}/organisations/${id}`, 303);
        },
      });
    });

    /** The management page of an organisation, with a page of each list. */
    const organizationPage = async (
      request: FastifyRequest,
      id: string,
      pages: Record<(typeof MANAGED_ORGANIZATION_LISTS)[number], PageRequest>,
      pickedMember?: unknown,
    ) => {
      const managed = await directory.managedOrganizationPage(request.actor, place(request), id, pages);
      const base = `${manage(request)}/organisations/${managed.organization.id}`;
      return {
        title: managed.organization.name,
        ...managed,
        memberItems: memberItems(managed.candidates, pickedMember),
        kindLabel: KIND_LABELS[managed.organization.kind],
        statusLabels: STATUS_LABELS,
        officer: directory.canManageAll(request.actor, place(request)),
        base,
        manageRoot: manage(request),
        pagination: {
          services: listPagination(base, pages, 'services', managed.services.total),
          locations: listPagination(base, pages, 'locations', managed.locations.total),
          contacts: listPagination(base, pages, 'contacts', managed.contacts.total),
          members: managed.members ? listPagination(base, pages, 'members', managed.members.total) : null,
        },
        backLink: manage(request),
        columnClass: 'govuk-grid-column-full',
      };
    };

    scope.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
      '/directory/manage/organisations/:id',
      async (request, reply) => {
        const pages = listPageRequests(request.query, MANAGED_ORGANIZATION_LISTS);
        return reply.page(
          `${V}/manage/organisation.njk`,
          await organizationPage(request, uuid(request.params.id), pages),
        );
      },
    );

    const editOrganization = (request: FastifyRequest, id: string) => ({
      title: 'Edit the organisation',
      action: `${manage(request)}/organisations/${id}/edit`,
      backLink: `${manage(request)}/organisations/${id}`,
      submitText: 'Save changes',
    });

    scope.get<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/edit',
      async (request, reply) => {
        const organization = await directory.managedOrganization(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        const values = organizationValuesOf(organization);
        return reply.page(`${V}/manage/form.njk`, {
          ...editOrganization(request, organization.id),
          caption: organization.name,
          values,
          fields: organizationFields(values),
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/edit',
      async (request, reply) => {
        const id = uuid(request.params.id);
        authorise(request.actor, 'directory.manage', place(request).id);
        return handleForm(reply, {
          schema: organizationSchema,
          body: request.body,
          template: `${V}/manage/form.njk`,
          context: { ...editOrganization(request, id), fields: organizationFields(body(request)) },
          action: async (data) => {
            await directory.updateOrganization(request.actor, place(request), id, data);
            await app.sessions.flash(request, { kind: 'success', text: 'The organisation has been saved.' });
            return reply.redirect(`${manage(request)}/organisations/${id}`, 303);
          },
        });
      },
    );

    registerDeletion<{ id: string }>(app, scope, {
      path: '/directory/manage/organisations/:id/delete',
      async confirm(request) {
        authorise(request.actor, 'directory.manage_all', place(request).id);
        const { organization, counts } = await directory.organizationToDelete(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return {
          title: `Delete ${organization.name}?`,
          warning: `This also deletes its ${counts.services} service(s), ${counts.locations} location(s) and ${counts.contacts} contact(s). It cannot be undone.`,
          action: `${manage(request)}/organisations/${organization.id}/delete`,
          backLink: `${manage(request)}/organisations/${organization.id}`,
        };
      },
      buttonText: 'Delete organisation',
      async remove(request) {
        await directory.deleteOrganization(request.actor, place(request), uuid(request.params.id));
        return manage(request);
      },
      done: 'The organisation has been deleted.',
      refused(request) {
        const id = uuid(request.params.id);
        return {
          title: 'This organisation cannot be deleted yet',
          action: `${manage(request)}/organisations/${id}/delete`,
          backLink: `${manage(request)}/organisations/${id}`,
        };
      },
    });

    // Members (officers).

    scope.post<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/members',
      async (request, reply) => {
        const id = uuid(request.params.id);
        authorise(request.actor, 'directory.manage_all', place(request).id);
        const parsed = parseForm(memberSchema, request.body);
        const renderWith = async (errors: ReturnType<typeof validationErrors>) =>
          reply.code(400).page(`${V}/manage/organisation.njk`, {
            ...(await organizationPage(
              request,
              id,
              listPageRequests({}, MANAGED_ORGANIZATION_LISTS),
              body(request).userId,
            )),
            errors,
          });
        if (!parsed.ok) return renderWith(parsed.errors);
        try {
          await directory.addMember(request.actor, place(request), id, parsed.data.userId);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return renderWith(validationErrors(error));
        }
        await app.sessions.flash(request, { kind: 'success', text: 'The member has been added.' });
        return reply.redirect(`${manage(request)}/organisations/${id}#members`, 303);
      },
    );

    registerDeletion<{ id: string; userId: string }>(app, scope, {
      path: '/directory/manage/organisations/:id/members/:userId/remove',
      async confirm(request) {
        authorise(request.actor, 'directory.manage_all', place(request).id);
        const { organization, member } = await directory.organizationMember(
          request.actor,
          place(request),
          uuid(request.params.id),
          uuid(request.params.userId),
        );
        return {
          title: `Remove ${member.name} from ${organization.name}?`,
          warning: `${member.name} will no longer be able to keep this organisation’s entries up to date.`,
          action: `${manage(request)}/organisations/${organization.id}/members/${member.id}/remove`,
          backLink: `${manage(request)}/organisations/${organization.id}`,
        };
      },
      buttonText: 'Remove member',
      async remove(request) {
        const id = uuid(request.params.id);
        await directory.removeMember(request.actor, place(request), id, uuid(request.params.userId));
        return `${manage(request)}/organisations/${id}#members`;
      },
      done: 'The member has been removed.',
    });

    // Services.

    scope.get<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/services/new',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const choices = await directory.serviceFormChoices(request.actor, place(request), id);
        const values = { status: 'active' };
        return reply.page(`${V}/manage/form.njk`, {
          title: 'Add a service',
          caption: await directory.organizationName(place(request), id),
          action: `${manage(request)}/organisations/${id}/services`,
          backLink: `${manage(request)}/organisations/${id}`,
          submitText: 'Add service',
          values,
          fields: serviceFields(values, choices),
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/services',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const choices = await directory.serviceFormChoices(request.actor, place(request), id);
        return handleForm(reply, {
          schema: serviceSchema,
          body: request.body,
          template: `${V}/manage/form.njk`,
          context: {
            title: 'Add a service',
            action: `${manage(request)}/organisations/${id}/services`,
            backLink: `${manage(request)}/organisations/${id}`,
            submitText: 'Add service',
            fields: serviceFields(body(request), choices),
          },
          action: async (data) => {
            await directory.createService(request.actor, place(request), id, data);
            await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been added.` });
            return reply.redirect(`${manage(request)}/organisations/${id}`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { id: string } }>('/directory/manage/services/:id/edit', async (request, reply) => {
      const service = await directory.managedService(request.actor, place(request), uuid(request.params.id));
      const choices = await directory.serviceFormChoices(
        request.actor,
        place(request),
        service.organizationId,
      );
      const values = serviceValuesOf(service);
      return reply.page(`${V}/manage/form.njk`, {
        title: 'Edit the service',
        caption: service.organizationName,
        action: `${manage(request)}/services/${service.id}/edit`,
        backLink: `${manage(request)}/organisations/${service.organizationId}`,
        submitText: 'Save changes',
        values,
        fields: serviceFields(values, choices),
      });
    });

    scope.post<{ Params: { id: string } }>('/directory/manage/services/:id/edit', async (request, reply) => {
      const service = await directory.managedService(request.actor, place(request), uuid(request.params.id));
      const choices = await directory.serviceFormChoices(
        request.actor,
        place(request),
        service.organizationId,
      );
      return handleForm(reply, {
        schema: serviceSchema,
        body: request.body,
        template: `${V}/manage/form.njk`,
        context: {
          title: 'Edit the service',
          caption: service.organizationName,
          action: `${manage(request)}/services/${service.id}/edit`,
          backLink: `${manage(request)}/organisations/${service.organizationId}`,
          submitText: 'Save changes',
          fields: serviceFields(body(request), choices),
        },
        action: async (data) => {
          await directory.updateService(request.actor, place(request), service.id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been saved.` });
          return reply.redirect(`${manage(request)}/organisations/${service.organizationId}`, 303);
        },
      });
    });

    registerDeletion<{ id: string }>(app, scope, {
      path: '/directory/manage/services/:id/delete',
      async confirm(request) {
        const service = await directory.managedService(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return {
          title: `Delete ${service.name}?`,
          warning: 'It will disappear from the directory and the open data. This cannot be undone.',
          action: `${manage(request)}/services/${service.id}/delete`,
          backLink: `${manage(request)}/organisations/${service.organizationId}`,
        };
      },
      buttonText: 'Delete service',
      async remove(request) {
        const organizationId = await directory.deleteService(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return `${manage(request)}/organisations/${organizationId}`;
      },
      done: 'The service has been deleted.',
    });

    // Locations.

    scope.get<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/locations/new',
      async (request, reply) => {
        const organization = await directory.managedOrganization(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return reply.page(`${V}/manage/form.njk`, {
          title: 'Add a location',
          caption: organization.name,
          action: `${manage(request)}/organisations/${organization.id}/locations`,
          backLink: `${manage(request)}/organisations/${organization.id}`,
          submitText: 'Add location',
          values: {},
          fields: locationFields(),
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/locations',
      async (request, reply) => {
        const id = uuid(request.params.id);
        authorise(request.actor, 'directory.manage', place(request).id);
        return handleForm(reply, {
          schema: locationSchema,
          body: request.body,
          template: `${V}/manage/form.njk`,
          context: {
            title: 'Add a location',
            action: `${manage(request)}/organisations/${id}/locations`,
            backLink: `${manage(request)}/organisations/${id}`,
            submitText: 'Add location',
            fields: locationFields(),
          },
          action: async (data) => {
            await directory.createLocation(request.actor, place(request), id, data);
            await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been added.` });
            return reply.redirect(`${manage(request)}/organisations/${id}#locations`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { id: string } }>('/directory/manage/locations/:id/edit', async (request, reply) => {
      const location = await directory.managedLocation(
        request.actor,
        place(request),
        uuid(request.params.id),
      );
      return reply.page(`${V}/manage/form.njk`, {
        title: 'Edit the location',
        caption: location.name,
        action: `${manage(request)}/locations/${location.id}/edit`,
        backLink: `${manage(request)}/organisations/${location.organizationId}`,
        submitText: 'Save changes',
        values: locationValuesOf(location),
        fields: locationFields(),
      });
    });

    scope.post<{ Params: { id: string } }>('/directory/manage/locations/:id/edit', async (request, reply) => {
      const location = await directory.managedLocation(
        request.actor,
        place(request),
        uuid(request.params.id),
      );
      return handleForm(reply, {
        schema: locationSchema,
        body: request.body,
        template: `${V}/manage/form.njk`,
        context: {
          title: 'Edit the location',
          caption: location.name,
          action: `${manage(request)}/locations/${location.id}/edit`,
          backLink: `${manage(request)}/organisations/${location.organizationId}`,
          submitText: 'Save changes',
          fields: locationFields(),
        },
        action: async (data) => {
          await directory.updateLocation(request.actor, place(request), location.id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been saved.` });
          return reply.redirect(`${manage(request)}/organisations/${location.organizationId}#locations`, 303);
        },
      });
    });

    registerDeletion<{ id: string }>(app, scope, {
      path: '/directory/manage/locations/:id/delete',
      async confirm(request) {
        const location = await directory.managedLocation(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return {
          title: `Delete ${location.name}?`,
          warning: 'Services offered here will no longer show this location. This cannot be undone.',
          action: `${manage(request)}/locations/${location.id}/delete`,
          backLink: `${manage(request)}/organisations/${location.organizationId}`,
        };
      },
      buttonText: 'Delete location',
      async remove(request) {
        const organizationId = await directory.deleteLocation(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return `${manage(request)}/organisations/${organizationId}#locations`;
      },
      done: 'The location has been deleted.',
    });

    // Contacts.

    scope.get<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/contacts/new',
      async (request, reply) => {
        const choices = await directory.contactFormChoices(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return reply.page(`${V}/manage/form.njk`, {
          title: 'Add a contact',
          caption: choices.organization.name,
          action: `${manage(request)}/organisations/${choices.organization.id}/contacts`,
          backLink: `${manage(request)}/organisations/${choices.organization.id}`,
          submitText: 'Add contact',
          values: {},
          fields: contactFields({}, choices.services),
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/directory/manage/organisations/:id/contacts',
      async (request, reply) => {
        const choices = await directory.contactFormChoices(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        const id = choices.organization.id;
        return handleForm(reply, {
          schema: contactSchema,
          body: request.body,
          template: `${V}/manage/form.njk`,
          context: {
            title: 'Add a contact',
            caption: choices.organization.name,
            action: `${manage(request)}/organisations/${id}/contacts`,
            backLink: `${manage(request)}/organisations/${id}`,
            submitText: 'Add contact',
            fields: contactFields(body(request), choices.services),
          },
          action: async (data) => {
            await directory.createContact(request.actor, place(request), id, data);
            await app.sessions.flash(request, { kind: 'success', text: 'The contact has been added.' });
            return reply.redirect(`${manage(request)}/organisations/${id}#contacts`, 303);
          },
        });
      },
    );

    const contactContext = async (request: FastifyRequest, contact: Contact) => {
      const choices = await directory.contactFormChoices(
        request.actor,
        place(request),
        contact.organizationId!,
      );
      return {
        services: choices.services,
        context: {
          title: 'Edit the contact',
          caption: choices.organization.name,
          action: `${manage(request)}/contacts/${contact.id}/edit`,
          backLink: `${manage(request)}/organisations/${choices.organization.id}`,
          submitText: 'Save changes',
        },
      };
    };

    scope.get<{ Params: { id: string } }>('/directory/manage/contacts/:id/edit', async (request, reply) => {
      const contact = await directory.managedContact(request.actor, place(request), uuid(request.params.id));
      const { services: list, context } = await contactContext(request, contact);
      const values = contactValuesOf(contact);
      return reply.page(`${V}/manage/form.njk`, { ...context, values, fields: contactFields(values, list) });
    });

    scope.post<{ Params: { id: string } }>('/directory/manage/contacts/:id/edit', async (request, reply) => {
      const contact = await directory.managedContact(request.actor, place(request), uuid(request.params.id));
      const { services: list, context } = await contactContext(request, contact);
      return handleForm(reply, {
        schema: contactSchema,
        body: request.body,
        template: `${V}/manage/form.njk`,
        context: { ...context, fields: contactFields(body(request), list) },
        action: async (data) => {
          await directory.updateContact(request.actor, place(request), contact.id, data);
          await app.sessions.flash(request, { kind: 'success', text: 'The contact has been saved.' });
          return reply.redirect(`${manage(request)}/organisations/${contact.organizationId}#contacts`, 303);
        },
      });
    });

    registerDeletion<{ id: string }>(app, scope, {
      path: '/directory/manage/contacts/:id/delete',
      async confirm(request) {
        const contact = await directory.managedContact(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return {
          title: `Delete the contact ${contact.name || contact.title}?`,
          warning: 'This cannot be undone.',
          action: `${manage(request)}/contacts/${contact.id}/delete`,
          backLink: `${manage(request)}/organisations/${contact.organizationId}`,
        };
      },
      buttonText: 'Delete contact',
      async remove(request) {
        const organizationId = await directory.deleteContact(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        return `${manage(request)}/organisations/${organizationId}#contacts`;
      },
      done: 'The contact has been deleted.',
    });

    // The place's needs (officers).

    scope.get<{ Querystring: { page?: string } }>('/directory/manage/needs', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { terms, total } = await directory.terms(request.actor, place(request), page);
      return reply.page(`${V}/manage/needs.njk`, {
        title: 'Needs',
        terms,
        total,
        base: `${manage(request)}/needs`,
        pagination: paginationLinks(`${manage(request)}/needs`, {}, page, total),
        backLink: manage(request),
      });
    });

    const allTerms = (request: FastifyRequest) => directory.termOptions(request.actor, place(request));

    scope.get('/directory/manage/needs/new', async (request, reply) => {
      const terms = await allTerms(request);
      return reply.page(`${V}/manage/form.njk`, {
        title: 'Add a need',
        action: `${manage(request)}/needs`,
        backLink: `${manage(request)}/needs`,
        submitText: 'Add need',
        values: {},
        fields: termFields({}, terms),
      });
    });

    scope.post('/directory/manage/needs', async (request, reply) => {
      const terms = await allTerms(request);
      return handleForm(reply, {
        schema: taxonomyTermSchema,
        body: request.body,
        template: `${V}/manage/form.njk`,
        context: {
          title: 'Add a need',
          action: `${manage(request)}/needs`,
          backLink: `${manage(request)}/needs`,
          submitText: 'Add need',
          fields: termFields(body(request), terms),
        },
        action: async (data) => {
          await directory.createTerm(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been added.` });
          return reply.redirect(`${manage(request)}/needs`, 303);
        },
      });
    });

    scope.get<{ Params: { id: string } }>('/directory/manage/needs/:id/edit', async (request, reply) => {
      const { term } = await directory.term(request.actor, place(request), uuid(request.params.id));
      const terms = await allTerms(request);
      const values = {
        name: term.name,
        code: term.code,
        description: term.description,
        parentId: term.parentId ?? '',
      };
      return reply.page(`${V}/manage/form.njk`, {
        title: 'Edit the need',
        caption: term.name,
        action: `${manage(request)}/needs/${term.id}/edit`,
        backLink: `${manage(request)}/needs`,
        submitText: 'Save changes',
        values,
        fields: termFields(values, terms, term.id),
      });
    });

    scope.post<{ Params: { id: string } }>('/directory/manage/needs/:id/edit', async (request, reply) => {
      const { term } = await directory.term(request.actor, place(request), uuid(request.params.id));
      const terms = await allTerms(request);
      return handleForm(reply, {
        schema: taxonomyTermSchema,
        body: request.body,
        template: `${V}/manage/form.njk`,
        context: {
          title: 'Edit the need',
          caption: term.name,
          action: `${manage(request)}/needs/${term.id}/edit`,
          backLink: `${manage(request)}/needs`,
          submitText: 'Save changes',
          fields: termFields(body(request), terms, term.id),
        },
        action: async (data) => {
          await directory.updateTerm(request.actor, place(request), term.id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been saved.` });
          return reply.redirect(`${manage(request)}/needs`, 303);
        },
      });
    });

    registerDeletion<{ id: string }>(app, scope, {
      path: '/directory/manage/needs/:id/delete',
      async confirm(request) {
        const { term, usage } = await directory.term(request.actor, place(request), uuid(request.params.id));
        return {
          title: `Delete the need ${term.name}?`,
          warning: `${usage} service(s) are listed under it and will no longer be found by it. Narrower needs become broad needs. This cannot be undone.`,
          action: `${manage(request)}/needs/${term.id}/delete`,
          backLink: `${manage(request)}/needs`,
        };
      },
      buttonText: 'Delete need',
      async remove(request) {
        await directory.deleteTerm(request.actor, place(request), uuid(request.params.id));
        return `${manage(request)}/needs`;
      },
      done: 'The need has been deleted.',
    });
  });
}

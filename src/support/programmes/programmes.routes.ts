import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise } from '../../platform/auth/policy.ts';
import { handleForm } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { importSchema, MAX_CSV_BYTES } from '../identification/identification.schema.ts';
import { DIRECTION_LABELS, DOMAIN_LABELS, DOMAINS } from '../identification/indicators.ts';
import {
  cohortSchema,
  indicatorSchema,
  LIFE_STAGE_LABELS,
  programmeSchema,
  SETTING_KIND_LABELS,
  settingSchema,
  teamMemberSchema,
  teamSchema,
} from './programmes.schema.ts';
import { PROGRAMME_PARTS, type Programme, type ProgrammePart } from './programmes.service.ts';

const V = 'support/programmes/views';
const FORM = 'support/views/form.njk';

const programmeFields = [
  { name: 'name', label: 'Name', hint: 'For example, Riverside Zone 2027–2029.' },
  { name: 'summary', label: 'Summary (optional)', type: 'textarea', rows: 3 },
  { name: 'startsOn', label: 'Starts on', type: 'date', classes: 'govuk-input--width-10' },
  { name: 'endsOn', label: 'Ends on', type: 'date', classes: 'govuk-input--width-10' },
  {
    name: 'retentionYears',
    label: 'Years to keep a record after exit',
    hint: 'Records are erased this many years after a participant leaves.',
    classes: 'govuk-input--width-4',
    inputmode: 'numeric',
  },
  {
    name: 'caseloadLimit',
    label: 'Caseload limit per link worker',
    hint: 'Link workers are warned when their caseload goes over this.',
    classes: 'govuk-input--width-4',
    inputmode: 'numeric',
  },
];

const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, text }));

function programmeValues(p: Programme) {
  return {
    name: p.name,
    summary: p.summary,
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    retentionYears: String(p.retentionYears),
    caseloadLimit: String(p.caseloadLimit),
  };
}

export function programmesRoutes(app: FastifyInstance, services: Services): void {
  const { programmes, identification } = services.support;

  /** Refuses before a file is read: only staff who set programmes up may send one. */
  async function staffOnly(request: FastifyRequest): Promise<void> {
    const { slug } = request.params as { slug: string };
    authorise(request.actor, 'programmes.manage', (await services.places.placeBySlug(slug)).id);
  }

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}/support/programmes`;

    scope.get<{ Querystring: { page?: string } }>('/support/programmes', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { programmes: list, total } = await programmes.listProgrammes(
        request.actor,
        place(request),
        page,
      );
      return reply.page(`${V}/list.njk`, {
        title: 'Support programmes',
        list,
        backLink: `/places/${place(request).slug}/support`,
        pagination: paginationLinks(base(request), {}, page, total),
      });
    });

    const newContext = (request: FastifyRequest) => ({
      title: 'Set up a support programme',
      action: base(request),
      backLink: base(request),
      fields: programmeFields,
      submitText: 'Set up the programme',
    });

    scope.get('/support/programmes/new', async (request, reply) => {
      authorise(request.actor, 'programmes.manage', place(request).id);
      return reply.page(FORM, {
        ...newContext(request),
        values: { retentionYears: '7', caseloadLimit: '25' },
      });
    });

    scope.post('/support/programmes', async (request, reply) => {
      authorise(request.actor, 'programmes.manage', place(request).id);
      return handleForm(reply, {
        schema: programmeSchema,
        body: request.body,
        template: FORM,
        context: newContext(request),
        action: async (data) => {
          const id = await programmes.createProgramme(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been set up.` });
          return reply.redirect(`${base(request)}/${id}`, 303);
        },
      });
    });

    const labels = {
      settingKinds: SETTING_KIND_LABELS,
      lifeStages: LIFE_STAGE_LABELS,
      domainLabels: DOMAIN_LABELS,
      directionLabels: DIRECTION_LABELS,
    };

    // The programme page shows the first page of each list, with a link to the whole list a page at a time.
    scope.get<{ Params: { id: string } }>('/support/programmes/:id', async (request, reply) => {
      const first = pageRequest(undefined);
      const overview = await programmes.overview(
        request.actor,
        place(request),
        uuid(request.params.id),
        first,
      );
      const path = `${base(request)}/${overview.programme.id}`;
      const pages = Object.fromEntries(
        PROGRAMME_PARTS.map((part) => [
          part,
          paginationLinks(`${path}/${part}`, {}, first, overview.parts[part].total),
        ]),
      );
      return reply.page(`${V}/programme.njk`, {
        title: overview.programme.name,
        programme: overview.programme,
        parts: overview.parts,
        pages,
        ...labels,
        base: path,
        backLink: base(request),
        columnClass: 'govuk-grid-column-full',
      });
    });

    const PART_TITLES: Record<ProgrammePart, string> = {
      settings: 'Settings',
      cohorts: 'Cohorts',
      teams: 'Teams of link workers',
      indicators: 'Indicators',
      imports: 'Imports',
    };

    for (const part of PROGRAMME_PARTS) {
      scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
        `/support/programmes/:id/${part}`,
        async (request, reply) => {
          const page = pageRequest(request.query.page);
          const { programme, list } = await programmes.part(
            request.actor,
            place(request),
            uuid(request.params.id),
            part,
            page,
          );
          const path = `${base(request)}/${programme.id}`;
          return reply.page(`${V}/part.njk`, {
            title: PART_TITLES[part],
            programme,
            part,
            list,
            pagination: paginationLinks(`${path}/${part}`, {}, page, list.total),
            ...labels,
            base: path,
            backLink: path,
            columnClass: 'govuk-grid-column-full',
          });
        },
      );
    }

    const editContext = (request: FastifyRequest, p: Programme) => ({
      title: `Edit ${p.name}`,
      action: `${base(request)}/${p.id}`,
      backLink: `${base(request)}/${p.id}`,
      fields: programmeFields,
    });

    scope.get<{ Params: { id: string } }>('/support/programmes/:id/edit', async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return reply.page(FORM, { ...editContext(request, p), values: programmeValues(p) });
    });

    scope.post<{ Params: { id: string } }>('/support/programmes/:id', async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return handleForm(reply, {
        schema: programmeSchema,
        body: request.body,
        template: FORM,
        context: editContext(request, p),
        action: async (data) => {
          await programmes.updateProgramme(request.actor, place(request), p.id, data);
          await app.sessions.flash(request, { kind: 'success', text: 'The programme has been saved.' });
          return reply.redirect(`${base(request)}/${p.id}`, 303);
        },
      });
    });

    // Settings, cohorts, teams and indicators: each a small form that returns to the programme.
    async function settingContext(request: FastifyRequest, p: Programme) {
      const organisations = await programmes.settingOrganisations(place(request));
      return {
        title: 'Add a setting',
        caption: p.name,
        action: `${base(request)}/${p.id}/settings`,
        backLink: `${base(request)}/${p.id}`,
        intro: [
          'A setting is a school, nursery or college taking part. Link it to its directory entry so that its staff (the organisation’s members) can review their own children; or enter a name only.',
        ],
        fields: [
          {
            name: 'organizationId',
            label: 'Directory organisation',
            type: 'select',
            items: [
              {
                value: '',
                text: organisations.length
                  ? 'Not in the directory'
                  : 'No schools or nurseries in the directory yet',
              },
              ...organisations.map((o) => ({ value: o.id, text: o.name })),
            ],
          },
          {
            name: 'name',
            label: 'Name (optional when linked)',
            hint: 'Leave empty to use the directory’s name.',
          },
          { name: 'kind', label: 'Kind of setting', type: 'radios', items: options(SETTING_KIND_LABELS) },
        ],
        submitText: 'Add the setting',
      };
    }

    const programmeRoute = (suffix: string) => `/support/programmes/:id/${suffix}`;

    scope.get<{ Params: { id: string } }>(programmeRoute('settings/new'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return reply.page(FORM, { ...(await settingContext(request, p)), values: { kind: 'school' } });
    });

    scope.post<{ Params: { id: string } }>(programmeRoute('settings'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return handleForm(reply, {
        schema: settingSchema,
        body: request.body,
        template: FORM,
        context: () => settingContext(request, p),
        action: async (data) => {
          await programmes.addSetting(request.actor, place(request), p.id, data);
          await app.sessions.flash(request, { kind: 'success', text: 'The setting has been added.' });
          return reply.redirect(`${base(request)}/${p.id}`, 303);
        },
      });
    });

    const cohortContext = (request: FastifyRequest, p: Programme) => ({
      title: 'Add a cohort',
      caption: p.name,
      action: `${base(request)}/${p.id}/cohorts`,
      backLink: `${base(request)}/${p.id}`,
      fields: [
        { name: 'name', label: 'Name', hint: 'For example, Year 7 intake 2027.' },
        {
          name: 'yearGroup',
          label: 'Year group',
          hint: 'Reception is 0, nursery -1.',
          classes: 'govuk-input--width-4',
          inputmode: 'numeric',
        },
        { name: 'intakeYear', label: 'Intake year', classes: 'govuk-input--width-4', inputmode: 'numeric' },
        { name: 'lifeStage', label: 'Life stage', type: 'radios', items: options(LIFE_STAGE_LABELS) },
      ],
      submitText: 'Add the cohort',
    });

    scope.get<{ Params: { id: string } }>(programmeRoute('cohorts/new'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return reply.page(FORM, { ...cohortContext(request, p), values: {} });
    });

    scope.post<{ Params: { id: string } }>(programmeRoute('cohorts'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return handleForm(reply, {
        schema: cohortSchema,
        body: request.body,
        template: FORM,
        context: cohortContext(request, p),
        action: async (data) => {
          await programmes.addCohort(request.actor, place(request), p.id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been added.` });
          return reply.redirect(`${base(request)}/${p.id}`, 303);
        },
      });
    });

    async function teamContext(request: FastifyRequest, p: Programme) {
      const workers = await programmes.linkWorkers(place(request));
      return {
        title: 'Add a team of link workers',
        caption: p.name,
        action: `${base(request)}/${p.id}/teams`,
        backLink: `${base(request)}/${p.id}`,
        fields: [
          { name: 'name', label: 'Team name' },
          {
            name: 'leadUserId',
            label: 'Team lead',
            type: 'select',
            hint: 'People holding the link worker role in this place.',
            items: [
              { value: '', text: 'Choose a link worker' },
              ...workers.map((w) => ({ value: w.id, text: w.name })),
            ],
          },
        ],
        submitText: 'Add the team',
      };
    }

    scope.get<{ Params: { id: string } }>(programmeRoute('teams/new'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return reply.page(FORM, { ...(await teamContext(request, p)), values: {} });
    });

    scope.post<{ Params: { id: string } }>(programmeRoute('teams'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return handleForm(reply, {
        schema: teamSchema,
        body: request.body,
        template: FORM,
        context: () => teamContext(request, p),
        action: async (data) => {
          await programmes.createTeam(request.actor, place(request), p.id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.name} has been added.` });
          return reply.redirect(`${base(request)}/${p.id}`, 303);
        },
      });
    });

    async function memberContext(request: FastifyRequest, teamId: string) {
      authorise(request.actor, 'programmes.manage', place(request).id);
      const team = await programmes.team(place(request), teamId);
      const workers = await programmes.linkWorkers(place(request));
      return {
        title: `Add a link worker to ${team.name}`,
        action: `/places/${place(request).slug}/support/teams/${team.id}/members`,
        backLink: `${base(request)}/${team.programme_id}`,
        fields: [
          {
            name: 'userId',
            label: 'Link worker',
            type: 'select',
            items: [
              { value: '', text: 'Choose a link worker' },
              ...workers.map((w) => ({ value: w.id, text: w.name })),
            ],
          },
        ],
        submitText: 'Add to the team',
        team,
      };
    }

    scope.get<{ Params: { teamId: string } }>(
      '/support/teams/:teamId/members/new',
      async (request, reply) => {
        return reply.page(FORM, {
          ...(await memberContext(request, uuid(request.params.teamId))),
          values: {},
        });
      },
    );

    scope.post<{ Params: { teamId: string } }>('/support/teams/:teamId/members', async (request, reply) => {
      const context = await memberContext(request, uuid(request.params.teamId));
      return handleForm(reply, {
        schema: teamMemberSchema,
        body: request.body,
        template: FORM,
        context,
        action: async (data) => {
          const programmeId = await programmes.addTeamMember(
            request.actor,
            place(request),
            context.team.id,
            data,
          );
          await app.sessions.flash(request, {
            kind: 'success',
            text: 'The link worker has been added to the team.',
          });
          return reply.redirect(`${base(request)}/${programmeId}`, 303);
        },
      });
    });

    const indicatorContext = (request: FastifyRequest, p: Programme) => ({
      title: 'Add an indicator',
      caption: p.name,
      action: `${base(request)}/${p.id}/indicators`,
      backLink: `${base(request)}/${p.id}`,
      intro: [
        'An indicator reads one column of the imported CSV and flags a child when the value crosses its threshold. A child gets one flag per domain, however many of the domain’s indicators trip.',
      ],
      fields: [
        {
          name: 'domain',
          label: 'Domain',
          type: 'radios',
          items: DOMAINS.map((d) => ({ value: d, text: DOMAIN_LABELS[d] })),
        },
        {
          name: 'columnName',
          label: 'CSV column',
          hint: 'As in the file’s header, for example attendance_pct or wellbeing_score.',
          classes: 'govuk-input--width-20',
        },
        { name: 'label', label: 'Label', hint: 'For example, Attendance below 90%.' },
        { name: 'direction', label: 'When to flag', type: 'radios', items: options(DIRECTION_LABELS) },
        {
          name: 'threshold',
          label: 'Threshold (not needed for yes/no)',
          classes: 'govuk-input--width-5',
          inputmode: 'decimal',
        },
      ],
      submitText: 'Add the indicator',
    });

    scope.get<{ Params: { id: string } }>(programmeRoute('indicators/new'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return reply.page(FORM, { ...indicatorContext(request, p), values: {} });
    });

    scope.post<{ Params: { id: string } }>(programmeRoute('indicators'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return handleForm(reply, {
        schema: indicatorSchema,
        body: request.body,
        template: FORM,
        context: indicatorContext(request, p),
        action: async (data) => {
          await programmes.addIndicator(request.actor, place(request), p.id, data);
          await app.sessions.flash(request, { kind: 'success', text: `${data.label} has been added.` });
          return reply.redirect(`${base(request)}/${p.id}`, 303);
        },
      });
    });

    scope.post<{ Params: { id: string; indicatorId: string } }>(
      '/support/programmes/:id/indicators/:indicatorId/delete',
      async (request, reply) => {
        const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
        await programmes.removeIndicator(
          request.actor,
          place(request),
          p.id,
          uuid(request.params.indicatorId),
        );
        await app.sessions.flash(request, { kind: 'success', text: 'The indicator has been removed.' });
        return reply.redirect(`${base(request)}/${p.id}`, 303);
      },
    );

    async function importContext(request: FastifyRequest, p: Programme) {
      const [cohorts, settings] = await Promise.all([
        programmes.cohorts(place(request), p.id),
        programmes.settings(place(request), p.id),
      ]);
      return {
        title: 'Import a year group’s data',
        caption: p.name,
        action: `${base(request)}/${p.id}/import`,
        backLink: `${base(request)}/${p.id}`,
        multipart: true,
        intro: [
          'Upload a CSV of one year group from one setting. The columns are described in the guide “Identification CSV”: reference, given_name, family_name, date_of_birth, year_group and a column for each indicator. Other columns are ignored and not kept.',
          'The whole file is checked first. If any line has a problem, every problem is listed with its line number and nothing is stored. Importing the same reference again for the same cohort and setting updates that child rather than adding another.',
        ],
        fields: [
          {
            name: 'cohortId',
            label: 'Cohort',
            type: 'select',
            items: [
              { value: '', text: 'Choose a cohort' },
              ...cohorts.map((c) => ({ value: c.id, text: c.name })),
            ],
          },
          {
            name: 'settingId',
            label: 'Setting',
            type: 'select',
            items: [
              { value: '', text: 'Choose a setting' },
              ...settings.map((s) => ({ value: s.id, text: s.name })),
            ],
          },
          {
            name: 'file',
            label: 'CSV file',
            type: 'file',
            accept: '.csv,text/csv',
            hint: 'UTF-8, comma-separated, smaller than 5 MB.',
          },
        ],
        submitText: 'Import the file',
      };
    }

    scope.get<{ Params: { id: string } }>(programmeRoute('import'), async (request, reply) => {
      const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
      return reply.page(FORM, { ...(await importContext(request, p)), values: {} });
    });

    scope.post<{ Params: { id: string } }>(
      programmeRoute('import'),
      { onRequest: staffOnly, config: { multipartOptions: { limits: { fileSize: MAX_CSV_BYTES } } } },
      async (request, reply) => {
        const p = await programmes.getProgramme(request.actor, place(request), uuid(request.params.id));
        return handleForm(reply, {
          schema: importSchema,
          body: request.body,
          template: FORM,
          context: () => importContext(request, p),
          action: async (upload) => {
            const summary = await identification.importCsv(request.actor, place(request), {
              ...upload,
              programmeId: p.id,
            });
            await app.sessions.flash(request, {
              kind: 'success',
              text: `Imported ${summary.rows} ${summary.rows === 1 ? 'child' : 'children'}: ${summary.created} new, ${summary.updated} updated, ${summary.unchanged} already reviewed and left as they were.`,
            });
            return reply.redirect(`${base(request)}/${p.id}`, 303);
          },
        });
      },
    );
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import { handleForm } from '../../platform/forms.ts';
import { listPageRequests, listPagination, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { childName } from '../child-name.ts';
import { REFERRAL_STATUS_LABELS } from '../referrals/referral-states.ts';
import { DIRECTION_LABELS, indicatorSchema, observationSchema, STAGE_LABELS } from './outcomes.schema.ts';
import { SUPPRESSION_THRESHOLD } from './suppression.ts';

const V = 'support/outcomes/views';
const FORM = 'support/views/form.njk';

/** The paged lists of a child's delivery page: `page` is the referrals, `outcomesPage` the outcome scores. */
const DELIVERY_LISTS = ['page', 'outcomesPage'] as const;

const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, text }));

export function outcomesRoutes(app: FastifyInstance, services: Services): void {
  const { outcomes, referrals, sessions } = services.supportDelivery;

  registerPlaceRoutes(app, (scope) => {
    const root = (request: FastifyRequest) => `/places/${place(request).slug}/support`;

    scope.get<{ Querystring: { page?: string } }>('/support/outcomes/indicators', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { indicators, total } = await outcomes.indicators(request.actor, place(request), page);
      return reply.page(`${V}/indicators.njk`, {
        title: 'Outcome indicators',
        indicators,
        directionLabels: DIRECTION_LABELS,
        canManage: can(request.actor, 'outcomes.manage_indicators', place(request).id),
        pagination: paginationLinks(`${root(request)}/outcomes/indicators`, {}, page, total),
        backLink: `${root(request)}/delivery`,
        columnClass: 'govuk-grid-column-full',
      });
    });

    const indicatorForm = (request: FastifyRequest) => ({
      title: 'Add an outcome indicator',
      action: `${root(request)}/outcomes/indicators/new`,
      backLink: `${root(request)}/outcomes/indicators`,
      fields: [
        { name: 'name', label: 'Name' },
        {
          name: 'instrument',
          label: 'Instrument',
          hint: 'The questionnaire or measure the score comes from.',
        },
        { name: 'scaleMin', label: 'Lowest score', classes: 'govuk-input--width-5', inputmode: 'decimal' },
        { name: 'scaleMax', label: 'Highest score', classes: 'govuk-input--width-5', inputmode: 'decimal' },
        {
          name: 'threshold',
          label: 'Threshold',
          hint: 'The score that separates the expected range from concern.',
          classes: 'govuk-input--width-5',
          inputmode: 'decimal',
        },
        {
          name: 'direction',
          label: 'Which scores are better',
          type: 'radios',
          items: options(DIRECTION_LABELS),
        },
        {
          name: 'licenceNote',
          label: 'Licence note (optional)',
          hint: 'Who holds the instrument’s rights and the terms of use.',
          type: 'textarea',
          rows: 3,
        },
      ],
      submitText: 'Add the indicator',
    });

    scope.get('/support/outcomes/indicators/new', async (request, reply) => {
      authorise(request.actor, 'outcomes.manage_indicators', place(request).id);
      return reply.page(FORM, { ...indicatorForm(request), values: {} });
    });

    scope.post('/support/outcomes/indicators/new', async (request, reply) =>
      handleForm(reply, {
        schema: indicatorSchema,
        body: request.body,
        template: FORM,
        context: indicatorForm(request),
        action: async (data) => {
          await outcomes.createIndicator(request.actor, place(request), data);
          await app.sessions.flash(request, { kind: 'success', text: 'The indicator has been added.' });
          return reply.redirect(`${root(request)}/outcomes/indicators`, 303);
        },
      }),
    );

    // A child's referrals, engagement and outcomes, linked from the end of their record.
    scope.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
      '/support/participants/:id/delivery',
      async (request, reply) => {
        const p = place(request);
        const pages = listPageRequests(request.query, DELIVERY_LISTS);
        const {
          child,
          outcomes: childOutcomes,
          total: outcomesTotal,
        } = await outcomes.ofParticipant(request.actor, p, uuid(request.params.id), pages.outcomesPage);
        const [childReferrals, engagement] = await Promise.all([
          referrals.pageOfParticipant(request.actor, p, child.id, pages.page),
          sessions.engagementOf(request.actor, p, child.id),
        ]);
        const base = `${root(request)}/participants/${child.id}`;
        const name = childName(child.givenName, child.familyName) ?? child.reference;
        return reply.page(`${V}/participant-delivery.njk`, {
          title: `Referrals, sessions and outcomes: ${name}`,
          child,
          referrals: childReferrals.referrals,
          referralsPagination: listPagination(`${base}/delivery`, pages, 'page', childReferrals.total, {
            label: 'Pages of referrals',
          }),
          engagement,
          outcomes: childOutcomes,
          outcomesPagination: listPagination(`${base}/delivery`, pages, 'outcomesPage', outcomesTotal, {
            anchor: 'outcomes',
            label: 'Pages of outcome scores',
          }),
          statusLabels: REFERRAL_STATUS_LABELS,
          stageLabels: STAGE_LABELS,
          base,
          backLink: base,
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    const observationForm = async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const child = await services.support.participants.forForm(
        request.actor,
        place(request),
        uuid(request.params.id),
      );
      const indicators = await outcomes.indicatorOptions(request.actor, place(request));
      return {
        child,
        context: {
          title: 'Record an outcome score',
          caption: childName(child.givenName, child.familyName) ?? child.reference,
          action: `${root(request)}/participants/${child.id}/observations/new`,
          backLink: `${root(request)}/participants/${child.id}/delivery`,
          fields: [
            {
              name: 'indicatorId',
              label: 'Indicator',
              type: 'select',
              items: [
                { value: '', text: indicators.length ? 'Choose an indicator' : 'No indicators yet' },
                ...indicators.map((i) => ({
                  value: i.id,
                  text: `${i.name} (${i.instrument}, ${i.scaleMin} to ${i.scaleMax})`,
                })),
              ],
            },
            { name: 'stage', label: 'When', type: 'radios', items: options(STAGE_LABELS) },
            { name: 'value', label: 'Score', classes: 'govuk-input--width-5', inputmode: 'decimal' },
            {
              name: 'observedOn',
              label: 'Date of the score',
              hint: 'For example, 2026-11-30',
              classes: 'govuk-input--width-10',
            },
          ],
          submitText: 'Record the score',
        },
      };
    };

    scope.get<{ Params: { id: string } }>(
      '/support/participants/:id/observations/new',
      async (request, reply) => {
        const { context } = await observationForm(request);
        return reply.page(FORM, { ...context, values: {} });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/support/participants/:id/observations/new',
      async (request, reply) => {
        const { child, context } = await observationForm(request);
        return handleForm(reply, {
          schema: observationSchema,
          body: request.body,
          template: FORM,
          context,
          action: async (data) => {
            await outcomes.recordObservation(request.actor, place(request), child.id, data);
            await app.sessions.flash(request, { kind: 'success', text: 'The score has been recorded.' });
            return reply.redirect(`${root(request)}/participants/${child.id}/delivery`, 303);
          },
        });
      },
    );

    scope.get<{ Querystring: { page?: string } }>('/support/dashboard', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { programmes, total } = await outcomes.dashboardProgrammes(request.actor, place(request), page);
      return reply.page(`${V}/dashboards.njk`, {
        title: 'Shared measurement',
        programmes,
        pagination: paginationLinks(`${root(request)}/dashboard`, {}, page, total),
        backLink: `${root(request)}/delivery`,
      });
    });

    scope.get<{ Params: { programmeId: string } }>(
      '/support/dashboard/:programmeId',
      async (request, reply) => {
        const dashboard = await outcomes.dashboard(
          request.actor,
          place(request),
          uuid(request.params.programmeId),
        );
        return reply.page(`${V}/dashboard.njk`, {
          title: `Shared measurement: ${dashboard.programme.name}`,
          d: dashboard,
          threshold: SUPPRESSION_THRESHOLD,
          csvHref: `${root(request)}/dashboard/${dashboard.programme.id}/dashboard.csv`,
          backLink: `${root(request)}/dashboard`,
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { programmeId: string } }>(
      '/support/dashboard/:programmeId/dashboard.csv',
      async (request, reply) => {
        const { csv } = await outcomes.dashboardCsv(
          request.actor,
          place(request),
          uuid(request.params.programmeId),
        );
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="shared-measurement.csv"')
          .send(csv);
      },
    );
  });
}

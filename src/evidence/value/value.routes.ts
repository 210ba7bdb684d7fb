import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { minorToDecimal } from '../../participation/budgeting/money.ts';
import { neutraliseFormula } from '../../participation/statistics/statistics.export.ts';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import { handleForm, parseForm, validationErrors } from '../../platform/forms.ts';
import { listPageRequests, listPagination, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { publishedText } from '../../support/outcomes/suppression.ts';
import { formatPounds, paybackText, STEP_KEYS, VALUE_KINDS } from './cost-benefit.ts';
import { UNIT_COST_COLUMNS } from './unit-costs-csv.ts';
import {
  COST_CATEGORY_LABELS,
  MAX_UNIT_COST_CSV_BYTES,
  MEASURE_LABELS,
  mappingSchema,
  periodSchema,
  programmeCostSchema,
  removeSchema,
  unitCostImportSchema,
  unitCostSchema,
} from './value.schema.ts';
import { STEP_LABELS, type UnitCost, UnitCostImportError } from './value.service.ts';

const V = 'evidence/value/views';
const FORM = `${V}/form.njk`;
const CONFIDENCE_LABELS = { high: 'High (3)', medium: 'Medium (2)', low: 'Low (1)' } as const;

const money = (p: bigint | null) => (p === null ? '' : minorToDecimal(p));

/** The programme page's two lists, each paged by its own query parameter (costs keep the plain `page`). */
const PROGRAMME_LISTS = ['page', 'benefitsPage'] as const;

function unitCostFields() {
  return [
    {
      name: 'item',
      label: 'Outcome or item',
      hint: 'For example, “Persistent absence from school avoided”.',
    },
    {
      name: 'unit',
      label: 'Unit',
      hint: 'For example, “per pupil per year”.',
      classes: 'govuk-!-width-two-thirds',
    },
    { name: 'source', label: 'Source', hint: 'Where the value comes from, so that others can check it.' },
    { name: 'year', label: 'Price year', classes: 'govuk-input--width-4', inputmode: 'numeric' },
    {
      name: 'fiscal_value',
      label: 'Fiscal value in pounds (optional)',
      hint: 'Savings to the public purse, a year per unit.',
      classes: 'govuk-input--width-10',
    },
    {
      name: 'economic_value',
      label: 'Economic value in pounds (optional)',
      classes: 'govuk-input--width-10',
    },
    { name: 'social_value', label: 'Social value in pounds (optional)', classes: 'govuk-input--width-10' },
    {
      name: 'confidence',
      label: 'Confidence in the value',
      type: 'radios',
      items: (['high', 'medium', 'low'] as const).map((c) => ({ value: c, text: CONFIDENCE_LABELS[c] })),
    },
    { name: 'notes', label: 'Notes (optional)', type: 'textarea', rows: 3 },
  ];
}

function unitCostValues(u: UnitCost) {
  return {
    item: u.item,
    unit: u.unit,
    source: u.source,
    year: String(u.year),
    fiscal_value: money(u.fiscal),
    economic_value: money(u.economic),
    social_value: money(u.social),
    confidence: u.confidence,
    notes: u.notes,
  };
}

export function valueRoutes(app: FastifyInstance, services: Services): void {
  const { value } = services;

  async function managersOnly(request: FastifyRequest): Promise<void> {
    const { slug } = request.params as { slug: string };
    authorise(request.actor, 'value.manage', (await services.places.placeBySlug(slug)).id);
  }

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}/value`;

    scope.get<{ Querystring: { page?: string } }>('/value', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { programmes, total } = await value.programmes(request.actor, place(request), page);
      return reply.page(`${V}/index.njk`, {
        title: 'Value for money',
        programmes,
        pagination: paginationLinks(base(request), {}, page, total),
        base: base(request),
        canManage: can(request.actor, 'value.manage', place(request).id),
      });
    });

    scope.get<{ Querystring: Record<string, string> }>('/value/unit-costs', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { unitCosts, total } = await value.unitCosts(request.actor, place(request), page);
      return reply.page(`${V}/unit-costs.njk`, {
        title: 'Unit costs',
        backLink: base(request),
        base: base(request),
        unitCosts: unitCosts.map((u) => ({
          ...u,
          fiscalText: u.fiscal === null ? '–' : formatPounds(u.fiscal),
          economicText: u.economic === null ? '–' : formatPounds(u.economic),
          socialText: u.social === null ? '–' : formatPounds(u.social),
          confidenceText: CONFIDENCE_LABELS[u.confidence],
        })),
        canManage: can(request.actor, 'value.manage', place(request).id),
        pagination: paginationLinks(`${base(request)}/unit-costs`, {}, page, total),
        columnClass: 'govuk-grid-column-full',
      });
    });

    const importContext = (request: FastifyRequest) => ({
      title: 'Import unit costs',
      backLink: `${base(request)}/unit-costs`,
      action: `${base(request)}/unit-costs/import`,
      multipart: true,
      intro: [
        `Upload a CSV with the columns ${UNIT_COST_COLUMNS.join(', ')}. Values are in pounds a year per unit; leave a value empty when the source gives none. Confidence is 1, 2 or 3 (3 is the most robust), or high, medium or low.`,
        'The whole file is checked first: if any line has a problem, every problem is listed with its line and nothing is stored.',
      ],
      fields: [
        {
          name: 'file',
          label: 'CSV file',
          type: 'file',
          accept: '.csv,text/csv',
          hint: 'UTF-8, comma-separated, smaller than 1 MB.',
        },
      ],
      submitText: 'Import the file',
    });

    scope.get('/value/unit-costs/import', { onRequest: managersOnly }, async (request, reply) =>
      reply.page(FORM, { ...importContext(request), values: {} }),
    );

    scope.post(
      '/value/unit-costs/import',
      {
        onRequest: managersOnly,
        config: { multipartOptions: { limits: { fileSize: MAX_UNIT_COST_CSV_BYTES } } },
      },
      async (request, reply) =>
        handleForm(reply, {
          schema: unitCostImportSchema,
          body: request.body,
          template: FORM,
          context: importContext(request),
          action: async (upload) => {
            try {
              const count = await value.importUnitCosts(request.actor, place(request), upload);
              await app.sessions.flash(request, {
                kind: 'success',
                text: `Imported ${count} ${count === 1 ? 'unit cost' : 'unit costs'}.`,
              });
              return reply.redirect(`${base(request)}/unit-costs`, 303);
            } catch (error) {
              if (!(error instanceof UnitCostImportError)) throw error;
              return reply.code(400).page(FORM, {
                ...importContext(request),
                errors: validationErrors(error),
                problems: error.problems,
                values: {},
              });
            }
          },
        }),
    );

    const unitCostContext = (request: FastifyRequest, action: string, title: string) => ({
      title,
      backLink: `${base(request)}/unit-costs`,
      action,
      fields: unitCostFields(),
      submitText: 'Save the unit cost',
    });

    scope.get('/value/unit-costs/new', { onRequest: managersOnly }, async (request, reply) =>
      reply.page(FORM, {
        ...unitCostContext(request, `${base(request)}/unit-costs/new`, 'Add a unit cost'),
        values: {},
      }),
    );

    scope.post('/value/unit-costs/new', { onRequest: managersOnly }, async (request, reply) =>
      handleForm(reply, {
        schema: unitCostSchema,
        body: request.body,
        template: FORM,
        context: unitCostContext(request, `${base(request)}/unit-costs/new`, 'Add a unit cost'),
        action: async (values) => {
          await value.createUnitCost(request.actor, place(request), values);
          await app.sessions.flash(request, { kind: 'success', text: `${values.item} has been added.` });
          return reply.redirect(`${base(request)}/unit-costs`, 303);
        },
      }),
    );

    scope.get<{ Params: { id: string } }>('/value/unit-costs/:id/edit', async (request, reply) => {
      const unit = await value.unitCost(request.actor, place(request), uuid(request.params.id));
      const action = `${base(request)}/unit-costs/${unit.id}/edit`;
      return reply.page(FORM, {
        ...unitCostContext(request, action, 'Change a unit cost'),
        values: unitCostValues(unit),
      });
    });

    scope.post<{ Params: { id: string } }>(
      '/value/unit-costs/:id/edit',
      { onRequest: managersOnly },
      async (request, reply) => {
        const unit = await value.unitCost(request.actor, place(request), uuid(request.params.id));
        const action = `${base(request)}/unit-costs/${unit.id}/edit`;
        return handleForm(reply, {
          schema: unitCostSchema,
          body: request.body,
          template: FORM,
          context: unitCostContext(request, action, 'Change a unit cost'),
          action: async (values) => {
            await value.updateUnitCost(request.actor, place(request), unit.id, values);
            await app.sessions.flash(request, { kind: 'success', text: `${values.item} has been saved.` });
            return reply.redirect(`${base(request)}/unit-costs`, 303);
          },
        });
      },
    );

    async function programmeContext(
      request: FastifyRequest,
      programmeId: string,
      query: Record<string, string | undefined> = {},
    ) {
      const pages = listPageRequests(query, PROGRAMME_LISTS);
      const data = await value.programmePage(request.actor, place(request), programmeId, {
        costs: pages.page,
        mappings: pages.benefitsPage,
      });
      const url = `${base(request)}/programmes/${data.programme.id}`;
      return {
        title: `Costs and benefits: ${data.programme.name}`,
        backLink: base(request),
        url,
        data,
        costRows: data.costs.map((c) => ({
          ...c,
          categoryText: COST_CATEGORY_LABELS[c.category],
          amountText: formatPounds(c.amount),
        })),
        mappingRows: data.mappings.map((m) => ({ ...m, measureText: MEASURE_LABELS[m.measure] })),
        categoryItems: (Object.keys(COST_CATEGORY_LABELS) as (keyof typeof COST_CATEGORY_LABELS)[]).map(
          (c) => ({ value: c, text: COST_CATEGORY_LABELS[c] }),
        ),
        indicatorItems: [
          { value: '', text: 'Choose an indicator' },
          ...data.indicators.map((i) => ({ value: i.id, text: i.name })),
        ],
        measureItems: (Object.keys(MEASURE_LABELS) as (keyof typeof MEASURE_LABELS)[]).map((m) => ({
          value: m,
          text: MEASURE_LABELS[m],
        })),
        unitCostItems: [
          { value: '', text: 'Choose a unit cost' },
          ...data.unitCostOptions.map((u) => ({ value: u.id, text: `${u.item} (${u.unit}, ${u.year})` })),
        ],
        canManage: can(request.actor, 'value.manage', place(request).id),
        pagination: listPagination(url, pages, 'page', data.totalCosts, {
          anchor: 'costs',
          label: 'Pages of costs',
        }),
        mappingPagination: listPagination(url, pages, 'benefitsPage', data.totalMappings, {
          anchor: 'benefits',
          label: 'Pages of outcomes valued',
        }),
        columnClass: 'govuk-grid-column-full',
      };
    }

    scope.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
      '/value/programmes/:id',
      async (request, reply) => {
        const context = await programmeContext(request, uuid(request.params.id), request.query);
        return reply.page(`${V}/programme.njk`, {
          ...context,
          values: { deadweight: '0', displacement: '0', attribution: '100', optimismBias: '0' },
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/value/programmes/:id/costs',
      { onRequest: managersOnly },
      async (request, reply) => {
        const context = await programmeContext(request, uuid(request.params.id));
        return handleForm(reply, {
          schema: programmeCostSchema,
          body: request.body,
          template: `${V}/programme.njk`,
          context,
          action: async (form) => {
            await value.addProgrammeCost(request.actor, place(request), context.data.programme.id, form);
            await app.sessions.flash(request, { kind: 'success', text: 'The cost has been added.' });
            return reply.redirect(context.url, 303);
          },
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/value/programmes/:id/costs/remove',
      { onRequest: managersOnly },
      async (request, reply) => {
        const programmeId = uuid(request.params.id);
        const parsed = parseForm(removeSchema, request.body);
        if (!parsed.ok) return reply.redirect(`${base(request)}/programmes/${programmeId}`, 303);
        await value.removeProgrammeCost(request.actor, place(request), programmeId, parsed.data.id);
        await app.sessions.flash(request, { kind: 'success', text: 'The cost has been removed.' });
        return reply.redirect(`${base(request)}/programmes/${programmeId}`, 303);
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/value/programmes/:id/benefits',
      { onRequest: managersOnly },
      async (request, reply) => {
        const context = await programmeContext(request, uuid(request.params.id));
        return handleForm(reply, {
          schema: mappingSchema,
          body: request.body,
          template: `${V}/programme.njk`,
          context,
          action: async (form) => {
            await value.addMapping(request.actor, place(request), context.data.programme.id, form);
            await app.sessions.flash(request, { kind: 'success', text: 'The outcome is now valued.' });
            return reply.redirect(context.url, 303);
          },
        });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/value/programmes/:id/benefits/remove',
      { onRequest: managersOnly },
      async (request, reply) => {
        const programmeId = uuid(request.params.id);
        const parsed = parseForm(removeSchema, request.body);
        if (!parsed.ok) return reply.redirect(`${base(request)}/programmes/${programmeId}`, 303);
        await value.removeMapping(request.actor, place(request), programmeId, parsed.data.id);
        await app.sessions.flash(request, { kind: 'success', text: 'The line has been removed.' });
        return reply.redirect(`${base(request)}/programmes/${programmeId}`, 303);
      },
    );

    scope.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
      '/value/programmes/:id/summary',
      async (request, reply) => {
        const period = periodSchema.parse(request.query);
        const s = await value.summary(request.actor, place(request), uuid(request.params.id), period);
        const url = `${base(request)}/programmes/${s.programme.id}/summary`;
        const qs = `?from=${s.period.from}&to=${s.period.to}`;
        const pounds = (p: bigint | null) => (p === null ? 'Not shown' : formatPounds(p));
        return reply.page(`${V}/summary.njk`, {
          title: `Value for money: ${s.programme.name}`,
          backLink: `${base(request)}/programmes/${s.programme.id}`,
          url,
          csvHref: `${url}.csv${qs}`,
          jsonHref: `${url}.json${qs}`,
          s,
          values: s.period,
          costRows: (Object.keys(COST_CATEGORY_LABELS) as (keyof typeof COST_CATEGORY_LABELS)[]).map((c) => ({
            label: COST_CATEGORY_LABELS[c],
            amount: pounds(s.costs[c]),
          })),
          totalCost: pounds(s.totalCost),
          participants: publishedText(s.participants),
          costPerParticipant: pounds(s.costPerParticipant),
          indicatorRows: s.indicators.map((i) => ({
            name: i.name,
            improved: publishedText(i.improved.count),
            costPerImproved: pounds(i.improved.costPer),
            crossed: publishedText(i.crossedThreshold.count),
            costPerCrossed: pounds(i.crossedThreshold.costPer),
          })),
          benefitLines: s.cb.lines.map((line, n) => ({
            label: line.label,
            meta: s.lines[n]!,
            outcomes: publishedText(s.lines[n]!.outcomes),
            kinds: VALUE_KINDS.map((kind) => ({
              kind,
              steps: STEP_KEYS.map((step) => pounds(line.steps[kind][step])),
            })),
          })),
          stepLabels: STEP_KEYS.map((k) => STEP_LABELS[k]),
          totals: VALUE_KINDS.map((kind) => ({
            kind,
            steps: STEP_KEYS.map((step) => pounds(s.cb.totals[kind][step])),
            ratio: s.cb.ratios[kind] ?? 'None',
          })),
          publicValue: {
            steps: STEP_KEYS.map((step) => pounds(s.cb.publicValue[step])),
            ratio: s.cb.ratios.publicValue ?? 'None',
          },
          payback: paybackText(s.cb.paybackMonths),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    for (const format of ['csv', 'json'] as const) {
      scope.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
        `/value/programmes/:id/summary.${format}`,
        async (request, reply) => {
          const period = periodSchema.parse(request.query);
          const out = await value.summaryExport(
            request.actor,
            place(request),
            uuid(request.params.id),
            period,
          );
          const name = `${place(request).slug}-value-${out.period.from}-${out.period.to}.${format}`;
          reply.header('content-disposition', `attachment; filename="${name}"`);
          if (format === 'csv') {
            return reply
              .type('text/csv; charset=utf-8')
              .send(stringify(out.rows.map((r) => r.map(neutraliseFormula))));
          }
          const [header, ...rows] = out.rows;
          return reply.type('application/json; charset=utf-8').send({
            programme: out.programme,
            period: out.period,
            rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]]))),
          });
        },
      );
    }
  });
}

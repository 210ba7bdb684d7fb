import type { z } from 'zod';
import { minorToText } from '../../participation/budgeting/money.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { barChart } from '../../platform/views/bar-chart.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { OutcomesService } from '../../support/outcomes/outcomes.service.ts';
import { type Published, publishedText, suppressCount } from '../../support/outcomes/suppression.ts';
import {
  type BenefitInput,
  type CostBenefit,
  costBenefit,
  costPer,
  formatPounds,
  parsePence,
  parsePercent,
  paybackText,
  percentText,
  STEP_KEYS,
  VALUE_KINDS,
} from './cost-benefit.ts';
import { type CsvProblem, parseUnitCostsCsv, type UnitCostValues } from './unit-costs-csv.ts';
import * as repo from './value.repository.ts';
import {
  COST_CATEGORY_LABELS,
  MEASURE_LABELS,
  type mappingSchema,
  type programmeCostSchema,
} from './value.schema.ts';
import type { Confidence, CostCategory, OutcomeMeasure } from './value.table.ts';

export type ValueService = ReturnType<typeof createValueService>;

export interface UnitCost {
  id: string;
  item: string;
  unit: string;
  source: string;
  year: number;
  fiscal: bigint | null;
  economic: bigint | null;
  social: bigint | null;
  confidence: Confidence;
  notes: string;
}

/** A file with problems: nothing was stored, and every problem is listed with its line. */
export class UnitCostImportError extends ValidationError {
  readonly problems: CsvProblem[];
  constructor(problems: CsvProblem[]) {
    super(
      'file',
      `The file has ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}: nothing was imported`,
    );
    this.problems = problems;
  }
}

const pence = (v: string | number | null) => (v === null ? null : (parsePence(String(v)) ?? null));
const bp = (v: string | number) => parsePercent(String(v)) ?? 0n;

type UnitCostRow = NonNullable<Awaited<ReturnType<typeof repo.findUnitCost>>>;
function toUnitCost(r: UnitCostRow): UnitCost {
  return {
    id: r.id,
    item: r.item,
    unit: r.unit,
    source: r.source,
    year: r.year,
    fiscal: pence(r.fiscal_value),
    economic: pence(r.economic_value),
    social: pence(r.social_value),
    confidence: r.confidence,
    notes: r.notes,
  };
}

export interface Period {
  from: string;
  to: string;
}

/** This financial year (April to March), when a programme has no costs yet. */
function financialYear(on = new Date()): Period {
  const year = on.getUTCMonth() >= 3 ? on.getUTCFullYear() : on.getUTCFullYear() - 1;
  return { from: `${year}-04-01`, to: `${year + 1}-03-31` };
}

/**
 * Value for money per support programme: the unit-cost table, programme costs per period, cost per
 * participant and per outcome achieved (from the outcomes service's counts), and the cost-benefit summary.
 * Everything here is for analysts and officers; counts of children under 5 are suppressed and not valued.
 */
export function createValueService(deps: { db: Database; outcomes: OutcomesService }) {
  const { db, outcomes } = deps;

  async function programmeOf(actor: Actor, place: PlaceSummary, programmeId: string) {
    authorise(actor, 'evidence.analyse', place.id);
    const found = await outcomes.dashboardProgramme(actor, place, programmeId);
    if (!found) throw new NotFoundError();
    return found;
  }

  async function summary(actor: Actor, place: PlaceSummary, programmeId: string, wanted: Partial<Period>) {
    const programme = await programmeOf(actor, place, programmeId);
    const span = await repo.costSpan(db, place.id, programme.id);
    const fallback =
      span?.from && span.to ? { from: String(span.from), to: String(span.to) } : financialYear();
    const period: Period = { from: wanted.from ?? fallback.from, to: wanted.to ?? fallback.to };
    if (period.to < period.from)
      throw new ValidationError('to', 'The period must end on or after the day it starts');

    const [costRows, achieved, mappings] = await Promise.all([
      repo.costsInPeriod(db, place.id, programme.id, period.from, period.to),
      outcomes.achievedInPeriod(actor, place, programme.id, period),
      // Every mapping: the benefit totals must value every line, never a first page of them.
      repo.allMappings(db, place.id, programme.id),
    ]);
    const costOf = (c: CostCategory) => pence(costRows.find((r) => r.category === c)?.total ?? '0') ?? 0n;
    const costs = {
      staff: costOf('staff'),
      partner_delivery: costOf('partner_delivery'),
      other: costOf('other'),
    };
    const totalCost = costs.staff + costs.partner_delivery + costs.other;

    // Suppressed counts are neither shown nor divided by: a cost per head would give the count back.
    const participants = suppressCount(achieved.participants);
    const perOutcome = (count: number) => {
      const published = suppressCount(count);
      return { count: published, costPer: published === null ? null : costPer(totalCost, published) };
    };
    const indicators = achieved.indicators.map((i) => ({
      name: i.name,
      improved: perOutcome(i.improved),
      crossedThreshold: perOutcome(i.crossedThreshold),
    }));

    const inputs: BenefitInput[] = [];
    const lines = mappings.map((m) => {
      const indicator = achieved.indicators.find((i) => i.id === m.indicator_id);
      const raw = indicator
        ? m.measure === 'improved'
          ? indicator.improved
          : indicator.crossedThreshold
        : 0;
      const outcomesCount: Published = suppressCount(raw);
      const adjustments = {
        deadweight: bp(m.deadweight),
        displacement: bp(m.displacement),
        attribution: bp(m.attribution),
        optimismBias: bp(m.optimism_bias),
      };
      const label = `${indicator?.name ?? 'Indicator'}: ${MEASURE_LABELS[m.measure].toLowerCase()}`;
      inputs.push({
        label,
        outcomes: outcomesCount,
        unitValues: {
          fiscal: pence(m.fiscal_value),
          economic: pence(m.economic_value),
          social: pence(m.social_value),
        },
        adjustments,
      });
      return {
        id: m.id,
        label,
        unitCost: `${m.item} (${m.unit}, ${m.year})`,
        confidence: m.confidence,
        outcomes: outcomesCount,
        adjustments: {
          deadweight: percentText(adjustments.deadweight),
          displacement: percentText(adjustments.displacement),
          attribution: percentText(adjustments.attribution),
          optimismBias: percentText(adjustments.optimismBias),
        },
      };
    });
    const cb = costBenefit(totalCost, inputs);
    return {
      programme,
      period,
      costs,
      totalCost,
      participants,
      costPerParticipant: participants === null ? null : costPer(totalCost, participants),
      indicators,
      lines,
      cb,
    };
  }

  type Summary = Awaited<ReturnType<typeof summary>>;

  /** The summary as rows of (section, row, column, value), for the CSV and the JSON download alike. */
  function summaryRows(s: Summary): string[][] {
    const rows: string[][] = [['section', 'row', 'column', 'value']];
    const money = (v: bigint | null) => (v === null ? 'not shown' : minorToText(v));
    rows.push(['Period', 'From', '', s.period.from], ['Period', 'To', '', s.period.to]);
    for (const c of Object.keys(COST_CATEGORY_LABELS) as CostCategory[])
      rows.push(['Costs', COST_CATEGORY_LABELS[c], 'GBP', money(s.costs[c])]);
    rows.push(['Costs', 'Total', 'GBP', money(s.totalCost)]);
    rows.push(['Participants', 'Enrolled or active in the period', 'count', publishedText(s.participants)]);
    rows.push(['Participants', 'Cost per participant', 'GBP', money(s.costPerParticipant)]);
    for (const i of s.indicators) {
      rows.push(['Outcomes', i.name, 'Improved', publishedText(i.improved.count)]);
      rows.push(['Outcomes', i.name, 'Cost per child improved (GBP)', money(i.improved.costPer)]);
      rows.push(['Outcomes', i.name, 'Crossed the threshold', publishedText(i.crossedThreshold.count)]);
      rows.push([
        'Outcomes',
        i.name,
        'Cost per child crossing the threshold (GBP)',
        money(i.crossedThreshold.costPer),
      ]);
    }
    s.cb.lines.forEach((line, n) => {
      const meta = s.lines[n]!;
      rows.push(['Benefits', line.label, 'Unit cost', meta.unitCost]);
      rows.push(['Benefits', line.label, 'Outcomes valued', publishedText(meta.outcomes)]);
      rows.push(['Benefits', line.label, 'Deadweight', meta.adjustments.deadweight]);
      rows.push(['Benefits', line.label, 'Displacement', meta.adjustments.displacement]);
      rows.push(['Benefits', line.label, 'Attribution', meta.adjustments.attribution]);
      rows.push(['Benefits', line.label, 'Optimism bias', meta.adjustments.optimismBias]);
      for (const kind of VALUE_KINDS)
        for (const step of STEP_KEYS)
          rows.push([
            'Benefits',
            line.label,
            `${kind} ${STEP_LABELS[step]} (GBP)`,
            money(line.steps[kind][step]),
          ]);
    });
    for (const kind of VALUE_KINDS) {
      for (const step of STEP_KEYS)
        rows.push(['Totals', kind, `${STEP_LABELS[step]} (GBP)`, money(s.cb.totals[kind][step])]);
      rows.push(['Totals', kind, 'Benefit-cost ratio', s.cb.ratios[kind] ?? 'none']);
    }
    rows.push(['Totals', 'public value', 'Benefit-cost ratio', s.cb.ratios.publicValue ?? 'none']);
    rows.push(['Totals', 'fiscal', 'Payback period', paybackText(s.cb.paybackMonths)]);
    return rows;
  }

  return {
    async programmes(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      authorise(actor, 'evidence.analyse', place.id);
      return outcomes.dashboardProgrammes(actor, place, page);
    },

    async unitCosts(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      authorise(actor, 'evidence.analyse', place.id);
      const { rows, total } = await repo.listUnitCosts(db, place.id, page);
      return { unitCosts: rows.map(toUnitCost), total };
    },

    async unitCost(actor: Actor, place: PlaceSummary, id: string) {
      authorise(actor, 'value.manage', place.id);
      const row = await repo.findUnitCost(db, place.id, id);
      if (!row) throw new NotFoundError();
      return toUnitCost(row);
    },

    /** Imports a whole file or nothing: any problem on any line refuses it all. */
    async importUnitCosts(actor: Actor, place: PlaceSummary, upload: { filename: string; text: string }) {
      authorise(actor, 'value.manage', place.id);
      const parsed = parseUnitCostsCsv(upload.text);
      if (!parsed.ok) throw new UnitCostImportError(parsed.problems);
      return db.transaction().execute(async (tx) => {
        const ids = await repo.insertUnitCosts(tx, place.id, parsed.rows);
        await recordAudit(tx, actor, {
          action: 'value.unit_costs_imported',
          subjectType: 'place',
          subjectId: place.id,
          placeId: place.id,
          details: { filename: upload.filename, rows: ids.length },
        });
        return ids.length;
      });
    },

    async createUnitCost(actor: Actor, place: PlaceSummary, values: UnitCostValues) {
      authorise(actor, 'value.manage', place.id);
      return db.transaction().execute(async (tx) => {
        const [id] = await repo.insertUnitCosts(tx, place.id, [values]);
        await recordAudit(tx, actor, {
          action: 'value.unit_cost_created',
          subjectType: 'value_unit_cost',
          subjectId: id!,
          placeId: place.id,
          details: { item: values.item, year: values.year },
        });
        return id!;
      });
    },

    async updateUnitCost(actor: Actor, place: PlaceSummary, id: string, values: UnitCostValues) {
      authorise(actor, 'value.manage', place.id);
      await db.transaction().execute(async (tx) => {
        if (!(await repo.updateUnitCost(tx, place.id, id, values))) throw new NotFoundError();
        await recordAudit(tx, actor, {
          action: 'value.unit_cost_updated',
          subjectType: 'value_unit_cost',
          subjectId: id,
          placeId: place.id,
          details: { item: values.item, year: values.year },
        });
      });
    },

    programmeOf,

    /**
     * The programme page: costs and the outcome-to-unit-cost mappings (each paged on its own), and choices for
     * the forms.
     */
    async programmePage(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      pages: { costs: { limit: number; offset: number }; mappings: { limit: number; offset: number } },
    ) {
      const programme = await programmeOf(actor, place, programmeId);
      const [costs, mappings, indicators, unitCostOptions] = await Promise.all([
        repo.listProgrammeCosts(db, place.id, programme.id, pages.costs),
        repo.listMappings(db, place.id, programme.id, pages.mappings),
        outcomes.indicatorOptions(actor, place),
        repo.unitCostOptions(db, place.id),
      ]);
      const indicatorName = new Map(indicators.map((i) => [i.id, i.name]));
      return {
        programme,
        costs: costs.rows.map((c) => ({
          id: c.id,
          category: c.category,
          startsOn: c.starts_on,
          endsOn: c.ends_on,
          amount: pence(c.amount) ?? 0n,
          note: c.note,
        })),
        totalCosts: costs.total,
        mappings: mappings.rows.map((m) => ({
          id: m.id,
          indicator: indicatorName.get(m.indicator_id) ?? 'Indicator',
          measure: m.measure as OutcomeMeasure,
          unitCost: `${m.item} (${m.unit}, ${m.year})`,
          deadweight: percentText(bp(m.deadweight)),
          displacement: percentText(bp(m.displacement)),
          attribution: percentText(bp(m.attribution)),
          optimismBias: percentText(bp(m.optimism_bias)),
        })),
        totalMappings: mappings.total,
        indicators: indicators.map((i) => ({ id: i.id, name: i.name })),
        unitCostOptions,
      };
    },

    async addProgrammeCost(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      form: z.output<typeof programmeCostSchema>,
    ) {
      authorise(actor, 'value.manage', place.id);
      const programme = await programmeOf(actor, place, programmeId);
      await db.transaction().execute(async (tx) => {
        const id = await repo.insertProgrammeCost(tx, place.id, {
          programmeId: programme.id,
          ...form,
          createdBy: actor.user?.id ?? null,
        });
        await recordAudit(tx, actor, {
          action: 'value.programme_cost_added',
          subjectType: 'support_programme',
          subjectId: programme.id,
          placeId: place.id,
          details: {
            costId: id,
            category: form.category,
            amount: form.amount,
            startsOn: form.startsOn,
            endsOn: form.endsOn,
          },
        });
      });
    },

    async removeProgrammeCost(actor: Actor, place: PlaceSummary, programmeId: string, costId: string) {
      authorise(actor, 'value.manage', place.id);
      const programme = await programmeOf(actor, place, programmeId);
      await db.transaction().execute(async (tx) => {
        const removed = await repo.deleteProgrammeCost(tx, place.id, programme.id, costId);
        if (!removed) throw new NotFoundError();
        await recordAudit(tx, actor, {
          action: 'value.programme_cost_removed',
          subjectType: 'support_programme',
          subjectId: programme.id,
          placeId: place.id,
          details: { costId, category: removed.category, amount: String(removed.amount) },
        });
      });
    },

    async addMapping(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      form: z.output<typeof mappingSchema>,
    ) {
      authorise(actor, 'value.manage', place.id);
      const programme = await programmeOf(actor, place, programmeId);
      const indicators = await outcomes.indicatorOptions(actor, place);
      if (!indicators.some((i) => i.id === form.indicatorId))
        throw new ValidationError('indicatorId', 'Choose an outcome indicator from the list');
      if (!(await repo.findUnitCost(db, place.id, form.unitCostId)))
        throw new ValidationError('unitCostId', 'Choose a unit cost from the list');
      if (await repo.mappingExists(db, place.id, programme.id, form.indicatorId, form.measure))
        throw new ValidationError(
          'indicatorId',
          'These outcomes of this indicator are already valued: remove that line first',
        );
      await db.transaction().execute(async (tx) => {
        const id = await repo.insertMapping(tx, place.id, { programmeId: programme.id, ...form });
        await recordAudit(tx, actor, {
          action: 'value.benefit_mapping_added',
          subjectType: 'support_programme',
          subjectId: programme.id,
          placeId: place.id,
          details: {
            mappingId: id,
            indicatorId: form.indicatorId,
            unitCostId: form.unitCostId,
            measure: form.measure,
          },
        });
      });
    },

    async removeMapping(actor: Actor, place: PlaceSummary, programmeId: string, mappingId: string) {
      authorise(actor, 'value.manage', place.id);
      const programme = await programmeOf(actor, place, programmeId);
      await db.transaction().execute(async (tx) => {
        if (!(await repo.deleteMapping(tx, place.id, programme.id, mappingId))) throw new NotFoundError();
        await recordAudit(tx, actor, {
          action: 'value.benefit_mapping_removed',
          subjectType: 'support_programme',
          subjectId: programme.id,
          placeId: place.id,
          details: { mappingId },
        });
      });
    },

    /** The value-for-money summary with its chart. */
    async summary(actor: Actor, place: PlaceSummary, programmeId: string, period: Partial<Period>) {
      const s = await summary(actor, place, programmeId, period);
      const chart = chartOf(s.totalCost, s.cb);
      return { ...s, chart };
    },

    /** The summary as CSV or JSON rows; the download is audited. */
    async summaryExport(actor: Actor, place: PlaceSummary, programmeId: string, period: Partial<Period>) {
      const s = await summary(actor, place, programmeId, period);
      await recordAudit(db, actor, {
        action: 'value.summary_exported',
        subjectType: 'support_programme',
        subjectId: s.programme.id,
        placeId: place.id,
        details: { from: s.period.from, to: s.period.to },
      });
      return { programme: s.programme, period: s.period, rows: summaryRows(s) };
    },
  };
}

export const STEP_LABELS = {
  gross: 'gross',
  afterDeadweight: 'after deadweight',
  afterDisplacement: 'after displacement',
  afterAttribution: 'after attribution',
  afterOptimismBias: 'after optimism bias',
} as const;

function chartOf(cost: bigint, cb: CostBenefit) {
  return barChart(
    [
      { label: 'Cost', value: cost, valueText: formatPounds(cost) },
      ...VALUE_KINDS.map((kind) => ({
        label: `${kind[0]!.toUpperCase()}${kind.slice(1)} benefit`,
        value: cb.totals[kind].afterOptimismBias,
        valueText: formatPounds(cb.totals[kind].afterOptimismBias),
      })),
    ],
    ['pound', 'pounds'],
    { valueSpace: 130 },
  );
}

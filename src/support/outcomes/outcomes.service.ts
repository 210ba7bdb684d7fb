import type { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { barChart } from '../../platform/views/bar-chart.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { auditParticipant } from '../participant-audit.ts';
import { STATUS_LABELS } from '../participants/enrolment.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import { REFERRAL_STATUS_LABELS } from '../referrals/referral-states.ts';
import { ATTENDANCE_LABELS } from '../sessions/engagement.ts';
import type { ParticipantStatus } from '../support.table.ts';
import { crossedThreshold, improved, summarise } from './outcome-measures.ts';
import * as repo from './outcomes.repository.ts';
import type { indicatorSchema, observationSchema } from './outcomes.schema.ts';
import type { ObservationStage, OutcomeDirection } from './outcomes.table.ts';
import { type Published, publishedText, suppressCount, suppressTable } from './suppression.ts';

export type OutcomesService = ReturnType<typeof createOutcomesService>;

export interface OutcomeIndicator {
  id: string;
  name: string;
  instrument: string;
  scaleMin: number;
  scaleMax: number;
  threshold: number;
  direction: OutcomeDirection;
  licenceNote: string;
}

type IndicatorRow = NonNullable<Awaited<ReturnType<typeof repo.findIndicator>>>;

function toIndicator(row: IndicatorRow): OutcomeIndicator {
  return {
    id: row.id,
    name: row.name,
    instrument: row.instrument,
    scaleMin: Number(row.scale_min),
    scaleMax: Number(row.scale_max),
    threshold: Number(row.threshold),
    direction: row.direction,
    licenceNote: row.licence_note,
  };
}

const PARTICIPANT_STATUSES = Object.keys(STATUS_LABELS) as ParticipantStatus[];
const REFERRAL_COLUMNS = ['sent', 'accepted', 'declined', 'completed', 'revoked'] as const;
const ATTENDANCE_COLUMNS = ['present', 'late', 'absent', 'excused'] as const;

/** A suppressed table with its labels, as the dashboard page, chart and CSV use it. */
export interface DashboardTable {
  columns: string[];
  rows: { label: string; cells: string[]; total: string | null }[];
  totals: { cells: string[]; total: string | null } | null;
}

function text(values: Published[]): string[] {
  return values.map(publishedText);
}

/**
 * The indicator library (officers), observations per child (link workers, for children they may see) and
 * the shared-measurement dashboard (analysts, officers, place admins): counts only, every count under 5
 * suppressed (suppression.ts). No dashboard query returns a name, reference or date of birth.
 */
export function createOutcomesService(deps: { db: Database; participants: ParticipantsService }) {
  const { db, participants } = deps;

  function mayReadLibrary(actor: Actor, place: PlaceSummary) {
    const ok =
      can(actor, 'outcomes.manage_indicators', place.id) ||
      can(actor, 'participants.work_with', place.id) ||
      can(actor, 'evidence.analyse', place.id);
    if (!ok) throw new ForbiddenError();
  }

  return {
    async indicators(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      mayReadLibrary(actor, place);
      const { rows, total } = await repo.listIndicators(db, place.id, page);
      return { indicators: rows.map(toIndicator), total };
    },

    async createIndicator(actor: Actor, place: PlaceSummary, form: z.output<typeof indicatorSchema>) {
      authorise(actor, 'outcomes.manage_indicators', place.id);
      if (await repo.indicatorNameTaken(db, place.id, form.name))
        throw new ValidationError('name', 'An indicator with this name already exists');
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertIndicator(tx, place.id, form);
        await recordAudit(tx, actor, {
          action: 'outcome_indicator.created',
          subjectType: 'outcome_indicator',
          subjectId: id,
          placeId: place.id,
          details: { name: form.name },
        });
        return id;
      });
    },

    /** Every indicator to choose from when recording an observation (the choice is checked by lookup). */
    async indicatorOptions(actor: Actor, place: PlaceSummary) {
      mayReadLibrary(actor, place);
      return (await repo.indicatorOptions(db, place.id)).map(toIndicator);
    },

    /**
     * A page of a child's observations, grouped by indicator, with "improved" and "crossed the threshold"
     * and the number of scores per indicator worked out from all of the child's observations, not from the
     * page. The read is audited.
     */
    async ofParticipant(
      actor: Actor,
      place: PlaceSummary,
      participantId: string,
      page: { limit: number; offset: number },
    ) {
      const child = await participants.forForm(actor, place, participantId);
      await auditParticipant(db, actor, place, 'participant.viewed', child.id, { page: 'support delivery' });
      const { rows, total } = await repo.observationsOf(db, place.id, child.id, page);
      const byIndicator = new Map<string, typeof rows>();
      for (const r of rows) byIndicator.set(r.indicator_id, [...(byIndicator.get(r.indicator_id) ?? []), r]);
      const summaries = new Map(
        (await repo.observationSummaries(db, place.id, child.id, [...byIndicator.keys()])).map((s) => [
          s.indicator_id,
          s,
        ]),
      );
      const outcomes = [...byIndicator.values()].map((list) => {
        const first = list[0]!;
        const scale = { direction: first.direction, threshold: Number(first.threshold) };
        const summary = summaries.get(first.indicator_id);
        const baseline = summary?.baseline ?? null;
        const exit = summary?.exit ?? null;
        const both = baseline !== null && exit !== null;
        return {
          indicatorName: first.indicator_name,
          total: Number(summary?.n ?? list.length),
          observations: list.map((o) => ({
            stage: o.stage,
            value: Number(o.value),
            observedOn: o.observed_on,
            recordedByName: o.recorded_by_name,
          })),
          improved: both ? improved(Number(baseline), Number(exit), scale) : null,
          crossedThreshold: both ? crossedThreshold(Number(baseline), Number(exit), scale) : null,
        };
      });
      return { child, outcomes, total };
    },

    async recordObservation(
      actor: Actor,
      place: PlaceSummary,
      participantId: string,
      form: z.output<typeof observationSchema>,
    ) {
      const child = await participants.forForm(actor, place, participantId);
      const row = await repo.findIndicator(db, place.id, form.indicatorId);
      if (!row) throw new ValidationError('indicatorId', 'Choose an indicator from the list');
      const indicator = toIndicator(row);
      if (form.value < indicator.scaleMin || form.value > indicator.scaleMax)
        throw new ValidationError(
          'value',
          `Enter a score from ${indicator.scaleMin} to ${indicator.scaleMax}, the scale of ${indicator.name}`,
        );
      await db.transaction().execute(async (tx) => {
        const stage: ObservationStage = form.stage;
        if (stage !== 'interim' && (await repo.hasObservation(tx, place.id, child.id, indicator.id, stage)))
          throw new ValidationError('stage', `A ${stage} score for ${indicator.name} is already recorded`);
        const id = await repo.insertObservation(tx, place.id, {
          participantId: child.id,
          indicatorId: indicator.id,
          stage,
          value: form.value,
          observedOn: form.observedOn,
          recordedBy: actor.user?.id ?? null,
        });
        await recordAudit(tx, actor, {
          action: 'outcome.observed',
          subjectType: 'participant',
          subjectId: child.id,
          placeId: place.id,
          details: { observationId: id, indicatorId: indicator.id, stage },
        });
      });
    },

    async dashboardProgrammes(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      authorise(actor, 'evidence.analyse', place.id);
      const { rows, total } = await repo.programmes(db, place.id, page);
      return { programmes: rows, total };
    },

    async dashboardProgramme(actor: Actor, place: PlaceSummary, id: string) {
      authorise(actor, 'evidence.analyse', place.id);
      return repo.programme(db, place.id, id);
    },

    /** Shared measurement for one programme: aggregates only, suppressed. */
    async dashboard(actor: Actor, place: PlaceSummary, programmeId: string) {
      authorise(actor, 'evidence.analyse', place.id);
      const programme = await repo.programme(db, place.id, programmeId);
      if (!programme) throw new NotFoundError();
      const [byStatus, referrals, attendance, observations, indicators] = await Promise.all([
        repo.participantsByStatus(db, place.id, programmeId),
        repo.referralsByOrganization(db, place.id, programmeId),
        repo.attendanceByOrganization(db, place.id, programmeId),
        repo.baselineAndExit(db, place.id, programmeId),
        repo.allIndicators(db, place.id),
      ]);

      const statusCounts = PARTICIPANT_STATUSES.map((s) => byStatus.find((r) => r.status === s)?.count ?? 0);
      const statusTable = suppressTable([statusCounts], { rowTotals: true, columnTotals: false });
      const participantsTable: DashboardTable = {
        columns: PARTICIPANT_STATUSES.map((s) => STATUS_LABELS[s]),
        rows: [
          {
            label: 'Participants',
            cells: text(statusTable.cells[0]!),
            total: publishedText(statusTable.rowTotals![0]!),
          },
        ],
        totals: null,
      };

      const crossTable = <C extends string>(
        rows: { organizationId: string; organizationName: string; status: string; count: number }[],
        columns: readonly C[],
        labels: Record<C, string>,
      ): DashboardTable => {
        const orgs = [...new Map(rows.map((r) => [r.organizationId, r.organizationName])).entries()].sort(
          (a, b) => a[1].localeCompare(b[1]),
        );
        const grid = orgs.map(([id]) =>
          columns.map((c) => rows.find((r) => r.organizationId === id && r.status === c)?.count ?? 0),
        );
        if (grid.length === 0) return { columns: columns.map((c) => labels[c]), rows: [], totals: null };
        const t = suppressTable(grid, { rowTotals: true, columnTotals: true });
        return {
          columns: columns.map((c) => labels[c]),
          rows: orgs.map(([, name], i) => ({
            label: name,
            cells: text(t.cells[i]!),
            total: publishedText(t.rowTotals![i]!),
          })),
          totals: { cells: text(t.columnTotals!), total: publishedText(t.grandTotal) },
        };
      };
      const referralsTable = crossTable(referrals, REFERRAL_COLUMNS, REFERRAL_STATUS_LABELS);
      const attendanceTable = crossTable(attendance, ATTENDANCE_COLUMNS, ATTENDANCE_LABELS);

      // The attendance rate is shown only where every count it is made of is published.
      const attended = ATTENDANCE_COLUMNS.map((c) =>
        attendance.filter((a) => a.status === c).reduce((s, a) => s + a.count, 0),
      );
      const [present, late, absent] = attended as [number, number, number, number];
      const allPublished = attendanceTable.totals?.cells.every((c) => /^\d+$/.test(c)) ?? false;
      const expected = present + late + absent;
      const attendanceRate =
        allPublished && expected > 0 ? Math.round(((present + late) * 100) / expected) : null;

      const outcomeRows = indicators.map((indicator) => {
        const children = new Map<string, { baseline: number | null; exit: number | null }>();
        for (const o of observations) {
          if (o.indicator_id !== indicator.id) continue;
          const child = children.get(o.participant_id) ?? { baseline: null, exit: null };
          if (o.stage === 'baseline') child.baseline = Number(o.value);
          if (o.stage === 'exit') child.exit = Number(o.value);
          children.set(o.participant_id, child);
        }
        const s = summarise([...children.values()], {
          direction: indicator.direction,
          threshold: Number(indicator.threshold),
        });
        return {
          label: indicator.name,
          withBaseline: suppressCount(s.withBaseline),
          withBaselineAndExit: suppressCount(s.withBaselineAndExit),
          improved: suppressCount(s.improved),
          crossedThreshold: suppressCount(s.crossedThreshold),
        };
      });

      const chart = barChart(
        outcomeRows
          .filter((r) => r.improved !== null)
          .map((r) => ({ label: r.label, value: r.improved as number })),
        ['child improved', 'children improved'],
      );

      return {
        programme,
        participantsTable,
        referralsTable,
        attendanceTable,
        attendanceRate,
        outcomes: outcomeRows.map((r) => ({
          label: r.label,
          withBaseline: publishedText(r.withBaseline),
          withBaselineAndExit: publishedText(r.withBaselineAndExit),
          improved: publishedText(r.improved),
          crossedThreshold: publishedText(r.crossedThreshold),
        })),
        chart,
        suppressedInChart: outcomeRows.filter((r) => r.improved === null).map((r) => r.label),
      };
    },

    /**
     * For value for money: how many took part in a period and, per indicator, how many children whose exit
     * score falls in the period improved or crossed the threshold. Counts only, not yet suppressed: the
     * caller suppresses what it shows.
     */
    async achievedInPeriod(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      period: { from: string; to: string },
    ) {
      authorise(actor, 'evidence.analyse', place.id);
      const [participantCount, observations, indicators] = await Promise.all([
        repo.participantsInPeriod(db, place.id, programmeId, period.from, period.to),
        repo.baselineAndExitObserved(db, place.id, programmeId),
        repo.allIndicators(db, place.id),
      ]);
      const exitedInPeriod = new Set(
        observations
          .filter((o) => o.stage === 'exit' && o.observed_on >= period.from && o.observed_on <= period.to)
          .map((o) => `${o.indicator_id}/${o.participant_id}`),
      );
      return {
        participants: participantCount,
        indicators: indicators.map((indicator) => {
          const children = new Map<string, { baseline: number | null; exit: number | null }>();
          for (const o of observations) {
            if (
              o.indicator_id !== indicator.id ||
              !exitedInPeriod.has(`${o.indicator_id}/${o.participant_id}`)
            )
              continue;
            const child = children.get(o.participant_id) ?? { baseline: null, exit: null };
            if (o.stage === 'baseline') child.baseline = Number(o.value);
            if (o.stage === 'exit') child.exit = Number(o.value);
            children.set(o.participant_id, child);
          }
          const s = summarise([...children.values()], {
            direction: indicator.direction,
            threshold: Number(indicator.threshold),
          });
          return {
            id: indicator.id,
            name: indicator.name,
            withBaselineAndExit: s.withBaselineAndExit,
            improved: s.improved,
            crossedThreshold: s.crossedThreshold,
          };
        }),
      };
    },

    /** The dashboard as CSV rows (section, row, column, value), the same suppressed figures as the page. */
    async dashboardCsv(actor: Actor, place: PlaceSummary, programmeId: string) {
      const d = await this.dashboard(actor, place, programmeId);
      const rows: string[][] = [['section', 'row', 'column', 'value']];
      const table = (section: string, t: DashboardTable) => {
        for (const r of t.rows) {
          t.columns.forEach((c, i) => {
            rows.push([section, r.label, c, r.cells[i]!]);
          });
          if (r.total !== null) rows.push([section, r.label, 'Total', r.total]);
        }
        if (t.totals) {
          t.columns.forEach((c, i) => {
            rows.push([section, 'Total', c, t.totals!.cells[i]!]);
          });
          if (t.totals.total !== null) rows.push([section, 'Total', 'Total', t.totals.total]);
        }
      };
      table('Participants by status', d.participantsTable);
      table('Referrals by organisation and state', d.referralsTable);
      table('Attendance marks by organisation', d.attendanceTable);
      for (const o of d.outcomes) {
        rows.push(['Outcomes', o.label, 'With a baseline', o.withBaseline]);
        rows.push(['Outcomes', o.label, 'With baseline and exit', o.withBaselineAndExit]);
        rows.push(['Outcomes', o.label, 'Improved', o.improved]);
        rows.push(['Outcomes', o.label, 'Crossed the threshold', o.crossedThreshold]);
      }
      await recordAudit(db, actor, {
        action: 'outcomes.dashboard_exported',
        subjectType: 'support_programme',
        subjectId: programmeId,
        placeId: place.id,
      });
      const cell = (v: string) => {
        const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
        return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
      };
      return { name: d.programme.name, csv: `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n` };
    },
  };
}

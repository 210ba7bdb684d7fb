import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { type BarChart, barChart } from '../../platform/views/bar-chart.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { type ActivityKind, activityCounts, ballotsByDistrict, processSpan } from './activity.repository.ts';
import { type Granularity, granularityFor, periodLabel, periodsBetween } from './periods.ts';

export const KINDS: { kind: ActivityKind; label: string }[] = [
  { kind: 'proposals', label: 'Proposals' },
  { kind: 'comments', label: 'Comments' },
  { kind: 'supports', label: 'Supports' },
  { kind: 'online', label: 'Ballots online' },
  { kind: 'code', label: 'Ballots with a code' },
  { kind: 'paper', label: 'Ballots on paper' },
  { kind: 'imported', label: 'Ballots imported' },
];

export interface ActivityRow {
  period: string;
  label: string;
  counts: Record<ActivityKind, number>;
  total: number;
}

export interface Turnout {
  budget: string;
  district: string;
  ballots: number;
  /** From the profile's area dimension, matched by name; null when it has none for this district. */
  population: number | null;
  /** Ballots ÷ population, 0–1. */
  turnout: number | null;
}

export interface Activity {
  process: { id: string; title: string } | null;
  granularity: Granularity;
  rows: ActivityRow[];
  chart: BarChart;
  turnout: Turnout[];
  /** Whether the profile has an area dimension with counts, so turnout can be worked out. */
  areaPopulation: boolean;
}

export interface ProcessLookup {
  getProcess(place: PlaceSummary, id: string): Promise<{ id: string; title: string }>;
}

export interface ProfileLookup {
  profileForAggregates(placeId: string): Promise<{
    dimensions: { key: string; categories: { category: string; population: number | null }[] }[];
  } | null>;
}

/** Names of the dimension that holds areas (districts), as places are likely to label it. */
const AREA_KEYS = new Set(['area', 'areas', 'district', 'districts', 'ward', 'wards', 'neighbourhood']);

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export type ActivityService = ReturnType<typeof createActivityService>;

export function createActivityService(deps: {
  db: Database;
  processes: ProcessLookup;
  profiles: ProfileLookup;
}) {
  const { db, processes, profiles } = deps;

  function table(
    counts: { period: string; kind: ActivityKind; count: number }[],
    granularity: Granularity,
    from: string | null,
    to: string | null,
  ) {
    const seen = counts.map((c) => c.period).sort();
    const first = [from, seen[0]].filter(Boolean).sort()[0];
    const last = [to && to < today() ? to : today(), seen.at(-1)].filter(Boolean).sort().at(-1);
    const periods = first && last && counts.length > 0 ? periodsBetween(first, last, granularity) : [];
    const rows = periods.map((period): ActivityRow => {
      const row = Object.fromEntries(KINDS.map((k) => [k.kind, 0])) as Record<ActivityKind, number>;
      for (const c of counts) if (c.period === period) row[c.kind] += c.count;
      return {
        period,
        label: periodLabel(period, granularity),
        counts: row,
        total: Object.values(row).reduce((s, n) => s + n, 0),
      };
    });
    return rows;
  }

  return {
    /** Participation in the whole place by month, or in one process by month or week, aggregates only. */
    async activity(actor: Actor, place: PlaceSummary, processId: string | null): Promise<Activity> {
      authorise(actor, 'evidence.analyse', place.id);
      const process = processId ? await processes.getProcess(place, processId) : null;
      const span = process ? await processSpan(db, place.id, process.id) : { starts_on: null, ends_on: null };
      const granularity = process ? granularityFor(span.starts_on, span.ends_on) : 'month';
      const counts = await activityCounts(db, place.id, process?.id ?? null, granularity);
      const rows = table(counts, granularity, span.starts_on, span.ends_on);
      let turnout: Turnout[] = [];
      let areaPopulation = false;
      if (process) {
        const [districts, profile] = await Promise.all([
          ballotsByDistrict(db, place.id, process.id),
          profiles.profileForAggregates(place.id),
        ]);
        const area = profile?.dimensions.find((d) => AREA_KEYS.has(d.key));
        areaPopulation = Boolean(area?.categories.some((c) => c.population !== null));
        turnout = districts.map((d) => {
          const match = area?.categories.find(
            (c) => c.category.trim().toLowerCase() === d.name.trim().toLowerCase(),
          );
          const population = match?.population ?? null;
          const ballots = Number(d.n);
          return {
            budget: d.budget_title,
            district: d.name,
            ballots,
            population,
            turnout: population && population > 0 ? ballots / population : null,
          };
        });
      }
      return {
        process: process ? { id: process.id, title: process.title } : null,
        granularity,
        rows,
        chart: barChart(
          rows.map((r) => ({ label: r.label.replace('Week of ', ''), value: r.total })),
          ['action', 'actions'],
        ),
        turnout,
        areaPopulation,
      };
    },
  };
}

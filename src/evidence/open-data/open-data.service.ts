import type { ResultsService as TrackedResultsService } from '../../participation/accountability/results.service.ts';
import type { Channel } from '../../participation/budgeting/ballots/ballots.table.ts';
import { CHANNELS } from '../../participation/budgeting/results/count.ts';
import type { ResultsService as BudgetResultsService } from '../../participation/budgeting/results/results.service.ts';
import { pbExportLinks } from '../../participation/budgeting/transfer/transfer.service.ts';
import { describePhase, type ProcessesService } from '../../participation/processes/processes.service.ts';
import { anonymousActor } from '../../platform/auth/actor.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';

/**
 * Open data of a place: what anyone may already read on its public pages, as plain records for CSV, JSON
 * and the open API. Everything is read as a signed-out visitor would see it, whoever asks, so that a
 * download never carries more than the public pages do — and never a name, email or id of a person.
 */

export interface Page {
  limit: number;
  offset: number;
}

export interface OpenProcess {
  id: string;
  title: string;
  summary: string;
  area: string | null;
  categories: string[];
  status: 'upcoming' | 'active' | 'past';
  starts_on: string | null;
  ends_on: string | null;
  phases: {
    name: string;
    starts_on: string;
    ends_on: string;
    allows: { propose: boolean; support: boolean; comment: boolean; vote: boolean };
  }[];
  created_at: string;
  links: { page: string; proposals_csv: string; proposals_json: string };
}

export interface OpenBudgetProject {
  id: string;
  title: string;
  cost: string;
  selected: boolean;
  votes: number;
  votes_by_channel: Record<Channel, number>;
  points: string | null;
}

export interface OpenBudgetResult {
  budget_id: string;
  process_id: string;
  title: string;
  currency: string;
  total_amount: string;
  rule: string;
  published_at: string;
  sections: {
    name: string;
    amount: string;
    spent: string;
    ballots: { total: number; by_channel: Record<Channel, number> };
    winners: string[];
    projects: OpenBudgetProject[];
  }[];
  ballots_pb: { href: string; text: string }[];
  links: { page: string };
}

export interface OpenTrackedResult {
  id: string;
  title: string;
  source: string;
  asked: string;
  decided: string;
  process: { id: string; title: string } | null;
  status: string;
  progress: number;
  drop_reason: string | null;
  starts_on: string | null;
  ends_on: string | null;
  budgeted: string | null;
  spent: string | null;
  currency: string;
  parent_id: string | null;
  decided_at: string;
  updated_at: string;
  latest_update: { body: string; created_at: string } | null;
  links: { page: string };
}

/** Rows read a page at a time for whole-file downloads, so that no single query is unbounded. */
const DOWNLOAD_BATCH = 100;
/** A download stops here: far beyond any place's processes or budgets, but a bound all the same. */
const DOWNLOAD_MAX = 20_000;

export type OpenDataService = ReturnType<typeof createOpenDataService>;

export function createOpenDataService(deps: {
  baseUrl: string;
  processes: ProcessesService;
  budgetResults: BudgetResultsService;
  results: TrackedResultsService;
}) {
  const { baseUrl, processes, budgetResults, results } = deps;
  const visitor = () => anonymousActor('open-data');
  const url = (path: string) => `${baseUrl}${path}`;

  async function processPage(place: PlaceSummary, page: Page) {
    const { processes: found, total } = await processes.listAllProcesses(place, page);
    const base = `/places/${place.slug}/processes`;
    const items = found.map((p): OpenProcess => {
      const sorted = [...p.phases].sort((a, b) => a.position - b.position);
      return {
        id: p.id,
        title: p.title,
        summary: p.summary,
        area: p.area,
        categories: p.categories,
        status: describePhase(p).status,
        starts_on: sorted.reduce<string | null>(
          (m, ph) => (m === null || ph.startsOn < m ? ph.startsOn : m),
          null,
        ),
        ends_on: sorted.reduce<string | null>((m, ph) => (m === null || ph.endsOn > m ? ph.endsOn : m), null),
        phases: sorted.map((ph) => ({
          name: ph.name,
          starts_on: ph.startsOn,
          ends_on: ph.endsOn,
          allows: { ...ph.allows },
        })),
        created_at: p.createdAt.toISOString(),
        links: {
          page: url(`${base}/${p.id}`),
          proposals_csv: url(`${base}/${p.id}/export/proposals.csv`),
          proposals_json: url(`${base}/${p.id}/export/proposals.json`),
        },
      };
    });
    return { items, total };
  }

  async function budgetResultPage(place: PlaceSummary, page: Page) {
    const { results: found, total } = await budgetResults.publishedResults(place, page);
    const items: OpenBudgetResult[] = [];
    for (const r of found) {
      // Published results were counted after voting closed, so their sections' anonymised ballots are
      // open to everyone: the same links the budget's page offers a signed-out visitor, without reading
      // the budget and its projects again for each row.
      const links = pbExportLinks(place, r.budgetId, r.result.sections);
      const own = r.result.ownRule;
      items.push({
        budget_id: r.budgetId,
        process_id: r.processId,
        title: r.title,
        currency: r.currency,
        total_amount: r.totalAmount,
        rule: own,
        published_at: r.publishedAt.toISOString(),
        sections: r.result.sections.map((s) => {
          const outcome = s.rules[own];
          const winners = new Set(outcome?.winners ?? []);
          return {
            name: s.name,
            amount: s.amount,
            spent: outcome?.spent ?? '0.00',
            ballots: { total: s.ballots.total, by_channel: channelCounts(s.ballots.byChannel) },
            winners: [...(outcome?.winners ?? [])],
            projects: s.projects.map((p) => ({
              id: p.id,
              title: p.title,
              cost: p.cost,
              selected: winners.has(p.id),
              votes: p.votes,
              votes_by_channel: channelCounts(p.votesByChannel),
              points: p.points,
            })),
          };
        }),
        ballots_pb: links.map((l) => ({ href: url(l.href), text: l.text })),
        links: { page: url(`/places/${place.slug}/budgets/${r.budgetId}/results`) },
      });
    }
    return { items, total };
  }

  async function trackedResultPage(place: PlaceSummary, page: Page) {
    const { results: found, total } = await results.listResults(visitor(), place, {}, page);
    const items = found.map(
      (r): OpenTrackedResult => ({
        id: r.id,
        title: r.title,
        source: r.source.kind,
        asked: r.source.askedTitle,
        decided: r.source.decided,
        process: r.process,
        status: r.status,
        progress: r.progress,
        drop_reason: r.dropReason,
        starts_on: r.startsOn,
        ends_on: r.endsOn,
        budgeted: r.budgeted,
        spent: r.spent,
        currency: r.currency,
        parent_id: r.parentId,
        decided_at: r.decidedAt.toISOString(),
        updated_at: r.updatedAt.toISOString(),
        latest_update: r.latestUpdate
          ? { body: r.latestUpdate.body, created_at: r.latestUpdate.createdAt.toISOString() }
          : null,
        links: { page: url(`/places/${place.slug}/results/${r.id}`) },
      }),
    );
    return { items, total };
  }

  async function everything<T>(read: (page: Page) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
    const all: T[] = [];
    for (let offset = 0; offset < DOWNLOAD_MAX; offset += DOWNLOAD_BATCH) {
      const { items, total } = await read({ limit: DOWNLOAD_BATCH, offset });
      all.push(...items);
      if (items.length < DOWNLOAD_BATCH || all.length >= total) break;
    }
    return all;
  }

  return {
    processes: processPage,
    budgetResults: budgetResultPage,
    trackedResults: trackedResultPage,
    allProcesses: (place: PlaceSummary) => everything((page) => processPage(place, page)),
    allBudgetResults: (place: PlaceSummary) => everything((page) => budgetResultPage(place, page)),
    allTrackedResults: (place: PlaceSummary) => everything((page) => trackedResultPage(place, page)),
  };
}

function channelCounts(byChannel: Record<Channel, number>): Record<Channel, number> {
  return Object.fromEntries(CHANNELS.map((c) => [c, byChannel[c] ?? 0])) as Record<Channel, number>;
}

import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { type BarChart, barChart } from '../../platform/views/bar-chart.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { ProposalAnswer, ProposalStatus } from '../proposals/proposals.table.ts';
import * as repo from './statistics.repository.ts';

/** The little of a process these pages need. */
export interface ProcessLookup {
  getProcess(place: PlaceSummary, id: string): Promise<{ id: string; title: string; categories: string[] }>;
}

export const STATUS_LABELS: Record<ProposalStatus, string> = {
  published: 'Published',
  withdrawn: 'Withdrawn by their author',
  held: 'Waiting for a moderator',
  hidden: 'Hidden by moderators',
};

export const ANSWER_LABELS: Record<ProposalAnswer | 'none', string> = {
  none: 'Not answered yet',
  evaluating: 'Being considered',
  accepted: 'Accepted',
  not_accepted: 'Not accepted',
  already_happening: 'Already happening',
};

const NO_CATEGORY = 'No category';

export interface ProcessStatistics {
  process: { id: string; title: string };
  /** Published proposals. */
  proposals: number;
  supports: number;
  comments: number;
  participants: number;
  byStatus: { status: ProposalStatus; label: string; count: number }[];
  byAnswer: { answer: ProposalAnswer | 'none'; label: string; count: number }[];
  byCategory: { category: string; proposals: number; supports: number }[];
  chart: BarChart;
}

/** One exported proposal: nothing about who wrote it. */
export interface ProposalExportRow {
  id: string;
  title: string;
  body: string;
  category: string | null;
  area: string | null;
  status: ProposalStatus;
  answer: ProposalAnswer | null;
  answerReason: string | null;
  supportCount: number;
  commentCount: number;
  createdAt: Date;
}

/** One exported comment: nothing about who wrote it. */
export interface CommentExportRow {
  id: string;
  proposalId: string | null;
  parentId: string | null;
  stance: string;
  body: string;
  agreeCount: number;
  disagreeCount: number;
  createdAt: Date;
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;

export function createStatisticsService(deps: { db: Database; processes: ProcessLookup }) {
  const { db, processes } = deps;

  async function processOf(actor: Actor, place: PlaceSummary, processId: string) {
    authorise(actor, 'place.view', place.id);
    return processes.getProcess(place, processId);
  }

  return {
    /** Counts for a process's public statistics page, from a fixed handful of aggregate queries. */
    async processStatistics(
      actor: Actor,
      place: PlaceSummary,
      processId: string,
    ): Promise<ProcessStatistics> {
      const process = await processOf(actor, place, processId);
      const [statuses, answers, categories, totals] = await Promise.all([
        repo.proposalsByStatus(db, place.id, process.id),
        repo.proposalsByAnswer(db, place.id, process.id),
        repo.proposalsByCategory(db, place.id, process.id),
        repo.totals(db, place.id, process.id),
      ]);
      const statusCount = new Map(statuses.map((s) => [s.status, s.count]));
      const answerCount = new Map(answers.map((a) => [a.answer ?? 'none', a.count]));
      const categoryCount = new Map(categories.map((c) => [c.category ?? NO_CATEGORY, c]));
      // The process's own categories first, in its order, even when empty; then any others; then none.
      const names = [
        ...process.categories,
        ...categories
          .map((c) => c.category)
          .filter((c): c is string => c !== null && !process.categories.includes(c))
          .sort(),
        ...(categoryCount.has(NO_CATEGORY) && !process.categories.includes(NO_CATEGORY) ? [NO_CATEGORY] : []),
      ];
      const byCategory = names.map((category) => ({
        category,
        proposals: categoryCount.get(category)?.proposals ?? 0,
        supports: categoryCount.get(category)?.supports ?? 0,
      }));
      return {
        process: { id: process.id, title: process.title },
        proposals: statusCount.get('published') ?? 0,
        ...totals,
        byStatus: (Object.keys(STATUS_LABELS) as ProposalStatus[]).map((status) => ({
          status,
          label: STATUS_LABELS[status],
          count: statusCount.get(status) ?? 0,
        })),
        byAnswer: (Object.keys(ANSWER_LABELS) as (ProposalAnswer | 'none')[]).map((answer) => ({
          answer,
          label: ANSWER_LABELS[answer],
          count: answerCount.get(answer) ?? 0,
        })),
        byCategory,
        chart: barChart(
          byCategory.map((c) => ({ label: c.category, value: c.proposals })),
          ['proposal', 'proposals'],
        ),
      };
    },

    /** Published proposals for export, streamed in pages; the process is checked first. */
    async proposalsExport(actor: Actor, place: PlaceSummary, processId: string) {
      const process = await processOf(actor, place, processId);
      async function* rows(): AsyncGenerator<ProposalExportRow> {
        for await (const r of repo.exportProposals(db, place.id, process.id)) {
          yield {
            id: r.id,
            title: r.title,
            body: r.body,
            category: r.category,
            area: r.area,
            status: r.status,
            answer: r.answer,
            answerReason: r.answer_reason,
            supportCount: Number(r.support_count),
            commentCount: Number(r.comment_count),
            createdAt: r.created_at,
          };
        }
      }
      return { process: { id: process.id, title: process.title }, rows: rows() };
    },

    /** Published comments for export, streamed in pages; the process is checked first. */
    async commentsExport(actor: Actor, place: PlaceSummary, processId: string) {
      const process = await processOf(actor, place, processId);
      async function* rows(): AsyncGenerator<CommentExportRow> {
        for await (const r of repo.exportComments(db, place.id, process.id)) {
          yield {
            id: r.id,
            proposalId: r.proposal_id,
            parentId: r.parent_id,
            stance: r.stance,
            body: r.body,
            agreeCount: r.agree_count,
            disagreeCount: r.disagree_count,
            createdAt: r.created_at,
          };
        }
      }
      return { process: { id: process.id, title: process.title }, rows: rows() };
    },
  };
}

import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise, can } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { AppError, NotFoundError, RefusalError, ValidationError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { ballotPaper } from '../ballots/ballot-store.ts';
import { anonymiseOnlineBallots } from '../ballots/ballots.repository.ts';
import type { CountStatus } from '../ballots/ballots.table.ts';
import { toMinorUnits } from '../budgets/budgets.schema.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import { votingStatus } from '../budgets/voting-window.ts';
import { minorToDecimal } from '../money.ts';
import type { RuleName } from '../tally.ts';
import { type CountResult, rulesToCount } from './count.ts';
import {
  type CountRunner,
  type CountRunnerDeps,
  countFingerprint,
  createCountRunner,
} from './results.jobs.ts';
import * as repo from './results.repository.ts';

export interface CountSummary {
  id: string;
  status: CountStatus;
  stepsDone: number;
  stepsTotal: number;
  /** Whole per cent, rounded down, so that 100 means finished. */
  percent: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  publishedAt: Date | null;
  requestedByName?: string | null;
}

type SummaryRow = NonNullable<Awaited<ReturnType<typeof repo.findCountSummary>>> & {
  requested_by_name?: string | null;
};

function toSummary(row: SummaryRow): CountSummary {
  return {
    id: row.id,
    status: row.status,
    stepsDone: row.steps_done,
    stepsTotal: row.steps_total,
    percent: row.steps_total > 0 ? Math.floor((row.steps_done * 100) / row.steps_total) : 0,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    publishedAt: row.published_at,
    ...(row.requested_by_name !== undefined ? { requestedByName: row.requested_by_name } : {}),
  };
}

const dateText = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));

/** Why a count cannot start now, in words for the officer, or null. */
function whyNotCount(
  budget: Budget,
  state: { published: boolean; active: boolean; rules: readonly RuleName[] },
): { message: string; howTo: string } | null {
  const voting = votingStatus(budget);
  if (state.published) {
    return {
      message: 'The results of this budget have been published, so its votes cannot be counted again.',
      howTo: 'The published results stay as they are.',
    };
  }
  if (voting !== 'closed') {
    return {
      message: 'You cannot count the votes until voting has closed.',
      howTo: `Voting closes at the end of ${dateText(budget.votingClosesOn)}. You can start the count from the next day.`,
    };
  }
  if (state.active) {
    return {
      message: 'A count of this budget is already under way.',
      howTo: 'Wait for it to finish, or cancel it and start again.',
    };
  }
  if (state.rules.length === 0) {
    return {
      message: `The budget’s counting rule cannot count ${budget.ballot.kind} ballots.`,
      howTo: 'Choose a counting rule that fits the ballot, then count again.',
    };
  }
  return null;
}

export type ResultsService = ReturnType<typeof createResultsService>;

export function createResultsService(deps: {
  db: Database;
  budgets: { getBudget(place: PlaceSummary, id: string): Promise<Budget> };
  log?: { error(details: Record<string, unknown>, message: string): void };
  /** More settings for the count runner: the tests' hooks and injected faults. */
  runner?: Omit<CountRunnerDeps, 'db' | 'budgets' | 'log'>;
}) {
  const { db, budgets } = deps;
  const runner: CountRunner = createCountRunner({
    ...deps.runner,
    db,
    budgets,
    ...(deps.log ? { log: deps.log } : {}),
  });

  async function countState(executor: Database, place: PlaceSummary, budget: Budget) {
    const published = await repo.isPublished(executor, place.id, budget.id);
    const active = await repo.activeCount(executor, place.id, budget.id);
    return { published, active, rules: rulesToCount(budget.ballot.kind, budget.rule) };
  }

  return {
    runner,

    /** Whether results are published: voting and paper entry are then closed for good. */
    async isPublished(place: PlaceSummary, budgetId: string): Promise<boolean> {
      return repo.isPublished(db, place.id, budgetId);
    },

    /** The officer's page: whether a count can start, the one under way, and every count so far. */
    async countPage(
      actor: Actor,
      place: PlaceSummary,
      budgetId: string,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'budgets.manage', place.id);
      const budget = await budgets.getBudget(place, budgetId);
      const state = await countState(db, place, budget);
      const { rows, total } = await repo.listCounts(db, place.id, budget.id, page);
      const paper = await ballotPaper(db, place.id, budget);
      return {
        budget,
        voting: votingStatus(budget),
        published: state.published,
        active: state.active ? toSummary(state.active) : null,
        refusal: whyNotCount(budget, { ...state, active: state.active !== undefined }),
        rules: state.rules,
        sections: paper.sections.length,
        unfinishedSheets: await repo.unfinishedPaperSheets(db, place.id, budget.id),
        counts: rows.map(toSummary),
        total,
      };
    },

    /** Published results only, a page of budgets at a time, for open data: public once published. */
    async publishedResults(place: PlaceSummary, page: { limit: number; offset: number }) {
      const { rows, total } = await repo.listPublishedCounts(db, place.id, page);
      return {
        results: rows.flatMap((r) =>
          r.result === null || r.published_at === null
            ? []
            : [
                {
                  budgetId: r.budget_id,
                  processId: r.process_id,
                  title: r.title,
                  currency: r.currency,
                  totalAmount: minorToDecimal(toMinorUnits(r.total_amount)),
                  publishedAt: r.published_at,
                  result: r.result as CountResult,
                },
              ],
        ),
        total,
      };
    },

    /** Queues a count under the budget's rule and every other rule that fits the ballot. */
    async requestCount(actor: Actor, place: PlaceSummary, budgetId: string): Promise<string> {
      authorise(actor, 'budgets.manage', place.id);
      const budget = await budgets.getBudget(place, budgetId);
      const id = await db.transaction().execute(async (tx) => {
        if (!(await repo.lockBudget(tx, place.id, budget.id))) throw new NotFoundError();
        const state = await countState(tx, place, budget);
        const refusal = whyNotCount(budget, { ...state, active: state.active !== undefined });
        if (refusal) throw new RefusalError('count_refused', refusal.message, refusal.howTo);
        const paper = await ballotPaper(tx, place.id, budget);
        const stepsTotal = paper.sections.length * state.rules.length;
        const countId = await repo.insertCount(tx, {
          placeId: place.id,
          budgetId: budget.id,
          requestedBy: actor.user?.id ?? null,
          stepsTotal,
        });
        await recordAudit(tx, actor, {
          action: 'budget.count_requested',
          subjectType: 'budget',
          subjectId: budget.id,
          placeId: place.id,
          details: { countId, rules: state.rules, sections: paper.sections.length, steps: stepsTotal },
        });
        return countId;
      });
      runner.wake();
      return id;
    },

    async countProgress(actor: Actor, place: PlaceSummary, budgetId: string, countId: string) {
      authorise(actor, 'budgets.manage', place.id);
      const budget = await budgets.getBudget(place, budgetId);
      const row = await repo.findCountSummary(db, place.id, budget.id, countId);
      if (!row) throw new NotFoundError();
      return { budget, count: toSummary(row) };
    },

    async cancelCount(actor: Actor, place: PlaceSummary, budgetId: string, countId: string): Promise<void> {
      authorise(actor, 'budgets.manage', place.id);
      const budget = await budgets.getBudget(place, budgetId);
      await db.transaction().execute(async (tx) => {
        const existing = await repo.findCountSummary(tx, place.id, budget.id, countId);
        if (!existing) throw new NotFoundError();
        const cancelled = await repo.cancelCount(tx, place.id, budget.id, countId);
        if (!cancelled) {
          throw new RefusalError(
            'count_finished',
            'This count has already finished, so it cannot be cancelled.',
            'An unpublished count is never shown to the public; you can simply start another.',
          );
        }
        await recordAudit(tx, actor, {
          action: 'budget.count_cancelled',
          subjectType: 'budget',
          subjectId: budget.id,
          placeId: place.id,
          details: { countId, stepsDone: cancelled.steps_done, stepsTotal: cancelled.steps_total },
        });
      });
      // A step of it being counted now is abandoned at once, not left to run to its end.
      runner.cancelled(countId);
    },

    /**
     * The results to show: the published count for everyone; officers also see an unpublished count
     * (the latest finished, or the one they name), marked as such, and whether its ballots have changed.
     */
    async results(actor: Actor, place: PlaceSummary, budgetId: string, countId?: string) {
      const budget = await budgets.getBudget(place, budgetId);
      const canManage = can(actor, 'budgets.manage', place.id);
      const published = await repo.publishedCount(db, place.id, budget.id);
      let row = published;
      if (countId && countId !== published?.id) {
        if (!canManage) throw new NotFoundError();
        row = await repo.findCountWithResult(db, place.id, budget.id, countId);
        if (row?.status !== 'done') throw new NotFoundError();
      } else if (!row && canManage) {
        row = await repo.latestFinishedCount(db, place.id, budget.id);
      }
      if (!row || row.result === null) {
        return { budget, canManage, count: null, result: null, published: false, stale: false } as const;
      }
      const isPublished = row.published_at !== null;
      const result = row.result as CountResult;
      const stale = !isPublished && result.fingerprint !== (await countFingerprint(db, place, budget));
      return {
        budget,
        canManage,
        count: toSummary(row),
        result,
        published: isPublished,
        // Only one count per budget is ever published; officers may publish this one if none is.
        canPublish: canManage && !published && !stale,
        stale,
        unfinishedSheets:
          canManage && !isPublished ? await repo.unfinishedPaperSheets(db, place.id, budget.id) : 0,
      } as const;
    },

    /**
     * Publishes a finished count: its winners under the budget's own rule become decisions, in the same
     * transaction. Refused if results are already published or the ballots changed since the count.
     */
    async publish(actor: Actor, place: PlaceSummary, budgetId: string, countId: string, confirmed: boolean) {
      authorise(actor, 'budgets.manage', place.id);
      if (!confirmed) throw new ValidationError('confirm', 'Confirm that you have checked these results');
      const budget = await budgets.getBudget(place, budgetId);
      return db.transaction().execute(async (tx) => {
        if (!(await repo.lockBudget(tx, place.id, budget.id))) throw new NotFoundError();
        const row = await repo.findCountWithResult(tx, place.id, budget.id, countId, true);
        if (!row) throw new NotFoundError();
        if (await repo.isPublished(tx, place.id, budget.id)) {
          throw new AppError(
            409,
            'already_published',
            'The results of this budget have already been published',
          );
        }
        if (row.status !== 'done' || row.result === null) {
          throw new RefusalError(
            'count_not_finished',
            'Only a finished count can be published.',
            'Wait for the count to finish, then check and publish it.',
          );
        }
        const result = row.result as CountResult;
        if (result.fingerprint !== (await countFingerprint(tx, place, budget))) {
          throw new RefusalError(
            'count_out_of_date',
            'The ballots or projects have changed since this count was made.',
            'Start a new count, check it, and publish that one.',
          );
        }
        await repo.markPublished(tx, place.id, row.id, actor.user?.id ?? null);
        // No ballot can change any more, so none need say whose it was.
        const anonymised = await anonymiseOnlineBallots(tx, place.id, budget.id);
        const winners = result.sections.flatMap((s) => {
          const outcome = s.rules[result.ownRule];
          const titles = new Map(s.projects.map((p) => [p.id, p.title]));
          return (outcome?.winners ?? []).map((id) => ({ id, title: titles.get(id) ?? 'Project' }));
        });
        const decisions = await repo.insertDecisions(
          tx,
          winners.map((w) => ({
            placeId: place.id,
            processId: budget.processId,
            projectId: w.id,
            title: w.title,
          })),
        );
        await recordAudit(tx, actor, {
          action: 'budget.results_published',
          subjectType: 'budget',
          subjectId: budget.id,
          placeId: place.id,
          details: {
            countId: row.id,
            rule: result.ownRule,
            winners: winners.map((w) => w.id),
            decisions,
            anonymisedBallots: anonymised,
          },
        });
        return { winners: winners.length };
      });
    },
  };
}

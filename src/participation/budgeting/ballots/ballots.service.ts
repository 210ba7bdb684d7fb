import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import type { Database } from '../../../platform/db/database.ts';
import { ForbiddenError, RefusalError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import type { Process, ProcessesService } from '../../processes/processes.service.ts';
import type { Budget, BudgetsService } from '../budgets/budgets.service.ts';
import { type VotingStatus, votingStatus } from '../budgets/voting-window.ts';
import { type Choice, checkBallot, type Section, type SectionSummary } from './ballot-rules.ts';
import { type BallotPaper, paperOf, recordBallot, sectionsForVoter } from './ballot-store.ts';
import * as repo from './ballots.repository.ts';

/** A voter's own online ballot, to show it back to them and let them change it. */
export interface VoterBallot {
  districtId: string | null;
  createdAt: Date;
  updatedAt: Date;
  choices: Choice[];
}

export interface BallotView {
  budget: Budget;
  process: Process;
  status: VotingStatus;
  /** The projects on the ballot, read with the budget: fixed once voting opens. */
  paper: BallotPaper;
}

export interface OpenBallot extends BallotView {
  current: VoterBallot | null;
}

export type BallotsService = ReturnType<typeof createBallotsService>;

/**
 * How long an open budget's ballot view (the budget, its process, the projects on the ballot) is reused:
 * every ballot cast asks for it, often hundreds a second.
 */
export const BALLOT_VIEW_CACHE_MS = 5_000;
const BALLOT_VIEW_CACHE_SIZE = 1000;

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
const longDate = (day: string) => dateFormat.format(new Date(`${day}T12:00:00Z`));

/** Why voting is not open, in words for the refusal page. */
export function notOpenReason(
  budget: Budget,
  status: VotingStatus,
): { message: string; howToQualify: string } {
  return status === 'upcoming'
    ? {
        message: `Voting on ${budget.title} has not opened yet.`,
        howToQualify: `Voting opens on ${longDate(budget.votingOpensOn)} and closes on ${longDate(budget.votingClosesOn)}.`,
      }
    : {
        message: `Voting on ${budget.title} has closed.`,
        howToQualify: `Voting closed at the end of ${longDate(budget.votingClosesOn)}. Ballots can no longer be cast or changed.`,
      };
}

/**
 * Online voting. The voting window and the process's eligibility rules are checked here, before any
 * ballot is read or written, so that a route that forgot could not let anyone vote.
 */
export function createBallotsService(deps: {
  db: Database;
  processes: ProcessesService;
  budgets: BudgetsService;
  now?: (() => number) | undefined;
}) {
  const { db, processes, budgets } = deps;
  const now = deps.now ?? Date.now;

  // Only views read while voting is open are kept. Then the ballot is fixed (budgets.assertBallotCanChange)
  // and the opening date cannot move, so what can still change is the budget's title, district names and
  // closing date, and its process's phases and eligibility. This process forgets a place's views as soon
  // as it saves any of those; another process serving the same database sees the change within
  // BALLOT_VIEW_CACHE_MS. Whether voting is open is worked out afresh on every call.
  const views = new Map<string, { view: Omit<BallotView, 'status'>; until: number }>();
  const forget = (placeId: string) => {
    for (const key of views.keys()) if (key.startsWith(`${placeId}:`)) views.delete(key);
  };
  budgets.onChange(forget);
  processes.onChange(forget);

  async function load(place: PlaceSummary, budgetId: string): Promise<BallotView> {
    const key = `${place.id}:${budgetId}`;
    const cached = views.get(key);
    if (cached && cached.until > now()) return { ...cached.view, status: votingStatus(cached.view.budget) };
    const { budget, process, ballotProjects } = await budgets.getBudgetWithBallot(place, budgetId);
    const view = { budget, process, paper: paperOf(budget, ballotProjects) };
    const status = votingStatus(budget);
    if (status === 'open') {
      if (views.size >= BALLOT_VIEW_CACHE_SIZE) views.clear();
      views.set(key, { view, until: now() + BALLOT_VIEW_CACHE_MS });
    }
    return { ...view, status };
  }

  async function assertCanVote(actor: Actor, place: PlaceSummary, view: BallotView): Promise<void> {
    if (view.status !== 'open') {
      const { message, howToQualify } = notOpenReason(view.budget, view.status);
      throw new RefusalError('voting_not_open', message, howToQualify);
    }
    await processes.assertCanAct(actor, place, view.process, 'vote');
    if (!actor.user) throw new ForbiddenError('You need to sign in to vote');
  }

  async function ownBallot(actor: Actor, place: PlaceSummary, budget: Budget): Promise<VoterBallot | null> {
    if (!actor.user) return null;
    const row = await repo.findVoterBallot(db, place.id, budget.id, actor.user.id);
    if (!row) return null;
    return {
      districtId: row.district_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      choices: row.items.map((i) => ({ projectId: i.project_id, points: i.points, rank: i.rank })),
    };
  }

  return {
    /** The budget, its process and whether voting is open, for anyone: the page says why voting is not open. */
    load,

    /**
     * The ballot for a person who may vote now (given the budget's id, or its view already loaded), with
     * their current ballot if they have one. Refuses (saying why) when voting is not open, the phase
     * does not allow voting, or they are not eligible.
     */
    async openBallot(actor: Actor, place: PlaceSummary, budget: string | BallotView): Promise<OpenBallot> {
      const view = typeof budget === 'string' ? await load(place, budget) : budget;
      await assertCanVote(actor, place, view);
      return { ...view, current: await ownBallot(actor, place, view.budget) };
    },

    /** The signed-in person's own ballot, whatever the state of voting (for the confirmation page). */
    async recorded(actor: Actor, place: PlaceSummary, budgetId: string) {
      if (!actor.user) throw new ForbiddenError('You need to sign in to see your vote');
      const view = await load(place, budgetId);
      const current = await ownBallot(actor, place, view.budget);
      return { ...view, current };
    },

    /** Whether the signed-in person has an online ballot for the budget. */
    async hasVoted(actor: Actor, place: PlaceSummary, budget: Budget): Promise<boolean> {
      if (!actor.user) return false;
      return (await repo.findVoterBallot(db, place.id, budget.id, actor.user.id)) !== undefined;
    },

    /**
     * The running total of a ballot being filled in, with every problem, without storing anything.
     * Throws a ValidationError on districtId when the budget needs a district and none (or a wrong one) is given.
     */
    preview(
      budget: Budget,
      paper: BallotPaper,
      districtId: string | null,
      choices: readonly Choice[],
    ): { sections: Section[]; summaries: SectionSummary[]; problems: { field: string; message: string }[] } {
      const sections = sectionsForVoter(budget, paper, districtId);
      const checked = checkBallot(budget.ballot, sections, choices, budget.currency);
      return { sections, summaries: checked.sections, problems: checked.problems };
    },

    /**
     * Casts or changes the voter's ballot: one transaction that checks it against the rules, replaces any
     * earlier ballot of theirs (one row per voter, however many arrive at once) and records the audit
     * event. The audit says that the person voted, never how.
     */
    async cast(
      actor: Actor,
      place: PlaceSummary,
      view: BallotView,
      input: { districtId: string | null; choices: readonly Choice[] },
    ): Promise<{ replaced: boolean }> {
      await assertCanVote(actor, place, view);
      const voterId = actor.user!.id;
      return db.transaction().execute(async (tx) => {
        // The paper was read with the budget: once voting is open no project can join, leave or change
        // cost (budgets.assertBallotCanChange), so the projects checked are the projects stored.
        const { replaced } = await recordBallot(tx, {
          placeId: place.id,
          budget: view.budget,
          paper: view.paper,
          channel: 'online',
          districtId: view.budget.districts.length > 0 ? input.districtId : null,
          choices: input.choices,
          voterId,
        });
        await recordAudit(tx, actor, {
          action: replaced ? 'ballot.changed' : 'ballot.cast',
          subjectType: 'budget',
          subjectId: view.budget.id,
          placeId: place.id,
          details: { channel: 'online' },
        });
        return { replaced };
      });
    },
  };
}

import { createHash } from 'node:crypto';
import type { Database } from '../../../platform/db/database.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { ballotPaper, budgetElections } from '../ballots/ballot-store.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import { type CountResult, countRule, rulesToCount, type SectionResult, sectionTotals } from './count.ts';
import * as repo from './results.repository.ts';

/**
 * Counts run in the background, in this process, one step (a section under one rule) at a time. After
 * each step the result so far and the progress are saved, and the event loop gets a turn, so pages stay
 * responsive and a restart loses at most one step: a count left running by a process that stopped is
 * taken up again where it was by the next runner.
 */

export interface CountRunner {
  /** Runs every waiting count (and, the first time, every count a stopped process left running) to the end. */
  runPending(): Promise<void>;
  /** Looks for work now, if the runner has been started. */
  wake(): void;
  /** Starts looking for work: now, then every `intervalMs`. */
  start(): void;
  /** Stops after the step in progress; the count stays running and is resumed by the next runner. */
  stop(): Promise<void>;
}

export interface CountRunnerDeps {
  db: Database;
  budgets: { getBudget(place: PlaceSummary, id: string): Promise<Budget> };
  intervalMs?: number;
  /** Called after each saved step, with the steps done so far. */
  afterStep?: (countId: string, stepsDone: number) => void | Promise<void>;
  log?: { error(details: Record<string, unknown>, message: string): void };
}

/** What a count depends on: the ballots, the projects with their costs, the sections' money and the rule. */
export async function countFingerprint(db: Database, place: PlaceSummary, budget: Budget): Promise<string> {
  const ballots = await repo.ballotAggregate(db, place.id, budget.id);
  const paper = await ballotPaper(db, place.id, budget);
  const what = {
    ballots,
    rule: budget.rule,
    kind: budget.ballot.kind,
    sections: paper.sections.map((s) => ({
      district: s.districtId,
      amount: s.amount.toString(),
      projects: s.projects.map((p) => [p.id, p.title, p.cost.toString()]),
    })),
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex');
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createCountRunner(deps: CountRunnerDeps): CountRunner {
  const { db, budgets } = deps;
  const log = deps.log ?? { error: (details, message) => console.error(message, details) };
  let chain: Promise<void> = Promise.resolve();
  let resumeChecked = false;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function runCount(placeId: string, countId: string): Promise<void> {
    const job = await repo.jobRow(db, placeId, countId);
    if (job?.status !== 'running') return;
    try {
      const place = await repo.placeOf(db, placeId);
      if (!place) throw new Error('The place no longer exists');
      const budget = await budgets.getBudget(place, job.budget_id);
      const rules = rulesToCount(budget.ballot.kind, budget.rule);
      if (rules.length === 0) throw new Error(`No counting rule applies to ${budget.ballot.kind} ballots`);
      // Fingerprint first: a ballot arriving while they are read makes the count unpublishable, never wrong.
      const fingerprint = await countFingerprint(db, place, budget);
      const elections = await budgetElections(db, place.id, place.name, budget);
      const total = elections.length * rules.length;

      const saved = job.result as CountResult | null;
      const resumable =
        saved !== null &&
        saved.fingerprint === fingerprint &&
        saved.rules.join() === rules.join() &&
        saved.sections.length === Math.ceil(job.steps_done / rules.length);
      let done = resumable ? job.steps_done : 0;
      const sections: SectionResult[] = resumable ? [...saved.sections] : [];
      let from = job.steps_done;

      for (let step = done; step < total; step++) {
        await nextTurn();
        if (stopped) return;
        if (!(await repo.stillRunning(db, place.id, countId, from))) return;
        const s = Math.floor(step / rules.length);
        const rule = rules[step % rules.length]!;
        const election = elections[s]!;
        const section = sections[s] ?? { ...sectionTotals(election), rules: {} };
        sections[s] = { ...section, rules: { ...section.rules, [rule]: countRule(election, rule) } };
        done = step + 1;
        const result: CountResult = {
          version: 1,
          fingerprint,
          ballotKind: budget.ballot.kind,
          ownRule: budget.rule,
          rules,
          sections,
        };
        const ok = await repo.saveStep(db, {
          placeId: place.id,
          countId,
          from,
          to: done,
          total,
          result,
          finished: done === total,
        });
        // Cancelled, or another runner has moved this count on: leave it to them.
        if (!ok) return;
        from = done;
        await deps.afterStep?.(countId, done);
      }
      if (from === total && job.steps_done === total) {
        // Stopped between its last step and being marked done: finish it.
        const result = job.result as CountResult;
        await repo.saveStep(db, {
          placeId: place.id,
          countId,
          from,
          to: total,
          total,
          result,
          finished: true,
        });
      }
    } catch (error) {
      log.error({ err: error, countId }, 'Budget count failed');
      const message = error instanceof Error ? error.message : String(error);
      await repo.failCount(db, placeId, countId, message);
    }
  }

  async function drain(): Promise<void> {
    if (!resumeChecked) {
      resumeChecked = true;
      for (const job of await repo.runningCounts(db)) {
        if (stopped) return;
        await runCount(job.place_id, job.id);
      }
    }
    while (!stopped) {
      const waiting = await repo.queuedCounts(db, 1);
      const job = waiting[0];
      if (!job) return;
      if (await repo.claimQueued(db, job.place_id, job.id)) await runCount(job.place_id, job.id);
    }
  }

  function runPending(): Promise<void> {
    const run = chain.then(drain);
    chain = run.catch((error) => log.error({ err: error }, 'Budget count runner failed'));
    return run;
  }

  function wake() {
    if (started && !stopped) runPending().catch(() => {});
  }

  return {
    runPending,
    wake,
    start() {
      if (started) return;
      started = true;
      timer = setInterval(wake, deps.intervalMs ?? 5_000);
      timer.unref();
      setImmediate(wake);
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await chain;
    },
  };
}

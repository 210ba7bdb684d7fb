import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Database } from '../../../platform/db/database.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { ballotPaper, budgetElections } from '../ballots/ballot-store.ts';
import type { SectionElection } from '../ballots/election.ts';
import { RULE_LABELS } from '../budgets/budgets.schema.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import type { RuleName } from '../tally.ts';
import {
  type CountResult,
  type RuleResult,
  rulesToCount,
  type SectionResult,
  sectionTotals,
} from './count.ts';
import type { StepFault, StepReply, StepRequest } from './count.worker.ts';
import * as repo from './results.repository.ts';

/**
 * Counts run in the background, one step (a section under one rule) at a time. The main thread reads the
 * ballots and saves the result so far and the progress after each step; the step itself is worked out on
 * a worker thread (count.worker.ts), because on a large election it takes seconds, during which the
 * server could otherwise answer nothing. A restart loses at most one step: a count left running by a
 * process that stopped is taken up again where it was by the next runner. Cancelling a count, or
 * stopping the runner, ends the thread at once rather than waiting for the step to finish.
 */

export interface CountRunner {
  /** Runs every waiting count (and, the first time, every count a stopped process left running) to the end. */
  runPending(): Promise<void>;
  /** Looks for work now, if the runner has been started. */
  wake(): void;
  /** Starts looking for work: now, then every `intervalMs`. */
  start(): void;
  /**
   * Tells the runner that a count has been cancelled (already marked so in the database): the step of it
   * in progress, if any, is abandoned at once.
   */
  cancelled(countId: string): void;
  /** Stops now, abandoning the step in progress; the count stays running and is resumed by the next runner. */
  stop(): Promise<void>;
}

export interface CountRunnerDeps {
  db: Database;
  budgets: { getBudget(place: PlaceSummary, id: string): Promise<Budget> };
  intervalMs?: number;
  /**
   * While a step runs, how often to check that its count is still running (cancelled from another
   * process, or taken over by another runner), in milliseconds.
   */
  cancelCheckMs?: number;
  /** Called as a step (numbered from 1) is handed to the counting thread. */
  stepStarted?: (countId: string, step: number) => void;
  /** Called as soon as the counting thread returns a step's result, before it is saved. */
  stepComputed?: (countId: string, step: number) => void;
  /** Called after each saved step, with the steps done so far. */
  afterStep?: (countId: string, stepsDone: number) => void | Promise<void>;
  /** For tests only: makes the counting thread fail in the given way at a step (numbered from 1). */
  faultForTests?: (countId: string, step: number) => StepFault | undefined;
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

const WORKER_URL = new URL('./count.worker.ts', import.meta.url);

/** A step abandoned on purpose (its count was cancelled, or the runner stopped): not a failure. */
class StepInterrupted extends Error {}

interface StepThread {
  /** Counts a section under a rule on the thread, starting one if there is none. */
  run(election: SectionElection, rule: RuleName, fault?: StepFault): Promise<RuleResult>;
  /** Lets the idle thread drop the section it holds. */
  release(): void;
  /** Ends the thread at once; the step in progress, if any, is rejected with `reason`. */
  terminate(reason: Error): Promise<void>;
}

/**
 * One counting thread, reused from step to step and from count to count (starting one takes a moment,
 * as it loads the counting code). It keeps the last section it was sent, so a section's ballots cross
 * between threads once, not once per rule. While idle it does not keep the process alive. It does not
 * outlive a crash, a cancellation or a stop: the next step starts a new one. Under tsx (npm start, and
 * the tests under `node --import tsx`) the thread inherits the process's flags, so it loads TypeScript
 * the same way.
 */
function stepThread(): StepThread {
  let worker: Worker | null = null;
  let sent: SectionElection | null = null;
  let pending: { id: number; resolve(result: RuleResult): void; reject(error: Error): void } | null = null;
  let nextId = 1;

  function settle(outcome: { result: RuleResult } | { error: Error }) {
    const step = pending;
    pending = null;
    if (!step) return;
    worker?.unref();
    if ('result' in outcome) step.resolve(outcome.result);
    else step.reject(outcome.error);
  }

  /** Forgets a thread that has gone, so that the next step starts a new one. */
  function lost(w: Worker, error: Error) {
    if (worker !== w) return;
    worker = null;
    sent = null;
    settle({ error });
  }

  function spawn(): Worker {
    const w = new Worker(WORKER_URL, { name: 'budget-count' });
    w.on('message', (reply: StepReply) => {
      if (worker !== w || reply.id !== pending?.id) return;
      if (reply.ok) {
        settle({ result: reply.result });
      } else {
        const error = new Error(reply.error);
        if (reply.stack) error.stack = reply.stack;
        settle({ error });
      }
    });
    w.on('error', (error) =>
      lost(w, new Error(`the counting thread stopped with an error: ${error.message}`)),
    );
    w.on('messageerror', (error) =>
      lost(w, new Error(`the counting thread sent a result that could not be read: ${error.message}`)),
    );
    w.on('exit', (code) =>
      lost(w, new Error(`the counting thread stopped unexpectedly (exit code ${code})`)),
    );
    return w;
  }

  return {
    run(election, rule, fault) {
      if (pending) return Promise.reject(new Error('A step is already being counted'));
      worker ??= spawn();
      const w = worker;
      // Held only while a step runs: the process waits for the result, not for an idle thread.
      w.ref();
      const request: StepRequest = {
        kind: 'count',
        id: nextId++,
        rule,
        election: sent === election ? null : election,
        ...(fault ? { fault } : {}),
      };
      return new Promise<RuleResult>((resolve, reject) => {
        pending = { id: request.id, resolve, reject };
        try {
          w.postMessage(request);
          sent = election;
        } catch (error) {
          pending = null;
          w.unref();
          reject(error);
        }
      });
    },

    release() {
      if (!worker || pending || !sent) return;
      sent = null;
      worker.postMessage({ kind: 'forget' } satisfies StepRequest);
    },

    async terminate(reason) {
      const w = worker;
      worker = null;
      sent = null;
      settle({ error: reason });
      await w?.terminate();
    },
  };
}

interface RunningStep {
  readonly countId: string;
  /** Why it was abandoned, once it has been. */
  interrupted: string | null;
}

/** The name of a section and a rule, for the message of a count that failed. */
function stepName(election: SectionElection, rule: RuleName): string {
  return `“${election.section.name}” under “${RULE_LABELS[rule].text}”`;
}

export function createCountRunner(deps: CountRunnerDeps): CountRunner {
  const { db, budgets } = deps;
  const log = deps.log ?? { error: (details, message) => console.error(message, details) };
  const thread = stepThread();
  let chain: Promise<void> = Promise.resolve();
  let resumeChecked = false;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The step being counted now, if any. */
  let current: RunningStep | null = null;

  /** Abandons the step in progress, if it is still `step`. */
  function interrupt(step: RunningStep | null, why: string) {
    if (step === null || step !== current) return;
    step.interrupted = why;
    current = null;
    thread.terminate(new StepInterrupted(why)).catch((error) => {
      log.error({ err: error }, 'Could not end the counting thread');
    });
  }

  /**
   * Counts one step on the thread. Meanwhile the count is checked now and then, so that a cancellation
   * made elsewhere (another process) also ends the step at once.
   */
  async function countStep(
    placeId: string,
    countId: string,
    from: number,
    step: number,
    election: SectionElection,
    rule: RuleName,
  ): Promise<RuleResult> {
    const running: RunningStep = { countId, interrupted: null };
    current = running;
    let checking = false;
    const watch = setInterval(async () => {
      if (checking) return;
      checking = true;
      try {
        if (!(await repo.stillRunning(db, placeId, countId, from))) interrupt(running, 'cancelled');
      } catch {
        // The database is closing; the step ends with the runner.
      } finally {
        checking = false;
      }
    }, deps.cancelCheckMs ?? 1_000);
    try {
      deps.stepStarted?.(countId, step);
      // Cancelled or stopped as it started: start no thread.
      if (running.interrupted) throw new StepInterrupted(running.interrupted);
      const result = await thread.run(election, rule, deps.faultForTests?.(countId, step));
      deps.stepComputed?.(countId, step);
      return result;
    } catch (error) {
      if (error instanceof StepInterrupted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Counting ${stepName(election, rule)} failed: ${reason}`, { cause: error });
    } finally {
      clearInterval(watch);
      if (current === running) current = null;
    }
  }

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
        // Stopped while the database answered: start no new thread.
        if (stopped) return;
        const s = Math.floor(step / rules.length);
        const rule = rules[step % rules.length]!;
        const election = elections[s]!;
        const section = sections[s] ?? { ...sectionTotals(election), rules: {} };
        const outcome = await countStep(place.id, countId, from, step + 1, election, rule);
        sections[s] = { ...section, rules: { ...section.rules, [rule]: outcome } };
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
      // Cancelled (already marked so) or stopped (to be resumed): nothing to record.
      if (error instanceof StepInterrupted) return;
      log.error({ err: error, countId }, 'Budget count failed');
      const message = error instanceof Error ? error.message : String(error);
      await repo.failCount(db, placeId, countId, message);
    }
  }

  async function drain(): Promise<void> {
    try {
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
    } finally {
      // The thread waits for the next count without holding on to this one's ballots.
      thread.release();
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
    cancelled(countId) {
      if (current?.countId === countId) interrupt(current, 'cancelled');
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      interrupt(current, 'stopped');
      await chain;
      await thread.terminate(new StepInterrupted('stopped'));
    },
  };
}

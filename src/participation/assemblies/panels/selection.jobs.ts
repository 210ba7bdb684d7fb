import { Worker } from 'node:worker_threads';
import type { Database } from '../../../platform/db/database.ts';
import type { SelectionInputs } from './panel-report.ts';
import * as repo from './panels.repository.ts';
import {
  type ComputedLottery,
  computeLottery,
  type SelectionMessage,
  type SelectionRequest,
} from './selection.worker.ts';

/**
 * Selections run in the background, one at a time, each on its own worker thread (selection.worker.ts).
 * Progress is saved as the solver reports it, at most every `progressEveryMs`. Resumption: the
 * computation is deterministic and its inputs were fixed when it was asked for, so a selection left
 * running by a process that stopped is computed again from the start by the next runner — the same
 * answer, at the cost of the time already spent. Cancelling ends the thread at once.
 */

export interface SelectionRunner {
  runPending(): Promise<void>;
  /** Claims one queued selection and computes it in this thread, for callers that must wait (the demo seed). */
  runNow(placeId: string, selectionId: string): Promise<void>;
  wake(): void;
  start(): void;
  cancelled(selectionId: string): void;
  stop(): Promise<void>;
}

export interface SelectionRunnerDeps {
  db: Database;
  intervalMs?: number;
  progressEveryMs?: number;
  /** Tests: awaited as a job is taken up, before its thread starts. */
  beforeCompute?: (selectionId: string) => Promise<void> | void;
  /** Tests: called after each saved progress report. */
  afterProgress?: (selectionId: string, done: number, total: number) => void;
  log?: { error(details: Record<string, unknown>, message: string): void };
}

const WORKER_URL = new URL('./selection.worker.ts', import.meta.url);

class Interrupted extends Error {}

export function createSelectionRunner(deps: SelectionRunnerDeps): SelectionRunner {
  const { db } = deps;
  const log = deps.log ?? { error: (details, message) => console.error(message, details) };
  let chain: Promise<void> = Promise.resolve();
  let resumeChecked = false;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: { id: string; worker: Worker | null; reject(error: Error): void } | null = null;

  function interrupt(why: string) {
    const job = current;
    if (!job) return;
    current = null;
    job.reject(new Interrupted(why));
    job.worker?.terminate().catch(() => {});
  }

  function compute(placeId: string, id: string, request: SelectionRequest): Promise<ComputedLottery> {
    return new Promise<ComputedLottery>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { name: 'assembly-selection' });
      const job = { id, worker, reject };
      current = job;
      let lastSaved = 0;
      let saving = Promise.resolve();
      const settle = (outcome: { lottery: ComputedLottery } | { error: Error }) => {
        if (current === job) current = null;
        worker.terminate().catch(() => {});
        if ('lottery' in outcome) resolve(outcome.lottery);
        else reject(outcome.error);
      };
      worker.on('message', (message: SelectionMessage) => {
        if (current !== job) return;
        if (message.kind === 'progress') {
          const now = Date.now();
          if (now - lastSaved < (deps.progressEveryMs ?? 500)) return;
          lastSaved = now;
          const text = `${message.pricing} panels tried; ${message.fixed} of ${message.types} groups of interchangeable people settled.`;
          saving = saving.then(async () => {
            const ok = await repo.saveProgress(db, placeId, id, {
              done: message.fixed,
              total: message.types,
              text,
            });
            if (!ok) interrupt('cancelled');
            else deps.afterProgress?.(id, message.fixed, message.types);
          });
        } else if (message.kind === 'done') {
          saving.then(() => settle({ lottery: message.lottery }));
        } else {
          const error = new Error(message.error);
          if (message.infeasible) error.name = 'InfeasibleQuotasError';
          settle({ error });
        }
      });
      worker.on('error', (error) => settle({ error }));
      worker.on('exit', (code) => {
        if (current === job) settle({ error: new Error(`the selection thread stopped (exit code ${code})`) });
      });
      worker.postMessage(request);
    });
  }

  async function runJob(placeId: string, id: string, inline = false): Promise<void> {
    const job = await repo.jobInputs(db, placeId, id);
    if (job?.status !== 'running') return;
    const inputs = job.inputs as SelectionInputs;
    try {
      await repo.saveProgress(db, placeId, id, {
        done: 0,
        total: 1,
        text: 'Checking the quotas and starting the solver.',
      });
      await deps.beforeCompute?.(id);
      if (stopped || !(await repo.stillRunning(db, placeId, id))) return;
      const request: SelectionRequest = {
        categories: inputs.categories,
        respondents: inputs.respondents,
        k: inputs.k,
        algorithm: inputs.algorithm,
      };
      const lottery = inline ? await computeLottery(request) : await compute(placeId, id, request);
      const probabilities: Record<string, number> = {};
      lottery.types.forEach((members, t) => {
        for (const m of members) probabilities[m] = lottery.typeProbabilities[t]!;
      });
      await repo.finishSelection(
        db,
        placeId,
        id,
        { ...lottery, probabilities },
        `Finished: ${lottery.panels.length} panels in the lottery; the smallest selection probability is ${(lottery.minimum * 100).toFixed(2)}%.`,
      );
    } catch (error) {
      if (error instanceof Interrupted) return;
      log.error({ err: error, selectionId: id }, 'Assembly selection failed');
      let message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.name === 'InfeasibleQuotasError') {
        message = `${message}. Check the quotas and apply the smallest relaxation, then select again.`;
      }
      await repo.failSelection(db, placeId, id, message);
    }
  }

  async function drain(): Promise<void> {
    if (!resumeChecked) {
      resumeChecked = true;
      for (const job of await repo.runningSelections(db)) {
        if (stopped) return;
        await runJob(job.place_id, job.id);
      }
    }
    while (!stopped) {
      const job = await repo.nextQueued(db);
      if (!job) return;
      if (await repo.claimQueued(db, job.place_id, job.id)) await runJob(job.place_id, job.id);
    }
  }

  function runPending(): Promise<void> {
    const run = chain.then(drain);
    chain = run.catch((error) => log.error({ err: error }, 'Assembly selection runner failed'));
    return run;
  }

  return {
    runPending,
    async runNow(placeId, selectionId) {
      const run = chain.then(async () => {
        if (await repo.claimQueued(db, placeId, selectionId)) await runJob(placeId, selectionId, true);
      });
      chain = run.catch(() => {});
      return run;
    },
    wake() {
      if (started && !stopped) runPending().catch(() => {});
    },
    start() {
      if (started) return;
      started = true;
      timer = setInterval(() => this.wake(), deps.intervalMs ?? 5_000);
      timer.unref();
      setImmediate(() => this.wake());
    },
    cancelled(selectionId) {
      if (current?.id === selectionId) interrupt('cancelled');
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      interrupt('stopped');
      await chain;
    },
  };
}

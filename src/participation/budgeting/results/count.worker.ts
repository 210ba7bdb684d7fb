import { parentPort } from 'node:worker_threads';
import type { SectionElection } from '../ballots/election.ts';
import type { RuleName } from '../tally.ts';
import { countRule, type RuleResult } from './count.ts';

/**
 * The counting thread. A step (a section under one rule, with every losing project explained) can take
 * many seconds on a large election; here it does not hold up the server's event loop, nor PGlite, which
 * answers every query on the main thread. The job (results.jobs.ts) sends a section once and then one
 * rule at a time, and reads the ballots and saves the results itself: this thread does no I/O.
 */

/** Ways a step can be made to fail, for the tests of what the job does when a count goes wrong. */
export type StepFault = 'throw' | 'exit' | 'spin';

export type StepRequest =
  | {
      readonly kind: 'count';
      readonly id: number;
      readonly rule: RuleName;
      /** The section to count, or null to count the one sent last again (under another rule). */
      readonly election: SectionElection | null;
      readonly fault?: StepFault;
    }
  /** Lets go of the section sent last, while the thread waits for the next count. */
  | { readonly kind: 'forget' };

export type StepReply =
  | { readonly id: number; readonly ok: true; readonly result: RuleResult }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly stack?: string };

const port = parentPort;
if (!port) throw new Error('count.worker.ts runs only as a worker thread');

let current: SectionElection | null = null;

function injectFault(fault: StepFault): void {
  if (fault === 'throw') throw new Error('Injected test fault: the step threw');
  // Ends this thread only, as a crash would, with a code the job reports.
  if (fault === 'exit') process.exit(70);
  // A step that never ends: only terminating the thread stops it.
  for (;;) {
    Math.sqrt(Math.random());
  }
}

port.on('message', (request: StepRequest) => {
  if (request.kind === 'forget') {
    current = null;
    return;
  }
  if (request.election) current = request.election;
  let reply: StepReply;
  try {
    if (request.fault) injectFault(request.fault);
    if (!current) throw new Error('No section was sent to count');
    reply = { id: request.id, ok: true, result: countRule(current, request.rule) };
  } catch (error) {
    reply =
      error instanceof Error
        ? { id: request.id, ok: false, error: error.message, ...(error.stack ? { stack: error.stack } : {}) }
        : { id: request.id, ok: false, error: String(error) };
  }
  port.postMessage(reply);
});

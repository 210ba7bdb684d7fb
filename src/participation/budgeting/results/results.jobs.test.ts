import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../../testing/harness.ts';
import type { CountResult } from './count.ts';
import { type BudgetSetup, handCountedElection, officerActor } from './results.fixtures.ts';
import { type CountRunner, type CountRunnerDeps, createCountRunner } from './results.jobs.ts';
import { createResultsService } from './results.service.ts';

let t: TestApp;
let setup: BudgetSetup;

before(async () => {
  t = await buildTestApp();
  const place = await t.createPlace('riverside', 'Riverside');
  const processId = await t.createProcess({ placeId: place.id });
  const officerId = await t.createUser({
    email: 'officer@example.test',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  setup = { place, processId, officerId };
});
after(async () => {
  await t.close();
});

async function countRow(id: string) {
  return t.database.db.selectFrom('budget_counts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function requestCount(title: string) {
  const s = { ...setup, title };
  const election = await handCountedElection(t, s);
  const countId = await t.services.budgetResults.requestCount(
    officerActor(setup.officerId, setup.place.id),
    setup.place,
    election.budgetId,
  );
  return { ...election, countId };
}

/** Everything a finished count found, with project ids replaced by titles so that two budgets compare. */
function byTitle(result: unknown): unknown {
  const r = result as CountResult;
  let text = JSON.stringify({ ...r, fingerprint: undefined });
  for (const s of r.sections) for (const p of s.projects) text = text.replaceAll(p.id, p.title);
  return JSON.parse(text);
}

describe('the count runner', () => {
  it('records progress after every step, one section under one rule at a time', async () => {
    const { countId } = await requestCount('Progress');
    const seen: [number, string, number][] = [];
    const runner = createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: async (id, done) => {
        const row = await countRow(id);
        seen.push([done, row.status, Object.keys((row.result as CountResult).sections[0]!.rules).length]);
      },
    });
    await runner.runPending();
    assert.deepEqual(seen, [
      [1, 'running', 1],
      [2, 'running', 2],
      [3, 'running', 3],
      [4, 'running', 4],
      [5, 'running', 5],
      [6, 'running', 6],
      [7, 'done', 7],
    ]);
    const row = await countRow(countId);
    assert.equal(row.steps_done, 7);
    assert.ok(row.started_at && row.finished_at);
  });

  it('yields to the event loop between steps, so other work runs during a count', async () => {
    await requestCount('Responsive');
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
    }, 0);
    const steps: number[] = [];
    const runner = createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: (_id, done) => {
        steps.push(ticks);
        if (done === 7) clearInterval(interval);
      },
    });
    await runner.runPending();
    clearInterval(interval);
    // Timers fired while the count was going on, not only after it.
    assert.ok(steps.at(-1)! > steps[0]!, `timers ran between steps: ${steps.join(', ')}`);
  });

  it('resumes a count left running by a process that stopped, where it was', async () => {
    const { countId } = await requestCount('Restart');
    // The first process counts three steps, then stops (as at a shutdown) with the count still running.
    const first: CountRunner = createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: async (_id, done) => {
        if (done === 3) await Promise.resolve(void first.stop());
      },
    });
    await first.runPending();
    let row = await countRow(countId);
    assert.equal(row.status, 'running');
    assert.equal(row.steps_done, 3);

    // A new process's runner takes it up from step 4, not from the start.
    const resumedFrom: number[] = [];
    const second = createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: (_id, done) => {
        resumedFrom.push(done);
      },
    });
    await second.runPending();
    assert.deepEqual(resumedFrom, [4, 5, 6, 7]);
    row = await countRow(countId);
    assert.equal(row.status, 'done');
    assert.equal(row.steps_done, 7);

    // The same result as a count that was never interrupted.
    const { countId: fresh } = await requestCount('Uninterrupted');
    await t.services.budgetResults.runner.runPending();
    assert.deepEqual(byTitle(row.result), byTitle((await countRow(fresh)).result));
  });

  it('picks up a count marked running with nothing saved, and starts it afresh', async () => {
    const { countId, A, C } = await requestCount('Marked running');
    await t.database.db
      .updateTable('budget_counts')
      .set({ status: 'running' })
      .where('id', '=', countId)
      .execute();
    // The app's own runner has already looked for abandoned counts; a new one (a restart) does.
    await createCountRunner({ db: t.database.db, budgets: t.services.budgets }).runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'done');
    const result = row.result as CountResult;
    assert.deepEqual(result.sections[0]!.rules.mes_cost?.winners, [A, C]);
  });

  it('starts again from the first step when the ballots changed while it was stopped', async () => {
    const { countId, budgetId, B } = await requestCount('Changed');
    const first: CountRunner = createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: async (_id, done) => {
        if (done === 2) await Promise.resolve(void first.stop());
      },
    });
    await first.runPending();
    const before = (await countRow(countId)).result as CountResult;
    // Meanwhile someone's vote moves from nothing to B: an extra imported ballot.
    await t.database.db.transaction().execute(async (tx) => {
      const { saveBallot } = await import('../ballots/ballots.repository.ts');
      await saveBallot(tx, {
        placeId: setup.place.id,
        budgetId,
        districtId: null,
        channel: 'imported',
        items: [{ projectId: B }],
      });
    });
    const steps: number[] = [];
    await createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: (_id, done) => {
        steps.push(done);
      },
    }).runPending();
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7]);
    const after = (await countRow(countId)).result as CountResult;
    assert.notEqual(after.fingerprint, before.fingerprint);
    assert.equal(after.sections[0]!.ballots.total, 11);
  });

  it('when started, counts in the background without being asked, and stops cleanly', async () => {
    const runner = createCountRunner({ db: t.database.db, budgets: t.services.budgets, intervalMs: 20 });
    runner.start();
    const { countId } = await requestCount('Background');
    let row = await countRow(countId);
    for (let i = 0; i < 200 && row.status !== 'done'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      row = await countRow(countId);
    }
    await runner.stop();
    assert.equal(row.status, 'done');
    assert.equal(row.steps_done, 7);
  });

  it('stops a cancelled count at the next step and keeps nothing more', async () => {
    const { countId } = await requestCount('Cancelled mid-way');
    const runner = createCountRunner({
      db: t.database.db,
      budgets: t.services.budgets,
      afterStep: async (id, done) => {
        if (done === 2) {
          await t.services.budgetResults.cancelCount(
            officerActor(setup.officerId, setup.place.id),
            setup.place,
            (await countRow(id)).budget_id,
            id,
          );
        }
      },
    });
    await runner.runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'cancelled');
    assert.equal(row.steps_done, 2);
  });
});

/**
 * A closed approval election with many different ballots, written as a .pb file: large enough that a
 * step under Equal Shares, with every losing project explained, takes a good fraction of a second.
 * The numbers come from a fixed sequence, so every run counts the same election.
 */
function generatedElection(voters: number, projects: number): string {
  const lines = [
    'META',
    'key;value',
    'description;Generated Testville budget',
    'country;United Kingdom',
    'unit;Testville',
    'instance;2025',
    `num_projects;${projects}`,
    `num_votes;${voters}`,
    'budget;1000000',
    'vote_type;approval',
    'rule;equalshares',
    'date_begin;2025-01-01',
    'date_end;2025-01-31',
    'currency;GBP',
    'PROJECTS',
    'project_id;cost;name',
  ];
  for (let p = 1; p <= projects; p++) lines.push(`${p};${20_000 + ((p * 7919) % 13) * 10_000};Project ${p}`);
  lines.push('VOTES', 'voter_id;vote');
  let seed = 12_345;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed;
  };
  for (let v = 1; v <= voters; v++) {
    const chosen = new Set<number>();
    const size = 1 + (next() % 5);
    // Low-numbered projects are chosen more often, so that supporters overlap as in real elections.
    while (chosen.size < size) chosen.add(1 + Math.floor(((next() % 1000) / 1000) ** 1.5 * projects));
    lines.push(`${v};${[...chosen].join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

const officer = () => officerActor(setup.officerId, setup.place.id);

async function cancelThroughService(countId: string, service = t.services.budgetResults) {
  const row = await countRow(countId);
  await service.cancelCount(officer(), setup.place, row.budget_id, countId);
}

describe('counting on a worker thread', () => {
  // Every runner is stopped at the end, so that a step left spinning by a failed test ends with the file.
  const runners: CountRunner[] = [];
  function runnerFor(deps: CountRunnerDeps): CountRunner {
    const runner = createCountRunner(deps);
    runners.push(runner);
    return runner;
  }
  after(async () => {
    await Promise.all(runners.map((r) => r.stop()));
  });

  it('keeps the main thread free while a long step is counted', { timeout: 300_000 }, async () => {
    const proc = await t.services.processes.getProcess(setup.place, setup.processId);
    const imported = await t.services.transfer.importPb(officer(), setup.place, proc, {
      filename: 'testville.pb',
      bytes: Buffer.from(generatedElection(1_500, 30)),
    });
    const countId = await t.services.budgetResults.requestCount(officer(), setup.place, imported.budgetId);

    // A timer on the main thread. Were a step counted on this thread, between the moment it starts and the
    // moment its result is there nothing else could run, and this would not tick at all.
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
    }, 1);
    const during: { step: number; ticks: number; ms: number }[] = [];
    let startedAt = { ticks: 0, ms: 0 };
    const runner = runnerFor({
      db: t.database.db,
      budgets: t.services.budgets,
      stepStarted: () => {
        startedAt = { ticks, ms: performance.now() };
      },
      stepComputed: (_id, step) => {
        during.push({
          step,
          ticks: ticks - startedAt.ticks,
          ms: Math.round(performance.now() - startedAt.ms),
        });
      },
    });
    try {
      await runner.runPending();
    } finally {
      clearInterval(interval);
    }
    const row = await countRow(countId);
    assert.equal(row.status, 'done');
    assert.equal(row.steps_done, 7);
    assert.equal((row.result as CountResult).sections[0]!.ballots.total, 1_500);
    const longest = during.reduce((a, b) => (b.ms > a.ms ? b : a));
    const report = during.map((d) => `step ${d.step}: ${d.ticks} ticks in ${d.ms} ms`).join('; ');
    assert.ok(longest.ticks >= 5, `the timer ran during the longest step: ${report}`);
  });

  it('marks a count failed, with the step and the reason, when the step throws; the next count runs', async () => {
    const { countId } = await requestCount('Throws');
    const runner = runnerFor({
      db: t.database.db,
      budgets: t.services.budgets,
      faultForTests: (id, step) => (id === countId && step === 2 ? 'throw' : undefined),
      log: { error() {} },
    });
    await runner.runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'failed');
    assert.equal(row.steps_done, 1);
    assert.equal(
      row.error,
      'Counting “The whole area” under “Equal shares, by cost (recommended)” failed: Injected test fault: the step threw',
    );
    assert.ok(row.finished_at);

    const { countId: next } = await requestCount('After a throw');
    await runner.runPending();
    assert.equal((await countRow(next)).status, 'done');
  });

  it('marks a count failed when the counting thread dies, and counts the next on a new thread', async () => {
    const { countId } = await requestCount('Thread dies');
    const logged: string[] = [];
    const runner = runnerFor({
      db: t.database.db,
      budgets: t.services.budgets,
      faultForTests: (id, step) => (id === countId && step === 1 ? 'exit' : undefined),
      log: { error: (_details, message) => logged.push(message) },
    });
    await runner.runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'failed');
    assert.equal(row.steps_done, 0);
    assert.equal(
      row.error,
      'Counting “The whole area” under “Equal shares, by cost, without sharing leftovers” failed: the counting thread stopped unexpectedly (exit code 70)',
    );
    assert.deepEqual(logged, ['Budget count failed']);

    const { countId: next } = await requestCount('After a crash');
    await runner.runPending();
    const nextRow = await countRow(next);
    assert.equal(nextRow.status, 'done');
    assert.equal(nextRow.steps_done, 7);
  });

  it('ends a step at once when its count is cancelled, without waiting for the step to finish', {
    timeout: 120_000,
  }, async () => {
    let countId = '';
    let cancelling: Promise<void> | undefined;
    // Its own results service, whose runner counts step 2 forever: only ending the thread can stop it.
    const service = createResultsService({
      db: t.database.db,
      budgets: t.services.budgets,
      runner: {
        // Longer than the test may take: the service itself must end the step.
        cancelCheckMs: 3_600_000,
        faultForTests: (id, step) => (id === countId && step === 2 ? 'spin' : undefined),
        stepStarted: (id, step) => {
          if (id === countId && step === 2) cancelling = cancelThroughService(id, service);
        },
      },
    });
    runners.push(service.runner);
    const election = await handCountedElection(t, { ...setup, title: 'Cancelled mid-step' });
    countId = await service.requestCount(officer(), setup.place, election.budgetId);
    await service.runner.runPending();
    await cancelling;
    const row = await countRow(countId);
    assert.equal(row.status, 'cancelled');
    assert.equal(row.steps_done, 1);
  });

  it('notices a count cancelled elsewhere while a step runs, and ends the step', {
    timeout: 120_000,
  }, async () => {
    const { countId } = await requestCount('Cancelled elsewhere');
    const runner = runnerFor({
      db: t.database.db,
      budgets: t.services.budgets,
      cancelCheckMs: 20,
      faultForTests: (id, step) => (id === countId && step === 3 ? 'spin' : undefined),
      stepStarted: (id, step) => {
        // The app's own service cancels it: this runner is told only through the database.
        if (step === 3) void cancelThroughService(id);
      },
    });
    await runner.runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'cancelled');
    assert.equal(row.steps_done, 2);
  });

  it('stops at once in the middle of a step; the next runner redoes that step only', {
    timeout: 120_000,
  }, async () => {
    const { countId } = await requestCount('Stopped mid-step');
    let stopping: Promise<void> | undefined;
    const first: CountRunner = runnerFor({
      db: t.database.db,
      budgets: t.services.budgets,
      faultForTests: (id, step) => (id === countId && step === 3 ? 'spin' : undefined),
      stepStarted: (id, step) => {
        // While the step runs (it never ends), as at a shutdown.
        if (id === countId && step === 3) {
          setTimeout(() => {
            stopping = first.stop();
          }, 50);
        }
      },
    });
    await first.runPending();
    await stopping;
    let row = await countRow(countId);
    assert.equal(row.status, 'running');
    assert.equal(row.steps_done, 2);

    const steps: number[] = [];
    await runnerFor({
      db: t.database.db,
      budgets: t.services.budgets,
      stepStarted: (_id, step) => {
        steps.push(step);
      },
    }).runPending();
    assert.deepEqual(steps, [3, 4, 5, 6, 7]);
    row = await countRow(countId);
    assert.equal(row.status, 'done');
  });
});

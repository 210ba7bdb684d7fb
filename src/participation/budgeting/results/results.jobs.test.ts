import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../../testing/harness.ts';
import type { CountResult } from './count.ts';
import { type BudgetSetup, handCountedElection, officerActor } from './results.fixtures.ts';
import { type CountRunner, createCountRunner } from './results.jobs.ts';

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

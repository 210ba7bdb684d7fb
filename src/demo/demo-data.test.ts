import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../testing/agent.ts';
import { buildTestApp, type TestApp } from '../testing/harness.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoData } from './demo-data.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
  assert.equal(await seedDemoData({ db: t.database.db, ...t.services }), true);
});
after(async () => {
  await t.close();
});

describe('the demo data', () => {
  it('is added once only', async () => {
    assert.equal(await seedDemoData({ db: t.database.db, ...t.services }), false);
  });

  it('has an account for every role that can sign in with the documented password', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const agent = new Agent(t.app);
      const response = await agent.submit('/sign-in', { email: account.email, password: DEMO_PASSWORD });
      assert.equal(response.statusCode, 303, account.email);
    }
    const roles = await t.database.db.selectFrom('place_roles').select('role').distinct().execute();
    assert.deepEqual(roles.map((r) => r.role).sort(), [
      'analyst',
      'link_worker',
      'moderator',
      'officer',
      'organisation_member',
      'place_admin',
      'resident',
      'valuator',
    ]);
  });

  it('has an active process with proposals, supports, answers and threaded comments', async () => {
    const agent = new Agent(t.app);
    const list = await agent.get('/places/riverside/processes');
    assert.match(list.body, /Riverside Green Streets 2027/);
    const proposals = await t.database.db
      .selectFrom('proposals')
      .select(['support_count', 'answer', 'comment_count'])
      .execute();
    assert.ok(proposals.length >= 10);
    assert.ok(proposals.some((p) => p.support_count >= 10));
    assert.ok(proposals.some((p) => p.answer === 'accepted'));
    const deepest = await t.database.db
      .selectFrom('comments')
      .select((eb) => eb.fn.max('depth').as('d'))
      .executeTakeFirstOrThrow();
    assert.ok(Number(deepest.d) >= 2);
  });

  it('has a budget open for voting and a published one with ballots from every channel', async () => {
    const db = t.database.db;
    const budgets = await db.selectFrom('budgets').select(['id', 'title']).orderBy('title').execute();
    const closed = budgets.find((b) => b.title === 'Youth Fund 2026')!;
    const open = budgets.find((b) => b.title === 'Community Fund 2027')!;
    const channels = await db
      .selectFrom('ballots')
      .select(['channel', db.fn.countAll<string>().as('n')])
      .where('budget_id', '=', closed.id)
      .groupBy('channel')
      .execute();
    assert.deepEqual(Object.fromEntries(channels.map((c) => [c.channel, Number(c.n)])), {
      online: 16,
      code: 60,
      paper: 25,
    });
    const agent = new Agent(t.app);
    const results = await agent.get(`/places/riverside/budgets/${closed.id}/results`);
    assert.equal(results.statusCode, 200);
    assert.match(results.body, /Youth club kitchen/);
    const winners = await db
      .selectFrom('decisions')
      .select('title')
      .where('source_type', '=', 'budget_project')
      .execute();
    assert.ok(winners.length >= 2, 'the published winners are decisions to track');
    const resident = new Agent(t.app);
    await resident.submit('/sign-in', { email: 'resident@riverside.example', password: DEMO_PASSWORD });
    const ballot = await resident.get(`/places/riverside/budgets/${open.id}/ballot`);
    assert.equal(ballot.statusCode, 200);
    assert.match(ballot.body, /Choose your district|Northbank/);
  });
});

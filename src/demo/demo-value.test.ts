import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../testing/agent.ts';
import { buildTestApp, type TestApp } from '../testing/harness.ts';
import { DEMO_PASSWORD, seedDemoData } from './demo-data.ts';
import { financialYearOf } from './demo-value.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
  assert.equal(await seedDemoData({ db: t.database.db, ...t.services }), true);
});
after(async () => {
  await t.close();
});

describe('the demo value for money', () => {
  it('has an illustrative unit-cost table, labelled as such on every row', async () => {
    const rows = await t.database.db.selectFrom('value_unit_costs').select(['source', 'notes']).execute();
    assert.equal(rows.length, 3);
    for (const row of rows) assert.match(row.source, /^ILLUSTRATIVE/);
  });

  it('costs the demo programme this financial year and values its wellbeing outcome', async () => {
    const agent = new Agent(t.app);
    const signIn = await agent.submit('/sign-in', {
      email: 'analyst@riverside.example',
      password: DEMO_PASSWORD,
    });
    assert.equal(signIn.statusCode, 303);
    const index = await agent.get('/places/riverside/value');
    const summaryHref = index.body.match(
      /href="(\/places\/riverside\/value\/programmes\/[^"/]+\/summary)"/,
    )?.[1];
    assert.ok(summaryHref, 'a summary link for the demo programme');
    const summary = await agent.get(summaryHref);
    assert.equal(summary.statusCode, 200);
    assert.match(summary.body, /£132,300\.00/);
    assert.match(summary.body, /Improved emotional wellbeing/);
  });
});

describe('financialYearOf', () => {
  it('runs from April to March', () => {
    assert.deepEqual(financialYearOf('2026-11-28'), { from: '2026-04-01', to: '2027-03-31' });
    assert.deepEqual(financialYearOf('2027-03-31'), { from: '2026-04-01', to: '2027-03-31' });
    assert.deepEqual(financialYearOf('2027-04-01'), { from: '2027-04-01', to: '2028-03-31' });
  });
});

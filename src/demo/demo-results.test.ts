import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../testing/agent.ts';
import { buildTestApp, type TestApp } from '../testing/harness.ts';
import { seedDemoData } from './demo-data.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
  await seedDemoData({ db: t.database.db, ...t.services });
});
after(async () => {
  await t.close();
});

describe('the demo results', () => {
  it('has one result done, a programme in progress with parts, and one dropped with a reason', async () => {
    const rows = await t.database.db
      .selectFrom('decisions')
      .select(['id', 'title', 'status', 'parent_id', 'drop_reason', 'source_type'])
      .execute();
    assert.ok(rows.some((r) => r.status === 'done' && r.source_type === 'budget_project'));
    const programme = rows.find((r) => r.source_type === 'manual');
    assert.equal(programme?.status, 'in_progress');
    assert.ok(rows.filter((r) => r.parent_id === programme?.id).length >= 2);
    const dropped = rows.find((r) => r.status === 'dropped');
    assert.match(dropped?.drop_reason ?? '', /regional transport authority/);
    const page = await new Agent(t.app).get(`/places/riverside/results/${programme!.id}`);
    assert.match(page.body, /% done \(from its parts\)/);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';
import { keepDecision, withdrawDecision } from './decisions.ts';

describe('taking a decision back', () => {
  let t: TestApp;
  let placeId: string;

  before(async () => {
    t = await buildTestApp();
    placeId = (await t.createPlace('decision-town')).id;
  });
  after(() => t.close());

  const source = () => ({ placeId, sourceType: 'proposal' as const, sourceId: randomUUID() });
  const inTx = <T>(work: (tx: Transaction<DB>) => Promise<T>) => t.database.db.transaction().execute(work);
  const find = (s: { sourceId: string }) =>
    t.database.db
      .selectFrom('decisions')
      .select(['id', 'status', 'drop_reason', 'progress'])
      .where('source_id', '=', s.sourceId)
      .executeTakeFirst();

  it('removes a result nobody has worked on yet', async () => {
    const s = source();
    await inTx((tx) => keepDecision(tx, { ...s, processId: null, title: 'A bench by the river' }));
    assert.ok(await find(s));
    assert.equal(await inTx((tx) => withdrawDecision(tx, { ...s, reason: 'answered again' })), 'removed');
    assert.equal(await find(s), undefined);
    assert.equal(await inTx((tx) => withdrawDecision(tx, { ...s, reason: 'answered again' })), 'none');
  });

  it('keeps a result with updates, marked dropped with the reason, and takes it up again if re-decided', async () => {
    const s = source();
    await inTx((tx) => keepDecision(tx, { ...s, processId: null, title: 'Lights on the towpath' }));
    const decision = (await find(s))!;
    await t.database.db
      .updateTable('decisions')
      .set({ status: 'in_progress', progress: 40 })
      .where('id', '=', decision.id)
      .execute();
    await t.database.db
      .insertInto('result_updates')
      .values({
        place_id: placeId,
        decision_id: decision.id,
        body: 'Cables laid',
        status: 'in_progress',
        progress: 40,
      })
      .execute();

    assert.equal(
      await inTx((tx) => withdrawDecision(tx, { ...s, reason: 'not accepted after all' })),
      'dropped',
    );
    const dropped = (await find(s))!;
    assert.equal(dropped.status, 'dropped');
    assert.equal(dropped.drop_reason, 'Decision withdrawn: not accepted after all');

    await inTx((tx) => keepDecision(tx, { ...s, processId: null, title: 'Lights on the towpath' }));
    const again = (await find(s))!;
    assert.equal(again.status, 'in_progress');
    assert.equal(again.drop_reason, null);
    assert.equal(again.progress, 40);
  });

  it('leaves a result an officer dropped for another reason dropped when its decision is renamed', async () => {
    const s = source();
    await inTx((tx) => keepDecision(tx, { ...s, processId: null, title: 'A new footbridge' }));
    await t.database.db
      .updateTable('decisions')
      .set({ status: 'dropped', drop_reason: 'The river authority refused consent' })
      .where('source_id', '=', s.sourceId)
      .execute();
    await inTx((tx) => keepDecision(tx, { ...s, processId: null, title: 'A new footbridge (renamed)' }));
    const row = (await find(s))!;
    assert.equal(row.status, 'dropped');
    assert.equal(row.drop_reason, 'The river authority refused consent');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase } from '../../testing/harness.ts';
import type { DatabaseHandle } from './database.ts';

let handle: DatabaseHandle;
before(async () => {
  handle = await freshDatabase();
});
after(async () => {
  await handle.close();
});

describe('concurrent use of the database', () => {
  it('never lets a query see another request’s uncommitted transaction', async () => {
    const db = handle.db;
    const rolledBack = db
      .transaction()
      .execute(async (tx) => {
        await tx
          .insertInto('places')
          .values({ slug: 'uncommitted', name: 'U', summary: '', contact_email: null })
          .execute();
        await sleep(50);
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await sleep(10);
    const seen = await db.selectFrom('places').select('slug').where('slug', '=', 'uncommitted').execute();
    assert.equal(await rolledBack, 'rolled back');
    assert.deepEqual(seen, []);
  });

  it('runs many concurrent transactions without losing one', async () => {
    const db = handle.db;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction().execute(async (tx) => {
          await tx
            .insertInto('places')
            .values({ slug: `p-${i}`, name: `P${i}`, summary: '', contact_email: null })
            .execute();
        }),
      ),
    );
    const rows = await db.selectFrom('places').select('slug').where('slug', 'like', 'p-%').execute();
    assert.equal(rows.length, 20);
  });
});

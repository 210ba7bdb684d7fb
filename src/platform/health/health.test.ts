import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp({ COMMIT_SHA: 'abc1234' });
});
after(async () => {
  await t.close();
});

describe('health endpoints', () => {
  it('GET /ping answers pong without a session cookie', async () => {
    const response = await t.app.inject('/ping');
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, 'pong');
    assert.equal(response.headers['set-cookie'], undefined);
  });

  it('GET /info gives the version and commit', async () => {
    const response = await t.app.inject('/info');
    assert.deepEqual(response.json(), {
      name: 'commonweal',
      version: '0.0.0',
      commit: 'abc1234',
      database: t.database.kind,
    });
  });

  it('GET /health checks the database, and answers 503 when it fails', async () => {
    const ok = await t.app.inject('/health');
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().checks.database, 'ok');
    await t.database.db.destroy();
    const down = await t.app.inject('/health');
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), { status: 'unavailable', checks: { database: 'failing' } });
  });
});

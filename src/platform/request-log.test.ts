import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { OneLinePerRequest } from './request-log.ts';

/** A Fastify app logging as Commonweal's does, into an array of parsed lines. */
async function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = Fastify({ logger: { level: 'info', stream }, logController: new OneLinePerRequest() });
  app.get('/hello', async () => 'hello');
  app.get('/broken', async () => {
    throw new Error('it broke');
  });
  await app.ready();
  return { app, lines };
}

describe('the request log', () => {
  it('writes one line per request, when it is answered, with what was asked and the answer', async () => {
    const { app, lines } = await appWithLog();
    const response = await app.inject('/hello?from=log-test');
    assert.equal(response.statusCode, 200);
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(
      [(line.req as { method: string }).method, (line.req as { url: string }).url],
      ['GET', '/hello?from=log-test'],
    );
    assert.equal((line.res as { statusCode: number }).statusCode, 200);
    assert.equal(typeof line.responseTime, 'number');
    await app.close();
  });

  it('still logs an error as Fastify does', async () => {
    const { app, lines } = await appWithLog();
    const response = await app.inject('/broken');
    assert.equal(response.statusCode, 500);
    assert.ok(lines.some((l) => (l.err as { message?: string } | undefined)?.message === 'it broke'));
    assert.ok(!lines.some((l) => l.msg === 'incoming request'));
    await app.close();
  });
});

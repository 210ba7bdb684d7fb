import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServerProcess, startServer } from '../testing/server-process.ts';

let server: ServerProcess;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cw-log-'));
  server = await startServer({ DATA_DIR: dataDir });
});

after(async () => {
  await server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the request log of a running server', () => {
  it('writes one line per request, when it is answered, with what was asked and the answer', async () => {
    const before = server.output().split('\n').length;
    const response = await fetch(`${server.baseUrl}/places/no-such-place?from=log-test`);
    assert.equal(response.status, 404);
    await response.text();
    // The line is written as the answer is sent; give the pipe a moment.
    let lines: Record<string, unknown>[] = [];
    for (let i = 0; i < 50 && lines.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      lines = server
        .output()
        .split('\n')
        .slice(before - 1)
        .filter((l) => l.includes('log-test'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    }
    assert.equal(lines.length, 1, 'one line for the request');
    const line = lines[0]!;
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(
      [(line.req as { method: string }).method, (line.req as { url: string }).url],
      ['GET', '/places/no-such-place?from=log-test'],
    );
    assert.equal((line.res as { statusCode: number }).statusCode, 404);
    assert.equal(typeof line.responseTime, 'number');
    assert.ok(!server.output().includes('incoming request'));
  });
});

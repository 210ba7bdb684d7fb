import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../../platform/db/database.ts';
import { csrfTokenIn } from '../../../testing/agent.ts';
import { startServer } from '../../../testing/server-process.ts';
import { seedOpenBudget, type VotingFixture } from '../../../testing/voting-fixture.ts';

/**
 * A ballot that got a success response must survive a crash. The real server runs as its own process;
 * signed-in voters stream ballots at it, four at a time, and it is killed with SIGKILL mid-stream — no
 * shutdown hooks, nothing flushed on the way out. Every acknowledged ballot must then be in the
 * database with exactly the projects chosen. On PGlite (the data folder) or, with TEST_DATABASE_URL,
 * on a PostgreSQL server.
 */

const VOTERS = 120;
const KILL_AFTER_ACKS = 40;

function cookiesFrom(response: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return jar;
}

interface Target {
  /** Server environment for the database. */
  env: Record<string, string>;
  open: () => ReturnType<typeof openDatabase>;
  cleanUp: () => Promise<void>;
}

async function prepareTarget(): Promise<Target> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-durability-'));
    return {
      env: { DATA_DIR: dataDir },
      open: () => openDatabase({ dataDir: join(dataDir, 'db') }),
      cleanUp: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `cw_durability_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), DATA_DIR: mkdtempSync(join(tmpdir(), 'cw-durability-')) },
    open: () => openDatabase({ url: url.toString() }),
    cleanUp: async () => {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

describe('ballot durability', () => {
  it('keeps every acknowledged ballot when the server is killed mid-stream', async () => {
    const target = await prepareTarget();
    try {
      let fixture: VotingFixture;
      {
        const handle = await target.open();
        await migrateToLatest(handle.db);
        fixture = await seedOpenBudget(handle.db, { voters: VOTERS });
        await handle.close();
      }
      const server = await startServer(target.env);
      const ballotUrl = `${server.baseUrl}/places/${fixture.slug}/budgets/${fixture.budgetId}/ballot`;
      const acknowledged = new Map<string, string[]>();
      let failed = 0;
      try {
        // Each voter opens the ballot first, as a browser would, for its CSRF token and cookie.
        const ready = await Promise.all(
          fixture.voters.map(async (voter, i) => {
            const page = await fetch(ballotUrl, { headers: { cookie: `cw_session=${voter.session}` } });
            assert.equal(page.status, 200, `the ballot page opens for voter ${i}`);
            const jar = cookiesFrom(page);
            jar.set('cw_session', voter.session);
            const p = fixture.projectIds;
            return {
              voterId: voter.id,
              cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
              token: csrfTokenIn(await page.text()),
              projects: [p[i % p.length]!, p[(i + 2) % p.length]!],
            };
          }),
        );
        let next = 0;
        let killing: Promise<void> | undefined;
        const worker = async () => {
          while (next < ready.length && !killing) {
            const voter = ready[next++]!;
            const body = new URLSearchParams({ _csrf: voter.token, intent: 'cast' });
            for (const id of voter.projects) body.append('projects', id);
            try {
              const response = await fetch(ballotUrl, {
                method: 'POST',
                redirect: 'manual',
                headers: { cookie: voter.cookie, 'content-type': 'application/x-www-form-urlencoded' },
                body,
              });
              await response.arrayBuffer();
              if (response.status === 303 && response.headers.get('location')?.endsWith('/ballot/recorded')) {
                acknowledged.set(voter.voterId, voter.projects);
                if (acknowledged.size === KILL_AFTER_ACKS) killing = server.kill('SIGKILL');
              } else {
                assert.fail(`Unexpected answer ${response.status} before the crash`);
              }
            } catch (error) {
              if (error instanceof assert.AssertionError) throw error;
              failed += 1; // The connection died with the server: not acknowledged.
            }
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        await killing;
      } finally {
        await server.kill('SIGKILL');
      }
      assert.ok(acknowledged.size >= KILL_AFTER_ACKS, 'the stream got going before the crash');
      assert.ok(server.child.signalCode === 'SIGKILL', 'the server was killed, not stopped');

      // Open the database as the restarted server would (a PGlite lock left by a dead process is taken over).
      const handle = await target.open();
      try {
        const rows = await handle.db
          .selectFrom('ballots')
          .innerJoin('ballot_items', 'ballot_items.ballot_id', 'ballots.id')
          .select(['ballots.voter_id', 'ballot_items.project_id'])
          .where('ballots.budget_id', '=', fixture.budgetId)
          .execute();
        const stored = new Map<string, string[]>();
        for (const r of rows) stored.set(r.voter_id!, [...(stored.get(r.voter_id!) ?? []), r.project_id]);
        for (const [voterId, projects] of acknowledged) {
          assert.deepEqual(
            stored.get(voterId)?.sort(),
            [...projects].sort(),
            `acknowledged ballot of ${voterId}`,
          );
        }
        // Anything stored beyond the acknowledged ones was committed as the connection died: still whole.
        for (const [voterId, projects] of stored)
          assert.equal(projects.length, 2, `ballot of ${voterId} is whole`);
      } finally {
        await handle.close();
      }
      // Keep the figure visible in the test output.
      console.log(`durability: ${acknowledged.size} acknowledged, ${failed} cut off by the crash`);
    } finally {
      await target.cleanUp();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { saveBallot } from '../src/participation/budgeting/ballots/ballots.repository.ts';
import { recordAudit } from '../src/platform/audit/audit.service.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/database.ts';
import { csrfTokenIn } from '../src/testing/agent.ts';
import { startServer } from '../src/testing/server-process.ts';
import { seedOpenBudget } from '../src/testing/voting-fixture.ts';

/**
 * Ballots per second over HTTP, against PostgreSQL, beside the raw database rate measured in the same run.
 *
 * Raw: the transaction a ballot costs the database — upsert the ballot, write its items, write the audit
 * event — sent straight through a connection pool. HTTP: signed-in voters posting the ballot form to the
 * real server in its own process (session, CSRF check, validation against the budget's rules, eligibility,
 * the same transaction, redirect), posted with node:http's keep-alive client, the lightest load generator
 * on a machine whose cores the server and the database share. Both with the same concurrency. The last
 * line is JSON.
 * Target: HTTP at least half the raw rate.
 */
const BALLOTS = Number(process.env.BENCH_BALLOTS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
/** Posts a form with a plain keep-alive HTTP client, the lightest on the machine's shared CPU. */
function post(url: string, cookie: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** Runs `work` for items 0..n-1 with `CONCURRENCY` in flight; returns the rate and latencies. */
async function measure(n: number, work: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await work(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: n / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

async function main() {
  const name = `cw_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-bench-'));
  const handle = await openDatabase({ url: url.toString() });
  try {
    await migrateToLatest(handle.db);
    const rawTown = await seedOpenBudget(handle.db, { voters: BALLOTS, slug: 'raw-town' });
    const httpTown = await seedOpenBudget(handle.db, { voters: BALLOTS, slug: 'http-town' });
    const choose = (projects: string[], i: number) => [
      projects[i % projects.length]!,
      projects[(i + 3) % projects.length]!,
    ];

    const raw = await measure(BALLOTS, async (i) => {
      const voter = rawTown.voters[i]!;
      await handle.db.transaction().execute(async (tx) => {
        await saveBallot(tx, {
          placeId: rawTown.placeId,
          budgetId: rawTown.budgetId,
          districtId: null,
          channel: 'online',
          voterId: voter.id,
          items: choose(rawTown.projectIds, i).map((projectId) => ({ projectId })),
        });
        await recordAudit(
          tx,
          { user: null, requestId: `bench-${i}` },
          {
            action: 'ballot.cast',
            subjectType: 'budget',
            subjectId: rawTown.budgetId,
            placeId: rawTown.placeId,
            actorId: voter.id,
          },
        );
      });
    });

    const server = await startServer({ DATABASE_URL: url.toString(), DATA_DIR: dataDir });
    let http: Awaited<ReturnType<typeof measure>>;
    try {
      const ballotUrl = `${server.baseUrl}/places/${httpTown.slug}/budgets/${httpTown.budgetId}/ballot`;
      // Each voter opens the ballot first (untimed), as a browser would, for the CSRF token and cookie.
      const forms: { cookie: string; token: string }[] = [];
      await measure(BALLOTS, async (i) => {
        const session = httpTown.voters[i]!.session;
        const page = await fetch(ballotUrl, { headers: { cookie: `cw_session=${session}` } });
        const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]);
        forms[i] = {
          cookie: [`cw_session=${session}`, ...cookies].join('; '),
          token: csrfTokenIn(await page.text()),
        };
      });
      let refused = 0;
      http = await measure(BALLOTS, async (i) => {
        const body = new URLSearchParams({ _csrf: forms[i]!.token, intent: 'cast' });
        for (const id of choose(httpTown.projectIds, i)) body.append('projects', id);
        const status = await post(ballotUrl, forms[i]!.cookie, body.toString());
        if (status !== 303) refused += 1;
      });
      if (refused > 0)
        throw new Error(`${refused} ballots were refused: the benchmark is not measuring voting`);
    } finally {
      await server.kill('SIGTERM');
    }
    const stored = await handle.db
      .selectFrom('ballots')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('budget_id', '=', httpTown.budgetId)
      .executeTakeFirstOrThrow();
    if (Number(stored.n) !== BALLOTS)
      throw new Error(`Expected ${BALLOTS} ballots stored, found ${stored.n}`);

    const ratio = http.perSecond / raw.perSecond;
    const row = (label: string, m: typeof raw) =>
      `${label.padEnd(28)} ${m.perSecond.toFixed(0).padStart(7)}/s   p50 ${m.p50.toFixed(1).padStart(6)} ms   p95 ${m.p95.toFixed(1).padStart(6)} ms   p99 ${m.p99.toFixed(1).padStart(6)} ms`;
    console.log(`\n${BALLOTS} ballots, ${CONCURRENCY} at a time, PostgreSQL\n`);
    console.log(row('raw database transaction', raw));
    console.log(row('HTTP (signed-in voters)', http));
    console.log(
      `\nHTTP rate = ${ratio.toFixed(2)} × raw rate (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    console.log(
      JSON.stringify({
        ballots: BALLOTS,
        concurrency: CONCURRENCY,
        raw: round(raw),
        http: round(http),
        ratio: Number(ratio.toFixed(3)),
        targetMet: ratio >= 0.5,
      }),
    );
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await dropper.end();
  }
}

function round(m: { perSecond: number; p50: number; p95: number; p99: number }) {
  return {
    perSecond: Number(m.perSecond.toFixed(1)),
    p50: Number(m.p50.toFixed(2)),
    p95: Number(m.p95.toFixed(2)),
    p99: Number(m.p99.toFixed(2)),
  };
}

await main();

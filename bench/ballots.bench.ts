import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
import { HttpLane } from './http-lane.ts';

/**
 * Ballots per second over HTTP, against PostgreSQL, beside the raw database rate measured in the same run.
 *
 * Raw: the transaction a ballot costs the database — upsert the ballot, write its items, write the audit
 * event — sent straight through a connection pool. HTTP: signed-in voters posting the ballot form to the
 * real server in its own process (session, CSRF check, validation against the budget's rules, eligibility,
 * the same transaction, redirect), posted over plain keep-alive sockets (http-lane.ts), the lightest load
 * generator on a machine whose cores the server and the database share. Both with the same concurrency.
 * After an untimed warm-up of each, the two take turns in rounds, so that load from elsewhere on a shared
 * machine falls on both alike; each rate is its ballots over its time summed across the rounds.
 * The last line is JSON.
 * Target: HTTP at least half the raw rate.
 */
const BALLOTS = Number(process.env.BENCH_BALLOTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const serverUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** CPU milliseconds used so far by a process (Linux /proc; USER_HZ is 100), or 0 when it has gone. */
function processCpuMs(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU milliseconds of every PostgreSQL process on this machine, by process id. */
function databaseCpu(): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync('/proc')) return out;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') out.set(pid, processCpuMs(pid));
    } catch {
      // The process ended while being read.
    }
  }
  return out;
}

interface Cpu {
  client: number;
  server: number;
  database: number;
}

/** CPU used by this process, the server and the database while `work` runs, in ms. */
async function cpuDuring<T>(serverPid: number | undefined, work: () => Promise<T>) {
  const db0 = databaseCpu();
  const server0 = serverPid ? processCpuMs(serverPid) : 0;
  const self0 = process.cpuUsage();
  const result = await work();
  const self = process.cpuUsage(self0);
  const server = serverPid ? processCpuMs(serverPid) - server0 : 0;
  let database = 0;
  for (const [pid, ms] of databaseCpu()) database += ms - (db0.get(pid) ?? 0);
  const cpu: Cpu = { client: (self.user + self.system) / 1000, server, database };
  return { result, cpu };
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** One path's figures, summed over its rounds. */
class Tally {
  ballots = 0;
  seconds = 0;
  readonly latencies: number[] = [];
  readonly cpu: Cpu = { client: 0, server: 0, database: 0 };
  readonly roundRates: number[] = [];

  add(round: { ballots: number; seconds: number; latencies: number[] }, cpu: Cpu) {
    this.ballots += round.ballots;
    this.seconds += round.seconds;
    this.latencies.push(...round.latencies);
    this.cpu.client += cpu.client;
    this.cpu.server += cpu.server;
    this.cpu.database += cpu.database;
    this.roundRates.push(round.ballots / round.seconds);
  }

  figures() {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      perSecond: this.ballots / this.seconds,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    };
  }
}

/** Runs `work` for items from..to-1 with `CONCURRENCY` in flight; returns the time taken and latencies. */
async function measure(from: number, to: number, work: (i: number, lane: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = from;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      while (next < to) {
        const i = next++;
        const t = performance.now();
        await work(i, lane);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ballots: to - from, seconds: (performance.now() - started) / 1000, latencies };
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
  const voters = WARM_UP + BALLOTS;
  try {
    await migrateToLatest(handle.db);
    const rawTown = await seedOpenBudget(handle.db, { voters, slug: 'raw-town' });
    const httpTown = await seedOpenBudget(handle.db, { voters, slug: 'http-town' });
    const choose = (projects: string[], i: number) => [
      projects[i % projects.length]!,
      projects[(i + 3) % projects.length]!,
    ];

    const rawBallot = async (i: number) => {
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
    };

    const server = await startServer({ DATABASE_URL: url.toString(), DATA_DIR: dataDir });
    const raw = new Tally();
    const http = new Tally();
    try {
      const ballotPath = `/places/${httpTown.slug}/budgets/${httpTown.budgetId}/ballot`;
      const ballotUrl = `${server.baseUrl}${ballotPath}`;
      const host = new URL(server.baseUrl).host;
      // Each voter opens the ballot first (untimed), as a browser would, for the CSRF token and cookie.
      const forms: { cookie: string; token: string }[] = [];
      await measure(0, voters, async (i) => {
        const session = httpTown.voters[i]!.session;
        const page = await fetch(ballotUrl, { headers: { cookie: `cw_session=${session}` } });
        const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]);
        forms[i] = {
          cookie: [`cw_session=${session}`, ...cookies].join('; '),
          token: csrfTokenIn(await page.text()),
        };
      });
      const bodies = forms.map((form, i) => {
        const body = new URLSearchParams({ _csrf: form.token, intent: 'cast' });
        for (const id of choose(httpTown.projectIds, i)) body.append('projects', id);
        return body.toString();
      });
      const lanes = await Promise.all(
        Array.from({ length: CONCURRENCY }, () => HttpLane.open(server.baseUrl)),
      );
      let refused = 0;
      const httpBallot = async (i: number, lane: number) => {
        const status = await lanes[lane]!.postForm(ballotPath, host, forms[i]!.cookie, bodies[i]!);
        if (status !== 303) refused += 1;
      };

      await measure(0, WARM_UP, rawBallot);
      await measure(0, WARM_UP, httpBallot);
      const perRound = Math.ceil(BALLOTS / ROUNDS);
      for (let from = WARM_UP; from < voters; from += perRound) {
        const to = Math.min(voters, from + perRound);
        const rawRound = await cpuDuring(undefined, () => measure(from, to, rawBallot));
        raw.add(rawRound.result, rawRound.cpu);
        const httpRound = await cpuDuring(server.child.pid, () => measure(from, to, httpBallot));
        http.add(httpRound.result, httpRound.cpu);
      }
      for (const lane of lanes) lane.close();
      if (refused > 0)
        throw new Error(`${refused} ballots were refused: the benchmark is not measuring voting`);
    } finally {
      await server.kill('SIGTERM');
    }
    for (const town of [rawTown, httpTown]) {
      const stored = await handle.db
        .selectFrom('ballots')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('budget_id', '=', town.budgetId)
        .executeTakeFirstOrThrow();
      if (Number(stored.n) !== voters)
        throw new Error(`Expected ${voters} ballots stored, found ${stored.n}`);
    }

    const rawFigures = raw.figures();
    const httpFigures = http.figures();
    const ratio = httpFigures.perSecond / rawFigures.perSecond;
    const row = (label: string, m: typeof rawFigures) =>
      `${label.padEnd(28)} ${m.perSecond.toFixed(0).padStart(7)}/s   p50 ${m.p50.toFixed(1).padStart(6)} ms   p95 ${m.p95.toFixed(1).padStart(6)} ms   p99 ${m.p99.toFixed(1).padStart(6)} ms`;
    console.log(
      `\n${BALLOTS} ballots each way in ${raw.roundRates.length} alternating rounds (after ${WARM_UP} untimed), ${CONCURRENCY} at a time, PostgreSQL\n`,
    );
    console.log(row('raw database transaction', rawFigures));
    console.log(row('HTTP (signed-in voters)', httpFigures));
    const perBallot = (t: Tally) =>
      `client ${(t.cpu.client / t.ballots).toFixed(2)} ms, server ${(t.cpu.server / t.ballots).toFixed(2)} ms, database ${(t.cpu.database / t.ballots).toFixed(2)} ms`;
    console.log(`\nCPU per ballot, raw:  ${perBallot(raw)}`);
    console.log(`CPU per ballot, HTTP: ${perBallot(http)}`);
    const roundRatios = http.roundRates.map((rate, i) => rate / raw.roundRates[i]!);
    console.log(`\nHTTP ÷ raw by round: ${roundRatios.map((r) => r.toFixed(2)).join(', ')}`);
    console.log(
      `HTTP rate = ${ratio.toFixed(2)} × raw rate (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    console.log(
      JSON.stringify({
        ballots: BALLOTS,
        rounds: raw.roundRates.length,
        concurrency: CONCURRENCY,
        raw: round(rawFigures),
        http: round(httpFigures),
        ratio: Number(ratio.toFixed(3)),
        roundRatios: roundRatios.map((r) => Number(r.toFixed(3))),
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

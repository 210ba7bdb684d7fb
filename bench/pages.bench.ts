import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { Agent } from '../src/testing/agent.ts';
import { buildTestApp, TEST_PASSWORD } from '../src/testing/harness.ts';

/**
 * Page speed at scale: a place with 10,000 proposals and 100,000 comments.
 * Measures server time (from request to response, inside Fastify) for the
 * busiest pages, and prints each figure beside the same figure for /ping,
 * measured in the same run, so that the numbers mean something on a shared
 * and noisy machine. The last line is JSON.
 */
const PROPOSALS = Number(process.env.BENCH_PROPOSALS ?? 10_000);
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const WARMUP = 5;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function main() {
  const started = performance.now();
  const serverTimes = new Map<string, number>();
  // Production settings: templates compiled once and cached, as a council would run it.
  const t = await buildTestApp(
    {
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
      BASE_URL: 'https://bench.example',
    },
    {
      // Server time: from the request arriving to the response being handed over for sending.
      beforeReady: (app) =>
        app.addHook('onSend', async (request, reply) => {
          serverTimes.set(request.id, reply.elapsedTime);
        }),
    },
  );
  const db = t.database.db;
  const place = await t.createPlace('benchton', 'Benchton');
  const authors = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      t.createUser({ email: `author${i}@bench.test`, name: `Author ${i}` }),
    ),
  );
  const viewer = await t.createUser({ email: 'viewer@bench.test', name: 'Viewer' });
  const processId = await t.createProcess({
    placeId: place.id,
    title: 'Benchton budget',
    categories: ['Parks', 'Roads', 'Housing', 'Youth'],
  });

  // Bulk data straight into the tables: generating it through the web would take hours.
  const authorList = sql.raw(`ARRAY[${authors.map((a) => `'${a}'::uuid`).join(',')}]`);
  await sql`
    INSERT INTO proposals (place_id, process_id, author_id, title, body, category, area, support_count, comment_count, created_at)
    SELECT ${place.id}, ${processId}, (${authorList})[1 + (g % 50)],
      'Proposal ' || g || ' about ' || (ARRAY['trees','crossings','benches','lighting','play areas','bus stops'])[1 + (g % 6)],
      'We could improve the ' || (ARRAY['park','high street','river path','school gate','market'])[1 + (g % 5)] || ' with ' || g || ' small changes that residents asked for.',
      (ARRAY['Parks','Roads','Housing','Youth'])[1 + (g % 4)],
      (ARRAY['Northbank','Southbank','Old Town'])[1 + (g % 3)],
      (g * 7919) % 500, 0, now() - (g || ' minutes')::interval
    FROM generate_series(1, ${PROPOSALS}) AS g
  `.execute(db);
  const busiest = await db
    .selectFrom('proposals')
    .select('id')
    .where('process_id', '=', processId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  // 200 comments on the busiest proposal (threaded), the rest spread over the others.
  await sql`
    INSERT INTO comments (place_id, process_id, proposal_id, author_id, body, stance, created_at)
    SELECT ${place.id}, ${processId}, ${busiest.id}, (${authorList})[1 + (g % 50)],
      'Comment ' || g || ': I **agree** with parts of this, see https://example.org/' || g,
      (ARRAY['in_favour','against','neutral'])[1 + (g % 3)], now() - (g || ' seconds')::interval
    FROM generate_series(1, 200) AS g
  `.execute(db);
  await sql`
    INSERT INTO comments (place_id, process_id, proposal_id, author_id, body, stance, created_at)
    SELECT ${place.id}, ${processId}, p.id, (${authorList})[1 + (g % 50)], 'A comment number ' || g, 'neutral', now()
    FROM generate_series(1, ${COMMENTS - 200}) AS g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM proposals WHERE process_id = ${processId}) p
      ON p.n = g % ${PROPOSALS}
  `.execute(db);
  await sql`
    UPDATE comments c SET parent_id = p.id, depth = 1
    FROM (SELECT id, row_number() OVER (ORDER BY created_at) AS n FROM comments WHERE proposal_id = ${busiest.id}) p,
         (SELECT id, row_number() OVER (ORDER BY created_at) AS n FROM comments WHERE proposal_id = ${busiest.id}) c2
    WHERE c.id = c2.id AND c2.n % 4 = 0 AND p.n = c2.n - 1
  `.execute(db);
  await sql`
    UPDATE proposals p SET comment_count = c.n
    FROM (SELECT proposal_id, count(*)::int AS n FROM comments WHERE process_id = ${processId} GROUP BY proposal_id) c
    WHERE c.proposal_id = p.id
  `.execute(db);
  await sql`ANALYZE`.execute(db);
  const setupSeconds = (performance.now() - started) / 1000;

  const agent = new Agent(t.app);
  await agent.submit('/sign-in', { email: 'viewer@bench.test', password: TEST_PASSWORD });
  void viewer;
  const base = `/places/benchton/processes/${processId}`;
  const pages: Record<string, string> = {
    baseline_ping: '/ping',
    process_page: base,
    proposal_list_first: `${base}/proposals`,
    proposal_list_page_200: `${base}/proposals?page=200`,
    proposal_list_filtered: `${base}/proposals?category=Parks&area=Northbank&sort=supported`,
    proposal_list_search: `${base}/proposals?q=bench+river`,
    proposal_with_200_comments: `${base}/proposals/${busiest.id}`,
  };

  const results: Record<string, { p50: number; p95: number; p99: number }> = {};
  for (const [name, url] of Object.entries(pages)) {
    const times: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const response = await agent.get(url);
      if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
      const server = serverTimes.get(response.headers['x-request-id'] as string);
      if (server === undefined) throw new Error('no server time recorded');
      if (i >= WARMUP) times.push(server);
    }
    times.sort((a, b) => a - b);
    results[name] = { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
  }
  await t.close();

  const ping = results.baseline_ping!;
  console.log(
    `Page server time with ${PROPOSALS} proposals and ${COMMENTS} comments (${RUNS} runs each; setup ${setupSeconds.toFixed(1)} s).`,
  );
  console.log('page                          p50 ms   p95 ms   p99 ms   p50 × /ping');
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(28)} ${r.p50.toFixed(1).padStart(7)}  ${r.p95.toFixed(1).padStart(7)}  ${r.p99.toFixed(1).padStart(7)}   ${(r.p50 / ping.p50).toFixed(1).padStart(8)}`,
    );
  }
  const worstP95 = Math.max(
    ...Object.entries(results)
      .filter(([n]) => n !== 'baseline_ping')
      .map(([, r]) => r.p95),
  );
  console.log(
    `Target: p95 under 50 ms for each page. Worst p95: ${worstP95.toFixed(1)} ms (${worstP95 < 50 ? 'met' : 'missed'}).`,
  );
  console.log(
    JSON.stringify({
      proposals: PROPOSALS,
      comments: COMMENTS,
      runs: RUNS,
      unit: 'ms',
      pages: Object.fromEntries(
        Object.entries(results).map(([n, r]) => [
          n,
          { ...r, p50_vs_ping: Number((r.p50 / ping.p50).toFixed(2)) },
        ]),
      ),
      worst_p95: worstP95,
      target_met: worstP95 < 50,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { anonymousActor } from '../../../platform/auth/actor.ts';
import { Agent, errorSummary } from '../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../testing/harness.ts';
import { type PbElection, parsePb } from '../pabulib.ts';

const dataDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'pabulib',
);
const read = (name: string) => readFileSync(join(dataDir, `${name}.pb`), 'utf8');

/** The first `n` ballots of a real file, with num_votes to match: Kraków whole takes long to import twice. */
function excerpt(text: string, n: number): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const votes = lines.findIndex((l) => l.trim() === 'VOTES');
  return [...lines.slice(0, votes + 2 + n)]
    .map((l) => (l.startsWith('num_votes;') ? `num_votes;${n}` : l))
    .join('\n');
}

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let officer: Agent;

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const hillside = await t.createPlace('hillside', 'Hillside');
  processId = await t.createProcess({ placeId: place.id, title: 'Riverside budget 2027' });
  await t.createUser({ email: 'officer@example.test', roles: [{ placeId: place.id, role: 'officer' }] });
  await t.createUser({ email: 'rosa@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  officer = await signedIn('officer@example.test');
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

const importPage = () => `/places/riverside/processes/${processId}/budgets/import`;

function upload(agent: Agent, text: string | Buffer, filename = 'election.pb') {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return agent.submitMultipart(
    importPage(),
    {},
    { file: { filename, contentType: 'application/octet-stream', bytes } },
  );
}

/** Imports through the form and returns the new budget's id. */
async function importFile(text: string): Promise<string> {
  const response = await upload(officer, text);
  assert.equal(response.statusCode, 303, errorSummary(officer.lastPage).join('\n'));
  const location = response.headers.location as string;
  assert.match(location, /^\/places\/riverside\/budgets\/[0-9a-f-]{36}$/);
  return location.split('/').pop()!;
}

async function exportFile(agent: Agent, budgetId: string, section = 'area') {
  return agent.get(`/places/riverside/budgets/${budgetId}/export.pb?section=${section}`);
}

/** Voter ids are not stored: an export numbers voters 1..n in the order of the file. */
function renumbered(e: PbElection): PbElection {
  return { ...e, ballots: e.ballots.map((b, i) => ({ ...b, voterId: String(i + 1) })) };
}

/** Everything stored for a budget, without ids or timestamps, in the order ballots and projects keep. */
async function stored(budgetId: string) {
  const db = t.database.db;
  const budget = await db
    .selectFrom('budgets')
    .select([
      'title',
      'currency',
      'total_amount',
      'voting_opens_on',
      'voting_closes_on',
      'rule',
      'ballot_kind',
      'min_projects',
      'max_projects',
      'basket',
      'points_total',
      'max_points_per_project',
      'rank_limit',
      'pb_meta',
    ])
    .where('id', '=', budgetId)
    .executeTakeFirstOrThrow();
  const projects = await db
    .selectFrom('projects')
    .select(['title', 'description', 'estimated_cost', 'feasibility', 'district_id', 'pb_id', 'pb_fields'])
    .where('budget_id', '=', budgetId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const ballots = await db
    .selectFrom('ballots')
    .select(['channel', 'district_id', 'voter_id', 'pb_fields'])
    .where('budget_id', '=', budgetId)
    .orderBy('seq')
    .execute();
  const items = await db
    .selectFrom('ballot_items as i')
    .innerJoin('ballots as b', 'b.id', 'i.ballot_id')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .select(['p.pb_id', 'i.points', 'i.rank'])
    .where('b.budget_id', '=', budgetId)
    .orderBy('b.seq')
    .orderBy('i.rank')
    .execute();
  return { budget, projects, ballots, items };
}

async function rowCounts() {
  const db = t.database.db;
  const count = async (table: 'budgets' | 'projects' | 'ballots' | 'ballot_items' | 'audit_events') =>
    Number((await db.selectFrom(table).select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    budgets: await count('budgets'),
    projects: await count('projects'),
    ballots: await count('ballots'),
    items: await count('ballot_items'),
    audit: await count('audit_events'),
  };
}

describe('importing and exporting .pb files', () => {
  // Larger files are cut to their first 1,000 ballots so that every run stays fast; PB_FULL=1 takes them whole.
  const full = process.env.PB_FULL === '1';
  const cut = (text: string) => (full ? text : excerpt(text, 1000));
  const files: [string, () => string][] = [
    ['approval, with descriptions (Assen 2024)', () => read('Netherlands_Assen_2024')],
    ['cumulative, with nine voter columns (Zürich D10)', () => read('Switzerland_Zurich_D10')],
    [
      'cumulative, with age, sex and education (Mechanical Turk)',
      () => read('Worldwide_Mechanical_Turk_Utilities_8'),
    ],
    ['ordinal (Kraków 2024)', () => cut(read('Poland_Krakow_2024'))],
    [
      'approval with a district column and costs like 100000.0 (Toulouse 2024)',
      () => cut(read('France_Toulouse_2024')),
    ],
    [
      'approval without project names (Cambridge 2015)',
      () => cut(read('US_Stanford_Dataset_PB_Cambridge_2015_vote_approvals')),
    ],
    [
      'choose-1 with district and voter columns (Wrocław 2015)',
      () => cut(read('Poland_Wroclaw_2015_150_-_500')),
    ],
  ];

  for (const [name, text] of files) {
    it(`round-trips ${name}: import, export, import again`, async (ctx) => {
      const original = text();
      const started = performance.now();
      const first = await importFile(original);
      const imported = performance.now();
      const exported = await exportFile(officer, first);
      ctx.diagnostic(
        `import ${Math.round(imported - started)} ms, export ${Math.round(performance.now() - imported)} ms`,
      );
      assert.equal(exported.statusCode, 200);
      assert.match(
        exported.headers['content-disposition'] as string,
        /^attachment; filename="riverside_[a-z0-9-_]+\.pb"$/,
      );
      assert.deepStrictEqual(parsePb(exported.body), renumbered(parsePb(original)));

      const second = await importFile(exported.body);
      assert.deepStrictEqual(await stored(second), await stored(first));
    });
  }

  it('imports and exports the election with the most ballot rows (Łódź 2022: 90,494 ballots, 325,964 choices)', {
    skip: full ? false : 'set PB_FULL=1 to import the largest file',
  }, async (ctx) => {
    const text = read('Poland_Lodz_2022');
    const started = performance.now();
    const id = await importFile(text);
    const imported = performance.now();
    const exported = await exportFile(officer, id);
    ctx.diagnostic(
      `import ${Math.round(imported - started)} ms, export ${Math.round(performance.now() - imported)} ms`,
    );
    assert.deepStrictEqual(parsePb(exported.body), renumbered(parsePb(text)));
  });

  it('stores what the file says: budget settings, projects, ballots with ranks, points and voter columns', async () => {
    const id = await importFile(read('Switzerland_Zurich_D10'));
    const { budget, projects, ballots, items } = await stored(id);
    assert.equal(budget.title, 'Qualtrics Zurich PB Experiment 2023, D10 format');
    assert.equal(budget.currency, 'CHF');
    assert.equal(Number(budget.total_amount), 60000);
    assert.equal(budget.voting_opens_on, '2023-03-09');
    assert.equal(budget.voting_closes_on, '2023-03-19');
    assert.equal(budget.ballot_kind, 'cumulative');
    assert.equal(budget.rule, 'mes_cost_add1');
    assert.equal(budget.min_projects, 1);
    assert.equal(budget.max_projects, 10);
    assert.equal(budget.points_total, 10);
    assert.equal(
      budget.pb_meta?.acknowledgments,
      'Data from Yang et al. (2024), https://arxiv.org/abs/2310.03501.',
    );
    assert.equal(projects.length, 24);
    assert.ok(projects.every((p) => p.feasibility === 'feasible' && p.pb_fields?.project_id === p.pb_id));
    assert.equal(ballots.length, 180);
    assert.ok(ballots.every((b) => b.channel === 'imported' && b.voter_id === null));
    assert.deepEqual(Object.keys(ballots[0]?.pb_fields ?? {}).sort(), [
      'district_preference',
      'format_easiness',
      'format_expressiveness',
      'format_rank',
      'time_taken_seconds',
      'topic_preference_culture',
      'topic_preference_nature',
      'topic_preference_transport',
    ]);
    const election = parsePb(read('Switzerland_Zurich_D10'));
    const firstBallot = election.ballots[0]!;
    assert.deepEqual(
      items.slice(0, firstBallot.projects.length),
      firstBallot.projects.map((p, k) => ({ pb_id: p, points: Number(firstBallot.points![k]), rank: k + 1 })),
    );
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['details'])
      .where('action', '=', 'budget.imported')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal((audit.details as { ballots: number }).ballots, 180);
  });

  it('accepts a file larger than the 2 MB image limit', async () => {
    const padded = `${read('Netherlands_Assen_2024')}${'\n'.repeat(3 * 1024 * 1024)}`;
    await importFile(padded);
  });
});

describe('refusing a bad .pb file', () => {
  const assen = read('Netherlands_Assen_2024').replace(/\r\n/g, '\n');
  const lineOf = (text: string, start: string) => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;

  it('lists a bad line in each section by its number and stores nothing', async () => {
    const bad = assen.replace(/^budget;100000$/m, 'budget;lots').replace(/^2;(\d+);/m, '2;abc;');
    const votesAt = lineOf(bad, 'VOTES');
    const lines = bad.split('\n');
    lines[votesAt + 1] = `${lines[votesAt + 1]!.split(';')[0]};99`;
    const text = lines.join('\n');
    const before = await rowCounts();
    const response = await upload(officer, text);
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'The file has 3 problems: correct them and upload it again',
      `Line ${lineOf(text, 'budget;')}: Budget is not a decimal number: &quot;lots&quot;`,
      `Line ${lineOf(text, '2;abc;')}: Cost of project &quot;2&quot; is not a decimal number: &quot;abc&quot;`,
      `Line ${votesAt + 2}: Vote names unknown project &quot;99&quot;`,
    ]);
    assert.deepEqual(await rowCounts(), before);
  });

  it('names the line of a value the budget cannot hold, and stores nothing', async () => {
    const text = assen.replace(/^2;(\d+);/m, '2;$1.125;');
    const before = await rowCounts();
    const response = await upload(officer, text);
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'The file has a problem: correct it and upload it again',
      `Line ${lineOf(text, '2;')}: Cost of project &quot;2&quot; must have at most 2 decimal places and 12 digits before the point`,
    ]);
    assert.deepEqual(await rowCounts(), before);
  });

  it('stops listing after 50 problems, and says where a broken header stopped checking', async () => {
    const votesAt = lineOf(assen, 'VOTES');
    const lines = assen.split('\n');
    for (let i = votesAt + 1; i < votesAt + 61; i++) lines[i] = `${i};99`;
    let response = await upload(officer, lines.join('\n'));
    let summary = errorSummary(response.body);
    assert.equal(summary.length, 51);
    assert.equal(
      summary[0],
      'The file has at least 50 problems, so checking stopped: correct these and upload it again',
    );
    assert.equal(summary[50], `Line ${votesAt + 51}: Vote names unknown project &quot;99&quot;`);
    response = await upload(officer, assen.replace('project_id;cost;', 'project_id;price;'));
    summary = errorSummary(response.body);
    assert.deepEqual(summary, [
      'The file has a problem, and checking stopped at the last because nothing after it can be read: correct it and upload it again',
      `Line ${lineOf(assen, 'project_id;')}: PROJECTS header lacks the &quot;cost&quot; column`,
    ]);
  });

  it('asks for a file, and for UTF-8 text', async () => {
    const before = await rowCounts();
    let response = await upload(officer, '');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Choose a .pb file to import']);
    response = await upload(officer, Buffer.from([0x4d, 0x45, 0x54, 0x41, 0x0a, 0xff, 0xfe]));
    assert.deepEqual(errorSummary(response.body), ['The file must be UTF-8 text, as pabulib .pb files are']);
    assert.deepEqual(await rowCounts(), before);
  });

  it('shows the upload form', async () => {
    const page = await officer.get(importPage());
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    assert.match(page.body, /name="file"/);
  });

  it('lets only staff of the place import', async () => {
    const resident = await signedIn('rosa@example.test');
    assert.equal((await resident.get(importPage())).statusCode, 403);
    const elsewhere = await signedIn('hill@example.test');
    assert.equal((await elsewhere.get(importPage())).statusCode, 403);
    const before = await rowCounts();
    // The upload is refused before its body is read; the token comes from a page this person may see.
    const response = await resident.submitMultipart(
      '/places/riverside',
      {},
      { file: { filename: 'x.pb', contentType: 'text/plain', bytes: Buffer.from(assen) } },
      importPage(),
    );
    assert.equal(response.statusCode, 403);
    const visitor = new Agent(t.app);
    const refused = await visitor.get(importPage());
    assert.equal(refused.statusCode, 302);
    assert.deepEqual(await rowCounts(), before);
  });
});

describe('who may export', () => {
  let openBudget: string;
  let closedBudget: string;

  before(async () => {
    closedBudget = await importFile(read('Netherlands_Assen_2024'));
    openBudget = await importFile(
      read('Netherlands_Assen_2024').replace(/^date_end;.*$/m, 'date_end;31.12.2099'),
    );
  });

  async function exportAudits(budgetId: string) {
    return t.database.db
      .selectFrom('audit_events')
      .select(['details'])
      .where('action', '=', 'budget.exported')
      .where('subject_id', '=', budgetId)
      .execute();
  }

  it('lets anyone download once voting has closed, unaudited', async () => {
    const visitor = new Agent(t.app);
    const response = await exportFile(visitor, closedBudget);
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/plain; charset=utf-8/);
    assert.equal(parsePb(response.body).ballots.length, 84);
    assert.deepEqual(await exportAudits(closedBudget), []);
    const links = await t.services.transfer.exportLinks(
      anonymousActor('test'),
      place,
      await t.services.budgets.getBudget(place, closedBudget),
    );
    assert.deepEqual(links, [
      {
        href: `/places/riverside/budgets/${closedBudget}/export.pb?section=area`,
        text: 'Download the ballots (.pb)',
      },
    ]);
  });

  it('gives the budget page its links, and the budgets list its import link, as partials', async () => {
    const V = 'participation/budgeting/transfer/views';
    const budget = await t.services.budgets.getBudget(place, openBudget);
    const none = await t.services.transfer.exportLinks(anonymousActor('test'), place, budget);
    assert.deepEqual(none, []);
    assert.doesNotMatch(await t.app.view(`${V}/export-links.njk`, { pbExports: none }), /<a/);
    const links = [{ href: '/x.pb?section=area', text: 'Download the ballots (.pb)' }];
    assert.match(
      await t.app.view(`${V}/export-links.njk`, { pbExports: links }),
      /<a class="govuk-link" href="\/x.pb\?section=area" download>Download the ballots \(.pb\)<\/a>/,
    );
    const context = { place, process: { id: processId } };
    assert.match(
      await t.app.view(`${V}/import-link.njk`, { ...context, canManage: true }),
      new RegExp(`href="${importPage()}">Import a .pb file`),
    );
    assert.doesNotMatch(await t.app.view(`${V}/import-link.njk`, { ...context, canManage: false }), /<a/);
  });

  it('lets only staff download while voting is open, and audits it', async () => {
    const resident = await signedIn('rosa@example.test');
    assert.equal((await exportFile(resident, openBudget)).statusCode, 403);
    assert.equal((await exportFile(new Agent(t.app), openBudget)).statusCode, 302);
    assert.deepEqual(await exportAudits(openBudget), []);
    const response = await exportFile(officer, openBudget);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      (await exportAudits(openBudget)).map((a) => a.details),
      [{ section: 'area', ballots: 84 }],
    );
  });

  it('finds no section, or budget, that is not there', async () => {
    assert.equal(
      (await exportFile(officer, closedBudget, '00000000-0000-4000-8000-000000000000')).statusCode,
      404,
    );
    assert.equal((await exportFile(officer, closedBudget, 'north')).statusCode, 404);
    assert.equal((await officer.get(`/places/hillside/budgets/${closedBudget}/export.pb`)).statusCode, 404);
  });
});

describe('exporting a budget with districts', () => {
  it('writes one file per section: each district, and the whole area with every ballot', async () => {
    const db = t.database.db;
    const budget = await db
      .insertInto('budgets')
      .values({
        place_id: place.id,
        process_id: processId,
        title: 'Riverside 2026',
        total_amount: '1000.00',
        voting_opens_on: '2025-01-01',
        voting_closes_on: '2025-01-31',
        rule: 'greedy_votes',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const north = await db
      .insertInto('budget_districts')
      .values({ place_id: place.id, budget_id: budget.id, position: 1, name: 'Northbank', amount: '400.00' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const project = async (title: string, cost: string, districtId: string | null) =>
      (
        await db
          .insertInto('projects')
          .values({
            place_id: place.id,
            budget_id: budget.id,
            district_id: districtId,
            proposal_id: null,
            title,
            description: '',
            estimated_cost: cost,
            feasibility: 'feasible',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const bench = await project('A bench', '150.00', north.id);
    const trees = await project('Trees', '500.25', null);
    const ballot = async (districtId: string, items: string[]) => {
      const row = await db
        .insertInto('ballots')
        .values({ place_id: place.id, budget_id: budget.id, district_id: districtId, channel: 'imported' })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const [k, projectId] of items.entries()) {
        await db
          .insertInto('ballot_items')
          .values({ ballot_id: row.id, place_id: place.id, project_id: projectId, points: null, rank: k + 1 })
          .execute();
      }
    };
    await ballot(north.id, [bench, trees]);
    await ballot(north.id, []);

    const links = await t.services.transfer.exportLinks(
      anonymousActor('test'),
      place,
      await t.services.budgets.getBudget(place, budget.id),
    );
    assert.deepEqual(
      links.map((l) => l.text),
      ['Download the ballots for Northbank (.pb)', 'Download the ballots for The whole area (.pb)'],
    );
    const district = await exportFile(officer, budget.id, north.id);
    assert.match(
      district.headers['content-disposition'] as string,
      /filename="riverside_riverside-2026_northbank\.pb"/,
    );
    const northbank = parsePb(district.body);
    assert.equal(northbank.meta.budget, '400.00');
    assert.deepEqual(
      northbank.projects.map((p) => [p.id, p.name]),
      [[bench, 'A bench']],
    );
    assert.deepEqual(
      northbank.ballots.map((b) => [b.voterId, b.projects]),
      [
        ['1', [bench]],
        ['2', []],
      ],
    );
    const area = parsePb((await exportFile(officer, budget.id, 'area')).body);
    assert.equal(area.meta.budget, '600.00');
    assert.deepEqual(
      area.ballots.map((b) => b.projects),
      [[trees], []],
    );
  });
});

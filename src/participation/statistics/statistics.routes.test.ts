import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { barChart } from '../../platform/views/bar-chart.ts';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';
import { exportFileName, neutraliseFormula } from './statistics.export.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let south: { id: string; slug: string; name: string };
let processId: string;
let otherProcess: string;
let southProcess: string;
const people: Record<string, string> = {};
const proposals: Record<string, string> = {};
const comments: Record<string, string> = {};

async function support(proposalId: string, userId: string, process = processId, placeId = north.id) {
  await t.database.db
    .insertInto('supports')
    .values({ place_id: placeId, proposal_id: proposalId, user_id: userId, process_id: process })
    .execute();
}

async function comment(options: {
  author: string;
  proposalId?: string | null;
  parentId?: string | null;
  body?: string;
  status?: 'published' | 'held' | 'hidden' | 'deleted';
  stance?: 'in_favour' | 'against' | 'neutral';
  process?: string;
  placeId?: string;
  agree?: number;
}) {
  const row = await t.database.db
    .insertInto('comments')
    .values({
      place_id: options.placeId ?? north.id,
      process_id: options.process ?? processId,
      proposal_id: options.proposalId ?? null,
      parent_id: options.parentId ?? null,
      depth: options.parentId ? 1 : 0,
      author_id: options.author,
      body: options.body ?? 'A comment',
      stance: options.stance ?? 'neutral',
      status: options.status ?? 'published',
      agree_count: options.agree ?? 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/*
 * The hand-counted process:
 *   proposals  P1 Parks (A), P2 Parks (B), P3 Transport, accepted (A), P4 no category (B)  — published
 *              P5 held (C), P6 hidden (D), P7 withdrawn (E)
 *   supports   P1 by B and C, P3 by F; P5 (held) by G, P6 (hidden) by G — not counted
 *   comments   on the process by H; on P1 by A (published), by I (hidden), by J (deleted), by K (held);
 *              a reply on P1 by H; on P5 (held proposal) by L — not counted
 * so: 4 proposals, 3 supports, 3 comments, participants A B C F H = 5.
 */
before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North Vale');
  south = await t.createPlace('south', 'South Vale');
  for (const p of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M']) {
    people[p] = await t.createUser({
      email: `person-${p.toLowerCase()}@example.test`,
      name: `Person ${p}ame`,
    });
  }
  processId = await t.createProcess({
    placeId: north.id,
    title: 'Parks & Roads: 2031',
    categories: ['Parks', 'Transport'],
  });
  otherProcess = await t.createProcess({ placeId: north.id, title: 'Another' });
  southProcess = await t.createProcess({ placeId: south.id, title: 'South' });
  const make = (key: string, author: string, options: Record<string, string> = {}) =>
    t
      .createProposal({
        placeId: north.id,
        processId,
        authorId: people[author]!,
        title: `Proposal ${key}`,
        ...options,
      })
      .then((id) => {
        proposals[key] = id;
      });
  await make('P1', 'A', {
    category: 'Parks',
    title: 'Benches, "comfy" ones,\nplease',
    body: '=HYPERLINK("http://evil.example")',
  });
  await make('P2', 'B', { category: 'Parks', title: '+44 trees', body: '@everyone plant trees' });
  await make('P3', 'A', { category: 'Transport', title: '-5 speed bumps' });
  await make('P4', 'B');
  await make('P5', 'C', { category: 'Parks', status: 'held', title: 'Held proposal' });
  await make('P6', 'D', { category: 'Parks', status: 'hidden', title: 'Hidden proposal' });
  await make('P7', 'E', { category: 'Transport', status: 'withdrawn', title: 'Withdrawn proposal' });
  await t.database.db
    .updateTable('proposals')
    .set({ answer: 'accepted', answer_reason: 'We will do it' })
    .where('id', '=', proposals.P3!)
    .execute();
  await support(proposals.P1!, people.B!);
  await support(proposals.P1!, people.C!);
  await support(proposals.P3!, people.F!);
  await support(proposals.P5!, people.G!);
  await support(proposals.P6!, people.G!);
  comments.process = await comment({ author: people.H!, body: 'On the whole process', stance: 'in_favour' });
  comments.onP1 = await comment({
    author: people.A!,
    proposalId: proposals.P1!,
    body: 'Visible comment',
    agree: 2,
  });
  comments.hidden = await comment({
    author: people.I!,
    proposalId: proposals.P1!,
    status: 'hidden',
    body: 'Hidden comment',
  });
  comments.deleted = await comment({
    author: people.J!,
    proposalId: proposals.P1!,
    status: 'deleted',
    body: 'Deleted comment',
  });
  comments.held = await comment({
    author: people.K!,
    proposalId: proposals.P1!,
    status: 'held',
    body: 'Held comment',
  });
  comments.reply = await comment({
    author: people.H!,
    proposalId: proposals.P1!,
    parentId: comments.onP1,
    body: 'A reply, with "quotes"',
    stance: 'against',
  });
  comments.onHeldProposal = await comment({
    author: people.L!,
    proposalId: proposals.P5!,
    body: 'On a held proposal',
  });

  // Elsewhere: another process of the same place, and another place. None of it counts.
  const other = await t.createProposal({
    placeId: north.id,
    processId: otherProcess,
    authorId: people.M!,
    title: 'Other process proposal',
    category: 'Parks',
  });
  await support(other, people.M!, otherProcess);
  await comment({ author: people.M!, process: otherProcess, body: 'Other process comment' });
  const southern = await t.createProposal({
    placeId: south.id,
    processId: southProcess,
    authorId: people.M!,
    title: 'South proposal',
  });
  await support(southern, people.L!, southProcess, south.id);
  await comment({ author: people.M!, process: southProcess, placeId: south.id, body: 'South comment' });
});
after(async () => {
  await t.close();
});

/** The numeric cell of each row of the table with this caption, by its row header. */
function table(html: string, caption: string): Record<string, string[]> {
  const start = html.indexOf(caption);
  assert.ok(start >= 0, `no table captioned ${caption}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  const rows: Record<string, string[]> = {};
  for (const row of body.matchAll(
    /<tr class="govuk-table__row"><th scope="row"[^>]*>([^<]*)<\/th>(.*?)<\/tr>/g,
  )) {
    rows[row[1]!] = [...row[2]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!);
  }
  return rows;
}

function summary(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(
    /<dt class="govuk-summary-list__key">\s*([^<]*?)\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*([^<]*?)\s*<\/dd>/g,
  )) {
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** A small RFC 4180 reader, to check the quoting exactly. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function personalData() {
  return [
    ...Object.values(people),
    ...Object.keys(people).map((p) => `person-${p.toLowerCase()}@example.test`),
    ...Object.keys(people).map((p) => `Person ${p}ame`),
  ];
}

describe('GET /places/:slug/processes/:processId/statistics', () => {
  it('counts published proposals, supports, comments and distinct participants, by hand', async () => {
    const page = await new Agent(t.app).get(`/places/north/processes/${processId}/statistics`);
    assert.equal(page.statusCode, 200);
    assert.deepEqual(summary(page.body), {
      Proposals: '4',
      Supports: '3',
      Comments: '3',
      'People taking part': '5',
    });
    assert.deepEqual(table(page.body, 'Proposals by status'), {
      Published: ['4'],
      'Withdrawn by their author': ['1'],
      'Waiting for a moderator': ['1'],
      'Hidden by moderators': ['1'],
    });
    assert.deepEqual(table(page.body, 'Published proposals by answer'), {
      'Not answered yet': ['3'],
      'Being considered': ['0'],
      Accepted: ['1'],
      'Not accepted': ['0'],
      'Already happening': ['0'],
    });
    assert.deepEqual(table(page.body, 'Published proposals and their supports per category'), {
      Parks: ['2', '2'],
      Transport: ['1', '1'],
      'No category': ['1', '0'],
    });
  });

  it('draws an accessible bar chart of proposals per category beside its data table', async () => {
    const page = (await new Agent(t.app).get(`/places/north/processes/${processId}/statistics`)).body;
    const svg = page.match(/<svg role="img"[\s\S]*?<\/svg>/)?.[0];
    assert.ok(svg, 'an svg with role="img"');
    assert.match(svg, /aria-labelledby="category-chart-title category-chart-desc"/);
    assert.match(svg, /<title id="category-chart-title">Proposals per category<\/title>/);
    assert.match(
      svg,
      /<desc id="category-chart-desc">Parks: 2 proposals; Transport: 1 proposal; No category: 1 proposal\.<\/desc>/,
    );
    assert.equal((svg.match(/<rect /g) ?? []).length, 3);
    assert.doesNotMatch(page, /style=/);
    assert.doesNotMatch(page, /<script(?! type="module" src="\/assets\/commonweal.js")/);
  });

  it('is 404 for a process of another place, or no process at all', async () => {
    const agent = new Agent(t.app);
    assert.equal((await agent.get(`/places/north/processes/${southProcess}/statistics`)).statusCode, 404);
    assert.equal((await agent.get(`/places/south/processes/${processId}/statistics`)).statusCode, 404);
    assert.equal((await agent.get('/places/north/processes/not-a-uuid/statistics')).statusCode, 404);
    assert.equal((await agent.get(`/places/nowhere/processes/${processId}/statistics`)).statusCode, 404);
  });
});

describe('exports of proposals', () => {
  const url = () => `/places/north/processes/${processId}/export/proposals`;

  it('downloads a CSV with a header row, correct quoting and no formulas', async () => {
    const response = await new Agent(t.app).get(`${url()}.csv`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(
      response.headers['content-disposition'],
      'attachment; filename="north-parks-roads-2031-proposals.csv"',
    );
    assert.ok(response.body.startsWith('\uFEFF'), 'a byte order mark for spreadsheets');
    const [header, ...rows] = parseCsv(response.body.slice(1));
    assert.deepEqual(header, [
      'id',
      'title',
      'body',
      'category',
      'area',
      'status',
      'answer',
      'answer_reason',
      'support_count',
      'comment_count',
      'created_at',
    ]);
    assert.equal(rows.length, 4);
    const byId = new Map(rows.map((r) => [r[0], r]));
    const p1 = byId.get(proposals.P1)!;
    assert.equal(p1[1], 'Benches, "comfy" ones,\nplease');
    assert.equal(p1[2], `'=HYPERLINK("http://evil.example")`);
    assert.equal(p1[3], 'Parks');
    assert.equal(p1[5], 'published');
    assert.equal(p1[8], '2', 'supports of P1');
    assert.equal(p1[9], '2', 'published comments on P1');
    assert.match(p1[10]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(byId.get(proposals.P2)![1], `'+44 trees`);
    assert.equal(byId.get(proposals.P2)![2], `'@everyone plant trees`);
    assert.equal(byId.get(proposals.P3)![1], `'-5 speed bumps`);
    assert.deepEqual(byId.get(proposals.P3)!.slice(6, 9), ['accepted', 'We will do it', '1']);
    assert.equal(byId.get(proposals.P4)![3], '');
    assert.match(response.body, /"Benches, ""comfy"" ones,\nplease"/);
    for (const hidden of [
      'Held proposal',
      'Hidden proposal',
      'Withdrawn proposal',
      'Other process',
      'South',
    ]) {
      assert.ok(!response.body.includes(hidden), hidden);
    }
    for (const personal of personalData()) assert.ok(!response.body.includes(personal), personal);
  });

  it('downloads the same as JSON, without personal data', async () => {
    const response = await new Agent(t.app).get(`${url()}.json`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(
      String(response.headers['content-disposition']),
      /^attachment; filename="north-parks-roads-2031-proposals\.json"$/,
    );
    const rows = JSON.parse(response.body) as Record<string, unknown>[];
    assert.equal(rows.length, 4);
    const p1 = rows.find((r) => r.id === proposals.P1)!;
    assert.deepEqual(Object.keys(p1), [
      'id',
      'title',
      'body',
      'category',
      'area',
      'status',
      'answer',
      'answer_reason',
      'support_count',
      'comment_count',
      'created_at',
    ]);
    // JSON is not a spreadsheet: the text stays as written.
    assert.equal(p1.body, '=HYPERLINK("http://evil.example")');
    assert.equal(p1.support_count, 2);
    assert.equal(p1.area, null);
    for (const personal of personalData()) assert.ok(!response.body.includes(personal), personal);
  });

  it('is 404 for a process of another place', async () => {
    const agent = new Agent(t.app);
    assert.equal(
      (await agent.get(`/places/south/processes/${processId}/export/proposals.csv`)).statusCode,
      404,
    );
    assert.equal(
      (await agent.get(`/places/north/processes/${southProcess}/export/comments.json`)).statusCode,
      404,
    );
  });
});

describe('exports of comments', () => {
  it('holds published comments on the process and its published proposals only, without authors', async () => {
    const url = `/places/north/processes/${processId}/export/comments`;
    const csv = await new Agent(t.app).get(`${url}.csv`);
    assert.equal(
      csv.headers['content-disposition'],
      'attachment; filename="north-parks-roads-2031-comments.csv"',
    );
    const [header, ...rows] = parseCsv(csv.body.slice(1));
    assert.deepEqual(header, [
      'id',
      'proposal_id',
      'parent_id',
      'stance',
      'body',
      'agree_count',
      'disagree_count',
      'created_at',
    ]);
    assert.deepEqual(rows.map((r) => r[0]).sort(), [comments.process, comments.onP1, comments.reply].sort());
    const reply = rows.find((r) => r[0] === comments.reply)!;
    assert.deepEqual(reply.slice(1, 7), [
      proposals.P1,
      comments.onP1,
      'against',
      'A reply, with "quotes"',
      '0',
      '0',
    ]);
    const onProcess = rows.find((r) => r[0] === comments.process)!;
    assert.deepEqual(onProcess.slice(1, 4), ['', '', 'in_favour']);
    for (const gone of [
      'Hidden comment',
      'Deleted comment',
      'Held comment',
      'On a held proposal',
      'Other process',
      'South',
    ]) {
      assert.ok(!csv.body.includes(gone), gone);
    }
    for (const personal of personalData()) assert.ok(!csv.body.includes(personal), personal);

    const json = JSON.parse((await new Agent(t.app).get(`${url}.json`)).body) as Record<string, unknown>[];
    assert.equal(json.length, 3);
    assert.deepEqual(
      json.find((c) => c.id === comments.onP1),
      {
        id: comments.onP1,
        proposal_id: proposals.P1,
        parent_id: null,
        stance: 'neutral',
        body: 'Visible comment',
        agree_count: 2,
        disagree_count: 0,
        created_at: (json.find((c) => c.id === comments.onP1) as { created_at: string }).created_at,
      },
    );
  });
});

describe('exports of a large process', () => {
  it('pages through thousands of proposals created in the same instant without losing or repeating one', async () => {
    const big = await t.createProcess({ placeId: north.id, title: 'Big' });
    const at = new Date('2030-01-01T00:00:00.123Z');
    const values = Array.from({ length: 1234 }, (_, i) => ({
      place_id: north.id,
      process_id: big,
      author_id: people.M!,
      title: `Bulk ${i}`,
      body: 'Same time',
      category: null,
      area: null,
      postcode: 'AB1 2CD',
      status: 'published' as const,
      answer: null,
      answer_reason: null,
      answered_by: null,
      answered_at: null,
      created_at: at,
    }));
    for (let i = 0; i < values.length; i += 500) {
      await t.database.db
        .insertInto('proposals')
        .values(values.slice(i, i + 500))
        .execute();
    }
    const response = await new Agent(t.app).get(`/places/north/processes/${big}/export/proposals.json`);
    const rows = JSON.parse(response.body) as { id: string; title: string }[];
    assert.equal(rows.length, 1234);
    assert.equal(new Set(rows.map((r) => r.id)).size, 1234);
    assert.ok(!response.body.includes('AB1 2CD'), 'no postcodes');
    const csv = await new Agent(t.app).get(`/places/north/processes/${big}/export/proposals.csv`);
    assert.equal(parseCsv(csv.body.slice(1)).length, 1235);
  });
});

describe('helpers', () => {
  it('neutralises every cell a spreadsheet would run as a formula', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1'])
      assert.equal(neutraliseFormula(v), `'${v}`);
    for (const v of ['1+1', 'plain', '', ' =1']) assert.equal(neutraliseFormula(v), v);
  });

  it('names files in plain ASCII', () => {
    assert.equal(
      exportFileName('north', 'Café “Plans” / 2031!', 'comments', 'csv'),
      'north-cafe-plans-2031-comments.csv',
    );
    assert.equal(exportFileName('north', '???', 'proposals', 'json'), 'north-process-proposals.json');
  });

  it('scales bars to the largest value and describes empty charts', () => {
    const chart = barChart(
      [
        { label: 'A', value: 4 },
        { label: 'B', value: 2 },
        { label: 'C', value: 0 },
      ],
      ['proposal', 'proposals'],
    );
    assert.deepEqual(
      chart.bars.map((b) => b.width),
      [260, 130, 0],
    );
    assert.equal(barChart([], ['proposal', 'proposals']).description, 'No proposals yet.');
  });
});

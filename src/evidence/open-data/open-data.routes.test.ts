import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readCsv } from '../../participation/budgeting/csv-reader.ts';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { PROPOSER, seedOpenData } from './open-data.fixtures.ts';

let t: TestApp;
let seed: Awaited<ReturnType<typeof seedOpenData>>;
const OD = '/places/riverside/open-data';
const API = '/api/places/riverside';

before(async () => {
  t = await buildTestApp();
  seed = await seedOpenData(t);
});
after(async () => {
  await t.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
function rows(text: string): Record<string, string>[] {
  const [header, ...records] = readCsv(text, ',');
  return records.map((r) => Object.fromEntries(header!.fields.map((name, i) => [name, r.fields[i] ?? ''])));
}

/** Open data must never carry the people behind it: their names, emails or account ids. */
async function assertNoPersonalData(body: string) {
  const people = await t.database.db.selectFrom('users').select(['id', 'name', 'email']).execute();
  for (const person of people) {
    if (person.email)
      assert.ok(!body.includes(person.email), `an email address in open data: ${person.email}`);
    assert.ok(!body.includes(person.id), `an account id in open data: ${person.id}`);
  }
  assert.ok(!body.includes(PROPOSER.name), 'the proposer’s name in open data');
}

describe('GET /places/:slug (the place page)', () => {
  it('links everyone, signed out too, to the open data', async () => {
    const page = await get('/places/riverside');
    assert.match(page.body, /href="\/places\/riverside\/open-data">Open data<\/a>/);
  });
});

describe('GET /places/:slug/open-data', () => {
  it('offers every download to a signed-out visitor, with each process’s proposals', async () => {
    const page = await get(OD);
    assert.equal(page.statusCode, 200);
    for (const href of [
      `${OD}/processes.csv`,
      `${API}/processes`,
      `${OD}/budgets`,
      `${OD}/budget-results.csv`,
      `${API}/budget-results`,
      `${OD}/results.csv`,
      `${API}/results`,
      '/api/openreferral/services?place=riverside',
      '/api/openreferral/organizations?place=riverside',
      '/api/docs',
    ]) {
      assert.ok(page.body.includes(`href="${href}"`), `a link to ${href}`);
    }
    const proposals = `/places/riverside/processes/${seed.processId}/export/proposals`;
    assert.ok(page.body.includes(`href="${proposals}.csv"`));
    assert.ok(page.body.includes(`href="${proposals}.json"`));
  });

  it('links proposal downloads that hold the proposals but not who made them', async () => {
    const csv = await get(`/places/riverside/processes/${seed.processId}/export/proposals.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /Trees on Mill Lane/);
    await assertNoPersonalData(csv.body);
  });

  it('pages the processes, 25 a page', async () => {
    const other = await t.createPlace('manyside', 'Manyside');
    for (let i = 1; i <= 26; i++) await t.createProcess({ placeId: other.id, title: `Process number ${i}` });
    const first = await get('/places/manyside/open-data');
    assert.equal((first.body.match(/export\/proposals\.csv"/g) ?? []).length, 25);
    assert.match(first.body, /processes 1 to 25 of 26/);
    assert.match(first.body, /href="\/places\/manyside\/open-data\?page=2"/);
    const second = await get('/places/manyside/open-data?page=2');
    assert.equal((second.body.match(/export\/proposals\.csv"/g) ?? []).length, 1);
  });

  it('answers 404 for a place that does not exist', async () => {
    assert.equal((await get('/places/nowhere/open-data')).statusCode, 404);
  });
});

describe('GET /places/:slug/open-data/budgets', () => {
  it('lists published results with the anonymised ballots a visitor may download', async () => {
    const page = await get(`${OD}/budgets`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Riverside budget 2026/);
    const pb = `/places/riverside/budgets/${seed.budgetId}/export.pb?section=area`;
    assert.ok(page.body.includes(`href="${pb}"`), 'a link to the .pb export');
    const file = await get(pb);
    assert.equal(file.statusCode, 200);
    assert.match(file.body, /^META/m);
    assert.match(file.body, /^VOTES/m);
  });

  it('leaves out a budget whose results are not published', async () => {
    const unpublished = await t.createProcess({
      placeId: seed.place.id,
      title: 'Unpublished budget process',
    });
    await t.database.db
      .insertInto('budgets')
      .values({
        place_id: seed.place.id,
        process_id: unpublished,
        title: 'Budget still counting',
        total_amount: '100.00',
        voting_opens_on: '2026-01-01',
        voting_closes_on: '2026-01-31',
      })
      .execute();
    const page = await get(`${OD}/budgets`);
    assert.doesNotMatch(page.body, /Budget still counting/);
    const api = (await get(`${API}/budget-results`)).json();
    assert.equal(api.total_items, 1);
  });
});

describe('GET /places/:slug/open-data/*.csv', () => {
  it('downloads every process as CSV', async () => {
    const reply = await get(`${OD}/processes.csv`);
    assert.equal(reply.statusCode, 200);
    assert.match(String(reply.headers['content-type']), /^text\/csv/);
    assert.match(
      String(reply.headers['content-disposition']),
      /attachment; filename="riverside-processes.csv"/,
    );
    const titles = rows(reply.body).map((r) => r.title);
    assert.ok(titles.includes('Riverside ideas 2027'));
    assert.ok(titles.includes('Riverside budget 2026'));
    const ideas = rows(reply.body).find((r) => r.title === 'Riverside ideas 2027')!;
    assert.equal(ideas.status, 'active');
    assert.equal(
      ideas.proposals_csv,
      `http://commonweal.test/places/riverside/processes/${seed.processId}/export/proposals.csv`,
    );
  });

  it('downloads published budget results as one row per project, with support per channel', async () => {
    const reply = await get(`${OD}/budget-results.csv`);
    const byTitle = new Map(rows(reply.body).map((r) => [r.project, r]));
    // The hand-counted election: A and C win under Equal Shares; A had 3 online, 1 code, 2 paper votes.
    assert.equal(byTitle.get('Park benches')?.selected, 'yes');
    assert.equal(byTitle.get('Library books')?.selected, 'no');
    assert.equal(byTitle.get('Street lights')?.selected, 'yes');
    assert.deepEqual(
      ['votes', 'votes_online', 'votes_code', 'votes_paper', 'votes_imported', 'cost'].map(
        (k) => byTitle.get('Park benches')?.[k],
      ),
      ['6', '3', '1', '2', '0', '500.00'],
    );
    assert.equal(byTitle.get('Street lights')?.votes_imported, '2');
    await assertNoPersonalData(reply.body);
  });

  it('downloads tracked results with their progress and latest figures', async () => {
    const reply = await get(`${OD}/results.csv`);
    const programme = rows(reply.body).find((r) => r.title === 'Greener streets programme');
    assert.ok(programme);
    assert.equal(programme.status, 'in_progress');
    assert.equal(programme.progress, '40');
    assert.equal(programme.spent, '1200.00');
    assert.equal(programme.source, 'manual');
    // The budget's winners became decisions when the results were published.
    assert.ok(rows(reply.body).some((r) => r.title === 'Park benches' && r.source === 'budget_project'));
    await assertNoPersonalData(reply.body);
  });

  it('neutralises spreadsheet formulas in text', async () => {
    await t.createProcess({ placeId: seed.place.id, title: '=HYPERLINK("http://evil.example")' });
    const reply = await get(`${OD}/processes.csv`);
    assert.ok(rows(reply.body).some((r) => r.title === `'=HYPERLINK("http://evil.example")`));
  });
});

describe('GET /api/places/:slug/…', () => {
  it('answers JSON open to every origin, paged like the directory API', async () => {
    const reply = await get(`${API}/processes?per_page=1&page=2`);
    assert.equal(reply.statusCode, 200);
    assert.equal(reply.headers['access-control-allow-origin'], '*');
    const body = reply.json();
    assert.equal(body.page_number, 2);
    assert.equal(body.size, 1);
    assert.equal(body.contents.length, 1);
    assert.ok(body.total_items >= 2);
    assert.equal(body.first_page, false);
  });

  it('gives the published winners, cost and support per channel of each budget', async () => {
    const body = (await get(`${API}/budget-results`)).json();
    const budget = body.contents[0];
    assert.equal(budget.budget_id, seed.budgetId);
    assert.equal(budget.rule, 'mes_cost');
    const [section] = budget.sections;
    assert.deepEqual(section.winners, [seed.projects.A, seed.projects.C]);
    assert.deepEqual(section.ballots, {
      total: 10,
      by_channel: { online: 4, code: 1, paper: 3, imported: 2 },
    });
    const benches = section.projects.find((p: { id: string }) => p.id === seed.projects.A);
    assert.deepEqual(benches.votes_by_channel, { online: 3, code: 1, paper: 2, imported: 0 });
    assert.equal(budget.ballots_pb.length, 1);
    assert.match(
      budget.ballots_pb[0].href,
      /^http:\/\/commonweal\.test\/places\/riverside\/budgets\/.+\/export\.pb/,
    );
  });

  it('never reads or sets a session, even for a signed-in person', async () => {
    const agent = new Agent(t.app);
    const signIn = await agent.submit('/sign-in', {
      email: 'olu.officer@example.test',
      password: TEST_PASSWORD,
    });
    assert.equal(signIn.statusCode, 303);
    const reply = await agent.get(`${API}/results`);
    assert.equal(reply.statusCode, 200);
    assert.equal(reply.headers['set-cookie'], undefined);
    await assertNoPersonalData(reply.body);
  });

  it('refuses a bad page number with a JSON error', async () => {
    const reply = await get(`${API}/results?per_page=101`);
    assert.equal(reply.statusCode, 400);
    assert.equal(reply.json().error, 'bad_request');
    assert.match(reply.json().message, /per_page must be a whole number from 1 to 100/);
  });

  it('answers 404 in JSON for an unknown place', async () => {
    const reply = await get('/api/places/nowhere/processes');
    assert.equal(reply.statusCode, 404);
    assert.equal(reply.json().error, 'not_found');
  });

  it('answers a CORS preflight', async () => {
    const reply = await t.app.inject({ method: 'OPTIONS', url: `${API}/processes` });
    assert.equal(reply.statusCode, 204);
    assert.equal(reply.headers['access-control-allow-methods'], 'GET, OPTIONS');
  });
});

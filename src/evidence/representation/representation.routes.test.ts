import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { anonymiseOnlineBallots } from '../../participation/budgeting/ballots/ballots.repository.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let south: { id: string; slug: string; name: string };
let processId: string;
let budgetId: string;
const people: Record<string, string> = {};

const PROFILE = [
  'dimension,category,count,share',
  'Age band,16–34,300,',
  'Age band,35–64,500,',
  'Age band,65 and over,200,',
  'Area,North Bank,600,',
  'Area,South Bank,400,',
].join('\n');

async function signIn(email: string): Promise<Agent> {
  const agent = new Agent(t.app);
  const res = await agent.submit('/sign-in', { email, password: 'correct-horse-battery-staple-7' });
  assert.equal(res.statusCode, 303, `sign in as ${email}`);
  return agent;
}

function upload(agent: Agent, text: string, slug = 'north') {
  return agent.submitMultipart(
    `/places/${slug}/evidence/population`,
    {},
    {
      file: { filename: 'profile.csv', contentType: 'text/csv', bytes: Buffer.from(text) },
    },
  );
}

async function answer(agent: Agent, fields: Record<string, string>) {
  return agent.submit('/places/north/about-you', fields);
}

async function ballot(
  channel: 'online' | 'code' | 'paper',
  voterId: string | null = null,
  districtId: string | null = null,
) {
  let access_code_id: string | null = null;
  let paper_sheet_id: string | null = null;
  if (channel === 'code') {
    const batch = await t.database.db
      .insertInto('access_code_batches')
      .values({ place_id: north.id, budget_id: budgetId, quantity: 1, created_by: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const code = await t.database.db
      .insertInto('access_codes')
      .values({ place_id: north.id, budget_id: budgetId, batch_id: batch.id, code_hash: randomUUID() })
      .returning('id')
      .executeTakeFirstOrThrow();
    access_code_id = code.id;
  }
  if (channel === 'paper') {
    const sheet = await t.database.db
      .insertInto('paper_sheets')
      .values({ place_id: north.id, budget_id: budgetId, reference: randomUUID() })
      .returning('id')
      .executeTakeFirstOrThrow();
    paper_sheet_id = sheet.id;
  }
  await t.database.db
    .insertInto('ballots')
    .values({
      place_id: north.id,
      budget_id: budgetId,
      channel,
      voter_id: voterId,
      district_id: districtId,
      access_code_id,
      paper_sheet_id,
    })
    .execute();
}

/** The cells of the row with this header in the table with this caption. */
function row(html: string, caption: string, header: string): string[] {
  const start = html.indexOf(caption);
  assert.ok(start >= 0, `no table captioned ${caption}`);
  const body = html.slice(start, html.indexOf('</table>', start));
  const match = [
    ...body.matchAll(/<tr class="govuk-table__row"><th scope="row"[^>]*>([^<]*)<\/th>(.*?)<\/tr>/g),
  ].find((m) => m[1] === header);
  assert.ok(match, `no row ${header} in ${caption}`);
  return [...match[2]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!);
}

before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North Vale');
  south = await t.createPlace('south', 'South Vale');
  people.analyst = await t.createUser({
    email: 'analyst@example.test',
    roles: [{ placeId: north.id, role: 'analyst' }],
  });
  people.officer = await t.createUser({
    email: 'officer@example.test',
    roles: [{ placeId: north.id, role: 'officer' }],
  });
  people.southOfficer = await t.createUser({
    email: 'south-officer@example.test',
    roles: [{ placeId: south.id, role: 'officer' }],
  });
  for (let i = 0; i < 30; i++) people[`r${i}`] = await t.createUser({ email: `resident-${i}@example.test` });
  processId = await t.createProcess({ placeId: north.id, title: 'Parks 2031' });
  const budget = await t.database.db
    .insertInto('budgets')
    .values({
      place_id: north.id,
      process_id: processId,
      title: 'Parks budget',
      total_amount: '10000.00',
      voting_opens_on: '2020-01-01',
      voting_closes_on: '2099-01-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  budgetId = budget.id;
});
after(async () => {
  await t.close();
});

describe('POST /places/:slug/evidence/population', () => {
  it('refuses an analyst, and an officer of another place', async () => {
    const analyst = await signIn('analyst@example.test');
    const page = await analyst.get('/places/north/evidence/population');
    assert.equal(page.statusCode, 200);
    assert.ok(!page.body.includes('Upload profile'));
    const res = await analyst.postRaw('/places/north/evidence/population', { _csrf: analyst.csrfToken() });
    assert.equal(res.statusCode, 403);
    const other = await signIn('south-officer@example.test');
    assert.equal((await other.get('/places/north/evidence/population')).statusCode, 403);
  });

  it('reports every problem with its line and stores nothing', async () => {
    const officer = await signIn('officer@example.test');
    const res = await upload(
      officer,
      'dimension,category,count\nAge band,16–34,x\nAge band,35–64,5\nAge band,35–64,6\n',
    );
    assert.equal(res.statusCode, 400);
    assert.deepEqual(errorSummary(res.body), [
      'Line 2: The count must be a whole number of people, not “x”',
      'Line 4: “35–64” appears twice in Age band',
    ]);
    const rows = await t.database.db.selectFrom('population_profile_rows').selectAll().execute();
    assert.equal(rows.length, 0);
  });

  it('stores a profile, replaces it whole with the next, and audits each upload', async () => {
    const officer = await signIn('officer@example.test');
    assert.equal(
      (await upload(officer, 'dimension,category,share\nGender,Woman,50\nGender,Man,50\n')).statusCode,
      303,
    );
    const res = await upload(officer, PROFILE);
    assert.equal(res.statusCode, 303);
    const rows = await t.database.db
      .selectFrom('population_profile_rows')
      .select(['dimension', 'category'])
      .where('place_id', '=', north.id)
      .execute();
    assert.deepEqual(rows.map((r) => r.dimension).sort(), [
      'age-band',
      'age-band',
      'age-band',
      'area',
      'area',
    ]);
    const audits = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'population_profile.uploaded')
      .execute();
    assert.equal(audits.length, 2);
    const page = await officer.get('/places/north/evidence/population');
    assert.deepEqual(row(page.body, 'Age band', '35–64'), ['500', '50.0%']);
  });
});

describe('POST /places/:slug/about-you', () => {
  it('sends a visitor to sign in', async () => {
    const res = await new Agent(t.app).get('/places/north/about-you');
    assert.notEqual(res.statusCode, 200);
  });

  it('refuses answers without consent, keeping what was chosen', async () => {
    const agent = await signIn('resident-0@example.test');
    const res = await answer(agent, { 'q-age-band': '16–34' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(errorSummary(res.body), [
      'Tick the box to say you agree to your answers being used this way',
    ]);
    assert.match(res.body, /value="16–34" checked/);
    const stored = await t.database.db.selectFrom('about_you_answers').selectAll().execute();
    assert.equal(stored.length, 0);
  });

  it('refuses an answer that is not one of the categories', async () => {
    const agent = await signIn('resident-0@example.test');
    const res = await answer(agent, { 'q-age-band': 'Centenarian', consent: 'yes' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(errorSummary(res.body), ['Choose one of the answers for age band']);
  });

  it('stores answers with consent, changes them, and deletes them all', async () => {
    const agent = await signIn('resident-0@example.test');
    assert.equal(
      (await answer(agent, { 'q-age-band': '16–34', 'q-area': 'prefer_not_to_say', consent: 'yes' }))
        .statusCode,
      303,
    );
    const stored = () =>
      t.database.db
        .selectFrom('about_you_answers')
        .select(['dimension', 'answer'])
        .where('user_id', '=', people.r0!)
        .orderBy('dimension')
        .execute();
    assert.deepEqual(await stored(), [
      { dimension: 'age-band', answer: '16–34' },
      { dimension: 'area', answer: 'prefer_not_to_say' },
    ]);
    assert.equal((await answer(agent, { 'q-age-band': '35–64', consent: 'yes' })).statusCode, 303);
    assert.deepEqual(await stored(), [{ dimension: 'age-band', answer: '35–64' }]);
    const page = await agent.get('/places/north/about-you');
    assert.match(page.body, /value="35–64" checked/);
    const deleted = await agent.submit('/places/north/about-you', {}, '/places/north/about-you/delete');
    assert.equal(deleted.statusCode, 303);
    assert.deepEqual(await stored(), []);
    const actions = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('actor_id', '=', people.r0!)
      .where('action', 'like', 'about_you.%')
      .execute();
    assert.deepEqual(actions.map((a) => a.action).sort(), [
      'about_you.answered',
      'about_you.answered',
      'about_you.deleted',
    ]);
    // The audit says that someone answered, never what.
    assert.ok(!JSON.stringify(actions).includes('35–64'));
  });

  it('lists the places to answer for, from the account', async () => {
    const agent = await signIn('resident-1@example.test');
    const page = await agent.get('/about-you');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/places\/north\/about-you"/);
    assert.equal(page.body.match(/\/about-you"/g)?.length, 1);
  });

  it('gives the answers back with the account’s data and deletes them with the account', async () => {
    const agent = await signIn('resident-2@example.test');
    await answer(agent, { 'q-age-band': '65 and over', consent: 'yes' });
    const download = await agent.get('/account/data');
    const exported = JSON.parse(download.body).aboutYou as {
      place: string;
      question: string;
      answer: string;
    }[];
    assert.deepEqual(
      exported.map((e) => [e.place, e.question, e.answer]),
      [['north', 'age-band', '65 and over']],
    );
    const deleted = await agent.submit('/account/delete', {
      password: 'correct-horse-battery-staple-7',
      confirm: 'yes',
    });
    assert.ok(deleted.statusCode < 400, `account deletion: ${deleted.statusCode}`);
    const user = await t.database.db
      .selectFrom('users')
      .select('deleted_at')
      .where('id', '=', people.r2!)
      .executeTakeFirstOrThrow();
    assert.ok(user.deleted_at);
    const left = await t.database.db
      .selectFrom('about_you_answers')
      .selectAll()
      .where('user_id', '=', people.r2!)
      .execute();
    assert.equal(left.length, 0);
  });
});

describe('GET /places/:slug/evidence/representation/:processId', () => {
  before(async () => {
    // 12 residents take part online (8 vote online, 4 only support), 3 vote by code, 6 on paper.
    const proposal = await t.createProposal({ placeId: north.id, processId, authorId: people.r3! });
    const ages = [
      '16–34',
      '16–34',
      '16–34',
      '16–34',
      '16–34',
      '16–34',
      '35–64',
      '35–64',
      '35–64',
      '35–64',
      '35–64',
      '65 and over',
    ];
    for (let i = 3; i < 15; i++) {
      const agent = await signIn(`resident-${i}@example.test`);
      await answer(agent, { 'q-age-band': ages[i - 3]!, consent: 'yes' });
      if (i < 11) await ballot('online', people[`r${i}`]!);
      else if (i > 11) {
        await t.database.db
          .insertInto('supports')
          .values({
            place_id: north.id,
            proposal_id: proposal,
            user_id: people[`r${i}`]!,
            process_id: processId,
          })
          .execute();
      }
    }
    // r11 proposes nothing, supports nothing: not taking part. r3 proposed and voted.
    for (let i = 0; i < 3; i++) await ballot('code');
    for (let i = 0; i < 6; i++) await ballot('paper');
    // Someone who answered but did not take part never counts.
    const outsider = await signIn('resident-20@example.test');
    await answer(outsider, { 'q-age-band': '65 and over', consent: 'yes' });
  });

  it('refuses residents and other places’ officers', async () => {
    const resident = await signIn('resident-3@example.test');
    assert.equal((await resident.get(`/places/north/evidence/representation/${processId}`)).statusCode, 403);
    const other = await signIn('south-officer@example.test');
    assert.equal((await other.get(`/places/north/evidence/representation/${processId}`)).statusCode, 403);
    const analyst = await signIn('analyst@example.test');
    assert.equal((await analyst.get(`/places/south/evidence/representation/${processId}`)).statusCode, 403);
  });

  it('counts everyone who took part, with code and paper voters as not asked, and suppresses small counts', async () => {
    const analyst = await signIn('analyst@example.test');
    const page = await analyst.get(`/places/north/evidence/representation/${processId}`);
    assert.equal(page.statusCode, 200);
    // Signed in: r3–r10 voted online, r12–r14 supported = 11; not asked: 3 + 6.
    assert.deepEqual(row(page.body, 'People in this view', 'Signed in, so asked “About you”'), ['11']);
    assert.deepEqual(
      row(
        page.body,
        'People in this view',
        'Not asked: voted with an access code, on paper or by import, without an account',
      ),
      ['9'],
    );
    assert.deepEqual(row(page.body, 'Budget ballots by channel', 'Online'), ['8', 'Asked (signed in)']);
    assert.deepEqual(row(page.body, 'Budget ballots by channel', 'Access code'), [
      'fewer than 5',
      'Not asked',
    ]);
    assert.deepEqual(row(page.body, 'Budget ballots by channel', 'Paper'), ['6', 'Not asked']);
    // Ages of the 11: 16–34 ×6 (r3–r8), 35–64 ×4 (r9, r10, r12, r13), 65+ ×1 (r14).
    // 4 and 1 are under 5; 6 of 11 = 54.5 % against 30 % → index 182.
    assert.deepEqual(row(page.body, 'Age band: people taking part', '16–34'), ['6', '54.5%', '30.0%', '182']);
    assert.deepEqual(row(page.body, 'Age band: people taking part', '35–64'), [
      'fewer than 5',
      '–',
      '50.0%',
      '–',
    ]);
    assert.deepEqual(row(page.body, 'Age band: people taking part', '65 and over'), [
      'fewer than 5',
      '–',
      '20.0%',
      '–',
    ]);
    assert.deepEqual(row(page.body, 'Age band: people taking part', 'All who answered with a category'), [
      '11',
      '',
      '',
      '',
    ]);
    // Nobody answered Area: all 11 did not answer, the other two are 0 and hidden with them.
    assert.deepEqual(row(page.body, 'Area: people taking part', 'Did not answer'), ['not shown', '', '', '']);
    assert.match(page.body, /<svg role="img"/);
  });

  it('shows only online voters per channel, and code voters as not asked', async () => {
    const analyst = await signIn('analyst@example.test');
    const online = await analyst.get(`/places/north/evidence/representation/${processId}?scope=online`);
    assert.deepEqual(row(online.body, 'People in this view', 'Signed in, so asked “About you”'), ['8']);
    // r3–r8 are 16–34 (6), r9–r10 are 35–64 (2): the 2 and the 0 are hidden; together they are 2, which
    // could be 2 + 0, 1 + 1 or 0 + 2, so the 6 can be shown: 75 % against 30 % → 250.
    assert.deepEqual(row(online.body, 'Age band: people taking part', '16–34'), [
      '6',
      '75.0%',
      '30.0%',
      '250',
    ]);
    assert.deepEqual(row(online.body, 'Age band: people taking part', '35–64'), [
      'fewer than 5',
      '–',
      '50.0%',
      '–',
    ]);
    const paper = await analyst.get(`/places/north/evidence/representation/${processId}?scope=paper`);
    assert.deepEqual(
      row(
        paper.body,
        'People in this view',
        'Not asked: voted with an access code, on paper or by import, without an account',
      ),
      ['6'],
    );
    assert.match(paper.body, /were not asked about themselves/);
    assert.ok(!paper.body.includes('Age band: people taking part'));
  });

  it('still counts online voters once the results are published and the ballots say no names', async () => {
    const analyst = await signIn('analyst@example.test');
    const url = `/places/north/evidence/representation/${processId}?scope=online`;
    const before = await analyst.get(url);
    await t.database.db.transaction().execute((tx) => anonymiseOnlineBallots(tx, north.id, budgetId));
    const named = await t.database.db
      .selectFrom('ballots')
      .select('id')
      .where('budget_id', '=', budgetId)
      .where('voter_id', 'is not', null)
      .execute();
    assert.equal(named.length, 0);
    const published = await analyst.get(url);
    assert.deepEqual(row(published.body, 'People in this view', 'Signed in, so asked “About you”'), ['8']);
    assert.deepEqual(
      row(published.body, 'Age band: people taking part', '16–34'),
      row(before.body, 'Age band: people taking part', '16–34'),
    );
  });

  it('never names or identifies a person', async () => {
    const analyst = await signIn('analyst@example.test');
    const page = await analyst.get(`/places/north/evidence/representation/${processId}`);
    for (const [key, id] of Object.entries(people)) {
      assert.ok(!page.body.includes(id), `${key}'s id is on the page`);
    }
    assert.ok(!/resident-\d+@/.test(page.body));
  });
});

describe('GET /about-you', () => {
  const EXTRA = 230;

  /** The places listed on one page of /about-you, by slug, and those marked answered. */
  function listed(html: string) {
    const links = [
      ...html.matchAll(/<li><a class="govuk-link" href="\/places\/([a-z0-9-]+)\/about-you">.*?<\/li>/g),
    ];
    return {
      slugs: links.map((m) => m[1]!),
      answered: links.filter((m) => m[0].includes('Answered')).map((m) => m[1]!),
    };
  }

  before(async () => {
    // More places asking the questions than a page, and than the old cap of 200.
    await sql`
      INSERT INTO places (slug, name)
      SELECT 'asking-' || lpad(n::text, 3, '0'), 'Asking place ' || lpad(n::text, 3, '0')
      FROM generate_series(1, ${EXTRA}) n
    `.execute(t.database.db);
    await sql`
      INSERT INTO population_profiles (place_id, filename)
      SELECT id, 'profile.csv' FROM places WHERE slug LIKE 'asking-%'
    `.execute(t.database.db);
  });

  it('pages the places 25 at a time, every place on exactly one page, with the answered ones marked', async () => {
    const id = await t.createUser({ email: 'many-places@example.test' });
    const last = await t.database.db
      .selectFrom('places')
      .select('id')
      .where('slug', '=', `asking-${EXTRA}`)
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto('about_you_answers')
      .values({
        place_id: last.id,
        user_id: id,
        dimension: 'age-band',
        answer: '16–34',
        consented_at: new Date().toISOString(),
      })
      .execute();
    const agent = await signIn('many-places@example.test');
    const stored = await t.database.db.selectFrom('population_profiles').select('place_id').execute();
    const total = stored.length;
    assert.ok(total > 200);

    const first = await agent.get('/about-you');
    assert.equal(first.statusCode, 200);
    assert.equal(listed(first.body).slugs.length, 25);
    assert.match(first.body, new RegExp(`Showing 1 to 25 of ${total} places that ask these questions`));
    assert.match(first.body, /govuk-pagination/);
    assert.match(first.body, /href="\/about-you\?page=2"/);

    const pages = Math.ceil(total / 25);
    const seen = [...listed(first.body).slugs];
    const answered: string[] = [];
    for (let n = 2; n <= pages; n++) {
      const response = await agent.get(`/about-you?page=${n}`);
      assert.equal(response.statusCode, 200);
      seen.push(...listed(response.body).slugs);
      answered.push(...listed(response.body).answered);
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    assert.ok(seen.includes('north'));
    assert.ok(seen.includes(`asking-${EXTRA}`));
    assert.deepEqual(answered, [`asking-${EXTRA}`]);
  });

  it('offers the first page when asked for one beyond the end, and treats a bad page as the first', async () => {
    const agent = await signIn('resident-3@example.test');
    const beyond = await agent.get('/about-you?page=999');
    assert.equal(beyond.statusCode, 200);
    assert.equal(listed(beyond.body).slugs.length, 0);
    assert.match(beyond.body, /There is no such page/);
    assert.match(beyond.body, /href="\/about-you">See the first page/);
    const bad = await agent.get('/about-you?page=1e9');
    assert.equal(bad.statusCode, 200);
    assert.equal(listed(bad.body).slugs.length, 25);
  });
});

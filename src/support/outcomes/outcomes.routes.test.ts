import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let leah: Agent;
let analyst: Agent;
let programmeId: string;
let childId: string;
let lastId: string;
const P = '/places/riverside/support';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const leahId = await t.createUser({
    email: 'leah@example.test',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  await t.createUser({ email: 'ana@example.test', roles: [{ placeId: place.id, role: 'analyst' }] });
  const programme = await db()
    .insertInto('support_programmes')
    .values({
      place_id: place.id,
      name: 'Riverside Zone',
      starts_on: '2026-09-01',
      ends_on: '2028-07-31',
      retention_years: 7,
      caseload_limit: 20,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  programmeId = programme.id;
  const setting = await db()
    .insertInto('support_settings')
    .values({ place_id: place.id, programme_id: programmeId, name: 'Northbank Academy', kind: 'school' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cohort = await db()
    .insertInto('support_cohorts')
    .values({
      place_id: place.id,
      programme_id: programmeId,
      name: 'Year 7',
      year_group: 7,
      intake_year: 2026,
      life_stage: 'secondary',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const child = await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: programmeId,
      cohort_id: cohort.id,
      setting_id: setting.id,
      reference: 'NB-001',
      given_name: 'Tamsin',
      family_name: 'Reed',
      date_of_birth: '2014-05-01',
      year_group: 7,
      flagged_domains: JSON.stringify(['wellbeing']),
      flag_count: 1,
      status: 'active',
      link_worker_id: leahId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  childId = child.id;
  // 500 indicators before "Zz last" in name order.
  const indicators = await db()
    .insertInto('support_outcome_indicators')
    .values(
      [...Array.from({ length: 500 }, (_, i) => `Measure ${String(i).padStart(3, '0')}`), 'Zz last'].map(
        (name) => ({
          place_id: place.id,
          name,
          instrument: 'A scale',
          scale_min: '0',
          scale_max: '10',
          threshold: '5',
          direction: 'higher' as const,
        }),
      ),
    )
    .returning(['id', 'name'])
    .execute();
  lastId = indicators.find((i) => i.name === 'Zz last')!.id;
  leah = await signedIn('leah@example.test');
  analyst = await signedIn('ana@example.test');
});

after(async () => {
  await t?.close();
});

describe('POST /places/:slug/support/participants/:id/observations/new', () => {
  it('offers and records a score on the 501st indicator of the library', async () => {
    const form = `${P}/participants/${childId}/observations/new`;
    const page = await leah.get(form);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`<option value="${lastId}">Zz last \\(A scale, 0 to 10\\)</option>`));
    const response = await leah.submit(form, {
      indicatorId: lastId,
      stage: 'baseline',
      value: '3',
      observedOn: '2026-09-10',
    });
    assert.equal(response.statusCode, 303, errorSummary(response.body).join('\n'));
    await leah.submit(form, { indicatorId: lastId, stage: 'exit', value: '7', observedOn: '2027-07-01' });
    const stored = await db()
      .selectFrom('support_outcome_observations')
      .select('stage')
      .where('indicator_id', '=', lastId)
      .orderBy('stage')
      .execute();
    assert.deepEqual(
      stored.map((s) => s.stage),
      ['baseline', 'exit'],
    );
  });
});

describe('GET /places/:slug/support/dashboard/:programmeId', () => {
  it('counts every indicator of the library, the 501st too, on the page and in the CSV', async () => {
    const page = await analyst.get(`${P}/dashboard/${programmeId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<th scope="row" class="govuk-table__header">Zz last<\/th>/);
    const csv = await analyst.get(`${P}/dashboard/${programmeId}/dashboard.csv`);
    assert.match(csv.body, /Outcomes,Zz last,With a baseline,fewer than 5/);
  });
});

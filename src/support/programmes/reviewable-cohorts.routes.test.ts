import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { type RecordsSetup, recordsSetup } from '../records/records.fixture.ts';

let t: TestApp;
let s: RecordsSetup;
let place: { id: string; slug: string; name: string };
let leah: Agent;
let sam: Agent;
const P = '/places/riverside/support';
const db = () => t.database.db;
const n3 = (i: number) => String(i).padStart(3, '0');

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

/** The cohorts (with their programme) listed to review on a start page, in order. */
function cohortsListed(body: string) {
  return [
    ...body.matchAll(
      /<a class="govuk-link" href="\/places\/riverside\/support\/cohorts\/[^"]+\/review">([^<]+)<\/a> \(([^)]+)\)/g,
    ),
  ].map((m) => `${m[1]} (${m[2]})`);
}

const riverside = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `Cohort ${n3(from + i)} (Riverside Zone)`);

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  // Leah is in a team of Riverside Zone, whose cohorts are "Cohort 000" … "Cohort 228" and "Year 7": 230.
  s = await recordsSetup(t, place.id);
  await sql`
    INSERT INTO support_cohorts (place_id, programme_id, name, year_group, intake_year, life_stage)
    SELECT ${place.id}, ${s.programmeId}, 'Cohort ' || lpad(n::text, 3, '0'), 7, 2026, 'secondary'
    FROM generate_series(0, 228) n`.execute(db());
  // Another programme, whose only setting belongs to Sam's organisation; Leah is in none of its teams.
  const beacon = await db()
    .insertInto('support_programmes')
    .values({
      place_id: place.id,
      name: 'Beacon Zone',
      starts_on: '2026-09-01',
      ends_on: '2028-07-31',
      retention_years: 7,
      caseload_limit: 20,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const school = await db()
    .insertInto('organizations')
    .values({ place_id: place.id, name: 'Beacon School', kind: 'school' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('support_settings')
    .values({
      place_id: place.id,
      programme_id: beacon.id,
      name: 'Beacon School',
      kind: 'school',
      organization_id: school.id,
    })
    .execute();
  await db()
    .insertInto('support_cohorts')
    .values({
      place_id: place.id,
      programme_id: beacon.id,
      name: 'Year 8',
      year_group: 8,
      intake_year: 2026,
      life_stage: 'secondary',
    })
    .execute();
  const samId = await t.createUser({
    email: 'sam@example.test',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  await db()
    .insertInto('organization_members')
    .values({ place_id: place.id, organization_id: school.id, user_id: samId })
    .execute();
  leah = await signedIn('leah@example.test');
  sam = await signedIn('sam@example.test');
});

after(async () => {
  await t?.close();
});

describe('programmes.reviewableCohorts', () => {
  it('gives 25 a page with the total of all 230, the 226th to 230th on page 10', async () => {
    const programmes = t.services.support.programmes;
    const first = await programmes.reviewableCohorts(place, s.workerId, true, [], { limit: 25, offset: 0 });
    assert.equal(first.total, 230);
    assert.deepEqual(
      first.cohorts.map((c) => `${c.name} (${c.programme_name})`),
      riverside(0, 24),
    );
    const last = await programmes.reviewableCohorts(place, s.workerId, true, [], { limit: 25, offset: 225 });
    assert.equal(last.total, 230);
    assert.deepEqual(
      last.cohorts.map((c) => `${c.name} (${c.programme_name})`),
      [...riverside(225, 228), 'Year 7 (Riverside Zone)'],
    );
    const nobody = await programmes.reviewableCohorts(place, s.workerId, false, [], { limit: 25, offset: 0 });
    assert.deepEqual(nobody, { cohorts: [], total: 0 });
  });
});

describe('GET /places/:slug/support (cohorts to review)', () => {
  it('shows a link worker the first 25 of the 230 cohorts of their programmes', async () => {
    const page = await leah.get(P);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 25 of 230 cohorts, by programme\./);
    assert.deepEqual(cohortsListed(page.body), riverside(0, 24));
    assert.doesNotMatch(page.body, /Beacon Zone/);
    assert.match(page.body, /<nav class="govuk-pagination"/);
    assert.match(page.body, new RegExp(`href="${P}\\?page=2"`));
    assert.match(page.body, new RegExp(`href="${P}\\?page=10"`));
  });

  it('shows the 26th to 50th on page 2, and the 201st to 230th, beyond the old cap of 200, on later pages', async () => {
    const second = await leah.get(`${P}?page=2`);
    assert.match(second.body, /Showing 26 to 50 of 230 cohorts/);
    assert.deepEqual(cohortsListed(second.body), riverside(25, 49));
    const ninth = await leah.get(`${P}?page=9`);
    assert.match(ninth.body, /Showing 201 to 225 of 230 cohorts/);
    assert.deepEqual(cohortsListed(ninth.body), riverside(200, 224));
    const last = await leah.get(`${P}?page=10`);
    assert.equal(last.statusCode, 200);
    assert.match(last.body, /Showing 226 to 230 of 230 cohorts/);
    assert.deepEqual(cohortsListed(last.body), [...riverside(225, 228), 'Year 7 (Riverside Zone)']);
  });

  it('offers a way back from a page beyond the end, and treats a bad page number as page 1', async () => {
    const beyond = await leah.get(`${P}?page=11`);
    assert.equal(beyond.statusCode, 200);
    assert.deepEqual(cohortsListed(beyond.body), []);
    assert.match(
      beyond.body,
      new RegExp(
        `There are 230 cohorts for you to review\\. <a class="govuk-link" href="${P}">See the first page`,
      ),
    );
    const bad = await leah.get(`${P}?page=-3`);
    assert.match(bad.body, /Showing 1 to 25 of 230 cohorts/);
  });

  it('shows school staff only the cohorts of programmes their setting takes part in', async () => {
    const page = await sam.get(P);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 1 of 1 cohort, by programme\./);
    assert.deepEqual(cohortsListed(page.body), ['Year 8 (Beacon Zone)']);
    assert.doesNotMatch(page.body, /govuk-pagination/);
  });
});

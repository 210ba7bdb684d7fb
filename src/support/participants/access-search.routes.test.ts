import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { recordsSetup } from '../records/records.fixture.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let admin: Actor;
let ada: Agent;
const P = '/places/riverside/support';
const SEARCH = `${P}/access-log?reference=RVS-7001`;
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

/** The settings named in the results on a page, in order. */
function settingsListed(body: string) {
  return [...body.matchAll(/\/access-log">RVS-7001<\/a>: Riverside Zone, Year 7, (School \d\d)</g)].map(
    (m) => m[1],
  );
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const s = await recordsSetup(t, place.id);
  const adminId = await t.createUser({
    email: 'ada@example.test',
    roles: [{ placeId: place.id, role: 'place_admin' }],
  });
  admin = {
    user: {
      id: adminId,
      name: 'ada',
      email: 'ada@example.test',
      emailVerified: true,
      isInstanceAdmin: false,
    },
    roles: new Map([[place.id, new Set(['place_admin' as const])]]),
    requestId: 'test',
  };
  // 60 children with the same pupil reference, one in each of 60 schools "School 00" … "School 59".
  await sql`
    INSERT INTO support_settings (place_id, programme_id, name, kind)
    SELECT ${place.id}, ${s.programmeId}, 'School ' || lpad(n::text, 2, '0'), 'school'
    FROM generate_series(0, 59) n`.execute(db());
  await sql`
    INSERT INTO participants (place_id, programme_id, cohort_id, setting_id, reference, status)
    SELECT ${place.id}, ${s.programmeId}, ${s.cohortId}, id, 'RVS-7001', 'identified'
    FROM support_settings WHERE place_id = ${place.id} AND name LIKE 'School %'`.execute(db());
  // Neither another reference nor another place's child with the same reference is found.
  await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: s.programmeId,
      cohort_id: s.cohortId,
      setting_id: s.settingId,
      reference: 'RVS-7002',
    })
    .execute();
  const other = await t.createPlace('elsewhere', 'Elsewhere');
  const o = await recordsSetup(t, other.id, '-elsewhere');
  await db()
    .insertInto('participants')
    .values({
      place_id: other.id,
      programme_id: o.programmeId,
      cohort_id: o.cohortId,
      setting_id: o.settingId,
      reference: 'RVS-7001',
    })
    .execute();
  ada = await signedIn('ada@example.test');
});

after(async () => {
  await t?.close();
});

const school = (n: number) => `School ${String(n).padStart(2, '0')}`;
const schools = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => school(from + i));

describe('participants.findByReference', () => {
  it('gives 25 children a page with the total of all 60, the 51st to 60th on page 3', async () => {
    const participants = t.services.support.participants;
    const first = await participants.findByReference(admin, place, 'RVS-7001', { limit: 25, offset: 0 });
    assert.equal(first.total, 60);
    assert.deepEqual(
      first.matches.map((m) => m.setting_name),
      schools(0, 24),
    );
    const third = await participants.findByReference(admin, place, 'RVS-7001', { limit: 25, offset: 50 });
    assert.equal(third.total, 60);
    assert.deepEqual(
      third.matches.map((m) => m.setting_name),
      schools(50, 59),
    );
    const none = await participants.findByReference(admin, place, '', { limit: 25, offset: 0 });
    assert.deepEqual(none, { matches: [], total: 0 });
  });
});

describe('GET /places/:slug/support/access-log?reference=…', () => {
  it('shows the first 25 of 60 children with the reference, with GOV.UK pagination', async () => {
    const page = await ada.get(SEARCH);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 25 of 60 children with the reference “RVS-7001”\./);
    assert.deepEqual(settingsListed(page.body), schools(0, 24));
    assert.match(page.body, /<nav class="govuk-pagination"/);
    assert.match(page.body, new RegExp(`href="${P}/access-log\\?reference=RVS-7001&amp;page=2"`));
    assert.match(page.body, new RegExp(`href="${P}/access-log\\?reference=RVS-7001&amp;page=3"`));
  });

  it('shows the 26th to 50th on page 2 and the 51st to 60th, beyond the old cap of 50, on page 3', async () => {
    const second = await ada.get(`${SEARCH}&page=2`);
    assert.match(second.body, /Showing 26 to 50 of 60 children/);
    assert.deepEqual(settingsListed(second.body), schools(25, 49));
    const third = await ada.get(`${SEARCH}&page=3`);
    assert.equal(third.statusCode, 200);
    assert.match(third.body, /Showing 51 to 60 of 60 children/);
    assert.deepEqual(settingsListed(third.body), schools(50, 59));
  });

  it('offers a way back from a page beyond the end, and treats a bad page number as page 1', async () => {
    const beyond = await ada.get(`${SEARCH}&page=4`);
    assert.equal(beyond.statusCode, 200);
    assert.deepEqual(settingsListed(beyond.body), []);
    assert.match(
      beyond.body,
      new RegExp(
        `There are 60 children with the reference “RVS-7001”\\. <a class="govuk-link" href="${P}/access-log\\?reference=RVS-7001">See the first page`,
      ),
    );
    const bad = await ada.get(`${SEARCH}&page=99999999999`);
    assert.equal(bad.statusCode, 200);
    assert.match(bad.body, /Showing 1 to 25 of 60 children/);
  });

  it('says when no child has the reference', async () => {
    const page = await ada.get(`${P}/access-log?reference=RVS-9999`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /No child has the reference “RVS-9999”\./);
  });

  it('is for place admins only', async () => {
    const leah = await signedIn('leah@example.test');
    assert.equal((await leah.get(SEARCH)).statusCode, 403);
    assert.equal((await leah.get(`${SEARCH}&page=3`)).statusCode, 403);
  });
});

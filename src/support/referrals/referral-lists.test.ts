import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import type { PlaceRole } from '../../platform/auth/roles.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { type RecordsSetup, recordsSetup } from '../records/records.fixture.ts';

let t: TestApp;
let s: RecordsSetup;
let place: { id: string; slug: string; name: string };
let worker: Actor;
let partner: Actor;
const P = '/places/riverside/support';
const db = () => t.database.db;

function actor(id: string, email: string, role: PlaceRole): Actor {
  return {
    user: { id, name: email, email, emailVerified: true, isInstanceAdmin: false },
    roles: new Map([[place.id, new Set([role])]]),
    requestId: 'test',
  };
}

async function newChild(reference: string) {
  const row = await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: s.programmeId,
      cohort_id: s.cohortId,
      setting_id: s.settingId,
      reference,
      given_name: 'Tamsin',
      family_name: 'Reed',
      status: 'active',
      team_id: s.teamId,
      link_worker_id: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  s = await recordsSetup(t, place.id);
  worker = actor(s.workerId, 'leah@example.test', 'link_worker');
  const partnerId = await t.createUser({
    email: 'amir@example.test',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  await db()
    .insertInto('organization_members')
    .values({ place_id: place.id, organization_id: s.organizationId, user_id: partnerId })
    .execute();
  partner = actor(partnerId, 'amir@example.test', 'organisation_member');
});

after(async () => {
  await t?.close();
});

describe('sending a referral', () => {
  it('emails every member of the receiving organisation, however many there are', async () => {
    await sql`
      INSERT INTO users (email, name) SELECT 'member' || n || '@example.test', 'Member ' || n
      FROM generate_series(1, 205) n`.execute(db());
    await sql`
      INSERT INTO organization_members (place_id, organization_id, user_id)
      SELECT ${place.id}, ${s.organizationId}, id FROM users WHERE email LIKE 'member%@example.test'`.execute(
      db(),
    );
    const childId = await newChild('NB-3001');
    await db()
      .insertInto('participant_agreements')
      .values({
        place_id: place.id,
        participant_id: childId,
        given_by: 'parent_carer',
        giver_name: 'A parent',
        capacity_judgement: 'Parental responsibility.',
      })
      .execute();
    await db()
      .insertInto('participant_sharing_decisions')
      .values({
        place_id: place.id,
        participant_id: childId,
        organization_id: s.organizationId,
        data_items: JSON.stringify(['name']),
        rationale: 'Mentoring needs the name.',
      })
      .execute();
    const draft = await db()
      .insertInto('support_referrals')
      .values({
        place_id: place.id,
        participant_id: childId,
        organization_id: s.organizationId,
        service_id: s.serviceId,
        service_name: 'Mentoring',
        note: 'Weekly mentoring, please.',
        data_items: JSON.stringify(['name']),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const leah = new Agent(t.app);
    await leah.submit('/sign-in', { email: 'leah@example.test', password: TEST_PASSWORD });
    const sent = await leah.submit(`${P}/referrals/${draft.id}`, {}, `${P}/referrals/${draft.id}/send`);
    assert.equal(sent.statusCode, 303, errorSummary(leah.lastPage).join('\n'));
    const told = new Set((await t.mail()).map((m) => m.to));
    const members = Array.from({ length: 205 }, (_, i) => `member${i + 1}@example.test`);
    assert.deepEqual(
      members.filter((m) => !told.has(m)),
      [],
    );
    assert.ok(told.has('amir@example.test'));
  });
});

describe('a child’s referrals, for the referrer', () => {
  it('pages them newest first, 25 at a time: the 26th newest is on page 2', async () => {
    const childId = await newChild('NB-3002');
    await sql`
      INSERT INTO support_referrals
        (place_id, participant_id, organization_id, service_id, service_name, note, data_items, created_at)
      SELECT ${place.id}, ${childId}, ${s.organizationId}, ${s.serviceId}, 'Service ' || n, 'A note.', '[]'::jsonb,
             timestamptz '2021-01-01' + n * interval '1 day'
      FROM generate_series(1, 27) n`.execute(db());
    const referrals = t.services.supportDelivery.referrals;
    const first = await referrals.pageOfParticipant(worker, place, childId, { limit: 25, offset: 0 });
    assert.equal(first.total, 27);
    assert.equal(first.referrals.length, 25);
    assert.equal(first.referrals[0]!.serviceName, 'Service 27');
    const second = await referrals.pageOfParticipant(worker, place, childId, { limit: 25, offset: 25 });
    assert.deepEqual(
      second.referrals.map((r) => r.serviceName),
      ['Service 2', 'Service 1'],
    );
    assert.equal(second.total, 27);

    // The child's delivery page shows the same pages, with GOV.UK pagination.
    const leah = new Agent(t.app);
    await leah.submit('/sign-in', { email: 'leah@example.test', password: TEST_PASSWORD });
    const page1 = await leah.get(`${P}/participants/${childId}/delivery`);
    assert.equal(page1.statusCode, 200);
    assert.match(page1.body, /Showing 1 to 25 of 27 referrals of this child, newest first/);
    assert.match(page1.body, /Service 27 \(/);
    assert.doesNotMatch(page1.body, /Service 2 \(/);
    assert.match(page1.body, new RegExp(`href="${P}/participants/${childId}/delivery\\?page=2"`));
    const page2 = await leah.get(`${P}/participants/${childId}/delivery?page=2`);
    assert.match(page2.body, /Showing 26 to 27 of 27 referrals/);
    assert.match(page2.body, /Service 2 \(/);
    assert.match(page2.body, /Service 1 \(/);
    assert.doesNotMatch(page2.body, /Service 27 \(/);
  });

  it('gives nothing of a child the link worker may not see', async () => {
    const otherId = await t.createUser({
      email: 'otto@example.test',
      roles: [{ placeId: place.id, role: 'link_worker' }],
    });
    const otto = actor(otherId, 'otto@example.test', 'link_worker');
    const childId = await newChild('NB-3003');
    await db()
      .insertInto('support_referrals')
      .values({
        place_id: place.id,
        participant_id: childId,
        organization_id: s.organizationId,
        service_name: 'Mentoring',
        note: 'A note.',
        data_items: '[]',
      })
      .execute();
    const page = await t.services.supportDelivery.referrals.pageOfParticipant(otto, place, childId, {
      limit: 25,
      offset: 0,
    });
    assert.deepEqual(page, { referrals: [], total: 0 });
  });
});

describe('accepted referrals of an organisation, for its sessions', () => {
  let lastId: string;
  let draftOnlyId: string;

  before(async () => {
    await sql`
      INSERT INTO participants (place_id, programme_id, cohort_id, setting_id, reference, status)
      SELECT ${place.id}, ${s.programmeId}, ${s.cohortId}, ${s.settingId}, 'ACC-' || n, 'active'
      FROM generate_series(1, 501) n`.execute(db());
    await sql`
      INSERT INTO support_referrals
        (place_id, participant_id, organization_id, service_name, status, note, data_items, sent_at)
      SELECT ${place.id}, p.id, ${s.organizationId}, 'Mentoring', 'accepted', 'A note.', '[]'::jsonb,
             timestamptz '2021-01-01' + substr(p.reference, 5)::int * interval '1 hour'
      FROM participants p WHERE p.reference LIKE 'ACC-%'`.execute(db());
    const last = await db()
      .selectFrom('participants')
      .select('id')
      .where('reference', '=', 'ACC-501')
      .executeTakeFirstOrThrow();
    lastId = last.id;
    draftOnlyId = await newChild('NB-3004');
    await db()
      .insertInto('support_referrals')
      .values({
        place_id: place.id,
        participant_id: draftOnlyId,
        organization_id: s.organizationId,
        service_name: 'Mentoring',
        note: 'A note.',
        data_items: '[]',
      })
      .execute();
  });

  it('pages them in the order they were sent, with the total: the 501st is on page 21', async () => {
    const referrals = t.services.supportDelivery.referrals;
    const page = await referrals.acceptedForOrganization(partner, place, s.organizationId, {
      limit: 25,
      offset: 500,
    });
    assert.equal(page.total, 501);
    assert.deepEqual(
      page.candidates.map((c) => c.participantId),
      [lastId],
    );
  });

  it('checks chosen children against every accepted referral, not only the first 500', async () => {
    const referrals = t.services.supportDelivery.referrals;
    const found = await referrals.acceptedAmong(partner, place, s.organizationId, [lastId, draftOnlyId]);
    assert.deepEqual(
      found.map((c) => c.participantId),
      [lastId],
    );
    assert.deepEqual(await referrals.acceptedAmong(partner, place, s.organizationId, []), []);
  });
});

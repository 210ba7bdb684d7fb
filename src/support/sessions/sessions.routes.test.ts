import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../../platform/auth/actor.ts';
import type { PlaceRole } from '../../platform/auth/roles.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let leah: Agent;
let amir: Agent;
let leahId: string;
let ottoId: string;
let amirId: string;
let beaId: string;
let orgA: string;
let orgB: string;
/** Leah's children in name order: 530 named "Ada Child0000" … "Ada Child0529", then Zoe Zephyr. */
let workable: string[];
let zoeId: string;
let oliveId: string;
let ivyId: string;
let bobId: string;
let lwSession: string;
let partnerSession: string;
const P = '/places/riverside/support';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function ok(agent: Agent, page: string, fields: Record<string, string | string[]>, action?: string) {
  const response = await agent.submit(page, fields, action);
  assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join('\n'));
  return response;
}

function actor(id: string, role: PlaceRole): Actor {
  return {
    user: { id, name: 'Someone', email: `${id}@example.test`, emailVerified: true, isInstanceAdmin: false },
    roles: new Map([[place.id, new Set([role])]]),
    requestId: `test-${id}`,
  };
}

async function listed(requestId: string, list: string) {
  const rows = await db()
    .selectFrom('audit_events')
    .select(['subject_id', 'details'])
    .where('action', '=', 'participant.listed')
    .where('request_id', '=', requestId)
    .execute();
  for (const r of rows) assert.equal((r.details as { list: string }).list, list);
  return rows.map((r) => r.subject_id);
}

const checkboxes = (html: string) => [
  ...html.matchAll(/name="participants" type="checkbox" value="([^"]+)"/g),
];
const registerRows = (html: string) => [
  ...new Set([...html.matchAll(/name="status-([0-9a-f-]+)"/g)].map((m) => m[1])),
];

async function marks(sessionId: string) {
  const rows = await db()
    .selectFrom('support_session_attendees')
    .select(['participant_id', 'status'])
    .where('session_id', '=', sessionId)
    .execute();
  return new Map(rows.map((r) => [r.participant_id, r.status]));
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  leahId = await t.createUser({
    email: 'leah@example.test',
    name: 'Leah Brennan',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  ottoId = await t.createUser({
    email: 'otto@example.test',
    name: 'Otto Elsewhere',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  amirId = await t.createUser({
    email: 'amir@example.test',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  beaId = await t.createUser({
    email: 'bea@example.test',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  const [a, b, school] = await db()
    .insertInto('organizations')
    .values([
      { place_id: place.id, name: 'Riverside Youth Trust', kind: 'charity' },
      { place_id: place.id, name: 'Quayside Club', kind: 'charity' },
      { place_id: place.id, name: 'Northbank Academy', kind: 'school' },
    ])
    .returning('id')
    .execute();
  orgA = a!.id;
  orgB = b!.id;
  await db()
    .insertInto('organization_members')
    .values([
      { place_id: place.id, organization_id: orgA, user_id: amirId },
      { place_id: place.id, organization_id: orgB, user_id: beaId },
    ])
    .execute();
  const [serviceA, serviceB] = await db()
    .insertInto('services')
    .values([
      { place_id: place.id, organization_id: orgA, name: 'Mentoring' },
      { place_id: place.id, organization_id: orgB, name: 'Football club' },
    ])
    .returning('id')
    .execute();
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
  const setting = await db()
    .insertInto('support_settings')
    .values({
      place_id: place.id,
      programme_id: programme.id,
      name: 'Northbank Academy',
      kind: 'school',
      organization_id: school!.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cohort = await db()
    .insertInto('support_cohorts')
    .values({
      place_id: place.id,
      programme_id: programme.id,
      name: 'Year 7',
      year_group: 7,
      intake_year: 2026,
      life_stage: 'secondary',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const [north, south] = await db()
    .insertInto('support_teams')
    .values([
      { place_id: place.id, programme_id: programme.id, name: 'North team', lead_user_id: leahId },
      { place_id: place.id, programme_id: programme.id, name: 'South team', lead_user_id: ottoId },
    ])
    .returning('id')
    .execute();
  await db()
    .insertInto('support_team_members')
    .values([
      { place_id: place.id, team_id: north!.id, user_id: leahId },
      { place_id: place.id, team_id: south!.id, user_id: ottoId },
    ])
    .execute();
  const child = (
    reference: string,
    given: string,
    family: string,
    team: string,
    worker: string,
    status: 'identified' | 'active' = 'active',
  ) => ({
    place_id: place.id,
    programme_id: programme.id,
    cohort_id: cohort.id,
    setting_id: setting.id,
    reference,
    given_name: given,
    family_name: family,
    date_of_birth: '2014-05-01',
    year_group: 7,
    flagged_domains: JSON.stringify(['attendance']),
    flag_count: 1,
    status,
    team_id: status === 'identified' ? null : team,
    link_worker_id: status === 'identified' ? null : worker,
  });
  const many = await db()
    .insertInto('participants')
    .values(
      Array.from({ length: 530 }, (_, i) => {
        const n = String(i).padStart(4, '0');
        return child(`NB-${n}`, 'Ada', `Child${n}`, north!.id, leahId);
      }),
    )
    .returning(['id', 'family_name'])
    .execute();
  const [zoe, olive, ivy, bob] = await db()
    .insertInto('participants')
    .values([
      child('NB-9000', 'Zoe', 'Zephyr', north!.id, leahId),
      child('NB-9001', 'Olive', 'Outside', south!.id, ottoId),
      child('NB-9002', 'Ivy', 'Identified', north!.id, leahId, 'identified'),
      child('NB-9003', 'Bob', 'Bquayside', north!.id, leahId),
    ])
    .returning('id')
    .execute();
  zoeId = zoe!.id;
  oliveId = olive!.id;
  ivyId = ivy!.id;
  bobId = bob!.id;
  // In name order: Bob Bquayside sorts before the Child0000… rows, Zoe Zephyr last.
  workable = [
    bobId,
    ...many.sort((x, y) => (x.family_name! < y.family_name! ? -1 : 1)).map((r) => r.id),
    zoeId,
  ];

  // The first 30 children are referred to the Youth Trust and accepted; the first one shares attendance.
  const referred = workable.slice(1, 31);
  await db()
    .insertInto('participant_agreements')
    .values(
      referred.map((id) => ({
        place_id: place.id,
        participant_id: id,
        given_by: 'parent_carer' as const,
        giver_name: 'A parent',
        capacity_judgement: 'Parental responsibility.',
        recorded_by: leahId,
      })),
    )
    .execute();
  await db()
    .insertInto('participant_sharing_decisions')
    .values({
      place_id: place.id,
      participant_id: referred[0]!,
      organization_id: orgA,
      data_items: JSON.stringify(['name', 'attendance']),
      rationale: 'To run the mentoring.',
      decided_by: leahId,
    })
    .execute();
  const sentAt = (i: number) => new Date(Date.UTC(2026, 9, 1, 9, i));
  await db()
    .insertInto('support_referrals')
    .values([
      ...referred.map((id, i) => ({
        place_id: place.id,
        participant_id: id,
        organization_id: orgA,
        service_id: serviceA!.id,
        service_name: 'Mentoring',
        status: 'accepted' as const,
        note: 'Weekly mentoring.',
        data_items: JSON.stringify(i === 0 ? ['name', 'attendance'] : ['name']),
        referred_by: leahId,
        sent_at: sentAt(i),
      })),
      {
        place_id: place.id,
        participant_id: bobId,
        organization_id: orgB,
        service_id: serviceB!.id,
        service_name: 'Football club',
        status: 'accepted' as const,
        note: 'Weekly mentoring.',
        data_items: JSON.stringify(['name']),
        referred_by: leahId,
        sent_at: sentAt(59),
      },
    ])
    .execute();

  leah = await signedIn('leah@example.test');
  amir = await signedIn('amir@example.test');
  const created = await ok(leah, `${P}/sessions/new`, {
    serviceId: serviceB!.id,
    kind: 'group',
    title: 'Big group',
    heldOn: '2026-12-01',
    startsAt: '10:00',
    durationMinutes: '45',
  });
  lwSession = (created.headers.location as string).split('/').pop()!;
  const partnerCreated = await ok(amir, `${P}/sessions/new`, {
    serviceId: serviceA!.id,
    kind: 'group',
    title: 'Mentoring group',
    heldOn: '2026-12-02',
    startsAt: '16:30',
    durationMinutes: '60',
  });
  partnerSession = (partnerCreated.headers.location as string).split('/').pop()!;
});

after(async () => {
  await t?.close();
});

describe('GET /places/:slug/support/sessions/:id/attendees', () => {
  it('pages a link worker’s candidates 25 at a time and audits only the children shown', async () => {
    const first = await leah.get(`${P}/sessions/${lwSession}/attendees`);
    assert.equal(first.statusCode, 200);
    assert.deepEqual(
      checkboxes(first.body).map((m) => m[1]),
      workable.slice(0, 25),
    );
    assert.match(first.body, /Showing 1 to 25 of 532 children and young people/);
    assert.match(first.body, /govuk-pagination/);
    assert.doesNotMatch(first.body, /Olive|Ivy/);
    assert.deepEqual(
      (await listed(first.headers['x-request-id'] as string, 'session_candidates')).sort(),
      workable.slice(0, 25).sort(),
    );

    const last = await leah.get(`${P}/sessions/${lwSession}/attendees?page=22`);
    assert.match(last.body, /Showing 526 to 532 of 532 children and young people/);
    assert.deepEqual(
      checkboxes(last.body).map((m) => m[1]),
      workable.slice(525),
    );
    assert.match(last.body, /Zoe Zephyr/);
    assert.equal((await listed(last.headers['x-request-id'] as string, 'session_candidates')).length, 7);
  });

  it('pages a partner’s candidates from its organisation’s accepted referrals only', async () => {
    const second = await amir.get(`${P}/sessions/${partnerSession}/attendees?page=2`);
    assert.equal(second.statusCode, 200);
    assert.match(second.body, /Showing 26 to 30 of 30 children and young people/);
    // Referred in order: the 26th to 30th referrals, never Bob (referred to another organisation).
    assert.deepEqual(
      checkboxes(second.body).map((m) => m[1]),
      workable.slice(26, 31),
    );
    assert.deepEqual(
      (await listed(second.headers['x-request-id'] as string, 'session_candidates')).sort(),
      workable.slice(26, 31).sort(),
    );
  });
});

describe('a child accepted twice by the organisation', () => {
  it('is one candidate, listed by their latest accepted referral', async () => {
    const twice = workable[1]!;
    const { service_id } = await db()
      .selectFrom('support_referrals')
      .select('service_id')
      .where('participant_id', '=', twice)
      .where('organization_id', '=', orgA)
      .executeTakeFirstOrThrow();
    const second = await db()
      .insertInto('support_referrals')
      .values({
        place_id: place.id,
        participant_id: twice,
        organization_id: orgA,
        service_id,
        service_name: 'Mentoring',
        status: 'accepted',
        note: 'A second course.',
        data_items: JSON.stringify(['name']),
        referred_by: leahId,
        sent_at: new Date(Date.UTC(2026, 9, 2)),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const first = await amir.get(`${P}/sessions/${partnerSession}/attendees`);
      assert.match(first.body, /Showing 1 to 25 of 30 children and young people/);
      const last = await amir.get(`${P}/sessions/${partnerSession}/attendees?page=2`);
      const shown = [...checkboxes(first.body), ...checkboxes(last.body)].map((m) => m[1]);
      assert.equal(shown.length, 30);
      assert.equal(shown.filter((id) => id === twice).length, 1);
      assert.equal(shown.at(-1), twice);
    } finally {
      await db().deleteFrom('support_referrals').where('id', '=', second.id).execute();
    }
  });
});

describe('POST /places/:slug/support/sessions/:id/attendees', () => {
  it('adds a child beyond the 500th candidate: exactly the chosen ids are looked up', async () => {
    await ok(leah, `${P}/sessions/${lwSession}/attendees`, { participants: zoeId });
    assert.equal((await marks(lwSession)).get(zoeId), 'expected');
  });

  it('refuses a child the link worker cannot see, with a form error, and adds nobody', async () => {
    for (const outside of [oliveId, ivyId]) {
      const refused = await leah.submit(`${P}/sessions/${lwSession}/attendees`, {
        participants: [workable[1]!, outside],
      });
      assert.equal(refused.statusCode, 400);
      assert.deepEqual(errorSummary(refused.body), ['Choose children and young people you work with']);
      assert.match(refused.body, /href="#participants"/);
    }
    const now = await marks(lwSession);
    assert.equal(now.has(workable[1]!), false);
    assert.equal(now.has(oliveId), false);
    assert.equal(now.has(ivyId), false);
  });

  it('lets a partner add a child from the second page of accepted referrals, and refuses any other', async () => {
    await ok(amir, `${P}/sessions/${partnerSession}/attendees?page=2`, { participants: workable[30]! });
    const refused = await amir.submit(`${P}/sessions/${partnerSession}/attendees`, { participants: bobId });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(refused.body), [
      'Choose children from the referrals your organisation accepted',
    ]);
    const now = await marks(partnerSession);
    assert.deepEqual([...now.keys()], [workable[30]]);
    const referral = await db()
      .selectFrom('support_session_attendees as sa')
      .innerJoin('support_referrals as r', 'r.id', 'sa.referral_id')
      .select(['r.participant_id', 'r.organization_id'])
      .where('sa.session_id', '=', partnerSession)
      .executeTakeFirstOrThrow();
    assert.deepEqual(referral, { participant_id: workable[30], organization_id: orgA });
  });
});

describe('GET and POST /places/:slug/support/sessions/:id (the register)', () => {
  it('pages the register 25 at a time in name order, auditing only the children named on the page', async () => {
    // Zoe is already in; 30 more makes 31.
    await ok(leah, `${P}/sessions/${lwSession}/attendees`, { participants: workable.slice(0, 30) });
    const first = await leah.get(`${P}/sessions/${lwSession}`);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Showing 1 to 25 of 31 children and young people/);
    assert.deepEqual(registerRows(first.body), workable.slice(0, 25));
    assert.deepEqual(
      (await listed(first.headers['x-request-id'] as string, 'register')).sort(),
      workable.slice(0, 25).sort(),
    );
    const second = await leah.get(`${P}/sessions/${lwSession}?page=2`);
    assert.match(second.body, /Showing 26 to 31 of 31 children and young people/);
    assert.deepEqual(registerRows(second.body), [...workable.slice(25, 30), zoeId]);
    assert.match(second.body, /Zoe Zephyr/);
    assert.equal((await listed(second.headers['x-request-id'] as string, 'register')).length, 6);
  });

  it('saves one page of the register and leaves the other pages’ marks alone', async () => {
    const onPage = [...workable.slice(25, 30), zoeId];
    const fields = Object.fromEntries(
      onPage.map((id) => [`status-${id}`, id === zoeId ? 'absent' : 'present']),
    );
    const saved = await ok(
      leah,
      `${P}/sessions/${lwSession}?page=2`,
      fields,
      `${P}/sessions/${lwSession}/register?page=2`,
    );
    assert.equal(saved.headers.location, `${P}/sessions/${lwSession}?page=2`);
    const now = await marks(lwSession);
    assert.equal(now.get(zoeId), 'absent');
    for (const id of workable.slice(25, 30)) assert.equal(now.get(id), 'present');
    for (const id of workable.slice(0, 25)) assert.equal(now.get(id), 'expected');
    const page = await leah.get(`${P}/sessions/${lwSession}`);
    assert.match(page.body, /25 of 31 not marked yet/);
    const audit = await db()
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'session.register_taken')
      .where('subject_id', '=', lwSession)
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit.details, { present: 5, late: 0, absent: 1, excused: 0 });
  });

  it('marks everyone on every page present with the one button', async () => {
    await ok(leah, `${P}/sessions/${lwSession}`, { all: 'present' }, `${P}/sessions/${lwSession}/register`);
    const now = await marks(lwSession);
    assert.equal(now.size, 31);
    assert.deepEqual(new Set(now.values()), new Set(['present']));
  });
});

describe('sessions.engagementOf', () => {
  const engagementOf = (who: Actor, participantId: string) =>
    t.services.supportDelivery.sessions.engagementOf(who, place, participantId);
  const none = { attended: 0, expected: 0, percent: null };

  it('gives the marks to the link worker who works with the child, and none to another link worker', async () => {
    const child = workable[1]!;
    assert.deepEqual(await engagementOf(actor(leahId, 'link_worker'), child), {
      attended: 1,
      expected: 1,
      percent: 100,
    });
    assert.deepEqual(await engagementOf(actor(ottoId, 'link_worker'), child), none);
  });

  it('gives the marks to a partner only while a referral to its organisation shares attendance', async () => {
    const shared = workable[1]!;
    const notShared = workable[2]!;
    assert.deepEqual(await engagementOf(actor(amirId, 'organisation_member'), shared), {
      attended: 1,
      expected: 1,
      percent: 100,
    });
    assert.deepEqual(await engagementOf(actor(amirId, 'organisation_member'), notShared), none);
    assert.deepEqual(await engagementOf(actor(beaId, 'organisation_member'), shared), none);
    await db()
      .updateTable('participant_sharing_decisions')
      .set({ withdrawn_at: new Date(), withdrawal_reason: 'Asked to stop.' })
      .where('participant_id', '=', shared)
      .execute();
    assert.deepEqual(await engagementOf(actor(amirId, 'organisation_member'), shared), none);
  });
});

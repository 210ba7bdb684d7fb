import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let leah: Agent;
let partnerA: Agent;
let partnerB: Agent;
let analyst: Agent;
let admin: Agent;
let officer: Agent;
let leahId: string;
let orgA: string;
let serviceA: string;
let serviceB: string;
let programmeId: string;
let childId: string;
let secondChildId: string;
let referralId: string;
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

/** Posts a button form on a page (the page's own CSRF token). */
async function press(
  agent: Agent,
  page: string,
  action: string,
  fields: Record<string, string | string[]> = {},
) {
  return agent.submit(page, fields, action);
}

async function child(
  reference: string,
  given: string,
  family: string,
  teamId: string,
  settingId: string,
  cohortId: string,
) {
  const row = await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: programmeId,
      cohort_id: cohortId,
      setting_id: settingId,
      reference,
      given_name: given,
      family_name: family,
      date_of_birth: '2014-05-01',
      year_group: 7,
      flagged_domains: JSON.stringify(['attendance']),
      flag_count: 1,
      status: 'active',
      team_id: teamId,
      link_worker_id: leahId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('participant_agreements')
    .values({
      place_id: place.id,
      participant_id: row.id,
      given_by: 'parent_carer',
      giver_name: 'A parent',
      capacity_judgement: 'Parental responsibility.',
      recorded_by: leahId,
    })
    .execute();
  return row.id;
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  leahId = await t.createUser({
    email: 'leah@example.test',
    name: 'Leah Brennan',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  const memberA = await t.createUser({
    email: 'amir@example.test',
    name: 'Amir Partner',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  const memberB = await t.createUser({
    email: 'bea@example.test',
    name: 'Bea Elsewhere',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  await t.createUser({
    email: 'ana@example.test',
    name: 'Ana Lyst',
    roles: [{ placeId: place.id, role: 'analyst' }],
  });
  await t.createUser({
    email: 'pat@example.test',
    name: 'Pat Admin',
    roles: [{ placeId: place.id, role: 'place_admin' }],
  });
  await t.createUser({
    email: 'olu@example.test',
    name: 'Olu Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
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
  await db()
    .insertInto('organization_members')
    .values([
      { place_id: place.id, organization_id: a!.id, user_id: memberA },
      { place_id: place.id, organization_id: b!.id, user_id: memberB },
    ])
    .execute();
  const [sa, sb] = await db()
    .insertInto('services')
    .values([
      { place_id: place.id, organization_id: a!.id, name: 'Mentoring' },
      { place_id: place.id, organization_id: b!.id, name: 'Football club' },
    ])
    .returning('id')
    .execute();
  serviceA = sa!.id;
  serviceB = sb!.id;
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
    .values({
      place_id: place.id,
      programme_id: programmeId,
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
      programme_id: programmeId,
      name: 'Year 7',
      year_group: 7,
      intake_year: 2026,
      life_stage: 'secondary',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const team = await db()
    .insertInto('support_teams')
    .values({ place_id: place.id, programme_id: programmeId, name: 'North team', lead_user_id: leahId })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('support_team_members')
    .values({ place_id: place.id, team_id: team.id, user_id: leahId })
    .execute();
  childId = await child('NB-001', 'Tamsin', 'Reed', team.id, setting.id, cohort.id);
  secondChildId = await child('NB-002', 'Jonah', 'Pike', team.id, setting.id, cohort.id);

  leah = await signedIn('leah@example.test');
  partnerA = await signedIn('amir@example.test');
  partnerB = await signedIn('bea@example.test');
  analyst = await signedIn('ana@example.test');
  admin = await signedIn('pat@example.test');
  officer = await signedIn('olu@example.test');
});

after(async () => {
  await t?.close();
});

describe('POST /places/:slug/support/participants/:id/referrals/new and sending', () => {
  it('saves a draft with the ticked items', async () => {
    const response = await ok(leah, `${P}/participants/${childId}/referrals/new`, {
      serviceId: serviceA,
      dataItems: ['name', 'date_of_birth', 'school_and_year'],
      note: 'Weekly mentoring, please.',
    });
    referralId = (response.headers.location as string).split('/').pop()!;
    const row = await db()
      .selectFrom('support_referrals')
      .selectAll()
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'draft');
    assert.equal(row.organization_id, orgA);
    assert.deepEqual(row.data_items, ['name', 'date_of_birth', 'school_and_year']);
  });

  it('refuses to send without a live sharing decision for the organisation', async () => {
    const response = await press(leah, `${P}/referrals/${referralId}`, `${P}/referrals/${referralId}/send`);
    assert.equal(response.statusCode, 400);
    assert.match(
      errorSummary(response.body).join(' '),
      /no live information-sharing decision for Riverside Youth Trust/,
    );
    const row = await db()
      .selectFrom('support_referrals')
      .select('status')
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'draft');
  });

  it('sends only the ticked items the decision allows, and emails the partner without naming the child', async () => {
    await ok(leah, `/places/riverside/support/participants/${childId}/sharing`, {
      organizationId: orgA,
      dataItems: ['name', 'school_and_year', 'attendance'],
      rationale: 'Mentoring needs to know who and where.',
    });
    const response = await press(leah, `${P}/referrals/${referralId}`, `${P}/referrals/${referralId}/send`);
    assert.equal(response.statusCode, 303);
    const row = await db()
      .selectFrom('support_referrals')
      .selectAll()
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
    assert.deepEqual(row.data_items, ['name', 'school_and_year']);
    const mail = (await t.mail()).find((m) => m.to === 'amir@example.test');
    assert.ok(mail, 'the partner is told');
    assert.match(mail.text, new RegExp(`/support/referrals/received/${referralId}`));
    assert.doesNotMatch(mail.text + mail.subject, /Tamsin|Reed/);
    assert.equal(
      (await t.mail()).some((m) => m.to === 'bea@example.test'),
      false,
    );
  });
});

describe('GET /places/:slug/support/referrals/received', () => {
  it('lists the referral for the receiving organisation only', async () => {
    const a = await partnerA.get(`${P}/referrals/received`);
    assert.equal(a.statusCode, 200);
    assert.match(a.body, new RegExp(referralId));
    assert.doesNotMatch(a.body, /Tamsin/);
    const b = await partnerB.get(`${P}/referrals/received`);
    assert.equal(b.statusCode, 200);
    assert.doesNotMatch(b.body, new RegExp(referralId));
  });

  it('shows the partner only the carried items, and audits the read so "who viewed" lists it', async () => {
    const page = await partnerA.get(`${P}/referrals/received/${referralId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Tamsin Reed/);
    assert.match(page.body, /Northbank Academy, year 7/);
    assert.doesNotMatch(page.body, /2014|NB-001|May/);
    const event = await db()
      .selectFrom('audit_events')
      .innerJoin('users', 'users.id', 'audit_events.actor_id')
      .select(['audit_events.action', 'audit_events.subject_type', 'users.email'])
      .where('audit_events.subject_id', '=', childId)
      .where('users.email', '=', 'amir@example.test')
      .executeTakeFirstOrThrow();
    assert.deepEqual(event, {
      action: 'participant.viewed',
      subject_type: 'participant',
      email: 'amir@example.test',
    });
    const log = await admin.get(`${P}/participants/${childId}/access-log`);
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /Amir Partner/);
  });

  it('gives a partner of another organisation 404, on the page and on every action', async () => {
    assert.equal((await partnerB.get(`${P}/referrals/received/${referralId}`)).statusCode, 404);
    await partnerB.get(`${P}/referrals/received`);
    const accept = await partnerB.postRaw(`${P}/referrals/received/${referralId}/accept`, {
      _csrf: partnerB.csrfToken(),
    });
    assert.equal(accept.statusCode, 404);
    const row = await db()
      .selectFrom('support_referrals')
      .select('status')
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
  });

  it('gives the analyst 403 on the child’s record', async () => {
    assert.equal((await analyst.get(`${P}/participants/${childId}`)).statusCode, 403);
    assert.equal((await analyst.get(`${P}/participants/${childId}/delivery`)).statusCode, 403);
    assert.equal((await analyst.get(`${P}/referrals/received/${referralId}`)).statusCode, 403);
  });
});

describe('POST /places/:slug/support/referrals/received/:id/…', () => {
  it('declines only with a reason', async () => {
    const response = await partnerA.submit(`${P}/referrals/received/${referralId}/decline`, { reason: '' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Enter why the referral is declined']);
  });

  it('accepts the referral', async () => {
    const response = await press(
      partnerA,
      `${P}/referrals/received/${referralId}`,
      `${P}/referrals/received/${referralId}/accept`,
    );
    assert.equal(response.statusCode, 303);
    const row = await db()
      .selectFrom('support_referrals')
      .select('status')
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'accepted');
  });
});

describe('sessions and the register', () => {
  let sessionId: string;

  it('lets the partner create a session of its own service only', async () => {
    const refused = await partnerA.submit(`${P}/sessions/new`, {
      serviceId: serviceB,
      kind: 'group',
      title: 'Not ours',
      heldOn: '2026-11-30',
      startsAt: '16:30',
      durationMinutes: '60',
    });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(refused.body), ['Choose a service of your own organisation']);
    const response = await ok(partnerA, `${P}/sessions/new`, {
      serviceId: serviceA,
      kind: 'group',
      title: 'Tuesday mentoring',
      heldOn: '2026-11-30',
      startsAt: '16:30',
      durationMinutes: '60',
    });
    sessionId = (response.headers.location as string).split('/').pop()!;
  });

  it('adds children only from referrals the organisation accepted', async () => {
    const refused = await partnerA.submit(`${P}/sessions/${sessionId}/attendees`, {
      participants: secondChildId,
    });
    assert.equal(refused.statusCode, 400);
    assert.doesNotMatch(refused.body, /Jonah/);
    const added = await ok(partnerA, `${P}/sessions/${sessionId}/attendees`, { participants: childId });
    // A successful post redirects without building the form again, so it lists (and audits) nobody.
    const listed = await t.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'participant.listed')
      .where('request_id', '=', added.headers['x-request-id'] as string)
      .execute();
    assert.equal(listed.length, 0);
    assert.equal((await partnerB.get(`${P}/sessions/${sessionId}`)).statusCode, 404);
  });

  it('takes the register in one POST: everyone present unless marked otherwise', async () => {
    // A second, link worker's session with both children, to check exceptions.
    const lw = await ok(leah, `${P}/sessions/new`, {
      serviceId: serviceB,
      kind: 'group',
      title: 'Link worker group',
      heldOn: '2026-12-01',
      startsAt: '10:00',
      durationMinutes: '45',
    });
    const lwSession = (lw.headers.location as string).split('/').pop()!;
    await ok(leah, `${P}/sessions/${lwSession}/attendees`, { participants: [childId, secondChildId] });
    const page = await leah.get(`${P}/sessions/${lwSession}`);
    assert.match(page.body, /Tamsin Reed/);
    await ok(
      leah,
      `${P}/sessions/${lwSession}`,
      { [`status-${childId}`]: 'present', [`status-${secondChildId}`]: 'absent' },
      `${P}/sessions/${lwSession}/register`,
    );
    const marks = await db()
      .selectFrom('support_session_attendees')
      .select(['participant_id', 'status'])
      .where('session_id', '=', lwSession)
      .execute();
    assert.deepEqual(
      new Map(marks.map((m) => [m.participant_id, m.status])),
      new Map([
        [childId, 'present'],
        [secondChildId, 'absent'],
      ]),
    );
    // The partner marks everyone present with the one button.
    await ok(
      partnerA,
      `${P}/sessions/${sessionId}`,
      { all: 'present' },
      `${P}/sessions/${sessionId}/register`,
    );
    const partnerMarks = await db()
      .selectFrom('support_session_attendees')
      .select('status')
      .where('session_id', '=', sessionId)
      .execute();
    assert.deepEqual(
      partnerMarks.map((m) => m.status),
      ['present'],
    );
  });

  it('feeds engagement: shown to the link worker, and to the partner only when attendance is shared', async () => {
    const page = await leah.get(`${P}/participants/${secondChildId}/delivery`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Attended 0 of the last 1 sessions expected \(0%\)/);
    const first = await leah.get(`${P}/participants/${childId}/delivery`);
    assert.match(first.body, /Attended 2 of the last 2 sessions expected \(100%\)/);
    const partner = await partnerA.get(`${P}/referrals/received/${referralId}`);
    assert.doesNotMatch(partner.body, /Attendance at sessions/);
  });
});

describe('withdrawal of agreement', () => {
  it('hides every item from the partner at once', async () => {
    const agreement = await db()
      .selectFrom('participant_agreements')
      .select('id')
      .where('participant_id', '=', childId)
      .executeTakeFirstOrThrow();
    await ok(leah, `${P}/participants/${childId}/withdrawal`, {
      agreementId: agreement.id,
      reason: 'The family asked us to stop.',
    });
    const page = await partnerA.get(`${P}/referrals/received/${referralId}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Tamsin|Reed|Northbank Academy/);
    assert.match(page.body, /sharing with your organisation has been withdrawn/);
    const register = await partnerA.get(`${P}/sessions`);
    assert.doesNotMatch(register.body, /Tamsin/);
  });
});

describe('outcomes and the dashboard', () => {
  let indicatorId: string;

  it('lets officers add indicators, and refuses link workers', async () => {
    assert.equal((await leah.get(`${P}/outcomes/indicators/new`)).statusCode, 403);
    const bad = await officer.submit(`${P}/outcomes/indicators/new`, {
      name: 'Wellbeing',
      instrument: 'A wellbeing scale',
      scaleMin: '14',
      scaleMax: '70',
      threshold: '80',
      direction: 'higher',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), ['The threshold must be within the scale']);
    await ok(officer, `${P}/outcomes/indicators/new`, {
      name: 'Wellbeing',
      instrument: 'A wellbeing scale',
      scaleMin: '14',
      scaleMax: '70',
      threshold: '45',
      direction: 'higher',
      licenceNote: 'Free for non-commercial use (synthetic example).',
    });
    indicatorId = (await db().selectFrom('support_outcome_indicators').select('id').executeTakeFirstOrThrow())
      .id;
  });

  it('records baseline and exit once each and shows improved and crossed', async () => {
    const form = `${P}/participants/${secondChildId}/observations/new`;
    await ok(leah, form, { indicatorId, stage: 'baseline', value: '38', observedOn: '2026-09-10' });
    const again = await leah.submit(form, {
      indicatorId,
      stage: 'baseline',
      value: '40',
      observedOn: '2026-09-11',
    });
    assert.equal(again.statusCode, 400);
    const outside = await leah.submit(form, {
      indicatorId,
      stage: 'exit',
      value: '90',
      observedOn: '2027-07-01',
    });
    assert.deepEqual(errorSummary(outside.body), ['Enter a score from 14 to 70, the scale of Wellbeing']);
    await ok(leah, form, { indicatorId, stage: 'exit', value: '47', observedOn: '2027-07-01' });
    const page = await leah.get(`${P}/participants/${secondChildId}/delivery`);
    assert.match(page.body, /Wellbeing: improved, crossed the threshold/);
  });

  it('shows the analyst aggregates with small counts suppressed, and a CSV of the same', async () => {
    const page = await analyst.get(`${P}/dashboard/${programmeId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /fewer than 5/);
    assert.doesNotMatch(page.body, /Tamsin|Jonah|NB-00/);
    assert.match(page.body, /<svg role="img"/);
    const csv = await analyst.get(`${P}/dashboard/${programmeId}/dashboard.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.body, /Participants by status,Participants,Active,fewer than 5/);
    assert.doesNotMatch(csv.body, /,[1-4]\n/);
    assert.equal((await leah.get(`${P}/dashboard/${programmeId}`)).statusCode, 403);
  });
});

describe('POST /places/:slug/support/referrals/:id/revoke', () => {
  it('lets the referrer revoke an accepted referral, then the partner sees nothing of the child', async () => {
    // A fresh referral for the second child, sent with a decision, then revoked.
    await ok(leah, `${P}/participants/${secondChildId}/sharing`, {
      organizationId: orgA,
      dataItems: ['name'],
      rationale: 'Mentoring needs the name.',
    });
    const created = await ok(leah, `${P}/participants/${secondChildId}/referrals/new`, {
      serviceId: serviceA,
      dataItems: 'name',
      note: 'Mentoring.',
    });
    const id = (created.headers.location as string).split('/').pop()!;
    await press(leah, `${P}/referrals/${id}`, `${P}/referrals/${id}/send`);
    assert.match((await partnerA.get(`${P}/referrals/received/${id}`)).body, /Jonah Pike/);
    assert.equal((await press(leah, `${P}/referrals/${id}`, `${P}/referrals/${id}/revoke`)).statusCode, 303);
    const page = await partnerA.get(`${P}/referrals/received/${id}`);
    assert.doesNotMatch(page.body, /Jonah/);
    assert.equal((await press(leah, `${P}/referrals/${id}`, `${P}/referrals/${id}/revoke`)).statusCode, 400);
  });
});

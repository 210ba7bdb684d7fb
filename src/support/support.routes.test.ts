import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent, errorSummary } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

const sample = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'samples', 'identification-sample.csv'),
  'utf8',
);

let t: TestApp;
let place: { id: string; slug: string; name: string };
let programmeId: string;
let cohortId: string;
let northId: string;
let southId: string;
let officer: Agent;
let leah: Agent;
const P = '/places/riverside/support';

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

function upload(agent: Agent, text: string, setting: string) {
  return agent.submitMultipart(
    `${P}/programmes/${programmeId}/import`,
    { cohortId, settingId: setting },
    { file: { filename: 'year7.csv', contentType: 'text/csv', bytes: Buffer.from(text, 'utf8') } },
  );
}

const db = () => t.database.db;
const participantsOf = (settingId: string) =>
  db()
    .selectFrom('participants')
    .selectAll()
    .where('setting_id', '=', settingId)
    .orderBy('reference')
    .execute();
const idOf = async (reference: string) =>
  (
    await db()
      .selectFrom('participants')
      .select('id')
      .where('reference', '=', reference)
      .where('setting_id', '=', northId)
      .executeTakeFirstOrThrow()
  ).id;

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  await t.createUser({ email: 'officer@example.test', roles: [{ placeId: place.id, role: 'officer' }] });
  await t.createUser({
    email: 'admin@example.test',
    name: 'Pat Admin',
    roles: [{ placeId: place.id, role: 'place_admin' }],
  });
  const leahId = await t.createUser({
    email: 'leah@example.test',
    name: 'Leah Brennan',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  const otherId = await t.createUser({
    email: 'other-lw@example.test',
    name: 'Otto Elsewhere',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  const staffNorth = await t.createUser({
    email: 'north@example.test',
    name: 'Nora North',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  const staffSouth = await t.createUser({
    email: 'south@example.test',
    name: 'Sid South',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  const [north, south, charity] = await db()
    .insertInto('organizations')
    .values([
      { place_id: place.id, name: 'Northbank Academy', kind: 'school' },
      { place_id: place.id, name: 'Southbank School', kind: 'school' },
      { place_id: place.id, name: 'Riverside Youth Trust', kind: 'charity' },
    ])
    .returning('id')
    .execute();
  await db()
    .insertInto('organization_members')
    .values([
      { place_id: place.id, organization_id: north!.id, user_id: staffNorth },
      { place_id: place.id, organization_id: south!.id, user_id: staffSouth },
    ])
    .execute();
  charityId = charity!.id;

  officer = await signedIn('officer@example.test');
  const created = await ok(
    officer,
    `${P}/programmes/new`,
    {
      name: 'Riverside Zone',
      summary: 'Two years of support.',
      startsOn: '2026-09-01',
      endsOn: '2028-07-31',
      retentionYears: '7',
      caseloadLimit: '20',
    },
    `${P}/programmes`,
  );
  programmeId = (created.headers.location as string).split('/').pop()!;
  const base = `${P}/programmes/${programmeId}`;
  await ok(
    officer,
    `${base}/settings/new`,
    { organizationId: north!.id, name: '', kind: 'school' },
    `${base}/settings`,
  );
  await ok(
    officer,
    `${base}/settings/new`,
    { organizationId: south!.id, name: '', kind: 'school' },
    `${base}/settings`,
  );
  await ok(
    officer,
    `${base}/cohorts/new`,
    { name: 'Year 7 2026', yearGroup: '7', intakeYear: '2026', lifeStage: 'secondary' },
    `${base}/cohorts`,
  );
  await ok(officer, `${base}/teams/new`, { name: 'North team', leadUserId: leahId }, `${base}/teams`);
  await ok(officer, `${base}/teams/new`, { name: 'South team', leadUserId: otherId }, `${base}/teams`);
  for (const indicator of [
    {
      domain: 'attendance',
      columnName: 'attendance_pct',
      label: 'Attendance below 90%',
      direction: 'below',
      threshold: '90',
    },
    {
      domain: 'attainment',
      columnName: 'attainment',
      label: 'Below expected',
      direction: 'below',
      threshold: '0',
    },
    {
      domain: 'wellbeing',
      columnName: 'wellbeing_score',
      label: 'Low wellbeing',
      direction: 'below',
      threshold: '5',
    },
    {
      domain: 'wellbeing',
      columnName: 'wellbeing_belonging',
      label: 'Low belonging',
      direction: 'below',
      threshold: '3',
    },
    {
      domain: 'economic_disadvantage',
      columnName: 'economic_disadvantage',
      label: 'Free school meals',
      direction: 'yes',
      threshold: '',
    },
    {
      domain: 'exclusions',
      columnName: 'exclusions',
      label: 'Any suspension',
      direction: 'above',
      threshold: '0',
    },
  ]) {
    await ok(officer, `${base}/indicators/new`, indicator, `${base}/indicators`);
  }
  const settings = await db().selectFrom('support_settings').select(['id', 'name']).orderBy('name').execute();
  northId = settings.find((s) => s.name === 'Northbank Academy')!.id;
  southId = settings.find((s) => s.name === 'Southbank School')!.id;
  cohortId = (await db().selectFrom('support_cohorts').select('id').executeTakeFirstOrThrow()).id;
  leah = await signedIn('leah@example.test');
});
after(async () => {
  await t.close();
});

let charityId: string;

describe('POST /places/:slug/support/programmes', () => {
  it('refuses a link worker and re-shows the form with errors for an officer', async () => {
    assert.equal((await leah.get(`${P}/programmes/new`)).statusCode, 403);
    const response = await officer.submit(
      `${P}/programmes/new`,
      { name: '', startsOn: '2026-13-01', endsOn: '', retentionYears: 'x', caseloadLimit: '0' },
      `${P}/programmes`,
    );
    assert.equal(response.statusCode, 400);
    const summary = errorSummary(officer.lastPage).join('\n');
    assert.match(summary, /Enter the programme’s name/);
    assert.match(summary, /retention period in years must be a whole number/);
  });

  it('audits the set-up of the programme and its parts', async () => {
    const rows = await db()
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', programmeId)
      .execute();
    const actions = rows.map((r) => r.action);
    assert.ok(actions.includes('programme.created'));
    assert.equal(actions.filter((a) => a === 'programme.indicator_added').length, 6);
  });
});

describe('POST /places/:slug/support/programmes/:id/import', () => {
  it('lists every wrong line with its number and stores nothing', async () => {
    const lines = sample.trim().split('\n');
    lines[3] = lines[3]!.replace(/,7,/, ',8,');
    lines[10] = lines[10]!.replace(/,(yes|no),/, ',maybe,');
    const response = await upload(officer, `${lines.join('\n')}\n`, northId);
    assert.equal(response.statusCode, 400);
    const summary = errorSummary(officer.lastPage);
    assert.match(summary[0]!, /2 problems, so nothing was imported/);
    assert.match(summary[1]!, /^Line 4: year_group is 8 but this cohort is year 7/);
    assert.match(summary[2]!, /^Line 11: .*economic_disadvantage must be yes or no/);
    assert.equal((await participantsOf(northId)).length, 0);
    assert.equal((await db().selectFrom('support_imports').select('id').execute()).length, 0);
  });

  it('refuses a missing column', async () => {
    const response = await upload(officer, 'reference,given_name\nA,B\n', northId);
    assert.equal(response.statusCode, 400);
    assert.match(errorSummary(officer.lastPage).join('\n'), /Line 1: The header has no column family_name/);
  });

  it('imports the sample with a flag per domain, and a re-import updates rather than duplicates', async () => {
    const first = await upload(officer, sample, northId);
    assert.equal(first.statusCode, 303, errorSummary(officer.lastPage).join('\n'));
    const rows = await participantsOf(northId);
    assert.equal(rows.length, 40);
    const amara = rows.find((r) => r.reference === 'RVS-7001')!;
    // 86.6% attendance, attainment 0, wellbeing 2 (and belonging 5), free school meals, no exclusions.
    assert.deepEqual(amara.flagged_domains, ['attendance', 'wellbeing', 'economic_disadvantage']);
    assert.equal(amara.flag_count, 3);
    assert.deepEqual(Object.keys(amara.measures!).sort(), [
      'attainment',
      'attendance_pct',
      'economic_disadvantage',
      'exclusions',
      'wellbeing_belonging',
      'wellbeing_score',
    ]);
    const again = await upload(
      officer,
      sample.replace('RVS-7001,Amara,Ashdown,2015-02-05,7,86.6', 'RVS-7001,Amara,Ashdown,2015-02-05,7,96.6'),
      northId,
    );
    assert.equal(again.statusCode, 303);
    const after = await participantsOf(northId);
    assert.equal(after.length, 40);
    assert.equal(after.find((r) => r.reference === 'RVS-7001')!.flag_count, 2);
    const imports = await db().selectFrom('support_imports').selectAll().orderBy('imported_at').execute();
    assert.deepEqual([imports[1]!.created_count, imports[1]!.updated_count], [0, 40]);
    // The same file for the other school makes that school's own children.
    assert.equal((await upload(officer, sample, southId)).statusCode, 303);
    assert.equal((await participantsOf(southId)).length, 40);
  });

  it('shows the officer counts on the programme page, never a child', async () => {
    const page = await officer.get(`${P}/programmes/${programmeId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Northbank Academy/);
    assert.doesNotMatch(page.body, /Ashdown/);
  });
});

describe('GET /places/:slug/support/cohorts/:id/review', () => {
  it('ranks the children most flags first, then by reference', async () => {
    const page = await leah.get(`${P}/cohorts/${cohortId}/review?setting=${northId}`);
    assert.equal(page.statusCode, 200);
    const refs = [...page.body.matchAll(/<td class="govuk-table__cell">(RVS-7\d{3})<\/td>/g)].map(
      (m) => m[1]!,
    );
    assert.equal(refs.length, 25);
    const rows = await participantsOf(northId);
    const expected = rows
      .sort((a, b) => b.flag_count - a.flag_count || (a.reference < b.reference ? -1 : 1))
      .slice(0, 25)
      .map((r) => r.reference);
    assert.deepEqual(refs, expected);
    assert.match(page.body, /Showing 1 to 25 of 40 children/);
    // Each of the 25 children on the page has the sighting in their own trail, and nobody else.
    const request = page.headers['x-request-id'] as string;
    const seen = await t.database.db
      .selectFrom('audit_events')
      .select('subject_id')
      .where('action', '=', 'participant.listed')
      .where('request_id', '=', request)
      .execute();
    const referenceOf = new Map(rows.map((r) => [r.id, r.reference]));
    assert.deepEqual(seen.map((r) => referenceOf.get(r.subject_id!)).sort(), [...expected].sort());
  });

  it('shows school staff their own setting only', async () => {
    const north = await signedIn('north@example.test');
    const page = await north.get(`${P}/cohorts/${cohortId}/review`);
    assert.match(page.body, /of 40 children/);
    assert.doesNotMatch(page.body, /Southbank School<\/td>/);
    const southChild = (await participantsOf(southId))[0]!;
    assert.equal((await north.get(`${P}/participants/${southChild.id}`)).statusCode, 404);
    const northChild = (await participantsOf(northId))[0]!;
    assert.equal((await north.get(`${P}/participants/${northChild.id}`)).statusCode, 200);
  });

  it('refuses an officer a child’s record and the review list', async () => {
    const child = (await participantsOf(northId))[0]!;
    assert.equal((await officer.get(`${P}/participants/${child.id}`)).statusCode, 403);
    assert.equal((await officer.get(`${P}/cohorts/${cohortId}/review`)).statusCode, 403);
  });
});

describe('the enrolment journey', () => {
  let childId: string;

  it('takes a child forward into the reviewer’s team and deletes the measures', async () => {
    childId = await idOf('RVS-7001');
    await ok(leah, `${P}/participants/${childId}/decision`, { decision: 'approached', reason: '' });
    const row = await db()
      .selectFrom('participants')
      .selectAll()
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'approached');
    assert.equal(row.measures, null);
    assert.equal(row.given_name, 'Amara');
    assert.ok(row.team_id);
    const history = await db()
      .selectFrom('participant_transitions')
      .selectAll()
      .where('participant_id', '=', childId)
      .execute();
    assert.deepEqual(
      history.map((h) => [h.from_status, h.to_status]),
      [['identified', 'approached']],
    );
  });

  it('keeps only the reference and decision for a child not taken forward', async () => {
    const id = await idOf('RVS-7002');
    await ok(leah, `${P}/participants/${id}/decision`, { decision: 'not_taken_forward', reason: '' });
    const row = await db()
      .selectFrom('participants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.status, row.given_name, row.family_name, row.date_of_birth, row.measures, row.flagged_domains],
      ['not_taken_forward', null, null, null, null, null],
    );
    // A later import leaves the decided child as it is.
    assert.equal((await upload(officer, sample, northId)).statusCode, 303);
    const again = await db()
      .selectFrom('participants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(again.given_name, null);
  });

  it('hides the child from a link worker of another team, even by id', async () => {
    const other = await signedIn('other-lw@example.test');
    assert.equal((await other.get(`${P}/participants/${childId}`)).statusCode, 404);
    assert.equal((await other.get(`${P}/participants/${childId}/agreement`)).statusCode, 404);
    const caseload = await other.get(`${P}/caseload`);
    assert.doesNotMatch(caseload.body, /Ashdown/);
    const mine = await leah.get(`${P}/caseload`);
    assert.match(mine.body, /Amara Ashdown/);
  });

  it('refuses to move to agreed without a live agreement, then allows it', async () => {
    const refused = await leah.submit(`${P}/participants/${childId}/transition`, {
      to: 'agreed',
      reason: '',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(
      errorSummary(leah.lastPage).join(),
      /Record the agreement to the service before moving to agreed/,
    );
    const illegal = await leah.submit(`${P}/participants/${childId}/transition`, {
      to: 'active',
      reason: '',
    });
    assert.equal(illegal.statusCode, 400);
    assert.match(errorSummary(leah.lastPage).join(), /can only move to agreed or exited, not active/);
    await ok(leah, `${P}/participants/${childId}/agreement`, {
      givenBy: 'parent_carer',
      giverName: 'Dana Ashdown',
      capacityJudgement: 'Parent with parental responsibility.',
    });
    await ok(leah, `${P}/participants/${childId}/transition`, { to: 'agreed', reason: '' });
    await ok(leah, `${P}/participants/${childId}/transition`, { to: 'enrolled', reason: '' });
    const exitWithoutReason = await leah.submit(`${P}/participants/${childId}/transition`, {
      to: 'exited',
      reason: '',
    });
    assert.equal(exitWithoutReason.statusCode, 400);
    const events = await db()
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', childId)
      .execute();
    assert.equal(events.filter((e) => e.action === 'participant.transitioned').length, 2);
  });

  it('withdrawing the agreement withdraws every live sharing decision at once', async () => {
    await ok(leah, `${P}/participants/${childId}/lawful-basis`, {
      purpose: 'Link worker support',
      basis: 'public_task',
      condition: '',
    });
    await ok(leah, `${P}/participants/${childId}/sharing`, {
      organizationId: charityId,
      dataItems: ['name', 'support_plan'],
      rationale: 'To arrange mentoring.',
    });
    const live = await db()
      .selectFrom('participant_sharing_decisions')
      .selectAll()
      .where('participant_id', '=', childId)
      .execute();
    assert.deepEqual(live[0]!.data_items, ['name', 'support_plan']);
    assert.equal(live[0]!.withdrawn_at, null);
    const agreement = await db()
      .selectFrom('participant_agreements')
      .select('id')
      .where('participant_id', '=', childId)
      .executeTakeFirstOrThrow();
    await ok(leah, `${P}/participants/${childId}/withdrawal`, {
      agreementId: agreement.id,
      reason: 'Family changed their mind.',
    });
    const after = await db()
      .selectFrom('participant_sharing_decisions')
      .selectAll()
      .where('participant_id', '=', childId)
      .execute();
    assert.ok(after.every((d) => d.withdrawn_at !== null));
    const refused = await leah.submit(`${P}/participants/${childId}/sharing`, {
      organizationId: charityId,
      dataItems: 'name',
      rationale: 'Again.',
    });
    assert.equal(refused.statusCode, 400);
  });

  it('audits each view and lists it on the place admin’s “who viewed this child” page', async () => {
    const before = await db()
      .selectFrom('audit_events')
      .select('id')
      .where('subject_id', '=', childId)
      .where('action', '=', 'participant.viewed')
      .execute();
    assert.equal((await leah.get(`${P}/participants/${childId}`)).statusCode, 200);
    const viewed = await db()
      .selectFrom('audit_events')
      .selectAll()
      .where('subject_id', '=', childId)
      .where('action', '=', 'participant.viewed')
      .execute();
    assert.equal(viewed.length, before.length + 1);
    const admin = await signedIn('admin@example.test');
    assert.equal((await admin.get(`${P}/participants/${childId}`)).statusCode, 403);
    const search = await admin.get(`${P}/access-log?reference=RVS-7001`);
    assert.match(search.body, new RegExp(`/support/participants/${childId}/access-log`));
    const log = await admin.get(`${P}/participants/${childId}/access-log`);
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /Leah Brennan/);
    assert.match(log.body, /Link worker/);
    assert.match(log.body, /Viewed the record/);
    assert.doesNotMatch(log.body, /Amara/);
    assert.equal((await leah.get(`${P}/participants/${childId}/access-log`)).statusCode, 403);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { childWithEverything, type RecordsSetup, recordsSetup } from './records.fixture.ts';

let t: TestApp;
let s: RecordsSetup;
let admin: Agent;
let otherAdmin: Agent;
let worker: Agent;
let officer: Agent;
let childId: string;
const P = '/places/riverside/support/participants';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function auditOf(action: string) {
  return db()
    .selectFrom('audit_events')
    .select(['actor_id', 'subject_id', 'details'])
    .where('action', '=', action)
    .where('subject_id', '=', childId)
    .execute();
}

before(async () => {
  t = await buildTestApp();
  const place = await t.createPlace('riverside', 'Riverside');
  s = await recordsSetup(t, place.id);
  for (const [email, name, role] of [
    ['pat@example.test', 'Pat Admin', 'place_admin'],
    ['pia@example.test', 'Pia Admin', 'place_admin'],
    ['olu@example.test', 'Olu Officer', 'officer'],
  ] as const) {
    await t.createUser({ email, name, roles: [{ placeId: place.id, role }] });
  }
  childId = (
    await childWithEverything(db(), s, { reference: 'NB-2001', givenName: 'Jordan', familyName: 'Ellery' })
  ).id;
  admin = await signedIn('pat@example.test');
  otherAdmin = await signedIn('pia@example.test');
  worker = await signedIn('leah@example.test');
  officer = await signedIn('olu@example.test');
});
after(() => t.close());

describe('GET /places/:slug/support/participants/:id/records', () => {
  it('refuses a link worker and an officer, who are not place admins', async () => {
    assert.equal((await worker.get(`${P}/${childId}/records`)).statusCode, 403);
    assert.equal((await officer.get(`${P}/${childId}/records`)).statusCode, 403);
  });

  it('shows a place admin which child, the hold and the request form, but not the record', async () => {
    const page = await admin.get(`${P}/${childId}/records`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Records of NB-2001/);
    assert.match(page.body, /Request reference and who asked/);
    assert.doesNotMatch(page.body, /Jordan/);
  });

  it('is linked from the access log of the child', async () => {
    const page = await admin.get(`${P}/${childId}/access-log`);
    assert.match(page.body, new RegExp(`href="${P}/${childId}/records"`));
  });

  it('answers 404 for an id that is not a child of this place', async () => {
    assert.equal((await admin.get(`${P}/00000000-0000-4000-8000-000000000000/records`)).statusCode, 404);
  });
});

describe('POST /places/:slug/support/participants/:id/subject-access', () => {
  it('requires a reason, and stores nothing without one', async () => {
    const response = await admin.submit(
      `${P}/${childId}/records`,
      { reason: '  ' },
      `${P}/${childId}/subject-access`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Enter the request reference and who asked']);
    assert.equal((await auditOf('participant.subject_access_requested')).length, 0);
  });

  it('refuses a link worker', async () => {
    const response = await worker.submit(
      `${P}/${childId}/transition`,
      { reason: 'x' },
      `${P}/${childId}/subject-access`,
    );
    assert.equal(response.statusCode, 403);
  });

  it('shows everything held on the child, audited, with the reason kept out of the audit trail', async () => {
    const response = await admin.submit(
      `${P}/${childId}/records`,
      { reason: 'SAR-2026-014 from the parent' },
      `${P}/${childId}/subject-access`,
    );
    assert.equal(response.statusCode, 303);
    const location = String(response.headers.location);
    assert.match(location, new RegExp(`^${P}/${childId}/subject-access/[0-9a-f-]{36}$`));
    const page = await admin.get(location);
    assert.equal(page.statusCode, 200);
    for (const text of [
      'Everything held on NB-2001',
      'Jordan',
      'Met Jordan at home.',
      'Jordan wants to join the football team',
      'Worried about Jordan.',
      'Pam Okoro',
      'Mentoring with Jordan',
      'Wellbeing (SWEMWBS)',
      'Would enjoy mentoring.',
      'SAR-2026-014 from the parent',
      'Who viewed or changed the record',
    ]) {
      assert.ok(page.body.includes(text), `the page lacks “${text}”`);
    }
    assert.doesNotMatch(page.body, /family-nb-2001@example\.test/);
    const requested = await auditOf('participant.subject_access_requested');
    const exported = await auditOf('participant.subject_access_exported');
    assert.equal(requested.length, 1);
    assert.equal(exported.length, 1);
    assert.equal((exported[0]!.details as { format: string }).format, 'page');
    assert.doesNotMatch(JSON.stringify([...requested, ...exported]), /SAR-2026-014/);

    const download = await admin.get(`${location}/export.json`);
    assert.equal(download.statusCode, 200);
    assert.match(
      String(download.headers['content-disposition']),
      /attachment; filename="subject-access-NB-2001\.json"/,
    );
    const data = JSON.parse(download.body);
    assert.equal(data.tables.participants[0].given_name, 'Jordan');
    assert.equal(data.request.reason, 'SAR-2026-014 from the parent');
    assert.equal((await auditOf('participant.subject_access_exported')).length, 2);

    // A request belongs to the admin who made it: another admin makes their own, with their own reason.
    assert.equal((await otherAdmin.get(location)).statusCode, 404);
    assert.equal((await otherAdmin.get(`${location}/export.json`)).statusCode, 404);
    assert.equal((await worker.get(location)).statusCode, 403);
  });
});

describe('POST /places/:slug/support/participants/:id/legal-hold', () => {
  it('requires a reason', async () => {
    const response = await admin.submit(`${P}/${childId}/legal-hold`, { reason: '' });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Enter why the record must be kept']);
  });

  it('refuses a link worker', async () => {
    assert.equal((await worker.get(`${P}/${childId}/legal-hold`)).statusCode, 403);
  });

  it('sets a hold, audited, then lifts it', async () => {
    const set = await admin.submit(`${P}/${childId}/legal-hold`, { reason: 'A claim is expected.' });
    assert.equal(set.statusCode, 303);
    const row = await db()
      .selectFrom('participants')
      .select('legal_hold')
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    assert.equal(row.legal_hold, true);
    const page = await admin.get(`${P}/${childId}/records`);
    assert.match(page.body, /The legal hold has been set/);
    assert.match(page.body, /A claim is expected\./);
    assert.equal((await auditOf('participant.legal_hold_set')).length, 1);

    const form = await admin.get(`${P}/${childId}/legal-hold`);
    assert.match(form.body, /Lift the legal hold/);
    const lift = await admin.submit(`${P}/${childId}/legal-hold`, { reason: '' });
    assert.deepEqual(errorSummary(lift.body), ['Enter why the hold can be lifted']);
    assert.equal(
      (await admin.submit(`${P}/${childId}/legal-hold`, { reason: 'Claim settled.' })).statusCode,
      303,
    );
    const after = await db()
      .selectFrom('participants')
      .select('legal_hold')
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    assert.equal(after.legal_hold, false);
    const lifted = await auditOf('participant.legal_hold_lifted');
    assert.equal(lifted.length, 1);
    assert.doesNotMatch(JSON.stringify(lifted), /Claim settled/);
  });
});

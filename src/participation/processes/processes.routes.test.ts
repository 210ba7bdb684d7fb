import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { addDays, today } from './phases.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let other: { id: string; slug: string; name: string };

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  other = await t.createPlace('hillside', 'Hillside');
  await t.createUser({ email: 'officer@example.test', roles: [{ placeId: place.id, role: 'officer' }] });
  await t.createUser({ email: 'hill-officer@example.test', roles: [{ placeId: other.id, role: 'officer' }] });
  await t.createUser({ email: 'resident@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

function processForm(overrides: Record<string, string | string[]> = {}) {
  const on = today();
  return {
    title: 'Green spaces 2027',
    summary: 'How should we spend on parks?',
    body: '## Why\n\nBecause **parks** matter. <script>alert(1)</script>',
    area: 'Northbank',
    categories: 'Parks\nPlay areas\n',
    eligibility: 'signed_in',
    minimumAge: '',
    supportThreshold: '50',
    supportsPerResident: '',
    phase1Name: 'Information',
    phase1Start: addDays(on, -20),
    phase1End: addDays(on, -1),
    phase2Name: 'Proposals',
    phase2Start: on,
    phase2End: addDays(on, 20),
    phase2Actions: ['propose', 'support', 'comment'],
    phase3Name: 'Voting',
    phase3Start: addDays(on, 21),
    phase3End: addDays(on, 40),
    phase3Actions: 'vote',
    ...overrides,
  };
}

describe('POST /places/:slug/processes', () => {
  it('lets an officer create a process with phases, audited, shown with its current phase and timeline', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      '/places/riverside/processes/new',
      processForm(),
      '/places/riverside/processes',
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const page = await agent.get(response.headers.location as string);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Green spaces 2027/);
    assert.match(page.body, /Current phase: Proposals/);
    assert.match(page.body, /You can make proposals/);
    assert.match(page.body, /<h2 class="govuk-heading-m">Why<\/h2>/);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /Information[\s\S]*Proposals[\s\S]*Voting/);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'process.created')
      .execute();
    assert.equal(audit.length, 1);
  });

  it('rejects bad input with an error summary and keeps what was typed', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      '/places/riverside/processes/new',
      processForm({ title: '', phase2Start: '2027-02-30', supportThreshold: 'lots' }),
      '/places/riverside/processes',
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Enter a title',
      'Support threshold must be a whole number',
      'Enter a real start date for phase 2, like 2027-03-27',
    ]);
    assert.match(response.body, /value="Northbank"/);
    assert.match(response.body, /Play areas/);
  });

  it('refuses overlapping phases', async () => {
    const agent = await signedIn('officer@example.test');
    const on = today();
    const response = await agent.submit(
      '/places/riverside/processes/new',
      processForm({ phase2Start: addDays(on, -5) }),
      '/places/riverside/processes',
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Proposals must start after Information ends']);
  });

  it('refuses residents and officers of another place', async () => {
    const resident = await signedIn('resident@example.test');
    assert.equal((await resident.get('/places/riverside/processes/new')).statusCode, 403);
    const outsider = await signedIn('hill-officer@example.test');
    assert.equal((await outsider.get('/places/riverside/processes/new')).statusCode, 403);
    await outsider.get('/places/hillside/processes/new');
    const post = await outsider.postRaw('/places/riverside/processes', {
      ...processForm({ title: 'Sneaky' }),
      _csrf: outsider.csrfToken(),
    });
    assert.equal(post.statusCode, 403);
    const rows = await t.database.db
      .selectFrom('processes')
      .select('id')
      .where('title', '=', 'Sneaky')
      .execute();
    assert.equal(rows.length, 0);
  });

  it('edits a process, replacing its phases', async () => {
    const id = await t.createProcess({ placeId: place.id, title: 'To edit' });
    const agent = await signedIn('officer@example.test');
    const form = await agent.get(`/places/riverside/processes/${id}/edit`);
    assert.match(form.body, /value="To edit"/);
    const response = await agent.submit(
      `/places/riverside/processes/${id}/edit`,
      processForm({ title: 'Edited' }),
      `/places/riverside/processes/${id}`,
    );
    assert.equal(response.statusCode, 303);
    const phases = await t.database.db
      .selectFrom('process_phases')
      .select('name')
      .where('process_id', '=', id)
      .orderBy('position')
      .execute();
    assert.deepEqual(
      phases.map((p) => p.name),
      ['Information', 'Proposals', 'Voting'],
    );
  });
});

describe('GET /places/:slug/processes', () => {
  it('lists open, upcoming and past processes separately, only from this place', async () => {
    const on = today();
    await t.createProcess({
      placeId: place.id,
      title: 'Future plans',
      phases: [{ name: 'Later', startsOn: addDays(on, 10), endsOn: addDays(on, 20), allows: [] }],
    });
    await t.createProcess({
      placeId: place.id,
      title: 'Old plans',
      phases: [{ name: 'Before', startsOn: addDays(on, -30), endsOn: addDays(on, -10), allows: [] }],
    });
    await t.createProcess({ placeId: other.id, title: 'Hillside only' });
    const agent = new Agent(t.app);
    const active = await agent.get('/places/riverside/processes');
    assert.match(active.body, /To edit|Edited/);
    assert.doesNotMatch(active.body, /Future plans|Old plans|Hillside only/);
    assert.match((await agent.get('/places/riverside/processes?status=upcoming')).body, /Future plans/);
    const past = await agent.get('/places/riverside/processes?status=past');
    assert.match(past.body, /Old plans/);
    assert.doesNotMatch(past.body, /Future plans/);
  });

  it('does not show a process of another place under this place', async () => {
    const id = await t.createProcess({ placeId: other.id, title: 'Elsewhere' });
    assert.equal((await new Agent(t.app).get(`/places/riverside/processes/${id}`)).statusCode, 404);
    assert.equal((await new Agent(t.app).get('/places/riverside/processes/not-a-uuid')).statusCode, 404);
  });
});

describe('resident verification', () => {
  it('lets staff set the postcode list, with an error naming a bad line', async () => {
    const agent = await signedIn('officer@example.test');
    const bad = await agent.submit(
      '/places/riverside/admin/residents',
      { postcodes: 'RV1 1AA\nnot a postcode' },
      '/places/riverside/admin/residents/postcodes',
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), ['Line 2, “not a postcode”, is not a UK postcode']);
    const ok = await agent.submit(
      '/places/riverside/admin/residents',
      { postcodes: 'RV1 1AA\nrv1 2bb, RV1 1AA' },
      '/places/riverside/admin/residents/postcodes',
    );
    assert.equal(ok.statusCode, 303);
    assert.match(
      (await agent.get('/places/riverside/admin/residents')).body,
      /<strong>2<\/strong> postcodes/,
    );
    const resident = await signedIn('resident@example.test');
    assert.equal((await resident.get('/places/riverside/admin/residents')).statusCode, 403);
  });

  it('verifies a resident whose postcode is in the list, and refuses one whose postcode is not', async () => {
    const agent = await signedIn('resident@example.test');
    const wrong = await agent.submit('/places/riverside/verify', {
      postcode: 'ZZ9 9ZZ',
      dateOfBirth: '1990-01-01',
    });
    assert.deepEqual(errorSummary(wrong.body), [
      'This postcode is not in Riverside. If you think it should be, contact the council.',
    ]);
    const ok = await agent.submit('/places/riverside/verify', {
      postcode: 'rv1 2bb',
      dateOfBirth: '1990-01-01',
    });
    assert.equal(ok.statusCode, 303);
    const row = await t.database.db
      .selectFrom('resident_verifications')
      .selectAll()
      .where('place_id', '=', place.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.method, 'postcode');
    assert.equal(row.postcode, 'RV12BB');
  });

  it('lets staff record an in-person verification, audited', async () => {
    await t.createUser({ email: 'walk-in@example.test' });
    const agent = await signedIn('officer@example.test');
    const missingNote = await agent.submit(
      '/places/riverside/admin/residents',
      { email: 'walk-in@example.test', dateOfBirth: '1950-05-05' },
      '/places/riverside/admin/residents/in-person',
    );
    assert.deepEqual(errorSummary(missingNote.body), [
      'Enter what you checked, for example the documents seen',
    ]);
    const ok = await agent.submit(
      '/places/riverside/admin/residents',
      { email: 'walk-in@example.test', dateOfBirth: '1950-05-05', note: 'Bus pass and council tax bill' },
      '/places/riverside/admin/residents/in-person',
    );
    assert.equal(ok.statusCode, 303);
    const audits = await t.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'resident.verified')
      .execute();
    assert.ok(audits.some((a) => (a.details as { method?: string }).method === 'in_person'));
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let south: { id: string; slug: string; name: string };
let memberId: string;

before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North Vale');
  south = await t.createPlace('south', 'South Vale');
  await t.createUser({ email: 'steward@example.test', instanceAdmin: true });
  await t.createUser({
    email: 'north-admin@example.test',
    roles: [{ placeId: north.id, role: 'place_admin' }],
  });
  await t.createUser({
    email: 'south-admin@example.test',
    roles: [{ placeId: south.id, role: 'place_admin' }],
  });
  await t.createUser({
    email: 'north-officer@example.test',
    roles: [{ placeId: north.id, role: 'officer' }],
  });
  memberId = await t.createUser({ email: 'member@example.test', name: 'Mel Member' });
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  const response = await agent.submit('/sign-in', { email, password: TEST_PASSWORD });
  assert.equal(response.statusCode, 303, `sign in as ${email}`);
  return agent;
}

async function auditRows(action: string, placeId: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('place_id', '=', placeId)
    .execute();
}

describe('places', () => {
  it('lists places publicly and shows a place page under /places/:slug', async () => {
    const agent = new Agent(t.app);
    const list = await agent.get('/places');
    assert.match(list.body, /North Vale/);
    assert.match(list.body, /South Vale/);
    const page = await agent.get('/places/north');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 class="govuk-heading-xl">North Vale<\/h1>/);
    assert.equal((await agent.get('/places/nowhere')).statusCode, 404);
  });

  it('switches place with a plain GET form', async () => {
    const response = await new Agent(t.app).get('/places/switch?slug=south');
    assert.equal(response.headers.location, '/places/south');
  });

  it('lets an instance admin create a place, with errors for bad input', async () => {
    const agent = await signedIn('steward@example.test');
    const bad = await agent.submit(
      '/admin/places/new',
      { name: '', slug: 'Not A Slug!', summary: '', contactEmail: 'x' },
      '/admin/places',
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), [
      'Enter the name of the place',
      'Web address must only include letters a to z, numbers and single hyphens, like north-ealing',
      'Enter an email address in the correct format, like name@example.com',
    ]);
    assert.match(bad.body, /value="Not A Slug!"/);
    const taken = await agent.submit('/admin/places/new', { name: 'Copy', slug: 'north' }, '/admin/places');
    assert.deepEqual(errorSummary(taken.body), ['Another place already uses this web address']);
    const created = await agent.submit(
      '/admin/places/new',
      {
        name: 'East Reach',
        slug: 'east-reach',
        summary: 'Riverside wards',
        contactEmail: 'east@example.test',
      },
      '/admin/places',
    );
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, '/places/east-reach');
    const place = await t.database.db
      .selectFrom('places')
      .selectAll()
      .where('slug', '=', 'east-reach')
      .executeTakeFirstOrThrow();
    assert.equal((await auditRows('place.created', place.id)).length, 1);
  });

  it('lets an instance admin edit a place', async () => {
    const agent = await signedIn('steward@example.test');
    const response = await agent.submit(
      '/admin/places/south/edit',
      { name: 'South Vale District', slug: 'south', summary: 'Edited', contactEmail: '' },
      '/admin/places/south',
    );
    assert.equal(response.statusCode, 303);
    assert.match((await agent.get('/places/south')).body, /South Vale District/);
    assert.equal((await auditRows('place.updated', south.id)).length, 1);
  });

  it('refuses place administration to everyone but instance admins', async () => {
    const admin = await signedIn('north-admin@example.test');
    assert.equal((await admin.get('/admin/places/new')).statusCode, 403);
    assert.equal((await admin.get('/admin')).statusCode, 403);
    const response = await admin.postRaw('/admin/places', {
      _csrf: admin.csrfToken(),
      name: 'Sneaky',
      slug: 'sneaky',
    });
    assert.equal(response.statusCode, 403);
    assert.equal(
      await t.database.db.selectFrom('places').select('id').where('slug', '=', 'sneaky').executeTakeFirst(),
      undefined,
    );
    const visitor = await new Agent(t.app).get('/admin');
    assert.equal(visitor.statusCode, 302);
  });
});

describe('roles in a place', () => {
  it('lets a place admin grant a role by email, audited, and list it', async () => {
    const agent = await signedIn('north-admin@example.test');
    const response = await agent.submit('/places/north/admin/roles', {
      email: 'member@example.test',
      role: 'moderator',
    });
    assert.equal(response.statusCode, 303);
    const page = await agent.get('/places/north/admin/roles');
    assert.match(page.body, /Mel Member is now moderator in North Vale/);
    assert.match(page.body, /Mel Member<\/a>/);
    const rows = await auditRows('role.granted', north.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.subject_id, memberId);
    assert.deepEqual(rows[0]!.details, { role: 'moderator' });
  });

  it('filters and searches the people with roles', async () => {
    const agent = await signedIn('north-admin@example.test');
    const filtered = await agent.get('/places/north/admin/roles?role=officer');
    assert.match(filtered.body, /north-officer@example.test/);
    assert.doesNotMatch(filtered.body, /member@example.test<\/td>/);
    const searched = await agent.get('/places/north/admin/roles?search=mel');
    assert.match(searched.body, /Mel Member/);
    assert.doesNotMatch(searched.body, /north-officer@example.test/);
  });

  it('explains when no account has the email, and when no role is chosen', async () => {
    const agent = await signedIn('north-admin@example.test');
    const unknown = await agent.submit('/places/north/admin/roles', {
      email: 'stranger@example.test',
      role: 'officer',
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(errorSummary(unknown.body)[0]!, /No account uses this email address/);
    assert.match(unknown.body, /value="stranger@example.test"/);
    const noRole = await agent.submit('/places/north/admin/roles', { email: 'member@example.test' });
    assert.deepEqual(errorSummary(noRole.body), ['Select a role']);
  });

  it('revokes a role, audited, and keeps the last place admin', async () => {
    const agent = await signedIn('north-admin@example.test');
    await agent.submit(
      `/places/north/admin/roles/${memberId}`,
      { role: 'moderator' },
      `/places/north/admin/roles/${memberId}/revoke`,
    );
    assert.equal((await auditRows('role.revoked', north.id)).length, 1);
    const roles = await t.database.db
      .selectFrom('place_roles')
      .select('role')
      .where('place_id', '=', north.id)
      .where('user_id', '=', memberId)
      .execute();
    assert.deepEqual(roles, []);

    const adminId = (await t.services.accounts.findActiveAccountByEmail('north-admin@example.test'))!.id;
    await agent.submit(
      `/places/north/admin/roles/${adminId}`,
      { role: 'place_admin' },
      `/places/north/admin/roles/${adminId}/revoke`,
    );
    const page = await agent.get(`/places/north/admin/roles/${adminId}`);
    assert.match(page.body, /A place must keep at least one place admin/);
    assert.equal((await auditRows('role.revoked', north.id)).length, 1);
  });

  it('refuses role management to people who are not admins of that place', async () => {
    const officer = await signedIn('north-officer@example.test');
    assert.equal((await officer.get('/places/north/admin/roles')).statusCode, 403);
    const southAdmin = await signedIn('south-admin@example.test');
    assert.equal((await southAdmin.get('/places/north/admin/roles')).statusCode, 403);
    await southAdmin.get('/places/south/admin/roles');
    const response = await southAdmin.postRaw('/places/north/admin/roles', {
      _csrf: southAdmin.csrfToken(),
      email: 'south-admin@example.test',
      role: 'place_admin',
    });
    assert.equal(response.statusCode, 403);
    const grants = await t.database.db
      .selectFrom('place_roles')
      .select('role')
      .where('place_id', '=', north.id)
      .execute();
    assert.equal(grants.filter((g) => g.role === 'place_admin').length, 1, 'no role was written');
  });

  it('lets an instance admin manage roles in any place', async () => {
    const agent = await signedIn('steward@example.test');
    assert.equal((await agent.get('/places/north/admin/roles')).statusCode, 200);
  });

  it('shows role management links only to those who may use them', async () => {
    const officer = await signedIn('north-officer@example.test');
    assert.doesNotMatch((await officer.get('/places/north')).body, /People and roles/);
    const admin = await signedIn('north-admin@example.test');
    assert.match((await admin.get('/places/north')).body, /People and roles/);
  });
});

describe('the list of people pages', () => {
  it('shows 25 a page with GOV.UK pagination', async () => {
    const place = await t.createPlace('crowded', 'Crowded');
    for (let i = 0; i < 30; i++) {
      await t.createUser({
        email: `p${String(i).padStart(2, '0')}@example.test`,
        name: `Person ${String(i).padStart(2, '0')}`,
        roles: [{ placeId: place.id, role: 'resident' }],
      });
    }
    const agent = await signedIn('steward@example.test');
    const first = await agent.get('/places/crowded/admin/roles');
    assert.match(first.body, /Showing 1 to 25 of 30 people/);
    assert.match(first.body, /govuk-pagination__next/);
    const second = await agent.get('/places/crowded/admin/roles?page=2');
    assert.match(second.body, /Showing 26 to 30 of 30 people/);
    assert.match(second.body, /Person 29/);
  });
});

describe('removing the last role', () => {
  it('returns to the list, since the person is no longer on it', async () => {
    const place = await t.createPlace('lastrole', 'Last Role');
    await t.createUser({
      email: 'lr-admin@example.test',
      roles: [{ placeId: place.id, role: 'place_admin' }],
    });
    const id = await t.createUser({
      email: 'lr-one@example.test',
      roles: [{ placeId: place.id, role: 'analyst' }],
    });
    const agent = await signedIn('lr-admin@example.test');
    const response = await agent.submit(
      `/places/lastrole/admin/roles/${id}`,
      { role: 'analyst' },
      `/places/lastrole/admin/roles/${id}/revoke`,
    );
    assert.equal(response.headers.location, '/places/lastrole/admin/roles');
  });
});

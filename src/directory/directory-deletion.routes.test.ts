import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../platform/auth/actor.ts';
import { Agent, errorSummary } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let officer: Actor;
let ownId: string;
let otherId: string;

const M = '/places/riverside/directory/manage';

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const officerId = await t.createUser({
    email: 'officer@example.test',
    name: 'Olu Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  const memberId = await t.createUser({
    email: 'member@example.test',
    name: 'Mo Member',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  officer = (await t.services.accounts.loadActor(officerId, 'test'))!;
  const org = (name: string) =>
    t.services.directory.createOrganization(officer, place, {
      name,
      kind: 'charity',
      description: '',
      email: null,
      url: null,
      phone: null,
    });
  ownId = await org('Riverside Food Bank');
  otherId = await org('Northbank Mind');
  await t.services.directory.addMember(officer, place, ownId, memberId);
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function audited(action: string, subjectId: string) {
  const rows = await t.database.db
    .selectFrom('audit_events')
    .select('subject_id')
    .where('action', '=', action as never)
    .where('subject_id', '=', subjectId)
    .execute();
  return rows.length;
}

function location(organizationId: string, name: string) {
  return t.services.directory.createLocation(officer, place, organizationId, {
    name,
    description: '',
    address1: '',
    city: '',
    postalCode: '',
    area: '',
    latitude: null,
    longitude: null,
  });
}

function contact(organizationId: string, name: string) {
  return t.services.directory.createContact(officer, place, organizationId, {
    name,
    title: '',
    email: 'someone@example.test',
    phone: null,
    serviceId: null,
  });
}

/** The confirm page's form: where it posts, and where Cancel goes. */
function confirmForm(html: string) {
  return {
    action: [...html.matchAll(/<form method="post" action="([^"]+)"/g)]
      .map((m) => m[1])
      .find((a) => a !== '/sign-out'),
    cancel: html.match(/<a class="govuk-link" href="([^"]+)">Cancel<\/a>/)?.[1],
    hasToken: /name="_csrf"/.test(html),
  };
}

describe('deleting a location', () => {
  it('asks first, needs the form’s token, then deletes it, audited, and says so', async () => {
    const id = await location(ownId, 'Old Warehouse');
    const agent = await signedIn('member@example.test');
    const confirm = await agent.get(`${M}/locations/${id}/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<h1 class="govuk-heading-l">Delete Old Warehouse\?<\/h1>/);
    assert.match(confirm.body, /Services offered here will no longer show this location/);
    assert.deepEqual(confirmForm(confirm.body), {
      action: `${M}/locations/${id}/delete`,
      cancel: `${M}/organisations/${ownId}`,
      hasToken: true,
    });
    assert.match(confirm.body, /Delete location/);
    const forged = await agent.postRaw(`${M}/locations/${id}/delete`, {});
    assert.equal(forged.statusCode, 403);
    const done = await agent.submit(`${M}/locations/${id}/delete`, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${M}/organisations/${ownId}#locations`);
    assert.equal(
      await t.database.db.selectFrom('locations').select('id').where('id', '=', id).executeTakeFirst(),
      undefined,
    );
    assert.equal(await audited('directory.location_deleted', id), 1);
    assert.match((await agent.get(`${M}/organisations/${ownId}`)).body, /The location has been deleted\./);
  });

  it('refuses a member of another organisation, asking or posting', async () => {
    const id = await location(otherId, 'Mind Hub');
    const agent = await signedIn('member@example.test');
    assert.equal((await agent.get(`${M}/locations/${id}/delete`)).statusCode, 403);
    await agent.get(M);
    const post = await agent.postRaw(`${M}/locations/${id}/delete`, { _csrf: agent.csrfToken() });
    assert.equal(post.statusCode, 403);
    assert.ok(
      await t.database.db.selectFrom('locations').select('id').where('id', '=', id).executeTakeFirst(),
    );
    assert.equal(await audited('directory.location_deleted', id), 0);
  });
});

describe('deleting a contact', () => {
  it('asks first, then deletes it, audited, back to the contacts', async () => {
    const id = await contact(ownId, 'Pat Volunteer');
    const agent = await signedIn('member@example.test');
    const confirm = await agent.get(`${M}/contacts/${id}/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Delete the contact Pat Volunteer\?/);
    assert.deepEqual(confirmForm(confirm.body), {
      action: `${M}/contacts/${id}/delete`,
      cancel: `${M}/organisations/${ownId}`,
      hasToken: true,
    });
    assert.match(confirm.body, /Delete contact/);
    const done = await agent.submit(`${M}/contacts/${id}/delete`, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${M}/organisations/${ownId}#contacts`);
    assert.equal(await audited('directory.contact_deleted', id), 1);
    assert.match((await agent.get(`${M}/organisations/${ownId}`)).body, /The contact has been deleted\./);
  });

  it('refuses a member of another organisation', async () => {
    const id = await contact(otherId, 'Kim Keyworker');
    const agent = await signedIn('member@example.test');
    assert.equal((await agent.get(`${M}/contacts/${id}/delete`)).statusCode, 403);
    await agent.get(M);
    const post = await agent.postRaw(`${M}/contacts/${id}/delete`, { _csrf: agent.csrfToken() });
    assert.equal(post.statusCode, 403);
    assert.equal(await audited('directory.contact_deleted', id), 0);
  });
});

describe('deleting a need', () => {
  it('says how many services use it, then deletes it, audited; officers only', async () => {
    const id = await t.services.directory.createTerm(officer, place, {
      code: 'housing',
      name: 'Housing',
      description: '',
      parentId: null,
    });
    const member = await signedIn('member@example.test');
    assert.equal((await member.get(`${M}/needs/${id}/delete`)).statusCode, 403);
    await member.get(M);
    assert.equal(
      (await member.postRaw(`${M}/needs/${id}/delete`, { _csrf: member.csrfToken() })).statusCode,
      403,
    );
    const agent = await signedIn('officer@example.test');
    const confirm = await agent.get(`${M}/needs/${id}/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Delete the need Housing\?/);
    assert.match(confirm.body, /0 service\(s\) are listed under it/);
    assert.deepEqual(confirmForm(confirm.body), {
      action: `${M}/needs/${id}/delete`,
      cancel: `${M}/needs`,
      hasToken: true,
    });
    const done = await agent.submit(`${M}/needs/${id}/delete`, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${M}/needs`);
    assert.equal(await audited('directory.taxonomy_term_deleted', id), 1);
    assert.match((await agent.get(`${M}/needs`)).body, /The need has been deleted\./);
  });
});

describe('deleting an organisation', () => {
  it('is for officers only', async () => {
    const member = await signedIn('member@example.test');
    assert.equal((await member.get(`${M}/organisations/${ownId}/delete`)).statusCode, 403);
    await member.get(M);
    const post = await member.postRaw(`${M}/organisations/${ownId}/delete`, { _csrf: member.csrfToken() });
    assert.equal(post.statusCode, 403);
    assert.equal(await audited('directory.organization_deleted', ownId), 0);
  });

  it('says what else goes with it, then deletes it, audited', async () => {
    const id = await t.services.directory.createOrganization(officer, place, {
      name: 'Closing Trust',
      kind: 'charity',
      description: '',
      email: null,
      url: null,
      phone: null,
    });
    await location(id, 'Trust Office');
    await contact(id, 'Ali Admin');
    const agent = await signedIn('officer@example.test');
    const confirm = await agent.get(`${M}/organisations/${id}/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Delete Closing Trust\?/);
    assert.match(confirm.body, /This also deletes its 0 service\(s\), 1 location\(s\) and 1 contact\(s\)\./);
    assert.deepEqual(confirmForm(confirm.body), {
      action: `${M}/organisations/${id}/delete`,
      cancel: `${M}/organisations/${id}`,
      hasToken: true,
    });
    const done = await agent.submit(`${M}/organisations/${id}/delete`, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, M);
    assert.equal(await audited('directory.organization_deleted', id), 1);
    assert.match((await agent.get(M)).body, /The organisation has been deleted\./);
  });

  it('explains when something elsewhere still points at it, and deletes nothing', async () => {
    const id = await t.services.directory.createOrganization(officer, place, {
      name: 'Linked Trust',
      kind: 'charity',
      description: '',
      email: null,
      url: null,
      phone: null,
    });
    // Stands for another feature's table that refers to organisations without cascading.
    await sql`CREATE TABLE linked_elsewhere (organization_id uuid NOT NULL REFERENCES organizations (id))`.execute(
      t.database.db,
    );
    await sql`INSERT INTO linked_elsewhere VALUES (${id})`.execute(t.database.db);
    const agent = await signedIn('officer@example.test');
    const refused = await agent.submit(`${M}/organisations/${id}/delete`, {});
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /This organisation cannot be deleted yet/);
    assert.deepEqual(errorSummary(refused.body), [
      'Linked Trust is still linked from elsewhere in Commonweal, such as a support programme&#39;s settings. Remove those links first.',
    ]);
    assert.deepEqual(confirmForm(refused.body), {
      action: `${M}/organisations/${id}/delete`,
      cancel: `${M}/organisations/${id}`,
      hasToken: true,
    });
    assert.match(refused.body, /Try again/);
    assert.ok(
      await t.database.db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst(),
    );
    assert.equal(await audited('directory.organization_deleted', id), 0);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../platform/auth/actor.ts';
import { Agent, errorSummary } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let hillside: { id: string; slug: string; name: string };
let officer: Actor;
let memberId: string;
let charityId: string;
let otherCharityId: string;
let otherServiceId: string;
let foodTermId: string;
let mentalHealthId: string;
let anxietyId: string;

const M = '/places/riverside/directory/manage';

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  hillside = await t.createPlace('hillside', 'Hillside');
  const officerId = await t.createUser({
    email: 'officer@example.test',
    name: 'Olu Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  memberId = await t.createUser({
    email: 'member@example.test',
    name: 'Mo Member',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  await t.createUser({
    email: 'spare@example.test',
    name: 'Sam Spare',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  await t.createUser({ email: 'resident@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  officer = (await t.services.accounts.loadActor(officerId, 'test'))!;
  const { directory } = t.services;
  mentalHealthId = await directory.createTerm(officer, place, {
    code: 'mental-health',
    name: 'Emotional wellbeing and mental health',
    description: '',
    parentId: null,
  });
  anxietyId = await directory.createTerm(officer, place, {
    code: 'anxiety',
    name: 'Anxiety',
    description: '',
    parentId: mentalHealthId,
  });
  foodTermId = await directory.createTerm(officer, place, {
    code: 'food',
    name: 'Food',
    description: '',
    parentId: null,
  });
  const org = (name: string, kind: 'charity' | 'school' = 'charity') =>
    directory.createOrganization(officer, place, {
      name,
      kind,
      description: '',
      email: null,
      url: null,
      phone: null,
    });
  charityId = await org('Riverside Food Bank');
  otherCharityId = await org('Northbank Mind');
  await org('Southbank Primary School', 'school');
  await directory.addMember(officer, place, charityId, memberId);
  const northbank = await directory.createLocation(officer, place, otherCharityId, {
    name: 'Northbank Hub',
    description: '',
    address1: '1 Mill Lane',
    city: 'Riverside',
    postalCode: 'RV1 2AB',
    area: 'Northbank',
    latitude: '51.5',
    longitude: '-0.1',
  });
  otherServiceId = await directory.createService(officer, place, otherCharityId, {
    name: 'Worry Group',
    description: 'A weekly group for people who feel anxious.',
    status: 'active',
    url: null,
    email: null,
    fees: 'Free',
    eligibility: 'Adults',
    minimumAge: 18,
    maximumAge: null,
    termIds: [anxietyId],
    locationIds: [northbank],
  });
  const southbank = await directory.createLocation(officer, place, charityId, {
    name: 'Southbank Church Hall',
    description: '',
    address1: '2 Quay Street',
    city: 'Riverside',
    postalCode: 'RV2 9XY',
    area: 'Southbank',
    latitude: null,
    longitude: null,
  });
  await directory.createService(officer, place, charityId, {
    name: 'Food parcels',
    description: 'Emergency FOOD parcels, no questions asked.',
    status: 'active',
    url: null,
    email: null,
    fees: '',
    eligibility: '',
    minimumAge: null,
    maximumAge: null,
    termIds: [foodTermId],
    locationIds: [southbank],
  });
  await directory.createService(officer, place, charityId, {
    name: 'Holiday lunches',
    description: 'Paused for now.',
    status: 'inactive',
    url: null,
    email: null,
    fees: '',
    eligibility: '',
    minimumAge: null,
    maximumAge: null,
    termIds: [foodTermId],
    locationIds: [southbank],
  });
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function auditRows(action: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action as never)
    .orderBy('occurred_at')
    .execute();
}

async function serviceRow(id: string) {
  return t.database.db.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
}

describe('GET /places/:slug/directory/manage', () => {
  it('sends a visitor to sign in and refuses a resident', async () => {
    const visitor = await new Agent(t.app).get(M);
    assert.equal(visitor.statusCode, 302);
    assert.match(String(visitor.headers.location), /^\/sign-in/);
    const resident = await signedIn('resident@example.test');
    assert.equal((await resident.get(M)).statusCode, 403);
  });

  it('lists every organisation for an officer, and only their own for a member', async () => {
    const asOfficer = await (await signedIn('officer@example.test')).get(M);
    assert.equal(asOfficer.statusCode, 200);
    assert.match(asOfficer.body, /Northbank Mind/);
    assert.match(asOfficer.body, /Riverside Food Bank/);
    const asMember = await (await signedIn('member@example.test')).get(M);
    assert.equal(asMember.statusCode, 200);
    assert.match(asMember.body, /Riverside Food Bank/);
    assert.doesNotMatch(asMember.body, /Northbank Mind/);
    assert.doesNotMatch(asMember.body, /Add an organisation/);
  });

  it('refuses an officer of another place', async () => {
    const agent = await signedIn('hill@example.test');
    assert.equal((await agent.get(M)).statusCode, 403);
  });
});

describe('POST /places/:slug/directory/manage/organisations', () => {
  it('lets an officer add an organisation, audited', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      `${M}/organisations/new`,
      {
        name: 'Little Acorns Nursery',
        kind: 'nursery',
        email: 'hello@acorns.example',
        url: 'https://acorns.example',
      },
      `${M}/organisations`,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('organizations')
      .selectAll()
      .where('name', '=', 'Little Acorns Nursery')
      .executeTakeFirstOrThrow();
    assert.equal(row.kind, 'nursery');
    assert.equal(row.place_id, place.id);
    const audit = await auditRows('directory.organization_created');
    assert.ok(audit.some((a) => a.subject_id === row.id && a.place_id === place.id));
  });

  it('shows every problem of a bad form and stores nothing', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      `${M}/organisations/new`,
      { name: '', kind: 'castle', email: 'not-an-email', url: 'javascript:alert(1)', phone: 'call me' },
      `${M}/organisations`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Enter the name of the organisation',
      'Select the kind of organisation',
      'Enter an email address in the correct format, like name@example.org',
      'Enter a web address starting with https:// or http://, like https://example.org',
      'Enter a telephone number, like 01632 960 001 or +44 1632 960 001',
    ]);
    assert.match(response.body, /value="call me"/);
  });

  it('refuses a second organisation with the same name', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      `${M}/organisations/new`,
      { name: 'riverside food bank', kind: 'charity' },
      `${M}/organisations`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'An organisation with this name is already in the directory',
    ]);
  });

  it('refuses an organisation member', async () => {
    const agent = await signedIn('member@example.test');
    assert.equal((await agent.get(`${M}/organisations/new`)).statusCode, 403);
    await agent.get(M);
    const response = await agent.postRaw(`${M}/organisations`, {
      _csrf: agent.csrfToken(),
      name: 'Sneaky Org',
      kind: 'charity',
    });
    assert.equal(response.statusCode, 403);
    const row = await t.database.db
      .selectFrom('organizations')
      .select('id')
      .where('name', '=', 'Sneaky Org')
      .executeTakeFirst();
    assert.equal(row, undefined);
  });
});

describe('services managed by an organisation member', () => {
  it('lets a member add a service with needs to their own organisation, audited', async () => {
    const agent = await signedIn('member@example.test');
    const page = `${M}/organisations/${charityId}/services/new`;
    const form = await agent.get(page);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Emotional wellbeing and mental health: Anxiety/);
    const response = await agent.submit(
      page,
      { name: 'Cooking club', status: 'active', termIds: [foodTermId], minimumAge: '8', maximumAge: '16' },
      `${M}/organisations/${charityId}/services`,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('services')
      .selectAll()
      .where('name', '=', 'Cooking club')
      .executeTakeFirstOrThrow();
    assert.equal(row.organization_id, charityId);
    assert.equal(row.minimum_age, 8);
    const terms = await t.database.db
      .selectFrom('service_taxonomy_terms')
      .select('taxonomy_term_id')
      .where('service_id', '=', row.id)
      .execute();
    assert.deepEqual(
      terms.map((r) => r.taxonomy_term_id),
      [foodTermId],
    );
    const audit = await auditRows('directory.service_created');
    assert.ok(audit.some((a) => a.subject_id === row.id && a.actor_id === memberId));
  });

  it('refuses a member editing another organisation’s service, even posting directly, and changes nothing', async () => {
    const agent = await signedIn('member@example.test');
    assert.equal((await agent.get(`${M}/services/${otherServiceId}/edit`)).statusCode, 403);
    await agent.get(M);
    const token = agent.csrfToken();
    const edit = await agent.postRaw(`${M}/services/${otherServiceId}/edit`, {
      _csrf: token,
      name: 'Taken over',
      status: 'active',
    });
    assert.equal(edit.statusCode, 403);
    const removal = await agent.postRaw(`${M}/services/${otherServiceId}/delete`, { _csrf: token });
    assert.equal(removal.statusCode, 403);
    const added = await agent.postRaw(`${M}/organisations/${otherCharityId}/services`, {
      _csrf: token,
      name: 'Planted service',
      status: 'active',
    });
    assert.equal(added.statusCode, 403);
    assert.equal((await serviceRow(otherServiceId))?.name, 'Worry Group');
    const planted = await t.database.db
      .selectFrom('services')
      .select('id')
      .where('name', '=', 'Planted service')
      .executeTakeFirst();
    assert.equal(planted, undefined);
  });

  it('refuses through the service’s query even when the check before it is skipped', async () => {
    // The repository's reach alone, as a member, cannot touch another organisation's rows.
    const repo = await import('./directory.repository.ts');
    const reach = { placeId: place.id, memberId };
    const changed = await t.database.db.transaction().execute((tx) =>
      repo.updateService(tx, reach, otherServiceId, {
        name: 'Taken over',
        description: '',
        status: 'active',
        url: null,
        email: null,
        fees: '',
        eligibility: '',
        minimumAge: null,
        maximumAge: null,
      }),
    );
    assert.equal(changed, false);
    assert.equal(await repo.findService(t.database.db, reach, otherServiceId), undefined);
    assert.equal((await serviceRow(otherServiceId))?.name, 'Worry Group');
  });

  it('refuses a need that is not one of the place’s, with a clear error', async () => {
    const agent = await signedIn('member@example.test');
    const page = `${M}/organisations/${charityId}/services/new`;
    const response = await agent.submit(
      page,
      {
        name: 'Odd service',
        status: 'active',
        termIds: '00000000-0000-4000-8000-000000000000',
        minimumAge: '20',
        maximumAge: '10',
      },
      `${M}/organisations/${charityId}/services`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Oldest age must be the same as or more than the youngest age',
    ]);
    const second = await agent.submit(
      page,
      { name: 'Odd service', status: 'active', termIds: '00000000-0000-4000-8000-000000000000' },
      `${M}/organisations/${charityId}/services`,
    );
    assert.equal(second.statusCode, 400);
    assert.deepEqual(errorSummary(second.body), ['Select needs from the list']);
  });

  it('asks before deleting a service, then deletes it, audited', async () => {
    const agent = await signedIn('member@example.test');
    const row = await t.database.db
      .selectFrom('services')
      .select('id')
      .where('name', '=', 'Cooking club')
      .executeTakeFirstOrThrow();
    const confirm = await agent.get(`${M}/services/${row.id}/delete`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Delete Cooking club\?/);
    const response = await agent.submit(`${M}/services/${row.id}/delete`, {});
    assert.equal(response.statusCode, 303);
    assert.equal(await serviceRow(row.id), undefined);
    assert.ok((await auditRows('directory.service_deleted')).some((a) => a.subject_id === row.id));
  });
});

describe('locations and contacts', () => {
  it('validates a location and stores a good one', async () => {
    const agent = await signedIn('member@example.test');
    const page = `${M}/organisations/${charityId}/locations/new`;
    const bad = await agent.submit(
      page,
      { name: '', postalCode: 'nowhere', latitude: '91' },
      `${M}/organisations/${charityId}/locations`,
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), [
      'Enter the name of the location',
      'Enter a real postcode, like RV1 2AB',
      'Latitude must be a number from -90 to 90 with up to 6 decimal places',
    ]);
    const good = await agent.submit(
      page,
      { name: 'Food Bank Warehouse', postalCode: 'rv2 1aa', area: 'Southbank' },
      `${M}/organisations/${charityId}/locations`,
    );
    assert.equal(good.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('locations')
      .selectAll()
      .where('name', '=', 'Food Bank Warehouse')
      .executeTakeFirstOrThrow();
    assert.equal(row.postal_code, 'RV2 1AA');
    assert.equal(row.organization_id, charityId);
    assert.ok((await auditRows('directory.location_created')).some((a) => a.subject_id === row.id));
  });

  it('needs a name or title and a way to get in touch for a contact', async () => {
    const agent = await signedIn('member@example.test');
    const page = `${M}/organisations/${charityId}/contacts/new`;
    const bad = await agent.submit(page, {}, `${M}/organisations/${charityId}/contacts`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), [
      'Enter a name or a job title',
      'Enter an email address or a telephone number',
    ]);
    const otherService = await agent.submit(
      page,
      { title: 'Volunteer coordinator', phone: '01632 960 001', serviceId: otherServiceId },
      `${M}/organisations/${charityId}/contacts`,
    );
    assert.equal(otherService.statusCode, 400);
    assert.deepEqual(errorSummary(otherService.body), [
      'Select a service of this organisation from the list',
    ]);
    const good = await agent.submit(
      page,
      { title: 'Volunteer coordinator', phone: '01632 960 001' },
      `${M}/organisations/${charityId}/contacts`,
    );
    assert.equal(good.statusCode, 303);
    assert.equal((await auditRows('directory.contact_created')).length, 1);
  });
});

describe('organisation members', () => {
  it('lets an officer add and remove a member holding the role, audited, and refuses anyone else', async () => {
    const agent = await signedIn('officer@example.test');
    const page = `${M}/organisations/${otherCharityId}`;
    const shown = await agent.get(page);
    assert.match(shown.body, /Sam Spare/);
    assert.doesNotMatch(shown.body, /officer@example.test/);
    const residentId = (
      await t.database.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'resident@example.test')
        .executeTakeFirstOrThrow()
    ).id;
    const refused = await agent.submit(page, { userId: residentId }, `${page}/members`);
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(refused.body), [
      'Select someone who holds the organisation member role in this place',
    ]);
    const added = await agent.submit(page, { userId: memberId }, `${page}/members`);
    assert.equal(added.statusCode, 303, errorSummary(agent.lastPage).join());
    assert.ok((await auditRows('directory.member_added')).some((a) => a.subject_id === otherCharityId));
    // Now a member of both, Mo can edit the Worry Group.
    const member = await signedIn('member@example.test');
    assert.equal((await member.get(`${M}/services/${otherServiceId}/edit`)).statusCode, 200);
    const confirm = await agent.get(`${page}/members/${memberId}/remove`);
    assert.match(confirm.body, /Remove Mo Member from Northbank Mind\?/);
    const removed = await agent.submit(`${page}/members/${memberId}/remove`, {});
    assert.equal(removed.statusCode, 303);
    assert.ok((await auditRows('directory.member_removed')).some((a) => a.subject_id === otherCharityId));
    assert.equal((await member.get(`${M}/services/${otherServiceId}/edit`)).statusCode, 403);
  });

  it('does not let a member see or change who the members are', async () => {
    const member = await signedIn('member@example.test');
    const page = await member.get(`${M}/organisations/${charityId}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Add a member/);
    const response = await member.postRaw(`${M}/organisations/${charityId}/members`, {
      _csrf: member.csrfToken(),
      userId: memberId,
    });
    assert.equal(response.statusCode, 403);
  });
});

describe('needs (taxonomy terms)', () => {
  it('lets an officer add a need, refusing a bad code and a taken one', async () => {
    const agent = await signedIn('officer@example.test');
    const bad = await agent.submit(
      `${M}/needs/new`,
      { name: 'Housing', code: 'Housing & homes' },
      `${M}/needs`,
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), [
      'Code must be lower-case letters, numbers and hyphens, like mental-health',
    ]);
    const taken = await agent.submit(`${M}/needs/new`, { name: 'Food again', code: 'food' }, `${M}/needs`);
    assert.deepEqual(errorSummary(taken.body), ['A need with this code already exists']);
    const good = await agent.submit(`${M}/needs/new`, { name: 'Housing', code: 'housing' }, `${M}/needs`);
    assert.equal(good.statusCode, 303);
    assert.equal((await auditRows('directory.taxonomy_term_created')).length, 4);
  });

  it('refuses to put a need under its own narrower need', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(`${M}/needs/${mentalHealthId}/edit`, {
      name: 'Emotional wellbeing and mental health',
      code: 'mental-health',
      parentId: anxietyId,
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'A need cannot sit under itself or under one of its own narrower needs',
    ]);
  });

  it('is for officers only', async () => {
    const member = await signedIn('member@example.test');
    assert.equal((await member.get(`${M}/needs`)).statusCode, 403);
  });
});

describe('GET /places/:slug/directory', () => {
  const D = '/places/riverside/directory';
  const titles = (html: string) =>
    [
      ...html.matchAll(/<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)<\/a>/g),
    ].map((m) => m[1]);

  it('lists running services to anyone, without signing in', async () => {
    const response = await new Agent(t.app).get(D);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(titles(response.body), ['Food parcels', 'Worry Group']);
  });

  it('ignores a repeated or odd parameter rather than failing', async () => {
    const response = await new Agent(t.app).get(`${D}?q=food&q=worry&page=1&page=2&include=x&include=y`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(titles(response.body), ['Food parcels', 'Worry Group']);
  });

  it('finds by need, including narrower needs', async () => {
    const agent = new Agent(t.app);
    assert.deepEqual(titles((await agent.get(`${D}?need=mental-health`)).body), ['Worry Group']);
    assert.deepEqual(titles((await agent.get(`${D}?need=food`)).body), ['Food parcels']);
    assert.deepEqual(titles((await agent.get(`${D}?need=food&include=all`)).body), [
      'Food parcels',
      'Holiday lunches',
    ]);
    assert.deepEqual(titles((await agent.get(`${D}?need=no-such-need`)).body), []);
  });

  it('finds by area and by words, case-insensitively', async () => {
    const agent = new Agent(t.app);
    assert.deepEqual(titles((await agent.get(`${D}?area=northbank`)).body), ['Worry Group']);
    assert.deepEqual(titles((await agent.get(`${D}?area=Southbank&need=food`)).body), ['Food parcels']);
    assert.deepEqual(titles((await agent.get(`${D}?q=food`)).body), ['Food parcels']);
    assert.deepEqual(titles((await agent.get(`${D}?q=ANXIOUS`)).body), ['Worry Group']);
    assert.deepEqual(titles((await agent.get(`${D}?q=%25`)).body), []);
  });

  it('pages the results, 25 a page', async () => {
    const { directory } = t.services;
    const orgId = await directory.createOrganization(officer, place, {
      name: 'Paging Trust',
      kind: 'charity',
      description: '',
      email: null,
      url: null,
      phone: null,
    });
    for (let i = 1; i <= 27; i++) {
      await directory.createService(officer, place, orgId, {
        name: `Paged service ${String(i).padStart(2, '0')}`,
        description: '',
        status: 'active',
        url: null,
        email: null,
        fees: '',
        eligibility: '',
        minimumAge: null,
        maximumAge: null,
        termIds: [],
        locationIds: [],
      });
    }
    const agent = new Agent(t.app);
    const first = await agent.get(`${D}?q=paged`);
    assert.match(first.body, /27 services/);
    assert.equal(titles(first.body).length, 25);
    assert.match(first.body, /href="\/places\/riverside\/directory\?q=paged&amp;page=2"/);
    const second = await agent.get(`${D}?q=paged&page=2`);
    assert.deepEqual(titles(second.body), ['Paged service 26', 'Paged service 27']);
  });

  it('shows a service with its organisation, locations, contacts and needs', async () => {
    const response = await new Agent(t.app).get(`${D}/services/${otherServiceId}`);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /Worry Group/);
    assert.match(response.body, /Northbank Mind/);
    assert.match(response.body, /Northbank Hub/);
    assert.match(response.body, /RV1 2AB/);
    assert.match(response.body, /Anxiety/);
    assert.match(response.body, /18 and over/);
  });

  it('shows an organisation, and 404s for another place’s entries or a bad id', async () => {
    const agent = new Agent(t.app);
    const org = await agent.get(`${D}/organisations/${charityId}`);
    assert.equal(org.statusCode, 200);
    assert.match(org.body, /Food parcels/);
    assert.doesNotMatch(org.body, /Holiday lunches/);
    assert.equal((await agent.get(`/places/hillside/directory/services/${otherServiceId}`)).statusCode, 404);
    assert.equal((await agent.get(`${D}/services/not-an-id`)).statusCode, 404);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../platform/auth/actor.ts';
import { Agent, errorSummary } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let officer: Actor;
/** 27 running services and one paused, 27 locations, 27 contacts of its own and one of a service, 27 members. */
let pagingId: string;
/** 501 services and 501 locations, more than any list used to hold. */
let bigId: string;
let otherId: string;
let otherLocationId: string;
/** Ids by name, for the bulk rows. */
const bigLocations = new Map<string, string>();
const bigServices = new Map<string, string>();
const memberIds = new Map<string, string>();

const D = '/places/riverside/directory';
const M = `${D}/manage`;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const officerId = await t.createUser({
    email: 'officer@example.test',
    name: 'Olu Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  await t.createUser({
    email: 'member@example.test',
    name: 'Mo Member',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  officer = (await t.services.accounts.loadActor(officerId, 'test'))!;
  const { directory } = t.services;
  const org = (name: string) =>
    directory.createOrganization(officer, place, {
      name,
      kind: 'charity',
      description: '',
      email: null,
      url: null,
      phone: null,
    });
  pagingId = await org('Paging Trust');
  bigId = await org('Big Trust');
  otherId = await org('Other Trust');
  const memberId = (
    await t.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'member@example.test')
      .executeTakeFirstOrThrow()
  ).id;
  await directory.addMember(officer, place, bigId, memberId);
  otherLocationId = await directory.createLocation(officer, place, otherId, {
    name: 'Other Hub',
    description: '',
    address1: '',
    city: '',
    postalCode: '',
    area: '',
    latitude: null,
    longitude: null,
  });

  const db = t.database.db;
  const services = await db
    .insertInto('services')
    .values([
      ...Array.from({ length: 27 }, (_, i) => ({
        place_id: place.id,
        organization_id: pagingId,
        name: `Service ${pad(i + 1)}`,
      })),
      { place_id: place.id, organization_id: pagingId, name: 'Paused service', status: 'inactive' as const },
    ])
    .returning(['id', 'name'])
    .execute();
  await db
    .insertInto('locations')
    .values(
      Array.from({ length: 27 }, (_, i) => ({
        place_id: place.id,
        organization_id: pagingId,
        name: `Location ${pad(i + 1)}`,
      })),
    )
    .execute();
  await db
    .insertInto('directory_contacts')
    .values([
      ...Array.from({ length: 27 }, (_, i) => ({
        place_id: place.id,
        organization_id: pagingId,
        name: `Contact ${pad(i + 1)}`,
        email: 'hello@example.test',
      })),
      {
        place_id: place.id,
        organization_id: pagingId,
        service_id: services[0]!.id,
        name: 'A service’s own contact',
        email: 'service@example.test',
      },
    ])
    .execute();
  // 530 people hold the organisation member role; the first 27 are members of the Paging Trust.
  const people = await db
    .insertInto('users')
    .values(
      Array.from({ length: 530 }, (_, i) => ({
        email: `person${pad(i + 1, 3)}@example.test`,
        name: `Person ${pad(i + 1, 3)}`,
        password_hash: null,
        email_verified_at: new Date(),
        deleted_at: null,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  for (const p of people) memberIds.set(p.name, p.id);
  await db
    .insertInto('place_roles')
    .values(people.map((p) => ({ place_id: place.id, user_id: p.id, role: 'organisation_member' as const })))
    .execute();
  await db
    .insertInto('organization_members')
    .values(
      people
        .slice(0, 27)
        .map((p) => ({ place_id: place.id, organization_id: pagingId, user_id: p.id, added_by: null })),
    )
    .execute();

  const locations = await db
    .insertInto('locations')
    .values(
      Array.from({ length: 501 }, (_, i) => ({
        place_id: place.id,
        organization_id: bigId,
        name: `Site ${pad(i + 1, 3)}`,
        area: `Area ${pad(i + 1, 3)}`,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  for (const l of locations) bigLocations.set(l.name, l.id);
  const many = await db
    .insertInto('services')
    .values(
      Array.from({ length: 501 }, (_, i) => ({
        place_id: place.id,
        organization_id: bigId,
        name: `Offer ${pad(i + 1, 3)}`,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  for (const s of many) bigServices.set(s.name, s.id);
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

/** The text of the cells in the first column of each row of the table with this caption's words. */
function tableRows(html: string, list: string): string[] {
  const table = html.match(
    new RegExp(`<caption[^>]*>Showing \\d+ to \\d+ of \\d+ ${list}</caption>([\\s\\S]*?)</table>`),
  );
  if (!table) return [];
  return [
    ...table[1]!.matchAll(/<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(.*?)<\/td>/g),
  ].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}

/** The links of the pagination labelled for this list. */
function pageLinks(html: string, list: string): string[] {
  const nav = html.match(
    new RegExp(`<nav class="govuk-pagination"[^>]*aria-label="Pages of ${list}"[\\s\\S]*?</nav>`),
  );
  if (!nav) return [];
  return [...nav[0].matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
}

describe('GET /places/:slug/directory/manage/organisations/:id', () => {
  const page = () => `${M}/organisations/${pagingId}`;

  it('shows 25 services a page with a caption, and the 26th on page 2', async () => {
    const agent = await signedIn('officer@example.test');
    const first = await agent.get(page());
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Services \(28\)/);
    assert.match(first.body, /Showing 1 to 25 of 28 services/);
    const firstRows = tableRows(first.body, 'services');
    assert.equal(firstRows.length, 25);
    assert.equal(firstRows[0], 'Paused service');
    assert.ok(pageLinks(first.body, 'services').includes(`${page()}?servicesPage=2#services`));
    const second = await agent.get(`${page()}?servicesPage=2`);
    assert.match(second.body, /Showing 26 to 28 of 28 services/);
    // "Paused service" sorts first, so the 26th service is Service 25.
    assert.deepEqual(tableRows(second.body, 'services'), ['Service 25', 'Service 26', 'Service 27']);
  });

  it('pages locations, contacts and members each on their own, keeping the others’ pages', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.get(`${page()}?locationsPage=2&membersPage=2`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(tableRows(response.body, 'services').length, 25);
    assert.deepEqual(tableRows(response.body, 'locations'), ['Location 26', 'Location 27']);
    assert.match(response.body, /Showing 26 to 27 of 27 locations/);
    assert.match(response.body, /Showing 1 to 25 of 28 contacts/);
    assert.equal(tableRows(response.body, 'contacts')[0], 'A service’s own contact');
    assert.match(response.body, /Showing 26 to 27 of 27 members/);
    assert.match(response.body, /Person 026 \(person026@example.test\)/);
    assert.match(response.body, /Person 027/);
    assert.doesNotMatch(response.body, /Person 025 \(/);
    // Moving the services on keeps locations and members where they were.
    assert.ok(
      pageLinks(response.body, 'services').includes(
        `${page()}?servicesPage=2&locationsPage=2&membersPage=2#services`,
      ),
    );
    // Going back a page of locations drops its own parameter and keeps the members' page.
    assert.ok(pageLinks(response.body, 'locations').includes(`${page()}?membersPage=2#locations`));
    const contacts = await agent.get(`${page()}?contactsPage=2&locationsPage=2`);
    assert.deepEqual(tableRows(contacts.body, 'contacts'), ['Contact 25', 'Contact 26', 'Contact 27']);
    assert.deepEqual(tableRows(contacts.body, 'locations'), ['Location 26', 'Location 27']);
  });

  it('shows an empty page past the end, or a bad page number, without failing', async () => {
    const agent = await signedIn('officer@example.test');
    const past = await agent.get(`${page()}?servicesPage=9`);
    assert.equal(past.statusCode, 200);
    assert.match(past.body, /There is no such page of services/);
    assert.ok(pageLinks(past.body, 'services').includes(`${page()}#services`));
    const odd = await agent.get(`${page()}?servicesPage=x&servicesPage=2&locationsPage=-1`);
    assert.equal(odd.statusCode, 200);
    assert.match(odd.body, /Showing 1 to 25 of 28 services/);
    assert.match(odd.body, /Showing 1 to 25 of 27 locations/);
  });

  it('asks before removing a member on a later page, found by a lookup, and 404s for a non-member', async () => {
    const agent = await signedIn('officer@example.test');
    const later = memberIds.get('Person 027')!;
    const confirm = await agent.get(`${page()}/members/${later}/remove`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Remove Person 027 from Paging Trust\?/);
    const outsider = memberIds.get('Person 028')!;
    assert.equal((await agent.get(`${page()}/members/${outsider}/remove`)).statusCode, 404);
  });

  it('offers every holder of the role as a new member, however many', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.get(`${M}/organisations/${bigId}`);
    assert.equal(response.statusCode, 200);
    const options = [...response.body.matchAll(/<option value="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    assert.equal(options.length, 530);
    assert.ok(options.includes(memberIds.get('Person 530')));
    const added = await agent.submit(
      `${M}/organisations/${bigId}`,
      { userId: memberIds.get('Person 530')! },
      `${M}/organisations/${bigId}/members`,
    );
    assert.equal(added.statusCode, 303, errorSummary(agent.lastPage).join());
  });

  it('gives the exact counts before an organisation is deleted', async () => {
    const agent = await signedIn('officer@example.test');
    const confirm = await agent.get(`${M}/organisations/${bigId}/delete`);
    assert.match(
      confirm.body,
      /This also deletes its 501 service\(s\), 501 location\(s\) and 0 contact\(s\)\./,
    );
  });
});

describe('GET /places/:slug/directory/organisations/:id', () => {
  const page = () => `${D}/organisations/${pagingId}`;
  const items = (html: string, heading: string) => {
    const section = html.match(
      new RegExp(`id="${heading}">[\\s\\S]*?<ul class="govuk-list">([\\s\\S]*?)</ul>`),
    );
    return section
      ? [...section[1]!.matchAll(/<li>(.*?)(?:<\/li>|<br>)/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''))
      : [];
  };

  it('pages running services, locations and the organisation’s own contacts, each on its own', async () => {
    const agent = new Agent(t.app);
    const first = await agent.get(page());
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Showing 1 to 25 of 27 running services/);
    assert.doesNotMatch(first.body, /Paused service/);
    assert.match(first.body, /Showing 1 to 25 of 27 contacts/);
    assert.doesNotMatch(first.body, /A service’s own contact/);
    const second = await agent.get(`${page()}?servicesPage=2&contactsPage=2`);
    assert.deepEqual(items(second.body, 'services'), ['Service 26', 'Service 27']);
    assert.deepEqual(items(second.body, 'locations').length, 25);
    assert.deepEqual(items(second.body, 'contacts'), [
      'Contact 26 · hello@example.test',
      'Contact 27 · hello@example.test',
    ]);
    assert.ok(
      pageLinks(second.body, 'locations').includes(
        `${page()}?servicesPage=2&locationsPage=2&contactsPage=2#locations`,
      ),
    );
  });
});

describe('choosing where a service is offered', () => {
  const form = () => `${M}/organisations/${bigId}/services/new`;
  const action = () => `${M}/organisations/${bigId}/services`;

  it('accepts a location beyond the first 500 of the organisation, and shows it ticked when editing', async () => {
    const agent = await signedIn('member@example.test');
    const last = bigLocations.get('Site 501')!;
    const page = await agent.get(form());
    assert.match(page.body, new RegExp(`value="${last}"`));
    const response = await agent.submit(
      form(),
      { name: 'Far away', status: 'active', locationIds: [last, last] },
      action(),
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const service = await t.database.db
      .selectFrom('services')
      .select('id')
      .where('name', '=', 'Far away')
      .executeTakeFirstOrThrow();
    const links = await t.database.db
      .selectFrom('service_at_locations')
      .select('location_id')
      .where('service_id', '=', service.id)
      .execute();
    assert.deepEqual(
      links.map((l) => l.location_id),
      [last],
    );
    const edit = await agent.get(`${M}/services/${service.id}/edit`);
    assert.match(edit.body, new RegExp(`value="${last}" checked`));
  });

  it('refuses a location of another organisation with a form error, storing nothing', async () => {
    const agent = await signedIn('member@example.test');
    const response = await agent.submit(
      form(),
      {
        name: 'Borrowed hall',
        status: 'active',
        locationIds: [bigLocations.get('Site 001')!, otherLocationId],
      },
      action(),
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Select locations from the list']);
    assert.match(response.body, /value="Borrowed hall"/);
    const stored = await t.database.db
      .selectFrom('services')
      .select('id')
      .where('name', '=', 'Borrowed hall')
      .executeTakeFirst();
    assert.equal(stored, undefined);
  });
});

describe('choices that used to be cut short', () => {
  it('offers every service of the organisation for a contact, and keeps a late one when editing', async () => {
    const agent = await signedIn('member@example.test');
    const last = bigServices.get('Offer 501')!;
    const page = `${M}/organisations/${bigId}/contacts/new`;
    const form = await agent.get(page);
    assert.match(form.body, new RegExp(`<option value="${last}"`));
    const response = await agent.submit(
      page,
      { name: 'Late contact', email: 'late@example.test', serviceId: last },
      `${M}/organisations/${bigId}/contacts`,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const contact = await t.database.db
      .selectFrom('directory_contacts')
      .select(['id', 'service_id'])
      .where('name', '=', 'Late contact')
      .executeTakeFirstOrThrow();
    assert.equal(contact.service_id, last);
    const edit = await agent.get(`${M}/contacts/${contact.id}/edit`);
    assert.match(edit.body, new RegExp(`<option value="${last}" selected`));
  });

  it('offers every need of the place on the service form, the need form and the search', async () => {
    const rows = await t.database.db
      .insertInto('taxonomy_terms')
      .values(
        Array.from({ length: 1001 }, (_, i) => ({
          place_id: place.id,
          code: `need-${pad(i + 1, 4)}`,
          name: `Need ${pad(i + 1, 4)}`,
        })),
      )
      .returning(['id', 'name'])
      .execute();
    const last = rows.find((r) => r.name === 'Need 1001')!.id;
    const member = await signedIn('member@example.test');
    assert.match(
      (await member.get(`${M}/organisations/${bigId}/services/new`)).body,
      new RegExp(`value="${last}"`),
    );
    const officerAgent = await signedIn('officer@example.test');
    assert.match((await officerAgent.get(`${M}/needs/new`)).body, new RegExp(`<option value="${last}"`));
    assert.match((await new Agent(t.app).get(D)).body, /<option value="need-1001"/);
  });

  it('offers every area on the search form', async () => {
    const response = await new Agent(t.app).get(`${D}?area=Area+501`);
    assert.match(response.body, /<option value="Area 501" selected>/);
  });

  it('gives other features every organisation of the place to choose from and check against', async () => {
    const hillside = await t.createPlace('hillside', 'Hillside');
    await t.database.db
      .insertInto('organizations')
      .values(
        Array.from({ length: 501 }, (_, i) => ({ place_id: hillside.id, name: `Group ${pad(i + 1, 3)}` })),
      )
      .execute();
    const options = await t.services.directory.organizationOptions(hillside);
    assert.equal(options.length, 501);
    assert.equal(options.at(-1)?.name, 'Group 501');
  });

  it('gives an organisation with all its services in the open API', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/openreferral/organizations/${bigId}` });
    assert.equal(response.statusCode, 200);
    const body = response.json() as { services: { name: string }[] };
    const stored = await t.database.db
      .selectFrom('services')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('organization_id', '=', bigId)
      .executeTakeFirstOrThrow();
    assert.ok(Number(stored.n) > 500);
    assert.equal(body.services.length, Number(stored.n));
    assert.ok(body.services.some((s) => s.name === 'Offer 501'));
  });
});

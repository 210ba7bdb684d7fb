import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../platform/auth/actor.ts';
import { buildTestApp, type TestApp } from '../testing/harness.ts';

let t: TestApp;
let serviceId: string;
let organizationId: string;
let termId: string;
let memberEmail: string;

const API = '/api/openreferral';

before(async () => {
  t = await buildTestApp();
  const place = await t.createPlace('riverside', 'Riverside');
  const hillside = await t.createPlace('hillside', 'Hillside');
  const officerId = await t.createUser({
    email: 'officer@example.test',
    roles: [
      { placeId: place.id, role: 'officer' },
      { placeId: hillside.id, role: 'officer' },
    ],
  });
  memberEmail = 'member-secret@example.test';
  const memberId = await t.createUser({
    email: memberEmail,
    name: 'Hidden Member',
    roles: [{ placeId: place.id, role: 'organisation_member' }],
  });
  const officer: Actor = (await t.services.accounts.loadActor(officerId, 'test'))!;
  const { directory } = t.services;
  termId = await directory.createTerm(officer, place, {
    code: 'food',
    name: 'Food',
    description: '',
    parentId: null,
  });
  organizationId = await directory.createOrganization(officer, place, {
    name: 'Riverside Food Bank',
    kind: 'charity',
    description: 'Food for anyone who needs it.',
    email: 'hello@foodbank.example',
    url: 'https://foodbank.example',
    phone: '01632 960 000',
  });
  await directory.addMember(officer, place, organizationId, memberId);
  const locationId = await directory.createLocation(officer, place, organizationId, {
    name: 'Church Hall',
    description: '',
    address1: '2 Quay Street',
    city: 'Riverside',
    postalCode: 'RV2 9XY',
    area: 'Southbank',
    latitude: '51.501234',
    longitude: '-0.123456',
  });
  serviceId = await directory.createService(officer, place, organizationId, {
    name: 'Food parcels',
    description: 'Emergency parcels.',
    status: 'active',
    url: null,
    email: null,
    fees: 'Free',
    eligibility: 'Anyone living in Riverside',
    minimumAge: null,
    maximumAge: 99,
    termIds: [termId],
    locationIds: [locationId],
  });
  await directory.createContact(officer, place, organizationId, {
    name: 'Dee Desk',
    title: 'Coordinator',
    email: 'dee@foodbank.example',
    phone: '01632 960 001',
    serviceId,
  });
  for (let i = 1; i <= 4; i++) {
    await directory.createService(officer, place, organizationId, {
      name: `Extra ${i}`,
      description: '',
      status: i === 4 ? 'defunct' : 'active',
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
  const hillOrg = await directory.createOrganization(officer, hillside, {
    name: 'Hillside Club',
    kind: 'community_group',
    description: '',
    email: null,
    url: null,
    phone: null,
  });
  await directory.createService(officer, hillside, hillOrg, {
    name: 'Hill walks',
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
});
after(async () => {
  await t.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ method: 'GET', url, headers });
  return {
    response,
    body: response.json() as Record<string, unknown> & { contents?: Record<string, unknown>[] },
  };
}

describe('GET /api/openreferral/', () => {
  it('says which version of Open Referral UK it follows, open to every origin, with no cookie', async () => {
    const { response, body } = await get(`${API}/`);
    assert.equal(response.statusCode, 200);
    assert.equal(body.version, '3.0');
    assert.equal(typeof body.profile, 'string');
    assert.equal(response.headers['access-control-allow-origin'], '*');
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['set-cookie'], undefined);
  });

  it('answers a CORS preflight and refuses to change anything', async () => {
    const preflight = await t.app.inject({ method: 'OPTIONS', url: `${API}/services` });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-methods']), /GET, OPTIONS/);
    const post = await t.app.inject({ method: 'POST', url: `${API}/services`, payload: {} });
    assert.equal(post.statusCode, 405);
    assert.equal(post.json().error, 'method_not_allowed');
    assert.equal(post.headers['access-control-allow-origin'], '*');
  });
});

describe('GET /api/openreferral/services', () => {
  it('pages running services of every place, ORUK style', async () => {
    const { response, body } = await get(`${API}/services?per_page=2`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(
      { ...body, contents: undefined },
      {
        total_items: 5,
        total_pages: 3,
        page_number: 1,
        size: 2,
        first_page: true,
        last_page: false,
        empty: false,
        contents: undefined,
      },
    );
    assert.deepEqual(
      body.contents!.map((s) => s.name),
      ['Extra 1', 'Extra 2'],
    );
    const last = await get(`${API}/services?per_page=2&page=3`);
    assert.equal(last.body.last_page, true);
    assert.deepEqual(
      last.body.contents!.map((s) => s.name),
      ['Hill walks'],
    );
    const beyond = await get(`${API}/services?per_page=2&page=9`);
    assert.equal(beyond.body.empty, true);
  });

  it('filters by place, text, taxonomy term, area and postcode', async () => {
    const names = async (query: string) =>
      (await get(`${API}/services?${query}`)).body.contents!.map((s) => s.name);
    assert.deepEqual(await names('place=hillside'), ['Hill walks']);
    assert.deepEqual(await names('place=riverside&text=PARCEL'), ['Food parcels']);
    assert.deepEqual(await names(`taxonomy_term_id=${termId}`), ['Food parcels']);
    assert.deepEqual(await names('area=southbank'), ['Food parcels']);
    assert.deepEqual(await names('postcode=rv2'), ['Food parcels']);
    assert.deepEqual(await names('postcode=RV9'), []);
    assert.ok((await names('place=riverside&status=all')).includes('Extra 4'));
  });

  it('answers bad parameters with a 400 in JSON', async () => {
    for (const query of [
      'page=0',
      'per_page=101',
      'per_page=ten',
      'taxonomy_term_id=food',
      'place=No Such',
    ]) {
      const { response, body } = await get(`${API}/services?${query}`);
      assert.equal(response.statusCode, 400, query);
      assert.equal(body.error, 'bad_request');
      assert.equal(typeof body.message, 'string');
      assert.equal(response.headers['access-control-allow-origin'], '*');
    }
    const unknownPlace = await get(`${API}/services?place=atlantis`);
    assert.equal(unknownPlace.response.statusCode, 400);
    assert.match(String(unknownPlace.body.message), /atlantis/);
  });
});

describe('GET /api/openreferral/services/{id}', () => {
  it('gives the whole service in ORUK field names', async () => {
    const { response, body } = await get(`${API}/services/${serviceId}`);
    assert.equal(response.statusCode, 200);
    assert.equal(body.id, serviceId);
    assert.equal(body.status, 'active');
    assert.equal(body.fees_description, 'Free');
    assert.equal(body.eligibility_description, 'Anyone living in Riverside');
    assert.equal(body.maximum_age, 99);
    assert.equal(body.minimum_age, null);
    assert.deepEqual(body.organization, {
      id: organizationId,
      name: 'Riverside Food Bank',
      description: 'Food for anyone who needs it.',
      email: 'hello@foodbank.example',
      website: 'https://foodbank.example',
      phones: [{ number: '01632 960 000' }],
    });
    const [sal] = body.service_at_locations as { id: string; location: Record<string, unknown> }[];
    assert.equal(sal!.location.latitude, 51.501234);
    assert.equal(sal!.location.longitude, -0.123456);
    assert.deepEqual(sal!.location.addresses, [
      {
        address_1: '2 Quay Street',
        city: 'Riverside',
        postal_code: 'RV2 9XY',
        region: 'Southbank',
        country: 'GB',
      },
    ]);
    assert.deepEqual(
      (body.contacts as Record<string, unknown>[]).map(({ id: _id, ...c }) => c),
      [
        {
          name: 'Dee Desk',
          title: 'Coordinator',
          email: 'dee@foodbank.example',
          phones: [{ number: '01632 960 001' }],
        },
      ],
    );
    assert.deepEqual(body.taxonomy_terms, [
      { id: termId, code: 'food', name: 'Food', description: null, vocabulary: 'needs', parent_id: null },
    ]);
  });

  it('never shows who the organisation’s members are', async () => {
    const { response } = await get(`${API}/organizations/${organizationId}`);
    assert.equal(response.statusCode, 200);
    assert.doesNotMatch(response.body, /Hidden Member|member-secret/);
  });

  it('answers an unknown or malformed id with a 404 in JSON', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const { response, body } = await get(`${API}/services/${id}`);
      assert.equal(response.statusCode, 404);
      assert.equal(body.error, 'not_found');
    }
    const nowhere = await get(`${API}/nowhere`);
    assert.equal(nowhere.response.statusCode, 404);
    assert.equal(nowhere.response.headers['access-control-allow-origin'], '*');
  });

  it('never sets a cookie, even to clear a stale session', async () => {
    const { response } = await get(`${API}/services/${serviceId}`, { cookie: 'cw_session=stale' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['set-cookie'], undefined);
  });
});

describe('GET /api/openreferral/organizations and /taxonomy_terms', () => {
  it('pages organisations and terms, by place', async () => {
    const orgs = await get(`${API}/organizations?place=riverside`);
    assert.equal(orgs.body.total_items, 1);
    assert.equal(orgs.body.contents![0]!.name, 'Riverside Food Bank');
    const all = await get(`${API}/organizations`);
    assert.equal(all.body.total_items, 2);
    const terms = await get(`${API}/taxonomy_terms?place=riverside&per_page=1`);
    assert.equal(terms.body.total_items, 1);
    assert.equal(terms.body.contents![0]!.code, 'food');
    const one = await get(`${API}/organizations/${organizationId}`);
    assert.equal((one.body.services as unknown[]).length, 5);
  });
});

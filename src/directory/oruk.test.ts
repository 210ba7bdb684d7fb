import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceDetail } from './directory.service.ts';
import { orukApiInfo, orukLocation, orukPage, orukService } from './oruk.ts';

const service: ServiceDetail = {
  id: 's1',
  organizationId: 'o1',
  organizationName: 'Food Bank',
  name: 'Food parcels',
  description: '',
  url: 'https://foodbank.example/parcels',
  email: null,
  status: 'temporarily closed',
  fees: '  ',
  eligibility: 'Anyone',
  minimumAge: 0,
  maximumAge: null,
  organization: {
    id: 'o1',
    name: 'Food Bank',
    kind: 'charity',
    description: 'We feed people.',
    email: null,
    url: null,
    phone: null,
  },
  locations: [
    {
      id: 'l1',
      serviceAtLocationId: 'sal1',
      organizationId: 'o1',
      name: 'Hall',
      description: '',
      address1: '',
      city: '',
      postalCode: '',
      area: '',
      latitude: null,
      longitude: null,
    },
  ],
  contacts: [],
  terms: [
    { id: 't2', code: 'anxiety', name: 'Anxiety', description: '', vocabulary: 'needs', parentId: 't1' },
  ],
};

describe('orukService', () => {
  it('uses ORUK field names and sends empty text as null, keeping a zero age', () => {
    const json = orukService(service);
    assert.equal(json.fees_description, null);
    assert.equal(json.description, null);
    assert.equal(json.eligibility_description, 'Anyone');
    assert.equal(json.minimum_age, 0);
    assert.equal(json.maximum_age, null);
    assert.equal(json.status, 'temporarily closed');
    assert.deepEqual(json.organization, {
      id: 'o1',
      name: 'Food Bank',
      description: 'We feed people.',
      email: null,
      website: null,
      phones: [],
    });
    assert.deepEqual(json.service_at_locations, [
      {
        id: 'sal1',
        location: {
          id: 'l1',
          name: 'Hall',
          description: null,
          latitude: null,
          longitude: null,
          addresses: [],
        },
      },
    ]);
    assert.deepEqual(json.taxonomy_terms, [
      { id: 't2', code: 'anxiety', name: 'Anxiety', description: null, vocabulary: 'needs', parent_id: 't1' },
    ]);
  });

  it('gives no field about members or residents', () => {
    const keys = Object.keys(orukService(service)).sort();
    assert.deepEqual(keys, [
      'contacts',
      'description',
      'eligibility_description',
      'email',
      'fees_description',
      'id',
      'maximum_age',
      'minimum_age',
      'name',
      'organization',
      'service_at_locations',
      'status',
      'taxonomy_terms',
      'url',
    ]);
  });
});

describe('orukLocation', () => {
  it('gives one GB address when any part of it is known', () => {
    const json = orukLocation({
      ...service.locations[0]!,
      postalCode: 'RV1 2AB',
      area: 'Northbank',
      latitude: 51.5,
      longitude: -0.1,
    });
    assert.deepEqual(json.addresses, [
      { address_1: '', city: '', postal_code: 'RV1 2AB', region: 'Northbank', country: 'GB' },
    ]);
    assert.equal(json.latitude, 51.5);
  });
});

describe('orukPage', () => {
  it('numbers pages from 1 and marks the first, last and empty pages', () => {
    assert.deepEqual(orukPage(['a', 'b'], 5, 1, 2), {
      total_items: 5,
      total_pages: 3,
      page_number: 1,
      size: 2,
      first_page: true,
      last_page: false,
      empty: false,
      contents: ['a', 'b'],
    });
    const last = orukPage(['e'], 5, 3, 2);
    assert.equal(last.last_page, true);
    assert.equal(last.first_page, false);
    const none = orukPage([], 0, 1, 50);
    assert.deepEqual([none.total_pages, none.first_page, none.last_page, none.empty], [0, true, true, true]);
  });
});

describe('orukApiInfo', () => {
  it('names version 3.0 and links the lists', () => {
    const info = orukApiInfo('https://commonweal.example');
    assert.equal(info.version, '3.0');
    assert.equal(info.links.services, 'https://commonweal.example/api/openreferral/services');
    assert.equal(info.openapi_url, 'https://commonweal.example/api/docs/openapi.json');
  });
});

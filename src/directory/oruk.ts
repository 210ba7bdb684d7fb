import type { Contact, Location, Organization, ServiceDetail, TaxonomyTerm } from './directory.service.ts';

/**
 * Our directory in the shape of Open Referral UK (version 3.0): field names as the standard has them,
 * holding only what our tables hold. Pure, so that the shape is tested without a database.
 */

export const ORUK_VERSION = '3.0';
export const ORUK_PROFILE = 'https://openreferraluk.org';

export interface OrukPage<T> {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
}

/** One page of a list, numbered from 1 as ORUK pages are. */
export function orukPage<T>(
  contents: T[],
  totalItems: number,
  pageNumber: number,
  size: number,
): OrukPage<T> {
  const totalPages = Math.ceil(totalItems / size);
  return {
    total_items: totalItems,
    total_pages: totalPages,
    page_number: pageNumber,
    size,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

/** Empty strings are absent values in ORUK, so they are sent as null. */
function text(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

export function orukOrganization(organization: Organization) {
  return {
    id: organization.id,
    name: organization.name,
    description: text(organization.description),
    email: organization.email,
    website: organization.url,
    phones: organization.phone ? [{ number: organization.phone }] : [],
  };
}

export function orukTaxonomyTerm(term: TaxonomyTerm) {
  return {
    id: term.id,
    code: term.code,
    name: term.name,
    description: text(term.description),
    vocabulary: term.vocabulary,
    parent_id: term.parentId,
  };
}

export function orukContact(contact: Contact) {
  return {
    id: contact.id,
    name: text(contact.name),
    title: text(contact.title),
    email: contact.email,
    phones: contact.phone ? [{ number: contact.phone }] : [],
  };
}

export function orukLocation(location: Location) {
  const hasAddress = [location.address1, location.city, location.postalCode].some((v) => v.trim() !== '');
  return {
    id: location.id,
    name: location.name,
    description: text(location.description),
    latitude: location.latitude,
    longitude: location.longitude,
    addresses: hasAddress
      ? [
          {
            address_1: location.address1,
            city: location.city,
            postal_code: location.postalCode,
            // The area a resident searches by is the nearest ORUK field to our neighbourhoods.
            region: text(location.area),
            country: 'GB',
          },
        ]
      : [],
  };
}

export function orukService(service: ServiceDetail) {
  return {
    id: service.id,
    name: service.name,
    description: text(service.description),
    url: service.url,
    email: service.email,
    status: service.status,
    fees_description: text(service.fees),
    eligibility_description: text(service.eligibility),
    minimum_age: service.minimumAge,
    maximum_age: service.maximumAge,
    organization: orukOrganization(service.organization),
    service_at_locations: service.locations.map((location) => ({
      id: location.serviceAtLocationId,
      location: orukLocation(location),
    })),
    contacts: service.contacts.map(orukContact),
    taxonomy_terms: service.terms.map(orukTaxonomyTerm),
  };
}

/** What `GET /api/openreferral/` answers: which version of the standard this API follows. */
export function orukApiInfo(baseUrl: string) {
  return {
    version: ORUK_VERSION,
    profile: ORUK_PROFILE,
    openapi_url: `${baseUrl}/api/docs/openapi.json`,
    description:
      'Commonweal directory of local organisations and services, following Open Referral UK conventions.',
    links: {
      services: `${baseUrl}/api/openreferral/services`,
      organizations: `${baseUrl}/api/openreferral/organizations`,
      taxonomy_terms: `${baseUrl}/api/openreferral/taxonomy_terms`,
    },
  };
}

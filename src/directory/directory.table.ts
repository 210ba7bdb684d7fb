import type { ColumnType, Generated } from 'kysely';

export type OrganizationKind =
  | 'charity'
  | 'school'
  | 'nursery'
  | 'college'
  | 'public_service'
  | 'health'
  | 'community_group'
  | 'business'
  | 'other';

export type ServiceStatus = 'active' | 'inactive' | 'defunct' | 'temporarily closed';

type Optional<T> = ColumnType<T, T | undefined, T>;

export interface OrganizationsTable {
  id: Generated<string>;
  place_id: string;
  name: string;
  description: Optional<string>;
  email: Optional<string | null>;
  url: Optional<string | null>;
  phone: Optional<string | null>;
  kind: Optional<OrganizationKind>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Optional<Date>;
}

export interface OrganizationMembersTable {
  place_id: string;
  organization_id: string;
  user_id: string;
  added_at: ColumnType<Date, never, never>;
  added_by: string | null;
}

export interface ServicesTable {
  id: Generated<string>;
  place_id: string;
  organization_id: string;
  name: string;
  description: Optional<string>;
  url: Optional<string | null>;
  email: Optional<string | null>;
  status: Optional<ServiceStatus>;
  fees: Optional<string>;
  eligibility: Optional<string>;
  minimum_age: Optional<number | null>;
  maximum_age: Optional<number | null>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Optional<Date>;
}

/** Coordinates are numeric(9,6): read as text or number depending on the driver, written as text. */
type Coordinate = ColumnType<string | number | null, string | null | undefined, string | null>;

export interface LocationsTable {
  id: Generated<string>;
  place_id: string;
  organization_id: Optional<string | null>;
  name: string;
  description: Optional<string>;
  address_1: Optional<string>;
  city: Optional<string>;
  postal_code: Optional<string>;
  area: Optional<string>;
  latitude: Coordinate;
  longitude: Coordinate;
  created_at: ColumnType<Date, never, never>;
}

export interface ServiceAtLocationsTable {
  id: Generated<string>;
  place_id: string;
  service_id: string;
  location_id: string;
}

export interface DirectoryContactsTable {
  id: Generated<string>;
  place_id: string;
  organization_id: Optional<string | null>;
  service_id: Optional<string | null>;
  name: Optional<string>;
  title: Optional<string>;
  email: Optional<string | null>;
  phone: Optional<string | null>;
}

export interface TaxonomyTermsTable {
  id: Generated<string>;
  place_id: string;
  code: string;
  name: string;
  description: Optional<string>;
  vocabulary: Optional<string>;
  parent_id: Optional<string | null>;
}

export interface ServiceTaxonomyTermsTable {
  place_id: string;
  service_id: string;
  taxonomy_term_id: string;
}

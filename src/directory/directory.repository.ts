import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../platform/db/schema.ts';
import type { OrganizationKind, ServiceStatus } from './directory.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Whose entries a query may touch: every organisation of the place (officers, and public reads), or only
 * the organisations a member belongs to. Every management query takes one, so that a route or service
 * that forgets a check still cannot reach another organisation's entries.
 */
export interface Reach {
  placeId: string;
  /** null: every organisation of the place; otherwise only those this user is a member of. */
  memberId: string | null;
}

export interface Page {
  limit: number;
  offset: number;
}

type Reachable = 'organizations' | 'services' | 'locations' | 'directory_contacts';

/** The row is in the place and, for a member, belongs to one of their organisations. */
function within(reach: Reach, table: Reachable, column: 'id' | 'organization_id') {
  const place = sql`${sql.ref(`${table}.place_id`)} = ${reach.placeId}`;
  if (reach.memberId === null) return sql<boolean>`${place}`;
  return sql<boolean>`(${place} AND ${sql.ref(`${table}.${column}`)} IN (
    SELECT organization_id FROM organization_members WHERE place_id = ${reach.placeId} AND user_id = ${reach.memberId}
  ))`;
}

function like(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// Organisations

/**
 * Every organisation of the place (of the kinds asked for), by name. Not capped: other features offer these
 * as choices and check a chosen id against them, which a shortened list would get wrong.
 */
export async function organizationOptions(db: Executor, placeId: string, kinds: readonly OrganizationKind[]) {
  let query = db
    .selectFrom('organizations')
    .select(['id', 'name', 'kind'])
    .where('place_id', '=', placeId)
    .orderBy('name')
    .orderBy('id');
  if (kinds.length > 0) query = query.where('kind', 'in', kinds);
  return query.execute();
}

export async function organizationName(db: Executor, placeId: string, id: string) {
  const row = await db
    .selectFrom('organizations')
    .select('name')
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.name;
}

const organizationColumns = [
  'id',
  'name',
  'kind',
  'description',
  'email',
  'url',
  'phone',
  'updated_at',
] as const;

export async function listOrganizations(db: Executor, reach: Reach, page: Page) {
  const base = db.selectFrom('organizations').where(within(reach, 'organizations', 'id'));
  const [rows, count] = await Promise.all([
    base
      .select(organizationColumns)
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findOrganization(db: Executor, reach: Reach, id: string) {
  return db
    .selectFrom('organizations')
    .select(organizationColumns)
    .where(within(reach, 'organizations', 'id'))
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findOrganizations(
  db: Executor,
  placeIds: readonly string[] | null,
  ids: readonly string[],
) {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('organizations')
    .select([...organizationColumns, 'place_id'])
    .where('id', 'in', ids);
  if (placeIds) query = query.where('place_id', 'in', placeIds);
  return query.execute();
}

export async function organizationNameTaken(db: Executor, placeId: string, name: string, exceptId?: string) {
  let query = db
    .selectFrom('organizations')
    .select('id')
    .where('place_id', '=', placeId)
    .where(sql<boolean>`lower(name) = lower(${name})`);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export interface OrganizationValues {
  name: string;
  kind: OrganizationKind;
  description: string;
  email: string | null;
  url: string | null;
  phone: string | null;
}

export async function insertOrganization(tx: Transaction<DB>, placeId: string, values: OrganizationValues) {
  const row = await tx
    .insertInto('organizations')
    .values({ place_id: placeId, ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrganization(
  tx: Transaction<DB>,
  reach: Reach,
  id: string,
  values: OrganizationValues,
) {
  const row = await tx
    .updateTable('organizations')
    .set({ ...values, updated_at: new Date() })
    .where(within(reach, 'organizations', 'id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteOrganization(tx: Transaction<DB>, reach: Reach, id: string) {
  const row = await tx
    .deleteFrom('organizations')
    .where(within(reach, 'organizations', 'id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** How many services of an organisation are running, for lists. */
export async function serviceCounts(db: Executor, placeId: string, organizationIds: readonly string[]) {
  if (organizationIds.length === 0) return new Map<string, number>();
  const rows = await db
    .selectFrom('services')
    .select(['organization_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('place_id', '=', placeId)
    .where('organization_id', 'in', organizationIds)
    .groupBy('organization_id')
    .execute();
  return new Map(rows.map((r) => [r.organization_id, Number(r.n)]));
}

// Members

export async function isMember(db: Executor, placeId: string, organizationId: string, userId: string) {
  const row = await db
    .selectFrom('organization_members')
    .select('user_id')
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The organisations a person is a member of in a place. */
export async function organizationIdsOfMember(db: Executor, placeId: string, userId: string) {
  const rows = await db
    .selectFrom('organization_members')
    .select('organization_id')
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.organization_id);
}

export async function listMembers(db: Executor, placeId: string, organizationId: string, page: Page) {
  const base = db
    .selectFrom('organization_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .where('m.place_id', '=', placeId)
    .where('m.organization_id', '=', organizationId);
  const [rows, count] = await Promise.all([
    base
      .select(['u.id', 'u.name', 'u.email', 'm.added_at'])
      .orderBy('u.name')
      .orderBy('u.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** One member of an organisation, or undefined when the person is not one. */
export async function findMember(db: Executor, placeId: string, organizationId: string, userId: string) {
  return db
    .selectFrom('organization_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'u.email', 'm.added_at'])
    .where('m.place_id', '=', placeId)
    .where('m.organization_id', '=', organizationId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * People of the place holding the organisation_member role who are not yet members of this organisation, all of
 * them, since they are the choices of the form that adds a member.
 */
export async function memberCandidates(db: Executor, placeId: string, organizationId: string) {
  return db
    .selectFrom('place_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.name', 'u.email'])
    .where('r.place_id', '=', placeId)
    .where('r.role', '=', 'organisation_member')
    .where('u.deleted_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('organization_members as m')
            .select('m.user_id')
            .whereRef('m.user_id', '=', 'u.id')
            .where('m.organization_id', '=', organizationId)
            .where('m.place_id', '=', placeId),
        ),
      ),
    )
    .orderBy('u.name')
    .orderBy('u.id')
    .execute();
}

/** Adds a member only if they hold the organisation_member role in the place; false otherwise. */
export async function insertMember(
  tx: Transaction<DB>,
  placeId: string,
  organizationId: string,
  userId: string,
  addedBy: string,
) {
  const rows = await tx
    .insertInto('organization_members')
    .columns(['place_id', 'organization_id', 'user_id', 'added_by'])
    .expression((eb) =>
      eb
        .selectFrom('place_roles')
        .innerJoin('organizations', 'organizations.place_id', 'place_roles.place_id')
        .select([
          eb.val(placeId).as('place_id'),
          eb.val(organizationId).as('organization_id'),
          eb.val(userId).as('user_id'),
          eb.val(addedBy).as('added_by'),
        ])
        .where('place_roles.place_id', '=', placeId)
        .where('place_roles.user_id', '=', userId)
        .where('place_roles.role', '=', 'organisation_member')
        .where('organizations.id', '=', organizationId),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .execute();
  return rows.length > 0;
}

export async function deleteMember(
  tx: Transaction<DB>,
  placeId: string,
  organizationId: string,
  userId: string,
) {
  const row = await tx
    .deleteFrom('organization_members')
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

// Services

const serviceColumns = [
  'services.id',
  'services.place_id',
  'services.organization_id',
  'services.name',
  'services.description',
  'services.url',
  'services.email',
  'services.status',
  'services.fees',
  'services.eligibility',
  'services.minimum_age',
  'services.maximum_age',
  'services.updated_at',
] as const;

export interface ServiceValues {
  name: string;
  description: string;
  status: ServiceStatus;
  url: string | null;
  email: string | null;
  fees: string;
  eligibility: string;
  minimumAge: number | null;
  maximumAge: number | null;
}

function serviceRow(values: ServiceValues) {
  return {
    name: values.name,
    description: values.description,
    status: values.status,
    url: values.url,
    email: values.email,
    fees: values.fees,
    eligibility: values.eligibility,
    minimum_age: values.minimumAge,
    maximum_age: values.maximumAge,
  };
}

export async function findService(db: Executor, reach: Reach, id: string) {
  return db
    .selectFrom('services')
    .innerJoin('organizations', 'organizations.id', 'services.organization_id')
    .select([...serviceColumns, 'organizations.name as organization_name'])
    .where(within(reach, 'services', 'organization_id'))
    .where('services.place_id', '=', reach.placeId)
    .where('services.id', '=', id)
    .executeTakeFirst();
}

/** The place of a service, for the open API, whose service URLs name no place. */
export async function placeOfService(db: Executor, id: string) {
  const row = await db.selectFrom('services').select('place_id').where('id', '=', id).executeTakeFirst();
  return row?.place_id;
}

export async function placeOfOrganization(db: Executor, id: string) {
  const row = await db.selectFrom('organizations').select('place_id').where('id', '=', id).executeTakeFirst();
  return row?.place_id;
}

/** Every service of an organisation (the open API gives an organisation with all of its services). */
export async function servicesOfOrganization(
  db: Executor,
  placeId: string,
  organizationId: string,
  activeOnly: boolean,
) {
  let query = db
    .selectFrom('services')
    .select(serviceColumns)
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId);
  if (activeOnly) query = query.where('status', '=', 'active');
  return query.orderBy('name').orderBy('id').execute();
}

/** A page of an organisation's services, for pages that list them. */
export async function pageServicesOfOrganization(
  db: Executor,
  placeId: string,
  organizationId: string,
  activeOnly: boolean,
  page: Page,
) {
  let base = db
    .selectFrom('services')
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId);
  if (activeOnly) base = base.where('status', '=', 'active');
  const [rows, count] = await Promise.all([
    base.select(serviceColumns).orderBy('name').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** The names of all of an organisation's services, as the choices of a form. */
export async function serviceNamesOfOrganization(db: Executor, placeId: string, organizationId: string) {
  return db
    .selectFrom('services')
    .select(['id', 'name'])
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** How many services, locations and contacts an organisation has. */
export async function entryCounts(db: Executor, placeId: string, organizationId: string) {
  const count = (table: 'services' | 'locations' | 'directory_contacts') =>
    db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  const [services, locations, contacts] = await Promise.all([
    count('services'),
    count('locations'),
    count('directory_contacts'),
  ]);
  return { services, locations, contacts };
}

/** Inserts a service for an organisation within reach; undefined when the organisation is out of reach. */
export async function insertService(
  tx: Transaction<DB>,
  reach: Reach,
  organizationId: string,
  values: ServiceValues,
) {
  const row = serviceRow(values);
  const inserted = await tx
    .insertInto('services')
    .columns([
      'place_id',
      'organization_id',
      'name',
      'description',
      'status',
      'url',
      'email',
      'fees',
      'eligibility',
      'minimum_age',
      'maximum_age',
    ])
    .expression((eb) =>
      eb
        .selectFrom('organizations')
        .select([
          'organizations.place_id',
          'organizations.id',
          eb.val(row.name).as('name'),
          eb.val(row.description).as('description'),
          eb.val(row.status).as('status'),
          eb.val(row.url).as('url'),
          eb.val(row.email).as('email'),
          eb.val(row.fees).as('fees'),
          eb.val(row.eligibility).as('eligibility'),
          sql<number | null>`${row.minimum_age}::integer`.as('minimum_age'),
          sql<number | null>`${row.maximum_age}::integer`.as('maximum_age'),
        ])
        .where(within(reach, 'organizations', 'id'))
        .where('organizations.id', '=', organizationId),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

export async function updateService(tx: Transaction<DB>, reach: Reach, id: string, values: ServiceValues) {
  const row = await tx
    .updateTable('services')
    .set({ ...serviceRow(values), updated_at: new Date() })
    .where(within(reach, 'services', 'organization_id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteService(tx: Transaction<DB>, reach: Reach, id: string) {
  const row = await tx
    .deleteFrom('services')
    .where(within(reach, 'services', 'organization_id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Replaces a service's needs with those of the list that are terms of the place. */
export async function setServiceTerms(
  tx: Transaction<DB>,
  placeId: string,
  serviceId: string,
  termIds: readonly string[],
) {
  await tx
    .deleteFrom('service_taxonomy_terms')
    .where('place_id', '=', placeId)
    .where('service_id', '=', serviceId)
    .execute();
  if (termIds.length === 0) return 0;
  const rows = await tx
    .insertInto('service_taxonomy_terms')
    .columns(['place_id', 'service_id', 'taxonomy_term_id'])
    .expression((eb) =>
      eb
        .selectFrom('taxonomy_terms')
        .select(['place_id', eb.val(serviceId).as('service_id'), 'id'])
        .where('place_id', '=', placeId)
        .where('id', 'in', termIds),
    )
    .returning('taxonomy_term_id')
    .execute();
  return rows.length;
}

/**
 * Sets where a service is offered to the listed locations of its own organisation, keeping the
 * service_at_location ids of those that stay (they are public in the open API).
 */
export async function setServiceLocations(
  tx: Transaction<DB>,
  placeId: string,
  serviceId: string,
  organizationId: string,
  locationIds: readonly string[],
) {
  let removal = tx
    .deleteFrom('service_at_locations')
    .where('place_id', '=', placeId)
    .where('service_id', '=', serviceId);
  if (locationIds.length > 0) removal = removal.where('location_id', 'not in', locationIds);
  await removal.execute();
  if (locationIds.length === 0) return 0;
  await tx
    .insertInto('service_at_locations')
    .columns(['place_id', 'service_id', 'location_id'])
    .expression((eb) =>
      eb
        .selectFrom('locations')
        .select(['place_id', eb.val(serviceId).as('service_id'), 'id'])
        .where('place_id', '=', placeId)
        .where('organization_id', '=', organizationId)
        .where('id', 'in', locationIds),
    )
    .onConflict((oc) => oc.columns(['service_id', 'location_id']).doNothing())
    .execute();
  const count = await tx
    .selectFrom('service_at_locations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('service_id', '=', serviceId)
    .executeTakeFirstOrThrow();
  return Number(count.n);
}

// Locations

const locationColumns = [
  'locations.id',
  'locations.organization_id',
  'locations.name',
  'locations.description',
  'locations.address_1',
  'locations.city',
  'locations.postal_code',
  'locations.area',
  'locations.latitude',
  'locations.longitude',
] as const;

export interface LocationValues {
  name: string;
  description: string;
  address1: string;
  city: string;
  postalCode: string;
  area: string;
  latitude: string | null;
  longitude: string | null;
}

function locationRow(values: LocationValues) {
  return {
    name: values.name,
    description: values.description,
    address_1: values.address1,
    city: values.city,
    postal_code: values.postalCode,
    area: values.area,
    latitude: values.latitude,
    longitude: values.longitude,
  };
}

export async function locationsOfOrganization(
  db: Executor,
  placeId: string,
  organizationId: string,
  page: Page,
) {
  const base = db
    .selectFrom('locations')
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId);
  const [rows, count] = await Promise.all([
    base
      .select(locationColumns)
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** All of an organisation's locations, as the choices of a form. */
export async function locationNamesOfOrganization(db: Executor, placeId: string, organizationId: string) {
  return db
    .selectFrom('locations')
    .select(['id', 'name', 'area'])
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** How many of the given ids are locations of the organisation (to check a form's ticked locations). */
export async function countLocationsOfOrganization(
  db: Executor,
  placeId: string,
  organizationId: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db
    .selectFrom('locations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('organization_id', '=', organizationId)
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findLocation(db: Executor, reach: Reach, id: string) {
  return db
    .selectFrom('locations')
    .select(locationColumns)
    .where(within(reach, 'locations', 'organization_id'))
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertLocation(
  tx: Transaction<DB>,
  reach: Reach,
  organizationId: string,
  values: LocationValues,
) {
  const row = locationRow(values);
  const inserted = await tx
    .insertInto('locations')
    .columns([
      'place_id',
      'organization_id',
      'name',
      'description',
      'address_1',
      'city',
      'postal_code',
      'area',
      'latitude',
      'longitude',
    ])
    .expression((eb) =>
      eb
        .selectFrom('organizations')
        .select([
          'organizations.place_id',
          'organizations.id',
          eb.val(row.name).as('name'),
          eb.val(row.description).as('description'),
          eb.val(row.address_1).as('address_1'),
          eb.val(row.city).as('city'),
          eb.val(row.postal_code).as('postal_code'),
          eb.val(row.area).as('area'),
          sql<string | null>`${row.latitude}::numeric`.as('latitude'),
          sql<string | null>`${row.longitude}::numeric`.as('longitude'),
        ])
        .where(within(reach, 'organizations', 'id'))
        .where('organizations.id', '=', organizationId),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

export async function updateLocation(tx: Transaction<DB>, reach: Reach, id: string, values: LocationValues) {
  const row = await tx
    .updateTable('locations')
    .set(locationRow(values))
    .where(within(reach, 'locations', 'organization_id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteLocation(tx: Transaction<DB>, reach: Reach, id: string) {
  const row = await tx
    .deleteFrom('locations')
    .where(within(reach, 'locations', 'organization_id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The locations of each service, with the service_at_location id. */
/** Every function below that takes `placeIds` reads services of those places only (one place, or a page of an open-API search across places). */
export async function locationsOfServices(
  db: Executor,
  placeIds: readonly string[],
  serviceIds: readonly string[],
) {
  if (serviceIds.length === 0 || placeIds.length === 0) return [];
  return db
    .selectFrom('service_at_locations as sal')
    .innerJoin('locations', 'locations.id', 'sal.location_id')
    .select([...locationColumns, 'sal.id as service_at_location_id', 'sal.service_id'])
    .where('sal.place_id', 'in', placeIds)
    .where('locations.place_id', 'in', placeIds)
    .whereRef('locations.place_id', '=', 'sal.place_id')
    .where('sal.service_id', 'in', serviceIds)
    .orderBy('locations.name')
    .orderBy('locations.id')
    .execute();
}

/** Every area named by a location of the place, as the choices of the search form. */
export async function areas(db: Executor, placeId: string) {
  const rows = await db
    .selectFrom('locations')
    .select('area')
    .distinct()
    .where('place_id', '=', placeId)
    .where('area', '<>', '')
    .orderBy('area')
    .execute();
  return rows.map((r) => r.area);
}

// Contacts

const contactColumns = [
  'directory_contacts.id',
  'directory_contacts.organization_id',
  'directory_contacts.service_id',
  'directory_contacts.name',
  'directory_contacts.title',
  'directory_contacts.email',
  'directory_contacts.phone',
] as const;

export interface ContactValues {
  name: string;
  title: string;
  email: string | null;
  phone: string | null;
  serviceId: string | null;
}

/** A page of an organisation's contacts; `wholeOrganizationOnly` leaves out the contacts of single services. */
export async function contactsOfOrganization(
  db: Executor,
  placeId: string,
  organizationId: string,
  wholeOrganizationOnly: boolean,
  page: Page,
) {
  let base = db
    .selectFrom('directory_contacts')
    .where('directory_contacts.place_id', '=', placeId)
    .where('directory_contacts.organization_id', '=', organizationId);
  if (wholeOrganizationOnly) base = base.where('directory_contacts.service_id', 'is', null);
  const [rows, count] = await Promise.all([
    base
      .leftJoin('services', 'services.id', 'directory_contacts.service_id')
      .select([...contactColumns, 'services.name as service_name'])
      .orderBy('directory_contacts.name')
      .orderBy('directory_contacts.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function contactsOfServices(
  db: Executor,
  placeIds: readonly string[],
  serviceIds: readonly string[],
) {
  if (serviceIds.length === 0 || placeIds.length === 0) return [];
  return db
    .selectFrom('directory_contacts')
    .select(contactColumns)
    .where('place_id', 'in', placeIds)
    .where('service_id', 'in', serviceIds)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function findContact(db: Executor, reach: Reach, id: string) {
  return db
    .selectFrom('directory_contacts')
    .select(contactColumns)
    .where(within(reach, 'directory_contacts', 'organization_id'))
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Inserts a contact of an organisation within reach; a service named must be one of that organisation's.
 * Undefined when either is out of reach.
 */
export async function insertContact(
  tx: Transaction<DB>,
  reach: Reach,
  organizationId: string,
  values: ContactValues,
) {
  const inserted = await tx
    .insertInto('directory_contacts')
    .columns(['place_id', 'organization_id', 'service_id', 'name', 'title', 'email', 'phone'])
    .expression((eb) => {
      let source = eb
        .selectFrom('organizations')
        .select([
          'organizations.place_id',
          'organizations.id',
          sql<string | null>`${values.serviceId}::uuid`.as('service_id'),
          eb.val(values.name).as('name'),
          eb.val(values.title).as('title'),
          eb.val(values.email).as('email'),
          eb.val(values.phone).as('phone'),
        ])
        .where(within(reach, 'organizations', 'id'))
        .where('organizations.id', '=', organizationId);
      if (values.serviceId) {
        const serviceId = values.serviceId;
        source = source.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('services')
              .select('services.id')
              .where('services.id', '=', serviceId)
              .where('services.place_id', '=', reach.placeId)
              .where('services.organization_id', '=', organizationId),
          ),
        );
      }
      return source;
    })
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

export async function updateContact(tx: Transaction<DB>, reach: Reach, id: string, values: ContactValues) {
  let query = tx
    .updateTable('directory_contacts')
    .set({
      name: values.name,
      title: values.title,
      email: values.email,
      phone: values.phone,
      service_id: values.serviceId,
    })
    .where(within(reach, 'directory_contacts', 'organization_id'))
    .where('id', '=', id);
  if (values.serviceId) {
    const serviceId = values.serviceId;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('services')
          .select('services.id')
          .where('services.id', '=', serviceId)
          .where('services.place_id', '=', reach.placeId)
          .whereRef('services.organization_id', '=', 'directory_contacts.organization_id'),
      ),
    );
  }
  const row = await query.returning('id').executeTakeFirst();
  return row !== undefined;
}

export async function deleteContact(tx: Transaction<DB>, reach: Reach, id: string) {
  const row = await tx
    .deleteFrom('directory_contacts')
    .where(within(reach, 'directory_contacts', 'organization_id'))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

// Taxonomy

const termColumns = [
  'taxonomy_terms.id',
  'taxonomy_terms.place_id',
  'taxonomy_terms.code',
  'taxonomy_terms.name',
  'taxonomy_terms.description',
  'taxonomy_terms.vocabulary',
  'taxonomy_terms.parent_id',
] as const;

export interface TermValues {
  code: string;
  name: string;
  description: string;
  parentId: string | null;
}

/** How many of the given ids are needs of the place (to check a form's ticked needs). */
export async function countTerms(db: Executor, placeId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db
    .selectFrom('taxonomy_terms')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function termsInOrder(db: Executor, placeId: string | null) {
  let base = db.selectFrom('taxonomy_terms');
  if (placeId) base = base.where('taxonomy_terms.place_id', '=', placeId);
  const rows = base
    .leftJoin('taxonomy_terms as parent', 'parent.id', 'taxonomy_terms.parent_id')
    .select([...termColumns, 'parent.name as parent_name'])
    .orderBy(sql`coalesce(parent.name, taxonomy_terms.name)`)
    .orderBy(sql`taxonomy_terms.parent_id IS NOT NULL`)
    .orderBy('taxonomy_terms.name')
    .orderBy('taxonomy_terms.id');
  return { base, rows };
}

/** A page of the terms of the place (or of every place), each broader need followed by its narrower ones. */
export async function listTerms(db: Executor, placeId: string | null, page: Page) {
  const { base, rows } = termsInOrder(db, placeId);
  const [found, count] = await Promise.all([
    rows.limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: found, total: Number(count.n) };
}

/** Every term of the place in the same order, as the choices of a form. */
export async function allTerms(db: Executor, placeId: string) {
  return termsInOrder(db, placeId).rows.execute();
}

export async function findTerm(db: Executor, placeId: string, id: string) {
  return db
    .selectFrom('taxonomy_terms')
    .select(termColumns)
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findTermByCode(db: Executor, placeId: string, code: string) {
  return db
    .selectFrom('taxonomy_terms')
    .select(termColumns)
    .where('place_id', '=', placeId)
    .where('vocabulary', '=', 'needs')
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function termCodeTaken(db: Executor, placeId: string, code: string, exceptId?: string) {
  let query = db
    .selectFrom('taxonomy_terms')
    .select('id')
    .where('place_id', '=', placeId)
    .where('vocabulary', '=', 'needs')
    .where('code', '=', code);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Whether `ancestorId` is `id` or above it, so that a term is never made its own ancestor. */
export async function isSelfOrDescendant(
  db: Executor,
  placeId: string,
  id: string,
  candidateParentId: string,
) {
  const result = await sql<{ found: boolean }>`
    WITH RECURSIVE chain(id, parent_id) AS (
      SELECT id, parent_id FROM taxonomy_terms WHERE place_id = ${placeId} AND id = ${candidateParentId}
      UNION
      SELECT t.id, t.parent_id FROM taxonomy_terms t JOIN chain c ON t.id = c.parent_id WHERE t.place_id = ${placeId}
    )
    SELECT EXISTS (SELECT 1 FROM chain WHERE id = ${id}) AS found
  `.execute(db);
  return result.rows[0]?.found === true;
}

export async function insertTerm(tx: Transaction<DB>, placeId: string, values: TermValues) {
  const row = await tx
    .insertInto('taxonomy_terms')
    .values({
      place_id: placeId,
      code: values.code,
      name: values.name,
      description: values.description,
      parent_id: values.parentId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTerm(tx: Transaction<DB>, placeId: string, id: string, values: TermValues) {
  const row = await tx
    .updateTable('taxonomy_terms')
    .set({
      code: values.code,
      name: values.name,
      description: values.description,
      parent_id: values.parentId,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteTerm(tx: Transaction<DB>, placeId: string, id: string) {
  const row = await tx
    .deleteFrom('taxonomy_terms')
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function termUsage(db: Executor, placeId: string, id: string) {
  const row = await db
    .selectFrom('service_taxonomy_terms')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('taxonomy_term_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function termsOfServices(
  db: Executor,
  placeIds: readonly string[],
  serviceIds: readonly string[],
) {
  if (serviceIds.length === 0 || placeIds.length === 0) return [];
  return db
    .selectFrom('service_taxonomy_terms as stt')
    .innerJoin('taxonomy_terms', 'taxonomy_terms.id', 'stt.taxonomy_term_id')
    .select([...termColumns, 'stt.service_id'])
    .where('stt.place_id', 'in', placeIds)
    .whereRef('taxonomy_terms.place_id', '=', 'stt.place_id')
    .where('stt.service_id', 'in', serviceIds)
    .orderBy('taxonomy_terms.name')
    .execute();
}

// Search

export interface SearchFilters {
  /** null: every place (the open API without a place). */
  placeId: string | null;
  text: string;
  /** A need and the needs nested under it. */
  termId: string | null;
  area: string;
  /** The start of a postcode, like "RV1" or "RV1 2AB". */
  postcode: string;
  activeOnly: boolean;
}

export async function searchServices(db: Executor, filters: SearchFilters, page: Page) {
  let base = db
    .selectFrom('services')
    .innerJoin('organizations', 'organizations.id', 'services.organization_id');
  if (filters.placeId) base = base.where('services.place_id', '=', filters.placeId);
  if (filters.activeOnly) base = base.where('services.status', '=', 'active');
  if (filters.text) {
    const pattern = like(filters.text);
    base = base.where((eb) =>
      eb.or([eb('services.name', 'ilike', pattern), eb('services.description', 'ilike', pattern)]),
    );
  }
  if (filters.termId) {
    const termId = filters.termId;
    base = base.where(({ exists }) =>
      exists(
        sql`(
          WITH RECURSIVE wanted(id) AS (
            SELECT id FROM taxonomy_terms WHERE id = ${termId}
            UNION
            SELECT t.id FROM taxonomy_terms t JOIN wanted w ON t.parent_id = w.id
          )
          SELECT 1 FROM service_taxonomy_terms stt
          WHERE stt.service_id = services.id AND stt.place_id = services.place_id
            AND stt.taxonomy_term_id IN (SELECT id FROM wanted)
        )`,
      ),
    );
  }
  if (filters.area || filters.postcode) {
    const area = filters.area;
    const postcode = filters.postcode.toUpperCase().replace(/\s+/g, '');
    base = base.where(({ exists, selectFrom }) => {
      let located = selectFrom('service_at_locations as sal')
        .innerJoin('locations', 'locations.id', 'sal.location_id')
        .select('sal.id')
        .whereRef('sal.service_id', '=', 'services.id')
        .whereRef('sal.place_id', '=', 'services.place_id');
      if (area) located = located.where(sql<boolean>`lower(locations.area) = lower(${area})`);
      if (postcode)
        located = located.where(
          sql<boolean>`replace(upper(locations.postal_code), ' ', '') LIKE ${`${postcode.replace(/[\\%_]/g, '')}%`}`,
        );
      return exists(located);
    });
  }
  const [rows, count] = await Promise.all([
    base
      .select([...serviceColumns, 'organizations.name as organization_name'])
      .orderBy('services.name')
      .orderBy('services.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function listAllOrganizations(db: Executor, placeId: string | null, page: Page) {
  let base = db.selectFrom('organizations');
  if (placeId) base = base.where('organizations.place_id', '=', placeId);
  const [rows, count] = await Promise.all([
    base
      .select([...organizationColumns, 'place_id'])
      .orderBy('name')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

import type { Transaction } from 'kysely';
import type { AuditAction } from '../platform/audit/audit.actions.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Actor } from '../platform/auth/actor.ts';
import { authorise, can } from '../platform/auth/policy.ts';
import type { Database } from '../platform/db/database.ts';
import type { DB } from '../platform/db/schema.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../platform/errors.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import * as repo from './directory.repository.ts';
import type {
  ContactForm,
  LocationForm,
  OrganizationForm,
  ServiceForm,
  TaxonomyTermForm,
} from './directory.schema.ts';
import type { OrganizationKind, ServiceStatus } from './directory.table.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Organization {
  id: string;
  name: string;
  kind: OrganizationKind;
  description: string;
  email: string | null;
  url: string | null;
  phone: string | null;
}

export interface Location {
  id: string;
  organizationId: string | null;
  name: string;
  description: string;
  address1: string;
  city: string;
  postalCode: string;
  area: string;
  latitude: number | null;
  longitude: number | null;
}

export interface Contact {
  id: string;
  organizationId: string | null;
  serviceId: string | null;
  serviceName?: string | null;
  name: string;
  title: string;
  email: string | null;
  phone: string | null;
}

export interface TaxonomyTerm {
  id: string;
  code: string;
  name: string;
  description: string;
  vocabulary: string;
  parentId: string | null;
  parentName?: string | null;
}

export interface ServiceSummary {
  id: string;
  organizationId: string;
  organizationName: string;
  name: string;
  description: string;
  url: string | null;
  email: string | null;
  status: ServiceStatus;
  fees: string;
  eligibility: string;
  minimumAge: number | null;
  maximumAge: number | null;
}

/** A service with everything a resident (or the open API) needs to reach it. */
export interface ServiceDetail extends ServiceSummary {
  organization: Organization;
  /** Where it is offered: each location with the id of the service-at-location link. */
  locations: (Location & { serviceAtLocationId: string })[];
  contacts: Contact[];
  terms: TaxonomyTerm[];
}

export interface SearchQuery {
  text: string;
  /** A need's code (pages) … */
  needCode?: string;
  /** … or its id (the open API). */
  termId?: string;
  area: string;
  postcode?: string;
  activeOnly: boolean;
}

interface PageRequest {
  limit: number;
  offset: number;
}

/** One page of a longer list, and how long the whole list is. */
export interface ListPage<T> {
  items: T[];
  total: number;
}

export interface Member {
  id: string;
  name: string;
  email: string | null;
}

/** The page asked for of each list an organisation's page shows. */
export interface OrganizationPages {
  services: PageRequest;
  locations: PageRequest;
  contacts: PageRequest;
}

export interface ManagedOrganizationPages extends OrganizationPages {
  members: PageRequest;
}

type OrganizationRow = NonNullable<Awaited<ReturnType<typeof repo.findOrganization>>>;
type ServiceRow = NonNullable<Awaited<ReturnType<typeof repo.findService>>>;
type LocationRow = NonNullable<Awaited<ReturnType<typeof repo.findLocation>>>;
type ContactRow = NonNullable<Awaited<ReturnType<typeof repo.findContact>>>;
type TermRow = NonNullable<Awaited<ReturnType<typeof repo.findTerm>>>;

function coordinate(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    description: row.description,
    email: row.email,
    url: row.url,
    phone: row.phone,
  };
}

function toService(row: ServiceRow): ServiceSummary {
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    name: row.name,
    description: row.description,
    url: row.url,
    email: row.email,
    status: row.status,
    fees: row.fees,
    eligibility: row.eligibility,
    minimumAge: row.minimum_age,
    maximumAge: row.maximum_age,
  };
}

function toLocation(row: LocationRow): Location {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    address1: row.address_1,
    city: row.city,
    postalCode: row.postal_code,
    area: row.area,
    latitude: coordinate(row.latitude),
    longitude: coordinate(row.longitude),
  };
}

function toContact(row: ContactRow & { service_name?: string | null }): Contact {
  return {
    id: row.id,
    organizationId: row.organization_id,
    serviceId: row.service_id,
    serviceName: row.service_name ?? null,
    name: row.name,
    title: row.title,
    email: row.email,
    phone: row.phone,
  };
}

function toTerm(row: TermRow & { parent_name?: string | null }): TaxonomyTerm {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    vocabulary: row.vocabulary,
    parentId: row.parent_id,
    parentName: row.parent_name ?? null,
  };
}

/** The database refused a row because a unique key or a reference would break. */
function violates(error: unknown, code: '23505' | '23503'): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function organizationValues(form: OrganizationForm): repo.OrganizationValues {
  return {
    name: form.name,
    kind: form.kind,
    description: form.description,
    email: form.email,
    url: form.url,
    phone: form.phone,
  };
}

export function createDirectoryService(deps: { db: Database }) {
  const { db } = deps;

  /**
   * Whose entries the actor may manage: officers every organisation of the place, organisation members
   * only their own. Refuses anyone else.
   */
  function reachOf(actor: Actor, place: PlaceSummary): repo.Reach {
    authorise(actor, 'directory.manage', place.id);
    if (can(actor, 'directory.manage_all', place.id)) return { placeId: place.id, memberId: null };
    return { placeId: place.id, memberId: actor.user!.id };
  }

  function officerReach(actor: Actor, place: PlaceSummary): repo.Reach {
    authorise(actor, 'directory.manage_all', place.id);
    return { placeId: place.id, memberId: null };
  }

  async function change<T>(
    actor: Actor,
    place: PlaceSummary,
    audit: { action: AuditAction; subjectType: string; details?: Record<string, unknown> },
    work: (tx: Transaction<DB>) => Promise<{ subjectId: string; result: T } | undefined>,
  ): Promise<T> {
    return db.transaction().execute(async (tx) => {
      const done = await work(tx);
      // Nothing within reach: either it does not exist or it is another organisation's.
      if (!done) throw new ForbiddenError();
      await recordAudit(tx, actor, {
        action: audit.action,
        subjectType: audit.subjectType,
        subjectId: done.subjectId,
        placeId: place.id,
        details: audit.details ?? {},
      });
      return done.result;
    });
  }

  /** An organisation the actor may manage: 404 when it is not the place's, 403 when it is not theirs. */
  async function managedOrganizationRow(actor: Actor, place: PlaceSummary, id: string) {
    const reach = reachOf(actor, place);
    const row = await repo.findOrganization(db, reach, id);
    if (row) return { reach, row };
    if (await repo.findOrganization(db, { placeId: place.id, memberId: null }, id))
      throw new ForbiddenError();
    throw new NotFoundError();
  }

  async function managedServiceRow(actor: Actor, place: PlaceSummary, id: string) {
    const reach = reachOf(actor, place);
    const row = await repo.findService(db, reach, id);
    if (row) return { reach, row };
    if (await repo.findService(db, { placeId: place.id, memberId: null }, id)) throw new ForbiddenError();
    throw new NotFoundError();
  }

  async function managedLocationRow(actor: Actor, place: PlaceSummary, id: string) {
    const reach = reachOf(actor, place);
    const row = await repo.findLocation(db, reach, id);
    if (row) return { reach, row };
    if (await repo.findLocation(db, { placeId: place.id, memberId: null }, id)) throw new ForbiddenError();
    throw new NotFoundError();
  }

  async function managedContactRow(actor: Actor, place: PlaceSummary, id: string) {
    const reach = reachOf(actor, place);
    const row = await repo.findContact(db, reach, id);
    if (row) return { reach, row };
    if (await repo.findContact(db, { placeId: place.id, memberId: null }, id)) throw new ForbiddenError();
    throw new NotFoundError();
  }

  /** Services with their locations, contacts and needs, in two or three queries whatever their number. */
  /** Services with their organisation, locations, contacts and needs: four queries for any number of rows. */
  async function details(rows: readonly ServiceRow[]): Promise<ServiceDetail[]> {
    const ids = rows.map((r) => r.id);
    const placeIds = [...new Set(rows.map((r) => r.place_id))];
    const orgIds = [...new Set(rows.map((r) => r.organization_id))];
    const [organizations, locations, contacts, terms] = await Promise.all([
      repo.findOrganizations(db, placeIds, orgIds),
      repo.locationsOfServices(db, placeIds, ids),
      repo.contactsOfServices(db, placeIds, ids),
      repo.termsOfServices(db, placeIds, ids),
    ]);
    const orgById = new Map(organizations.map((o) => [o.id, toOrganization(o)]));
    return rows.map((row) => ({
      ...toService(row),
      organization: orgById.get(row.organization_id)!,
      locations: locations
        .filter((l) => l.service_id === row.id)
        .map((l) => ({ ...toLocation(l), serviceAtLocationId: l.service_at_location_id })),
      contacts: contacts.filter((c) => c.service_id === row.id).map((c) => toContact(c)),
      terms: terms.filter((t) => t.service_id === row.id).map((t) => toTerm(t)),
    }));
  }

  async function checkTermParent(place: PlaceSummary, id: string | null, parentId: string | null) {
    if (parentId === null) return;
    if (!(await repo.findTerm(db, place.id, parentId))) {
      throw new ValidationError('parentId', 'Select a broader need from the list');
    }
    if (id && (await repo.isSelfOrDescendant(db, place.id, id, parentId))) {
      throw new ValidationError(
        'parentId',
        'A need cannot sit under itself or under one of its own narrower needs',
      );
    }
  }

  async function validateServiceChoices(place: PlaceSummary, organizationId: string, form: ServiceForm) {
    const problems: { field: string; message: string }[] = [];
    if (form.termIds.length > 0) {
      const ticked = [...new Set(form.termIds)];
      if ((await repo.countTerms(db, place.id, ticked)) !== ticked.length)
        problems.push({ field: 'termIds', message: 'Select needs from the list' });
    }
    if (form.locationIds.length > 0) {
      const ticked = [...new Set(form.locationIds)];
      if ((await repo.countLocationsOfOrganization(db, place.id, organizationId, ticked)) !== ticked.length)
        problems.push({ field: 'locationIds', message: 'Select locations from the list' });
    }
    if (problems.length > 0) throw ValidationError.of(problems);
  }

  return {
    // For other features (the support pillar): public data, so no authorisation.

    /** Every organisation of the place, by name, for a select box and to check a choice (public data). */
    async organizationOptions(
      place: PlaceSummary,
      kinds: OrganizationKind[] = [],
    ): Promise<{ id: string; name: string; kind: OrganizationKind }[]> {
      return repo.organizationOptions(db, place.id, kinds);
    },

    async organizationName(place: PlaceSummary, id: string): Promise<string | undefined> {
      if (!UUID.test(id)) return undefined;
      return repo.organizationName(db, place.id, id);
    },

    canManage(actor: Actor, place: PlaceSummary): boolean {
      return can(actor, 'directory.manage', place.id);
    },

    canManageAll(actor: Actor, place: PlaceSummary): boolean {
      return can(actor, 'directory.manage_all', place.id);
    },

    // Public reading.

    async search(
      place: PlaceSummary | null,
      query: SearchQuery,
      page: PageRequest,
    ): Promise<{ services: ServiceSummary[]; total: number; need: TaxonomyTerm | null }> {
      let termId = query.termId ?? null;
      let need: TaxonomyTerm | null = null;
      if (query.needCode && place) {
        const term = await repo.findTermByCode(db, place.id, query.needCode);
        if (!term) return { services: [], total: 0, need: null };
        termId = term.id;
        need = toTerm(term);
      }
      const { rows, total } = await repo.searchServices(
        db,
        {
          placeId: place?.id ?? null,
          text: query.text,
          termId,
          area: query.area,
          postcode: query.postcode ?? '',
          activeOnly: query.activeOnly,
        },
        page,
      );
      return { services: rows.map(toService), total, need };
    },

    /** Full services for a page of search results (the open API lists whole services). */
    async searchDetails(
      query: SearchQuery & { placeId: string | null },
      page: PageRequest,
    ): Promise<{ services: ServiceDetail[]; total: number }> {
      const { rows, total } = await repo.searchServices(
        db,
        {
          placeId: query.placeId,
          text: query.text,
          termId: query.termId ?? null,
          area: query.area,
          postcode: query.postcode ?? '',
          activeOnly: query.activeOnly,
        },
        page,
      );
      // Services of one page may come from several places: every detail query is limited to those places.
      return { services: await details(rows), total };
    },

    async service(place: PlaceSummary, id: string): Promise<ServiceDetail> {
      const row = await repo.findService(db, { placeId: place.id, memberId: null }, id);
      if (!row) throw new NotFoundError();
      return (await details([row]))[0]!;
    },

    /** A service by its id alone, for the open API; undefined when there is none. */
    async serviceAnywhere(id: string): Promise<ServiceDetail | undefined> {
      if (!UUID.test(id)) return undefined;
      const placeId = await repo.placeOfService(db, id);
      if (!placeId) return undefined;
      const row = await repo.findService(db, { placeId, memberId: null }, id);
      return row ? (await details([row]))[0] : undefined;
    },

    /** An organisation's public page: a page each of its running services, its locations and its own contacts. */
    async organization(
      place: PlaceSummary,
      id: string,
      pages: OrganizationPages,
    ): Promise<{
      organization: Organization;
      services: ListPage<ServiceSummary>;
      locations: ListPage<Location>;
      contacts: ListPage<Contact>;
    }> {
      const row = await repo.findOrganization(db, { placeId: place.id, memberId: null }, id);
      if (!row) throw new NotFoundError();
      const organization = toOrganization(row);
      const [services, locations, contacts] = await Promise.all([
        repo.pageServicesOfOrganization(db, place.id, id, true, pages.services),
        repo.locationsOfOrganization(db, place.id, id, pages.locations),
        repo.contactsOfOrganization(db, place.id, id, true, pages.contacts),
      ]);
      return {
        organization,
        services: {
          items: services.rows.map((s) => toService({ ...s, organization_name: organization.name })),
          total: services.total,
        },
        locations: { items: locations.rows.map(toLocation), total: locations.total },
        contacts: { items: contacts.rows.map((c) => toContact(c)), total: contacts.total },
      };
    },

    /** An organisation by its id alone, with its services, for the open API. */
    async organizationAnywhere(
      id: string,
    ): Promise<{ organization: Organization; services: ServiceDetail[] } | undefined> {
      if (!UUID.test(id)) return undefined;
      const placeId = await repo.placeOfOrganization(db, id);
      if (!placeId) return undefined;
      const row = await repo.findOrganization(db, { placeId, memberId: null }, id);
      if (!row) return undefined;
      const organization = toOrganization(row);
      const services = await repo.servicesOfOrganization(db, placeId, id, false);
      return {
        organization,
        services: await details(services.map((s) => ({ ...s, organization_name: organization.name }))),
      };
    },

    async organizations(place: PlaceSummary | null, page: PageRequest) {
      const { rows, total } = await repo.listAllOrganizations(db, place?.id ?? null, page);
      return { organizations: rows.map(toOrganization), total };
    },

    /** A page of the place's needs (or every place's), broader needs first with their narrower ones after them. */
    async needs(place: PlaceSummary | null, page: PageRequest) {
      const { rows, total } = await repo.listTerms(db, place?.id ?? null, page);
      return { terms: rows.map((r) => toTerm(r)), total };
    },

    /** Every need of the place in the same order, as the choices of a form. */
    async needOptions(place: PlaceSummary): Promise<TaxonomyTerm[]> {
      return (await repo.allTerms(db, place.id)).map((r) => toTerm(r));
    },

    async areas(place: PlaceSummary): Promise<string[]> {
      return repo.areas(db, place.id);
    },

    // Management: organisations and their members.

    /** The organisations the person is a member of (e.g. a school's staff), for other features' access rules. */
    async memberOrganizationIds(actor: Actor, place: PlaceSummary): Promise<string[]> {
      if (!actor.user) return [];
      return repo.organizationIdsOfMember(db, place.id, actor.user.id);
    },

    async manageableOrganizations(actor: Actor, place: PlaceSummary, page: PageRequest) {
      const reach = reachOf(actor, place);
      const { rows, total } = await repo.listOrganizations(db, reach, page);
      const counts = await repo.serviceCounts(
        db,
        place.id,
        rows.map((r) => r.id),
      );
      return {
        organizations: rows.map((r) => ({ ...toOrganization(r), serviceCount: counts.get(r.id) ?? 0 })),
        total,
      };
    },

    /** An organisation the actor may manage. */
    async managedOrganization(actor: Actor, place: PlaceSummary, id: string): Promise<Organization> {
      return toOrganization((await managedOrganizationRow(actor, place, id)).row);
    },

    /** The management page of an organisation: a page of each of its lists, and for officers its members. */
    async managedOrganizationPage(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      pages: ManagedOrganizationPages,
    ): Promise<{
      organization: Organization;
      services: ListPage<ServiceSummary>;
      locations: ListPage<Location>;
      contacts: ListPage<Contact>;
      /** Only officers see and change who the members are. */
      members: ListPage<Member> | null;
      /** Everyone who could be added as a member, for the form that adds one. */
      candidates: Member[] | null;
    }> {
      const { row } = await managedOrganizationRow(actor, place, id);
      const officer = can(actor, 'directory.manage_all', place.id);
      const [services, locations, contacts, members, candidates] = await Promise.all([
        repo.pageServicesOfOrganization(db, place.id, id, false, pages.services),
        repo.locationsOfOrganization(db, place.id, id, pages.locations),
        repo.contactsOfOrganization(db, place.id, id, false, pages.contacts),
        officer ? repo.listMembers(db, place.id, id, pages.members) : Promise.resolve(null),
        officer ? repo.memberCandidates(db, place.id, id) : Promise.resolve(null),
      ]);
      const organization = toOrganization(row);
      const member = (m: Member) => ({ id: m.id, name: m.name, email: m.email });
      return {
        organization,
        services: {
          items: services.rows.map((s) => toService({ ...s, organization_name: organization.name })),
          total: services.total,
        },
        locations: { items: locations.rows.map(toLocation), total: locations.total },
        contacts: { items: contacts.rows.map((c) => toContact(c)), total: contacts.total },
        members: members ? { items: members.rows.map(member), total: members.total } : null,
        candidates: candidates?.map(member) ?? null,
      };
    },

    /** An organisation an officer may delete, with how many services, locations and contacts go with it. */
    async organizationToDelete(actor: Actor, place: PlaceSummary, id: string) {
      officerReach(actor, place);
      const { row } = await managedOrganizationRow(actor, place, id);
      return { organization: toOrganization(row), counts: await repo.entryCounts(db, place.id, id) };
    },

    /** One member of an organisation (officers), found by a lookup: 404 when the person is not a member. */
    async organizationMember(actor: Actor, place: PlaceSummary, organizationId: string, userId: string) {
      officerReach(actor, place);
      const { row } = await managedOrganizationRow(actor, place, organizationId);
      const member = await repo.findMember(db, place.id, organizationId, userId);
      if (!member) throw new NotFoundError();
      return {
        organization: toOrganization(row),
        member: { id: member.id, name: member.name, email: member.email } satisfies Member,
      };
    },

    /** The choices a contact form offers: every service of the organisation. */
    async contactFormChoices(actor: Actor, place: PlaceSummary, organizationId: string) {
      const { row } = await managedOrganizationRow(actor, place, organizationId);
      const services = await repo.serviceNamesOfOrganization(db, place.id, organizationId);
      return { organization: toOrganization(row), services };
    },

    async createOrganization(actor: Actor, place: PlaceSummary, form: OrganizationForm): Promise<string> {
      officerReach(actor, place);
      if (await repo.organizationNameTaken(db, place.id, form.name)) {
        throw new ValidationError('name', 'An organisation with this name is already in the directory');
      }
      try {
        return await change(
          actor,
          place,
          {
            action: 'directory.organization_created',
            subjectType: 'organization',
            details: { name: form.name },
          },
          async (tx) => {
            const id = await repo.insertOrganization(tx, place.id, organizationValues(form));
            return { subjectId: id, result: id };
          },
        );
      } catch (error) {
        if (violates(error, '23505'))
          throw new ValidationError('name', 'An organisation with this name is already in the directory');
        throw error;
      }
    },

    async updateOrganization(actor: Actor, place: PlaceSummary, id: string, form: OrganizationForm) {
      const { reach } = await managedOrganizationRow(actor, place, id);
      if (await repo.organizationNameTaken(db, place.id, form.name, id)) {
        throw new ValidationError('name', 'An organisation with this name is already in the directory');
      }
      try {
        await change(
          actor,
          place,
          {
            action: 'directory.organization_updated',
            subjectType: 'organization',
            details: { name: form.name },
          },
          async (tx) =>
            (await repo.updateOrganization(tx, reach, id, organizationValues(form)))
              ? { subjectId: id, result: undefined }
              : undefined,
        );
      } catch (error) {
        if (violates(error, '23505'))
          throw new ValidationError('name', 'An organisation with this name is already in the directory');
        throw error;
      }
    },

    async deleteOrganization(actor: Actor, place: PlaceSummary, id: string) {
      const reach = officerReach(actor, place);
      const row = await repo.findOrganization(db, reach, id);
      if (!row) throw new NotFoundError();
      try {
        await change(
          actor,
          place,
          {
            action: 'directory.organization_deleted',
            subjectType: 'organization',
            details: { name: row.name },
          },
          async (tx) =>
            (await repo.deleteOrganization(tx, reach, id)) ? { subjectId: id, result: undefined } : undefined,
        );
      } catch (error) {
        // Another feature (a support programme's setting, say) still points at it.
        if (violates(error, '23503'))
          throw new ValidationError(
            'confirm',
            `${row.name} is still linked from elsewhere in Commonweal, such as a support programme's settings. Remove those links first.`,
          );
        throw error;
      }
    },

    async addMember(actor: Actor, place: PlaceSummary, organizationId: string, userId: string) {
      officerReach(actor, place);
      if (!(await repo.findOrganization(db, { placeId: place.id, memberId: null }, organizationId)))
        throw new NotFoundError();
      if (await repo.isMember(db, place.id, organizationId, userId)) {
        throw new ValidationError('userId', 'This person is already a member of the organisation');
      }
      await db.transaction().execute(async (tx) => {
        if (!(await repo.insertMember(tx, place.id, organizationId, userId, actor.user!.id))) {
          throw new ValidationError(
            'userId',
            'Select someone who holds the organisation member role in this place',
          );
        }
        await recordAudit(tx, actor, {
          action: 'directory.member_added',
          subjectType: 'organization',
          subjectId: organizationId,
          placeId: place.id,
          details: { userId },
        });
      });
    },

    async removeMember(actor: Actor, place: PlaceSummary, organizationId: string, userId: string) {
      officerReach(actor, place);
      await change(
        actor,
        place,
        { action: 'directory.member_removed', subjectType: 'organization', details: { userId } },
        async (tx) =>
          (await repo.deleteMember(tx, place.id, organizationId, userId))
            ? { subjectId: organizationId, result: undefined }
            : undefined,
      ).catch((error: unknown) => {
        if (error instanceof ForbiddenError) throw new NotFoundError();
        throw error;
      });
    },

    // Management: services.

    async managedService(actor: Actor, place: PlaceSummary, id: string): Promise<ServiceDetail> {
      const { row } = await managedServiceRow(actor, place, id);
      return (await details([row]))[0]!;
    },

    /**
     * The choices a service form offers for an organisation: every need of the place and every location of the
     * organisation, so that saving a service never drops a choice the form could not show.
     */
    async serviceFormChoices(actor: Actor, place: PlaceSummary, organizationId: string) {
      await managedOrganizationRow(actor, place, organizationId);
      const [terms, locations] = await Promise.all([
        repo.allTerms(db, place.id),
        repo.locationNamesOfOrganization(db, place.id, organizationId),
      ]);
      return { terms: terms.map((r) => toTerm(r)), locations };
    },

    async createService(actor: Actor, place: PlaceSummary, organizationId: string, form: ServiceForm) {
      const { reach } = await managedOrganizationRow(actor, place, organizationId);
      await validateServiceChoices(place, organizationId, form);
      return change(
        actor,
        place,
        {
          action: 'directory.service_created',
          subjectType: 'service',
          details: { name: form.name, organizationId },
        },
        async (tx) => {
          const id = await repo.insertService(tx, reach, organizationId, form);
          if (!id) return undefined;
          await repo.setServiceTerms(tx, place.id, id, form.termIds);
          await repo.setServiceLocations(tx, place.id, id, organizationId, form.locationIds);
          return { subjectId: id, result: id };
        },
      );
    },

    async updateService(actor: Actor, place: PlaceSummary, id: string, form: ServiceForm) {
      const { reach, row } = await managedServiceRow(actor, place, id);
      await validateServiceChoices(place, row.organization_id, form);
      await change(
        actor,
        place,
        { action: 'directory.service_updated', subjectType: 'service', details: { name: form.name } },
        async (tx) => {
          if (!(await repo.updateService(tx, reach, id, form))) return undefined;
          await repo.setServiceTerms(tx, place.id, id, form.termIds);
          await repo.setServiceLocations(tx, place.id, id, row.organization_id, form.locationIds);
          return { subjectId: id, result: undefined };
        },
      );
    },

    async deleteService(actor: Actor, place: PlaceSummary, id: string) {
      const { reach, row } = await managedServiceRow(actor, place, id);
      await change(
        actor,
        place,
        { action: 'directory.service_deleted', subjectType: 'service', details: { name: row.name } },
        async (tx) =>
          (await repo.deleteService(tx, reach, id)) ? { subjectId: id, result: undefined } : undefined,
      );
      return row.organization_id;
    },

    // Management: locations.

    async managedLocation(actor: Actor, place: PlaceSummary, id: string): Promise<Location> {
      return toLocation((await managedLocationRow(actor, place, id)).row);
    },

    async createLocation(actor: Actor, place: PlaceSummary, organizationId: string, form: LocationForm) {
      const { reach } = await managedOrganizationRow(actor, place, organizationId);
      return change(
        actor,
        place,
        { action: 'directory.location_created', subjectType: 'location', details: { name: form.name } },
        async (tx) => {
          const id = await repo.insertLocation(tx, reach, organizationId, form);
          return id ? { subjectId: id, result: id } : undefined;
        },
      );
    },

    async updateLocation(actor: Actor, place: PlaceSummary, id: string, form: LocationForm) {
      const { reach } = await managedLocationRow(actor, place, id);
      await change(
        actor,
        place,
        { action: 'directory.location_updated', subjectType: 'location', details: { name: form.name } },
        async (tx) =>
          (await repo.updateLocation(tx, reach, id, form)) ? { subjectId: id, result: undefined } : undefined,
      );
    },

    async deleteLocation(actor: Actor, place: PlaceSummary, id: string) {
      const { reach, row } = await managedLocationRow(actor, place, id);
      await change(
        actor,
        place,
        { action: 'directory.location_deleted', subjectType: 'location', details: { name: row.name } },
        async (tx) =>
          (await repo.deleteLocation(tx, reach, id)) ? { subjectId: id, result: undefined } : undefined,
      );
      return row.organization_id;
    },

    // Management: contacts.

    async managedContact(actor: Actor, place: PlaceSummary, id: string): Promise<Contact> {
      return toContact((await managedContactRow(actor, place, id)).row);
    },

    async createContact(actor: Actor, place: PlaceSummary, organizationId: string, form: ContactForm) {
      const { reach } = await managedOrganizationRow(actor, place, organizationId);
      return change(
        actor,
        place,
        { action: 'directory.contact_created', subjectType: 'contact' },
        async (tx) => {
          const id = await repo.insertContact(tx, reach, organizationId, form);
          if (!id)
            throw new ValidationError('serviceId', 'Select a service of this organisation from the list');
          return { subjectId: id, result: id };
        },
      );
    },

    async updateContact(actor: Actor, place: PlaceSummary, id: string, form: ContactForm) {
      const { reach } = await managedContactRow(actor, place, id);
      await change(
        actor,
        place,
        { action: 'directory.contact_updated', subjectType: 'contact' },
        async (tx) => {
          if (!(await repo.updateContact(tx, reach, id, form)))
            throw new ValidationError('serviceId', 'Select a service of this organisation from the list');
          return { subjectId: id, result: undefined };
        },
      );
    },

    async deleteContact(actor: Actor, place: PlaceSummary, id: string) {
      const { reach, row } = await managedContactRow(actor, place, id);
      await change(
        actor,
        place,
        { action: 'directory.contact_deleted', subjectType: 'contact' },
        async (tx) =>
          (await repo.deleteContact(tx, reach, id)) ? { subjectId: id, result: undefined } : undefined,
      );
      return row.organization_id;
    },

    // Management: the place's vocabulary of needs (officers).

    async terms(actor: Actor, place: PlaceSummary, page: PageRequest) {
      officerReach(actor, place);
      const { rows, total } = await repo.listTerms(db, place.id, page);
      return { terms: rows.map((r) => toTerm(r)), total };
    },

    /** Every need of the place, as the choices of the broader-need select (officers). */
    async termOptions(actor: Actor, place: PlaceSummary) {
      officerReach(actor, place);
      return (await repo.allTerms(db, place.id)).map((r) => toTerm(r));
    },

    async term(actor: Actor, place: PlaceSummary, id: string) {
      officerReach(actor, place);
      const row = await repo.findTerm(db, place.id, id);
      if (!row) throw new NotFoundError();
      return { term: toTerm(row), usage: await repo.termUsage(db, place.id, id) };
    },

    async createTerm(actor: Actor, place: PlaceSummary, form: TaxonomyTermForm) {
      officerReach(actor, place);
      if (await repo.termCodeTaken(db, place.id, form.code))
        throw new ValidationError('code', 'A need with this code already exists');
      await checkTermParent(place, null, form.parentId);
      return change(
        actor,
        place,
        {
          action: 'directory.taxonomy_term_created',
          subjectType: 'taxonomy_term',
          details: { code: form.code },
        },
        async (tx) => {
          const id = await repo.insertTerm(tx, place.id, form);
          return { subjectId: id, result: id };
        },
      );
    },

    async updateTerm(actor: Actor, place: PlaceSummary, id: string, form: TaxonomyTermForm) {
      officerReach(actor, place);
      if (!(await repo.findTerm(db, place.id, id))) throw new NotFoundError();
      if (await repo.termCodeTaken(db, place.id, form.code, id))
        throw new ValidationError('code', 'A need with this code already exists');
      await checkTermParent(place, id, form.parentId);
      await change(
        actor,
        place,
        {
          action: 'directory.taxonomy_term_updated',
          subjectType: 'taxonomy_term',
          details: { code: form.code },
        },
        async (tx) =>
          (await repo.updateTerm(tx, place.id, id, form)) ? { subjectId: id, result: undefined } : undefined,
      );
    },

    async deleteTerm(actor: Actor, place: PlaceSummary, id: string) {
      officerReach(actor, place);
      const row = await repo.findTerm(db, place.id, id);
      if (!row) throw new NotFoundError();
      await change(
        actor,
        place,
        {
          action: 'directory.taxonomy_term_deleted',
          subjectType: 'taxonomy_term',
          details: { code: row.code },
        },
        async (tx) =>
          (await repo.deleteTerm(tx, place.id, id)) ? { subjectId: id, result: undefined } : undefined,
      );
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;

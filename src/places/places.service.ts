import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Actor } from '../platform/auth/actor.ts';
import { authorise, authoriseOnInstance } from '../platform/auth/policy.ts';
import type { PlaceRole } from '../platform/auth/roles.ts';
import type { Database } from '../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../platform/errors.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import * as repo from './places.repository.ts';
import type { PlaceRow } from './places.table.ts';

export interface Place extends PlaceSummary {
  summary: string;
  contactEmail: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlaceInput {
  slug: string;
  name: string;
  summary: string;
  contactEmail: string | null;
}

export interface AccountLookup {
  findActiveAccountByEmail(email: string): Promise<{ id: string; name: string } | undefined>;
}

function toPlace(row: PlaceRow): Place {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    summary: row.summary,
    contactEmail: row.contact_email,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type PlacesService = ReturnType<typeof createPlacesService>;

/** How long a place found by its web address is remembered: every page under /places/:slug asks. */
export const PLACE_CACHE_MS = 10_000;
const PLACE_CACHE_SIZE = 1000;

export function createPlacesService(deps: {
  db: Database;
  accounts: AccountLookup;
  now?: (() => number) | undefined;
}) {
  const { db, accounts } = deps;
  const now = deps.now ?? Date.now;
  // A place holds only its name, address, summary and contact: this process forgets them at once when
  // it changes them, and another process serving the same database sees a change within PLACE_CACHE_MS.
  // Unknown addresses are never remembered.
  const bySlug = new Map<string, { place: Place; until: number }>();

  async function placeBySlug(slug: string): Promise<Place> {
    const cached = bySlug.get(slug);
    if (cached && cached.until > now()) return cached.place;
    const row = await repo.findPlaceBySlug(db, slug);
    if (!row) throw new NotFoundError();
    const place = Object.freeze(toPlace(row));
    if (bySlug.size >= PLACE_CACHE_SIZE) bySlug.clear();
    bySlug.set(slug, { place, until: now() + PLACE_CACHE_MS });
    return place;
  }

  return {
    placeBySlug,

    async listPlaces(page?: { limit: number; offset: number }): Promise<{ places: Place[]; total: number }> {
      const [rows, total] = await Promise.all([repo.listPlaces(db, page), repo.countPlaces(db)]);
      return { places: rows.map(toPlace), total };
    },

    async createPlace(actor: Actor, input: PlaceInput): Promise<Place> {
      authoriseOnInstance(actor, 'places.create');
      return db.transaction().execute(async (tx) => {
        if (await repo.slugIsTaken(tx, input.slug))
          throw new ValidationError('slug', 'Another place already uses this web address');
        const row = await repo.insertPlace(tx, input);
        await recordAudit(tx, actor, {
          action: 'place.created',
          subjectType: 'place',
          subjectId: row.id,
          placeId: row.id,
          details: { slug: row.slug, name: row.name },
        });
        return toPlace(row);
      });
    },

    async updatePlace(actor: Actor, placeId: string, input: PlaceInput): Promise<Place> {
      authoriseOnInstance(actor, 'places.edit');
      return db.transaction().execute(async (tx) => {
        if (await repo.slugIsTaken(tx, input.slug, placeId)) {
          throw new ValidationError('slug', 'Another place already uses this web address');
        }
        await repo.updatePlace(tx, placeId, input);
        bySlug.clear();
        await recordAudit(tx, actor, {
          action: 'place.updated',
          subjectType: 'place',
          subjectId: placeId,
          placeId,
          details: { slug: input.slug, name: input.name },
        });
        const row = await repo.findPlaceBySlug(tx, input.slug);
        if (!row) throw new NotFoundError();
        return toPlace(row);
      });
    },

    rolesOfUser(userId: string) {
      return repo.rolesOfUser(db, userId);
    },

    async members(
      actor: Actor,
      place: Place,
      filter: { search?: string | undefined; role?: PlaceRole | undefined },
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'roles.manage', place.id);
      return repo.membersOfPlace(db, place.id, filter, page);
    },

    async grantRole(
      actor: Actor,
      place: Place,
      email: string,
      role: PlaceRole,
    ): Promise<{ name: string; added: boolean }> {
      authorise(actor, 'roles.manage', place.id);
      const account = await accounts.findActiveAccountByEmail(email);
      if (!account) {
        throw new ValidationError(
          'email',
          'No account uses this email address: ask the person to create an account first',
        );
      }
      const added = await db.transaction().execute(async (tx) => {
        const inserted = await repo.grantRole(tx, {
          placeId: place.id,
          userId: account.id,
          role,
          grantedBy: actor.user?.id ?? null,
        });
        if (inserted) {
          await recordAudit(tx, actor, {
            action: 'role.granted',
            subjectType: 'user',
            subjectId: account.id,
            placeId: place.id,
            details: { role },
          });
        }
        return inserted;
      });
      return { name: account.name, added };
    },

    async revokeRole(actor: Actor, place: Place, userId: string, role: PlaceRole): Promise<void> {
      authorise(actor, 'roles.manage', place.id);
      await db.transaction().execute(async (tx) => {
        if (role === 'place_admin' && (await repo.countRoleHolders(tx, place.id, 'place_admin')) <= 1) {
          throw new ValidationError(
            'role',
            'A place must keep at least one place admin: give the role to someone else first',
          );
        }
        const removed = await repo.revokeRole(tx, { placeId: place.id, userId, role });
        if (!removed) throw new NotFoundError();
        await recordAudit(tx, actor, {
          action: 'role.revoked',
          subjectType: 'user',
          subjectId: userId,
          placeId: place.id,
          details: { role },
        });
      });
    },

    async member(actor: Actor, place: Place, userId: string): Promise<repo.PlaceMember | undefined> {
      authorise(actor, 'roles.manage', place.id);
      return repo.findMember(db, place.id, userId);
    },
  };
}

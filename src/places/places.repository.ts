import { type Kysely, sql, type Transaction } from 'kysely';
import type { PlaceRole } from '../platform/auth/roles.ts';
import type { DB } from '../platform/db/schema.ts';
import type { PlaceRow } from './places.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function listPlaces(
  db: Executor,
  page?: { limit: number; offset: number },
): Promise<PlaceRow[]> {
  let query = db.selectFrom('places').selectAll().orderBy('name');
  if (page) query = query.limit(page.limit).offset(page.offset);
  return query.execute();
}

export async function countPlaces(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('places')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findPlaceBySlug(db: Executor, slug: string): Promise<PlaceRow | undefined> {
  return db.selectFrom('places').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function slugIsTaken(db: Executor, slug: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('places').select('id').where('slug', '=', slug);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertPlace(
  db: Executor,
  values: { slug: string; name: string; summary: string; contactEmail: string | null },
): Promise<PlaceRow> {
  return db
    .insertInto('places')
    .values({
      slug: values.slug,
      name: values.name,
      summary: values.summary,
      contact_email: values.contactEmail,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updatePlace(
  db: Executor,
  id: string,
  values: { slug: string; name: string; summary: string; contactEmail: string | null },
): Promise<void> {
  await db
    .updateTable('places')
    .set({
      slug: values.slug,
      name: values.name,
      summary: values.summary,
      contact_email: values.contactEmail,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export interface RoleHolding {
  placeId: string;
  placeSlug: string;
  placeName: string;
  role: PlaceRole;
  grantedAt: Date;
}

/** Every role a person holds, in every place. */
export async function rolesOfUser(db: Executor, userId: string): Promise<RoleHolding[]> {
  const rows = await db
    .selectFrom('place_roles as r')
    .innerJoin('places as p', 'p.id', 'r.place_id')
    .select(['r.place_id', 'p.slug', 'p.name', 'r.role', 'r.granted_at'])
    .where('r.user_id', '=', userId)
    .orderBy('p.name')
    .orderBy('r.role')
    .execute();
  return rows.map((r) => ({
    placeId: r.place_id,
    placeSlug: r.slug,
    placeName: r.name,
    role: r.role as PlaceRole,
    grantedAt: r.granted_at,
  }));
}

export interface PlaceMember {
  userId: string;
  name: string;
  email: string | null;
  roles: PlaceRole[];
}

/** The people holding roles in one place, filtered by name/email and role. */
export async function membersOfPlace(
  db: Executor,
  placeId: string,
  filter: { search?: string | undefined; role?: PlaceRole | undefined },
  page: { limit: number; offset: number },
): Promise<{ members: PlaceMember[]; total: number }> {
  let query = db
    .selectFrom('place_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .where('r.place_id', '=', placeId)
    .where('u.deleted_at', 'is', null);
  if (filter.search) {
    const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql<string>`lower(u.name)`, 'like', pattern),
        eb(sql<string>`lower(u.email)`, 'like', pattern),
      ]),
    );
  }
  if (filter.role) {
    const role = filter.role;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('place_roles as r2')
          .select('r2.role')
          .whereRef('r2.user_id', '=', 'u.id')
          .where('r2.place_id', '=', placeId)
          .where('r2.role', '=', role),
      ),
    );
  }
  const grouped = query
    .select(['u.id', 'u.name', 'u.email', sql<string[]>`array_agg(r.role order by r.role)`.as('roles')])
    .groupBy(['u.id', 'u.name', 'u.email']);
  const [rows, count] = await Promise.all([
    grouped.orderBy('u.name').orderBy('u.id').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom(grouped.as('g'))
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    members: rows.map((r) => ({ userId: r.id, name: r.name, email: r.email, roles: r.roles as PlaceRole[] })),
  };
}

export async function grantRole(
  db: Executor,
  values: { placeId: string; userId: string; role: PlaceRole; grantedBy: string | null },
): Promise<boolean> {
  const result = await db
    .insertInto('place_roles')
    .values({
      place_id: values.placeId,
      user_id: values.userId,
      role: values.role,
      granted_by: values.grantedBy,
    })
    .onConflict((oc) => oc.columns(['place_id', 'user_id', 'role']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function revokeRole(
  db: Executor,
  values: { placeId: string; userId: string; role: PlaceRole },
): Promise<boolean> {
  const result = await db
    .deleteFrom('place_roles')
    .where('place_id', '=', values.placeId)
    .where('user_id', '=', values.userId)
    .where('role', '=', values.role)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countRoleHolders(db: Executor, placeId: string, role: PlaceRole): Promise<number> {
  const row = await db
    .selectFrom('place_roles')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('role', '=', role)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findMember(
  db: Executor,
  placeId: string,
  userId: string,
): Promise<PlaceMember | undefined> {
  const row = await db
    .selectFrom('place_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.name', 'u.email', sql<string[]>`array_agg(r.role order by r.role)`.as('roles')])
    .where('r.place_id', '=', placeId)
    .where('r.user_id', '=', userId)
    .where('u.deleted_at', 'is', null)
    .groupBy(['u.id', 'u.name', 'u.email'])
    .executeTakeFirst();
  return row && { userId: row.id, name: row.name, email: row.email, roles: row.roles as PlaceRole[] };
}

import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { Answers } from '../assemblies.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export interface AddressRow {
  line1: string;
  line2: string;
  town: string;
  postcode: string;
  household: string;
}

/** Adds addresses; one already listed (same household) is skipped. Returns how many were added. */
export async function insertAddresses(
  tx: Transaction<DB>,
  placeId: string,
  assemblyId: string,
  rows: AddressRow[],
): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await tx
      .insertInto('assembly_addresses')
      .values(rows.slice(i, i + 500).map((r) => ({ ...r, place_id: placeId, assembly_id: assemblyId })))
      .onConflict((oc) => oc.columns(['assembly_id', 'household']).doNothing())
      .returning('id')
      .execute();
    added += inserted.length;
  }
  return added;
}

export async function addressCounts(db: Executor, placeId: string, assemblyId: string) {
  const row = await db
    .selectFrom('assembly_addresses as a')
    .leftJoin('assembly_invitations as i', 'i.address_id', 'a.id')
    .select([
      (eb) => eb.fn.countAll<string>().as('total'),
      (eb) => eb.fn.count<string>('i.id').as('invited'),
      sql<string>`count(i.used_at)`.as('registered'),
    ])
    .where('a.place_id', '=', placeId)
    .where('a.assembly_id', '=', assemblyId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), invited: Number(row.invited), registered: Number(row.registered) };
}

/** Addresses not invited yet, in a fixed order (by id) so a seeded draw is repeatable. */
export async function uninvitedAddresses(tx: Executor, placeId: string, assemblyId: string) {
  return tx
    .selectFrom('assembly_addresses as a')
    .leftJoin('assembly_invitations as i', 'i.address_id', 'a.id')
    .select(['a.id', 'a.line1', 'a.line2', 'a.town', 'a.postcode'])
    .where('a.place_id', '=', placeId)
    .where('a.assembly_id', '=', assemblyId)
    .where('i.id', 'is', null)
    .orderBy('a.id')
    .execute();
}

export async function insertDraw(
  tx: Transaction<DB>,
  d: { placeId: string; assemblyId: string; seed: string; quantity: number; createdBy: string | null },
): Promise<string> {
  const row = await tx
    .insertInto('assembly_invitation_draws')
    .values({
      place_id: d.placeId,
      assembly_id: d.assemblyId,
      seed: d.seed,
      quantity: d.quantity,
      created_by: d.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertInvitations(
  tx: Transaction<DB>,
  rows: { placeId: string; assemblyId: string; drawId: string; addressId: string; codeHash: string }[],
) {
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insertInto('assembly_invitations')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          place_id: r.placeId,
          assembly_id: r.assemblyId,
          draw_id: r.drawId,
          address_id: r.addressId,
          code_hash: r.codeHash,
        })),
      )
      .execute();
  }
}

export async function listDraws(
  db: Executor,
  placeId: string,
  assemblyId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .selectFrom('assembly_invitation_draws as d')
    .leftJoin('users as u', 'u.id', 'd.created_by')
    .select(['d.id', 'd.seed', 'd.quantity', 'd.created_at', 'u.name as created_by_name'])
    .where('d.place_id', '=', placeId)
    .where('d.assembly_id', '=', assemblyId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await db
    .selectFrom('assembly_invitation_draws')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

/** The invitation of a code in this place, with its address and assembly. */
export async function findInvitation(db: Executor, placeId: string, codeHash: string) {
  return db
    .selectFrom('assembly_invitations as i')
    .innerJoin('assembly_addresses as a', 'a.id', 'i.address_id')
    .select([
      'i.id',
      'i.assembly_id',
      'i.used_at',
      'a.line1',
      'a.line2',
      'a.town',
      'a.postcode',
      'a.household',
    ])
    .where('i.place_id', '=', placeId)
    .where('i.code_hash', '=', codeHash)
    .executeTakeFirst();
}

/** Spends a code: true only for the one request that finds it unused. */
export async function spendInvitation(
  tx: Transaction<DB>,
  placeId: string,
  invitationId: string,
): Promise<boolean> {
  const row = await tx
    .updateTable('assembly_invitations')
    .set({ used_at: sql`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', invitationId)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export interface RegistrantRow {
  placeId: string;
  assemblyId: string;
  invitationId: string | null;
  source: 'code' | 'import';
  pseudonym: string;
  externalId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  address: string;
  household: string | null;
  answers: Answers;
  specialConsent: boolean;
}

export async function insertRegistrants(tx: Transaction<DB>, rows: RegistrantRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insertInto('assembly_registrants')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          place_id: r.placeId,
          assembly_id: r.assemblyId,
          invitation_id: r.invitationId,
          source: r.source,
          pseudonym: r.pseudonym,
          external_id: r.externalId,
          name: r.name,
          email: r.email,
          phone: r.phone,
          address: r.address,
          household: r.household,
          answers: JSON.stringify(r.answers),
          special_consent: r.specialConsent,
        })),
      )
      .execute();
  }
}

export async function existingExternalIds(db: Executor, placeId: string, assemblyId: string, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('assembly_registrants')
    .select('external_id')
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .where('external_id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.external_id!));
}

export async function listRegistrants(
  db: Executor,
  placeId: string,
  assemblyId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .selectFrom('assembly_registrants')
    .select([
      'id',
      'pseudonym',
      'name',
      'email',
      'phone',
      'source',
      'status',
      'replacement',
      'special_consent',
      'created_at',
    ])
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .orderBy('pseudonym')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = await db
    .selectFrom('assembly_registrants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('assembly_id', '=', assemblyId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

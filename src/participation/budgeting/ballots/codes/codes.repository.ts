import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../../../platform/db/schema.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/** A budget's batches of letters, newest first, with how many of each batch's codes have been used. */
export async function listBatches(
  db: Executor,
  placeId: string,
  budgetId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .selectFrom('access_code_batches as b')
    .leftJoin('users as issuer', 'issuer.id', 'b.created_by')
    .leftJoin('users as voider', 'voider.id', 'b.voided_by')
    .select((eb) => [
      'b.id',
      'b.quantity',
      'b.created_at',
      'b.voided_at',
      'b.void_reason',
      'issuer.name as issued_by',
      'voider.name as voided_by',
      eb
        .selectFrom('access_codes as c')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('c.batch_id', '=', 'b.id')
        .where('c.place_id', '=', placeId)
        .where('c.used_at', 'is not', null)
        .as('used'),
    ])
    .where('b.place_id', '=', placeId)
    .where('b.budget_id', '=', budgetId)
    .orderBy('b.created_at', 'desc')
    .orderBy('b.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const { total } = await db
    .selectFrom('access_code_batches')
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

export async function insertBatch(
  tx: Transaction<DB>,
  values: { placeId: string; budgetId: string; quantity: number; createdBy: string },
): Promise<string> {
  const row = await tx
    .insertInto('access_code_batches')
    .values({
      place_id: values.placeId,
      budget_id: values.budgetId,
      quantity: values.quantity,
      created_by: values.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const CODES_PER_INSERT = 1000;

export async function insertCodes(
  tx: Transaction<DB>,
  placeId: string,
  budgetId: string,
  batchId: string,
  hashes: readonly string[],
): Promise<void> {
  for (let i = 0; i < hashes.length; i += CODES_PER_INSERT) {
    await tx
      .insertInto('access_codes')
      .values(
        hashes.slice(i, i + CODES_PER_INSERT).map((code_hash) => ({
          place_id: placeId,
          budget_id: budgetId,
          batch_id: batchId,
          code_hash,
        })),
      )
      .execute();
  }
}

export async function findBatch(db: Executor, placeId: string, budgetId: string, batchId: string) {
  return db
    .selectFrom('access_code_batches')
    .select(['id', 'quantity', 'created_at', 'voided_at'])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('id', '=', batchId)
    .executeTakeFirst();
}

/** Voids a batch that is not yet void; undefined if it already was (or does not exist). */
export async function voidBatch(
  tx: Transaction<DB>,
  placeId: string,
  budgetId: string,
  batchId: string,
  values: { voidedBy: string; reason: string },
) {
  return tx
    .updateTable('access_code_batches')
    .set({ voided_at: sql<Date>`now()`, voided_by: values.voidedBy, void_reason: values.reason })
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('id', '=', batchId)
    .where('voided_at', 'is', null)
    .returning(['id', 'quantity'])
    .executeTakeFirst();
}

/** How many codes of a batch were unused when it was voided, for the audit trail. */
export async function unusedInBatch(db: Executor, placeId: string, batchId: string): Promise<number> {
  const { n } = await db
    .selectFrom('access_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('place_id', '=', placeId)
    .where('batch_id', '=', batchId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** A code of this place by its hash, with whether its batch is void. */
export async function findCode(db: Executor, placeId: string, codeHash: string) {
  return db
    .selectFrom('access_codes as c')
    .innerJoin('access_code_batches as b', 'b.id', 'c.batch_id')
    .select(['c.id', 'c.budget_id', 'c.batch_id', 'c.used_at', 'b.voided_at'])
    .where('c.place_id', '=', placeId)
    .where('b.place_id', '=', placeId)
    .where('c.code_hash', '=', codeHash)
    .executeTakeFirst();
}

/**
 * Reads a batch under a share lock, so that a batch being voided at the same moment is either void
 * before the code is used or voided after the ballot is in, never half of each.
 */
export async function lockBatchForUse(tx: Transaction<DB>, placeId: string, batchId: string) {
  return tx
    .selectFrom('access_code_batches')
    .select(['id', 'voided_at'])
    .where('place_id', '=', placeId)
    .where('id', '=', batchId)
    .forShare()
    .executeTakeFirst();
}

/**
 * Marks a code used if nobody has used it yet. Of two requests racing with one code, the second waits
 * for the first's row lock and then finds used_at set, so exactly one gets the row back.
 */
export async function useCode(tx: Transaction<DB>, placeId: string, codeId: string) {
  return tx
    .updateTable('access_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', codeId)
    .where('used_at', 'is', null)
    .returning(['id', 'batch_id'])
    .executeTakeFirst();
}

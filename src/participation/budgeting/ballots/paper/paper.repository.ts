import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../../../platform/db/schema.ts';
import type { EntryStage, PaperEntryItem, SheetStatus } from '../ballots.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Creates the sheet if this is its first entry. Returns its id, or undefined when the sheet already
 * exists (a concurrent first entry waits for the other to commit, then finds the sheet there).
 */
export async function claimSheet(tx: Transaction<DB>, placeId: string, budgetId: string, reference: string) {
  const row = await tx
    .insertInto('paper_sheets')
    .values({ place_id: placeId, budget_id: budgetId, reference })
    .onConflict((oc) => oc.columns(['budget_id', 'reference']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

const sheetColumns = ['id', 'reference', 'status', 'created_at', 'updated_at'] as const;

/** A sheet, locked until the transaction ends, so that its entries are judged one at a time. */
export async function lockSheet(
  tx: Transaction<DB>,
  placeId: string,
  budgetId: string,
  by: { reference: string } | { id: string },
) {
  let query = tx
    .selectFrom('paper_sheets')
    .select(sheetColumns)
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId);
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('reference', '=', by.reference);
  return query.forUpdate().executeTakeFirst();
}

export async function findSheet(db: Executor, placeId: string, budgetId: string, sheetId: string) {
  return db
    .selectFrom('paper_sheets')
    .select(sheetColumns)
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('id', '=', sheetId)
    .executeTakeFirst();
}

export async function entriesOf(db: Executor, placeId: string, sheetId: string) {
  return db
    .selectFrom('paper_entries as e')
    .innerJoin('users as u', 'u.id', 'e.entered_by')
    .select([
      'e.id',
      'e.stage',
      'e.entered_by',
      'u.name as entered_by_name',
      'e.district_id',
      'e.spoilt',
      'e.items',
      'e.created_at',
    ])
    .where('e.place_id', '=', placeId)
    .where('e.sheet_id', '=', sheetId)
    .orderBy('e.created_at')
    .execute();
}

export async function insertEntry(
  tx: Transaction<DB>,
  values: {
    placeId: string;
    sheetId: string;
    stage: EntryStage;
    enteredBy: string;
    districtId: string | null;
    spoilt: boolean;
    items: PaperEntryItem[];
  },
): Promise<void> {
  await tx
    .insertInto('paper_entries')
    .values({
      place_id: values.placeId,
      sheet_id: values.sheetId,
      stage: values.stage,
      entered_by: values.enteredBy,
      district_id: values.districtId,
      spoilt: values.spoilt,
      items: JSON.stringify(values.items),
    })
    .execute();
}

export async function setStatus(tx: Transaction<DB>, placeId: string, sheetId: string, status: SheetStatus) {
  await tx
    .updateTable('paper_sheets')
    .set({ status, updated_at: sql<string>`now()` })
    .where('place_id', '=', placeId)
    .where('id', '=', sheetId)
    .execute();
}

export async function listSheets(
  db: Executor,
  placeId: string,
  budgetId: string,
  status: SheetStatus,
  page: { limit: number; offset: number },
) {
  return db
    .selectFrom('paper_sheets')
    .select(sheetColumns)
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .where('status', '=', status)
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** How many sheets are in each status; uses the (place, budget, status) index. */
export async function statusCounts(db: Executor, placeId: string, budgetId: string) {
  const rows = await db
    .selectFrom('paper_sheets')
    .select(['status', db.fn.countAll<string>().as('count')])
    .where('place_id', '=', placeId)
    .where('budget_id', '=', budgetId)
    .groupBy('status')
    .execute();
  const counts: Record<SheetStatus, number> = {
    awaiting_second: 0,
    mismatch: 0,
    matched: 0,
    resolved: 0,
    spoilt: 0,
  };
  for (const r of rows) counts[r.status] = Number(r.count);
  return counts;
}

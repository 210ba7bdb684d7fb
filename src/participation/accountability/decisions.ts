import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { DecisionSource } from './decisions.table.ts';

/**
 * What every source of decisions (proposals, budget results, assemblies) calls when a decision is made or
 * taken back, so a tracked result never silently disappears from "you said, we did".
 */

/** Starts the drop reason of a result whose decision was taken back, so taking it up again can tell. */
const WITHDRAWN = 'Decision withdrawn: ';

interface Source {
  placeId: string;
  sourceType: Exclude<DecisionSource, 'manual'>;
  sourceId: string;
}

/** Whether the result already has a history: updates posted, or parts placed under it. */
export async function decisionHasHistory(tx: Transaction<DB>, s: Source): Promise<boolean> {
  const row = await tx
    .selectFrom('decisions as d')
    .select((eb) => [
      eb
        .exists(eb.selectFrom('result_updates as u').select('u.id').whereRef('u.decision_id', '=', 'd.id'))
        .as('updated'),
      eb
        .exists(eb.selectFrom('decisions as c').select('c.id').whereRef('c.parent_id', '=', 'd.id'))
        .as('parent'),
    ])
    .where('d.place_id', '=', s.placeId)
    .where('d.source_type', '=', s.sourceType)
    .where('d.source_id', '=', s.sourceId)
    .executeTakeFirst();
  return row !== undefined && (Boolean(row.updated) || Boolean(row.parent));
}

/**
 * Takes a decision back (an answer changed, a response withdrawn). A result nobody has worked on yet is
 * removed; one with a history is kept, marked dropped with the reason, so its timeline stays public.
 */
export async function withdrawDecision(
  tx: Transaction<DB>,
  s: Source & { reason: string },
): Promise<'none' | 'removed' | 'dropped'> {
  if (await decisionHasHistory(tx, s)) {
    await tx
      .updateTable('decisions')
      .set({ status: 'dropped', drop_reason: `${WITHDRAWN}${s.reason}`, updated_at: new Date() })
      .where('place_id', '=', s.placeId)
      .where('source_type', '=', s.sourceType)
      .where('source_id', '=', s.sourceId)
      .execute();
    return 'dropped';
  }
  const removed = await tx
    .deleteFrom('decisions')
    .where('place_id', '=', s.placeId)
    .where('source_type', '=', s.sourceType)
    .where('source_id', '=', s.sourceId)
    .returning('id')
    .execute();
  return removed.length > 0 ? 'removed' : 'none';
}

/**
 * Makes (or renames) the decision for a source. A result dropped only because its decision had been taken
 * back is taken up again where its work stood; one an officer dropped for another reason stays dropped.
 */
export async function keepDecision(
  tx: Transaction<DB>,
  s: Source & { processId: string | null; title: string },
): Promise<void> {
  await tx
    .insertInto('decisions')
    .values({
      place_id: s.placeId,
      process_id: s.processId,
      source_type: s.sourceType,
      source_id: s.sourceId,
      title: s.title,
    })
    .onConflict((oc) =>
      oc.columns(['source_type', 'source_id']).doUpdateSet({
        title: s.title,
        status: sql`CASE WHEN decisions.status <> 'dropped' OR decisions.drop_reason NOT LIKE ${`${WITHDRAWN}%`} THEN decisions.status WHEN decisions.progress > 0 THEN 'in_progress' ELSE 'not_started' END`,
        drop_reason: sql`CASE WHEN decisions.status = 'dropped' AND decisions.drop_reason LIKE ${`${WITHDRAWN}%`} THEN NULL ELSE decisions.drop_reason END`,
        updated_at: new Date(),
      }),
    )
    .execute();
}

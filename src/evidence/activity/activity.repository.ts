import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Granularity } from './periods.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export type ActivityKind = 'proposals' | 'comments' | 'supports' | 'online' | 'code' | 'paper' | 'imported';

/** The first day of the created_at's period on the London calendar, as YYYY-MM-DD. */
function period(column: string, unit: Granularity) {
  return sql<string>`to_char(date_trunc(${sql.lit(unit)}, ${sql.ref(column)} AT TIME ZONE 'Europe/London'), 'YYYY-MM-DD')`;
}

/**
 * Counts per period of what was published (proposals, comments), supported and voted (ballots by channel)
 * in a place, or in one of its processes. Aggregates only.
 */
export async function activityCounts(
  db: Executor,
  placeId: string,
  processId: string | null,
  unit: Granularity,
): Promise<{ period: string; kind: ActivityKind; count: number }[]> {
  const proposals = db
    .selectFrom('proposals')
    .select([
      period('created_at', unit).as('period'),
      sql<string>`'proposals'`.as('kind'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .where('place_id', '=', placeId)
    .where('status', '=', 'published')
    .$if(processId !== null, (q) => q.where('process_id', '=', processId!))
    .groupBy(sql`1`);
  const comments = db
    .selectFrom('comments')
    .select([
      period('created_at', unit).as('period'),
      sql<string>`'comments'`.as('kind'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .where('place_id', '=', placeId)
    .where('status', '=', 'published')
    .$if(processId !== null, (q) => q.where('process_id', '=', processId!))
    .groupBy(sql`1`);
  const supports = db
    .selectFrom('supports')
    .select([
      period('created_at', unit).as('period'),
      sql<string>`'supports'`.as('kind'),
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .where('place_id', '=', placeId)
    .$if(processId !== null, (q) => q.where('process_id', '=', processId!))
    .groupBy(sql`1`);
  const ballots = db
    .selectFrom('ballots as b')
    .innerJoin('budgets as bu', 'bu.id', 'b.budget_id')
    .select([
      period('b.created_at', unit).as('period'),
      'b.channel as kind',
      (eb) => eb.fn.countAll<string>().as('n'),
    ])
    .where('b.place_id', '=', placeId)
    .where('bu.place_id', '=', placeId)
    .$if(processId !== null, (q) => q.where('bu.process_id', '=', processId!))
    .groupBy([sql`1`, 'b.channel']);
  const rows = await proposals.unionAll(comments).unionAll(supports).unionAll(ballots).execute();
  return rows.map((r) => ({ period: r.period, kind: r.kind as ActivityKind, count: Number(r.n) }));
}

/** Ballots per district of each budget of a process (districts without ballots included). */
export async function ballotsByDistrict(db: Executor, placeId: string, processId: string) {
  return db
    .selectFrom('budget_districts as d')
    .innerJoin('budgets as bu', 'bu.id', 'd.budget_id')
    .leftJoin('ballots as b', (join) =>
      join.onRef('b.district_id', '=', 'd.id').on('b.place_id', '=', placeId),
    )
    .select([
      'bu.id as budget_id',
      'bu.title as budget_title',
      'd.name',
      'd.position',
      (eb) => eb.fn.count<string>('b.id').as('n'),
    ])
    .where('d.place_id', '=', placeId)
    .where('bu.place_id', '=', placeId)
    .where('bu.process_id', '=', processId)
    .groupBy(['bu.id', 'bu.title', 'd.id', 'd.name', 'd.position'])
    .orderBy('bu.title')
    .orderBy('d.position')
    .execute();
}

/** The process's dates: its first phase's start and its last phase's end. */
export async function processSpan(db: Executor, placeId: string, processId: string) {
  return db
    .selectFrom('process_phases')
    .select([
      sql<string | null>`min(starts_on)::text`.as('starts_on'),
      sql<string | null>`max(ends_on)::text`.as('ends_on'),
    ])
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .executeTakeFirstOrThrow();
}

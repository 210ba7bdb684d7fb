import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AuditAction } from './audit.actions.ts';

export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  subjectType: string;
  subjectId: string | null;
  placeId: string | null;
  requestId: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends AuditEntry {
  id: string;
  occurredAt: Date;
  actorName: string | null;
  placeSlug: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  /** Undefined: every place (instance admins only). */
  placeId?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  subjectId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function insertAuditEvent(db: Kysely<DB> | Transaction<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId,
      place_id: entry.placeId,
      request_id: entry.requestId,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** Many events in one statement (e.g. one per child shown in a list). */
export async function insertAuditEvents(
  db: Kysely<DB> | Transaction<DB>,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      entries.map((entry) => ({
        actor_id: entry.actorId,
        action: entry.action,
        subject_type: entry.subjectType,
        subject_id: entry.subjectId,
        place_id: entry.placeId,
        request_id: entry.requestId,
        details: JSON.stringify(entry.details ?? {}),
      })),
    )
    .execute();
}

export async function findAuditEvents(
  db: Kysely<DB>,
  filter: AuditFilter,
  page: { limit: number; offset: number },
): Promise<{ events: AuditEvent[]; total: number }> {
  let query = db
    .selectFrom('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .leftJoin('places as p', 'p.id', 'a.place_id');
  if (filter.placeId !== undefined) query = query.where('a.place_id', '=', filter.placeId);
  if (filter.action) query = query.where('a.action', '=', filter.action);
  if (filter.actorId) query = query.where('a.actor_id', '=', filter.actorId);
  if (filter.subjectId) query = query.where('a.subject_id', '=', filter.subjectId);
  if (filter.from) query = query.where('a.occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('a.occurred_at', '<', filter.to);

  const [rows, count] = await Promise.all([
    query
      .select([
        'a.id',
        'a.occurred_at',
        'a.actor_id',
        'a.action',
        'a.subject_type',
        'a.subject_id',
        'a.place_id',
        'a.request_id',
        'a.details',
        'u.name as actor_name',
        'p.slug as place_slug',
      ])
      .orderBy('a.occurred_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    events: rows.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at,
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action as AuditAction,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      placeId: r.place_id,
      placeSlug: r.place_slug,
      requestId: r.request_id,
      details: r.details,
    })),
  };
}

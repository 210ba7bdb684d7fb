import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { DB } from '../db/schema.ts';
import type { AuditAction } from './audit.actions.ts';
import { insertAuditEvent, insertAuditEvents } from './audit.repository.ts';

export interface AuditRecord {
  action: AuditAction;
  subjectType: string;
  subjectId: string | null;
  placeId?: string | null;
  details?: Record<string, unknown>;
  /** Overrides the actor's own id, e.g. for the person a sign-in is for. */
  actorId?: string | null;
}

/**
 * Writes one audit event. Pass the transaction that makes the change so that
 * the change and its record commit or fail together.
 */
export async function recordAudit(
  tx: Transaction<DB> | Kysely<DB>,
  actor: Pick<Actor, 'user' | 'requestId'>,
  record: AuditRecord,
): Promise<void> {
  await insertAuditEvent(tx, {
    actorId: record.actorId !== undefined ? record.actorId : (actor.user?.id ?? null),
    action: record.action,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    placeId: record.placeId ?? null,
    requestId: actor.requestId,
    details: record.details ?? {},
  });
}

/**
 * One event per subject, written in one statement: for reads that show several people at once (a list of
 * children), so that each person's own trail says who saw them.
 */
export async function recordAuditOfEach(
  tx: Transaction<DB> | Kysely<DB>,
  actor: Pick<Actor, 'user' | 'requestId'>,
  record: Omit<AuditRecord, 'subjectId'>,
  subjectIds: readonly string[],
): Promise<void> {
  await insertAuditEvents(
    tx,
    subjectIds.map((subjectId) => ({
      actorId: record.actorId !== undefined ? record.actorId : (actor.user?.id ?? null),
      action: record.action,
      subjectType: record.subjectType,
      subjectId,
      placeId: record.placeId ?? null,
      requestId: actor.requestId,
      details: record.details ?? {},
    })),
  );
}

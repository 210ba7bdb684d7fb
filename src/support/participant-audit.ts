import type { Kysely, Transaction } from 'kysely';
import type { AuditAction } from '../platform/audit/audit.actions.ts';
import { recordAudit, recordAuditOfEach } from '../platform/audit/audit.service.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { DB } from '../platform/db/schema.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';

/**
 * One audit entry about a child, with the roles the person acted in: their place roles for staff, or their
 * relationship for a family member, so that "who viewed this child" says in what capacity.
 */
export async function auditParticipant(
  tx: Transaction<DB> | Kysely<DB>,
  actor: Actor,
  place: PlaceSummary,
  action: AuditAction,
  participantId: string,
  details: Record<string, unknown> = {},
  roles: string[] = [...(actor.roles.get(place.id) ?? [])].sort(),
): Promise<void> {
  await recordAudit(tx, actor, {
    action,
    subjectType: 'participant',
    subjectId: participantId,
    placeId: place.id,
    details: { roles, ...details },
  });
}

/**
 * A list that names children (a caseload, a review list, a register) is a read of each of them: one
 * 'participant.listed' entry per child shown, so that "who viewed this child" includes it.
 */
export async function auditListed(
  tx: Transaction<DB> | Kysely<DB>,
  actor: Actor,
  place: PlaceSummary,
  list: 'caseload' | 'review' | 'register' | 'session_candidates' | 'safeguarding',
  participantIds: readonly string[],
): Promise<void> {
  await recordAuditOfEach(
    tx,
    actor,
    {
      action: 'participant.listed',
      subjectType: 'participant',
      placeId: place.id,
      details: { roles: [...(actor.roles.get(place.id) ?? [])].sort(), list },
    },
    [...new Set(participantIds)],
  );
}

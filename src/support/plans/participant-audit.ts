import type { Kysely, Transaction } from 'kysely';
import type { AuditAction } from '../../platform/audit/audit.actions.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';

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

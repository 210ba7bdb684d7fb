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

/** The lists that name children, each audited as a read of every child it shows. */
export type ChildList = 'caseload' | 'review' | 'register' | 'session_candidates' | 'safeguarding' | 'family';

/**
 * A list that names children (a caseload, a review list, a register, a parent's own children) is a read of
 * each of them: one 'participant.listed' entry per child shown, so that "who viewed this child" includes it.
 * The roles are the person's place roles, or for a family member their relationship to the children.
 */
export async function auditListed(
  tx: Transaction<DB> | Kysely<DB>,
  actor: Actor,
  place: PlaceSummary,
  list: ChildList,
  participantIds: readonly string[],
  roles: string[] = [...(actor.roles.get(place.id) ?? [])].sort(),
): Promise<void> {
  await recordAuditOfEach(
    tx,
    actor,
    {
      action: 'participant.listed',
      subjectType: 'participant',
      placeId: place.id,
      details: { roles, list },
    },
    [...new Set(participantIds)],
  );
}

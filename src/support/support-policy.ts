import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Actor } from '../platform/auth/actor.ts';
import { can } from '../platform/auth/policy.ts';
import type { DB } from '../platform/db/schema.ts';

/**
 * Who may see which participant, written once. Every participant query in the repositories takes its
 * WHERE condition from `visibleParticipants`, so a page that forgets to check still cannot return a child
 * the viewer may not see.
 *
 * - A link worker sees participants assigned to them or to a team they belong to; and, in programmes whose
 *   teams they belong to, children still identified (for review) and children taken forward but not yet
 *   given a team (so that someone picks them up).
 * - School staff (organisation members of a setting's directory organisation) see identified children of
 *   their own setting, for review only.
 * - Officers set programmes up and read import summaries (counts), never a child's record.
 * - Place admins read who viewed a child (the access log), never the record.
 */
export interface SupportViewer {
  placeId: string;
  userId: string | null;
  linkWorker: boolean;
  /** Directory organisations the viewer is a member of, when they hold the organisation member role. */
  organizationIds: readonly string[];
}

export function supportViewer(
  actor: Actor,
  placeId: string,
  organizationIds: readonly string[],
): SupportViewer {
  return {
    placeId,
    userId: actor.user?.id ?? null,
    linkWorker: can(actor, 'participants.work_with', placeId),
    organizationIds: can(actor, 'participants.review', placeId) ? organizationIds : [],
  };
}

/** Whether the viewer may see any participant at all (the pages show nothing else to the rest). */
export function mayReview(viewer: SupportViewer): boolean {
  return viewer.userId !== null && (viewer.linkWorker || viewer.organizationIds.length > 0);
}

export function visibleParticipants(viewer: SupportViewer) {
  return (eb: ExpressionBuilder<DB, 'participants'>): Expression<SqlBool> => {
    const { placeId, userId } = viewer;
    const ors: Expression<SqlBool>[] = [];
    if (userId && viewer.linkWorker) {
      const myTeams = eb
        .selectFrom('support_team_members as vm')
        .select('vm.team_id')
        .where('vm.place_id', '=', placeId)
        .where('vm.user_id', '=', userId);
      const myProgrammes = eb
        .selectFrom('support_team_members as vm')
        .innerJoin('support_teams as vt', 'vt.id', 'vm.team_id')
        .select('vt.programme_id')
        .where('vm.place_id', '=', placeId)
        .where('vm.user_id', '=', userId);
      ors.push(eb('participants.link_worker_id', '=', userId));
      ors.push(eb('participants.team_id', 'in', myTeams));
      ors.push(
        eb.and([
          eb('participants.programme_id', 'in', myProgrammes),
          eb.or([
            eb('participants.status', '=', 'identified'),
            eb.and([eb('participants.team_id', 'is', null), eb('participants.status', '=', 'approached')]),
          ]),
        ]),
      );
    }
    if (userId && viewer.organizationIds.length > 0) {
      ors.push(
        eb.and([
          eb('participants.status', '=', 'identified'),
          eb(
            'participants.setting_id',
            'in',
            eb
              .selectFrom('support_settings as vs')
              .select('vs.id')
              .where('vs.place_id', '=', placeId)
              .where('vs.organization_id', 'in', [...viewer.organizationIds]),
          ),
        ]),
      );
    }
    return eb.and([
      eb('participants.place_id', '=', placeId),
      ors.length > 0 ? eb.or(ors) : sql<SqlBool>`false`,
    ]);
  };
}

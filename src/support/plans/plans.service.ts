import { today } from '../../participation/processes/phases.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import * as caseloadRepo from '../caseload/caseload.repository.ts';
import { auditParticipant } from '../participant-audit.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import type { SupportDirectory } from '../programmes/programmes.service.ts';
import { applyChange, emptyPlan, nextReview, type PlanChange } from './plan-content.ts';
import { readPlan, toRatingView } from './plan-reader.ts';
import * as repo from './plans.repository.ts';

type Page = { limit: number; offset: number };

export type PlansService = ReturnType<typeof createPlansService>;

/**
 * Support plans co-produced with the family. Every change writes a new, immutable version (the whole plan as
 * JSON) in the transaction that audits it; ratings, comments and sign-offs sit beside the versions and name
 * the version they were made on.
 */
export function createPlansService(deps: {
  db: Database;
  directory: SupportDirectory;
  participants: ParticipantsService;
}) {
  const { db, directory, participants } = deps;

  async function visible(actor: Actor, place: PlaceSummary, id: string) {
    authorise(actor, 'participants.work_with', place.id);
    const viewer = await participants.viewerOf(actor, place);
    const row = await caseloadRepo.findVisible(db, viewer, id);
    if (!row) throw new NotFoundError();
    return { viewer, row };
  }

  return {
    async plan(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      options: {
        version?: number;
        versionsPage: Page;
        commentsPage: Page;
        signoffsPage: Page;
        familyPage: Page;
      },
    ) {
      const { row } = await visible(actor, place, id);
      const plan = await readPlan(db, place, id, options);
      if (!plan) throw new NotFoundError();
      await auditParticipant(db, actor, place, 'participant.viewed', id, {
        page: 'plan',
        version: plan.shownVersion,
      });
      const [family, organisations] = await Promise.all([
        repo.familyOf(db, place.id, id, options.familyPage),
        directory.organizationOptions(place),
      ]);
      const orgName = new Map(organisations.map((o) => [o.id, o.name]));
      return {
        participant: row,
        plan,
        family,
        providerOf: (c: { provider: string; organizationId: string | null }) =>
          (c.organizationId ? orgName.get(c.organizationId) : undefined) ?? (c.provider || 'Not named'),
      };
    },

    /**
     * Every rating of one goal of the child's current plan, a page at a time, oldest first. Audited as a
     * view of the plan.
     */
    async goalRatings(actor: Actor, place: PlaceSummary, id: string, goalId: string, page: Page) {
      const { row } = await visible(actor, place, id);
      const current = await repo.currentPlan(db, place.id, id);
      const goal = current?.content.goals.find((g) => g.id === goalId);
      if (!current || !goal) throw new NotFoundError();
      const ratings = await repo.goalRatings(db, place.id, current.plan.id, goalId, page);
      await auditParticipant(db, actor, place, 'participant.viewed', id, {
        page: 'goal_ratings',
        goalId,
      });
      return {
        participant: row,
        goal,
        ratings: { rows: ratings.rows.map(toRatingView), total: ratings.total },
      };
    },

    /** For a form page: the participant and the current plan, without an audit (the form shows neither). */
    async forForm(actor: Actor, place: PlaceSummary, id: string) {
      const { row } = await visible(actor, place, id);
      const current = await repo.currentPlan(db, place.id, id);
      return { participant: row, content: current?.content ?? emptyPlan() };
    },

    organisationOptions(place: PlaceSummary) {
      return directory.organizationOptions(place);
    },

    /** Applies one change and stores the result as the next version. */
    async change(actor: Actor, place: PlaceSummary, id: string, change: PlanChange): Promise<number> {
      authorise(actor, 'participants.work_with', place.id);
      if (change.kind === 'add_component' && change.organizationId) {
        const organisations = await directory.organizationOptions(place);
        if (!organisations.some((o) => o.id === change.organizationId))
          throw new ValidationError('organizationId', 'Choose an organisation from the directory');
      }
      const viewer = await participants.viewerOf(actor, place);
      return db.transaction().execute(async (tx) => {
        const row = await caseloadRepo.lockVisible(tx, viewer, id);
        if (!row) throw new NotFoundError();
        if (!caseloadRepo.CASELOAD_STATUSES.includes(row.status))
          throw new ValidationError(
            'text',
            'A plan can be changed only for a child taken forward and not yet exited',
          );
        const plan = await repo.lockPlan(tx, place.id, id);
        const current =
          plan.current_version > 0
            ? (await repo.version(tx, place.id, plan.id, plan.current_version))!.content
            : emptyPlan();
        const result = applyChange(current, change);
        if (!result.ok) throw new ValidationError(result.field, result.message);
        const version = plan.current_version + 1;
        await repo.insertVersion(tx, place.id, {
          planId: plan.id,
          version,
          content: result.content,
          summary: result.summary,
          by: actor.user?.id ?? null,
          nextReview: nextReview(result.content, today()),
        });
        await auditParticipant(tx, actor, place, 'participant.plan_changed', id, {
          version,
          change: change.kind,
        });
        return version;
      });
    },

    /** A link worker's rating of a goal with the young person (0–10); the first rating is the baseline. */
    async rateGoal(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      goalId: string,
      rating: number,
      note: string,
    ) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await caseloadRepo.lockVisible(tx, viewer, id);
        if (!row) throw new NotFoundError();
        const current = await repo.currentPlan(tx, place.id, id);
        if (!current?.content.goals.some((g) => g.id === goalId)) throw new NotFoundError();
        const ratingId = await repo.insertRating(tx, place.id, {
          planId: current.plan.id,
          goalId,
          rating,
          by: actor.user?.id ?? null,
          as: 'link_worker',
          note,
        });
        await auditParticipant(tx, actor, place, 'participant.goal_rated', id, { ratingId, goalId });
      });
    },

    /** A link worker's comment on the current version, beside the family's: a reply, or a note for them. */
    async comment(actor: Actor, place: PlaceSummary, id: string, body: string) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await caseloadRepo.lockVisible(tx, viewer, id);
        if (!row) throw new NotFoundError();
        const plan = await repo.planOf(tx, place.id, id);
        if (!plan || plan.current_version === 0) throw new NotFoundError();
        const commentId = await repo.insertComment(tx, place.id, {
          planId: plan.id,
          version: plan.current_version,
          by: actor.user?.id ?? null,
          as: 'link_worker',
          body,
        });
        await auditParticipant(tx, actor, place, 'participant.plan_commented', id, { commentId });
      });
    },
  };
}

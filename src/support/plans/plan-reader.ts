import type { Database } from '../../platform/db/database.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { emptyPlan } from './plan-content.ts';
import * as repo from './plans.repository.ts';
import type { PlanContent, PlanVoice } from './support-plans.table.ts';

/** How many of each goal's latest ratings a plan page shows; the goal's own page shows them all, paged. */
export const RECENT_RATINGS = 10;

export interface RatingView {
  rating: number;
  ratedAs: PlanVoice;
  ratedByName: string | null;
  note: string;
  ratedAt: Date;
}

export interface GoalView {
  id: string;
  text: string;
  /** The latest RECENT_RATINGS ratings, oldest first. */
  ratings: RatingView[];
  /** How many ratings the goal has in all. */
  ratingTotal: number;
  baseline: number | null;
  latest: number | null;
}

export function toRatingView(r: {
  rating: number;
  rated_as: PlanVoice;
  rated_by_name: string | null;
  note: string;
  rated_at: Date;
}): RatingView {
  return {
    rating: r.rating,
    ratedAs: r.rated_as,
    ratedByName: r.rated_by_name,
    note: r.note,
    ratedAt: r.rated_at,
  };
}

type Page = { limit: number; offset: number };

/**
 * A plan as a page shows it: the chosen version (the current one unless asked), each goal with its latest
 * ratings, its baseline (its first rating) and latest rating, the version history and comments, paged, and the sign-offs,
 * paged, when asked for. Callers check access to the participant first (staff through the visibility
 * condition, family through their link).
 */
export async function readPlan(
  db: Database,
  place: PlaceSummary,
  participantId: string,
  options: {
    version?: number;
    versionsPage: Page;
    commentsPage: Page;
    signoffsPage?: Page;
  },
) {
  const plan = await repo.planOf(db, place.id, participantId);
  if (!plan || plan.current_version === 0) {
    return {
      planId: plan?.id ?? null,
      currentVersion: 0,
      shownVersion: 0,
      content: emptyPlan(),
      changedAt: null as Date | null,
      changedByName: null as string | null,
      changeSummary: null as string | null,
      goals: [] as GoalView[],
      versions: { rows: [] as Awaited<ReturnType<typeof repo.versions>>['rows'], total: 0 },
      comments: { rows: [] as Awaited<ReturnType<typeof repo.comments>>['rows'], total: 0 },
      signoffs: { rows: [] as Awaited<ReturnType<typeof repo.signoffs>>['rows'], total: 0 },
    };
  }
  const wanted = options.version ?? plan.current_version;
  const shown = await repo.version(db, place.id, plan.id, wanted);
  if (!shown) return undefined;
  const [ratings, ends, versions, comments, signoffs] = await Promise.all([
    repo.recentRatings(db, place.id, plan.id, RECENT_RATINGS),
    repo.ratingEnds(db, place.id, plan.id),
    repo.versions(db, place.id, plan.id, options.versionsPage),
    repo.comments(db, place.id, plan.id, options.commentsPage),
    options.signoffsPage
      ? repo.signoffs(db, place.id, plan.id, options.signoffsPage)
      : { rows: [] as Awaited<ReturnType<typeof repo.signoffs>>['rows'], total: 0 },
  ]);
  const endsOf = new Map(ends.map((e) => [e.goal_id, e]));
  const content: PlanContent = shown.content;
  const goals = content.goals.map((g): GoalView => {
    // Baseline, latest and the count come from every rating, not only those shown.
    const end = endsOf.get(g.id);
    return {
      ...g,
      ratings: ratings.filter((r) => r.goal_id === g.id).map(toRatingView),
      ratingTotal: end?.total ?? 0,
      baseline: end?.baseline ?? null,
      latest: end?.latest ?? null,
    };
  });
  return {
    planId: plan.id,
    currentVersion: plan.current_version,
    shownVersion: shown.version,
    content,
    changedAt: shown.changed_at,
    changedByName: shown.changed_by_name,
    changeSummary: shown.change_summary,
    goals,
    versions,
    comments,
    signoffs,
  };
}

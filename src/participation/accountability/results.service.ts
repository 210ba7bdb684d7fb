import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { toMinorUnits } from '../budgeting/budgets/budgets.schema.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { FollowTarget } from '../notifications/notifications.table.ts';
import type { DecisionSource, ResultStatus } from './decisions.table.ts';
import { checkTracking, STATUS_LABELS } from './result-rules.ts';
import * as repo from './results.repository.ts';
import type { ResultForm, UpdateForm } from './results.schema.ts';
import { rollUp, wouldCycle } from './rollup.ts';

/** What was asked and where to read it. */
export interface ResultSource {
  kind: DecisionSource;
  kindText: string;
  askedTitle: string;
  /** The proposal, project or recommendation page; null when it is no longer public. */
  href: string | null;
  /** What was decided, in the words of whoever decided it. */
  decided: string;
}

export interface Result {
  id: string;
  title: string;
  source: ResultSource;
  process: { id: string; title: string } | null;
  status: ResultStatus;
  /** Rolled up from the children for a parent; the result's own figure otherwise. */
  progress: number;
  ownProgress: number;
  dropReason: string | null;
  startsOn: string | null;
  endsOn: string | null;
  budgeted: string | null;
  spent: string | null;
  currency: string;
  parentId: string | null;
  decidedAt: Date;
  updatedAt: Date;
  hasChildren: boolean;
  latestUpdate: { body: string; createdAt: Date } | null;
}

export interface TimelineEntry {
  id: string;
  body: string;
  status: ResultStatus;
  progress: number;
  spent: string | null;
  photo: { alt: string } | null;
  createdAt: Date;
  authorName: string;
}

const SOURCE_TEXT: Record<DecisionSource, string> = {
  proposal: 'Proposal',
  budget_project: 'Participatory budget project',
  assembly_recommendation: 'Assembly recommendation',
  manual: 'Programme',
};

const RESPONSE_TEXT: Record<string, string> = { accepted: 'Accepted', partly: 'Partly accepted' };

function sourceOf(place: PlaceSummary, r: repo.ResultRow): ResultSource {
  const base = `/places/${place.slug}`;
  switch (r.source_type) {
    case 'proposal': {
      const visible = r.proposal_status === 'published' || r.proposal_status === 'withdrawn';
      return {
        kind: r.source_type,
        kindText: SOURCE_TEXT.proposal,
        askedTitle: r.proposal_title ?? r.title,
        href: visible ? `${base}/processes/${r.process_id}/proposals/${r.source_id}` : null,
        decided: r.proposal_answer_reason ? `Accepted: ${r.proposal_answer_reason}` : 'Accepted',
      };
    }
    case 'budget_project':
      return {
        kind: r.source_type,
        kindText: SOURCE_TEXT.budget_project,
        askedTitle: r.project_title ?? r.title,
        href: r.project_budget_id ? `${base}/budgets/${r.project_budget_id}/projects/${r.source_id}` : null,
        decided: r.budget_title
          ? `Funded by residents’ votes in ${r.budget_title}`
          : 'Funded by residents’ votes',
      };
    case 'assembly_recommendation':
      return {
        kind: r.source_type,
        kindText: SOURCE_TEXT.assembly_recommendation,
        askedTitle: r.recommendation_title ?? r.title,
        href: r.recommendation_assembly_id
          ? `${base}/assemblies/${r.recommendation_assembly_id}/report`
          : null,
        decided: [RESPONSE_TEXT[r.recommendation_response ?? ''] ?? 'Accepted', r.recommendation_reason]
          .filter(Boolean)
          .join(': '),
      };
    case 'manual':
      return {
        kind: r.source_type,
        kindText: SOURCE_TEXT.manual,
        askedTitle: r.title,
        href: null,
        decided: r.summary,
      };
  }
}

function toResult(
  place: PlaceSummary,
  r: repo.ResultRow,
  rolled: Map<string, number>,
  parents: Set<string>,
  latest?: { body: string; created_at: Date },
): Result {
  return {
    id: r.id,
    title: r.title,
    source: {
      ...sourceOf(place, r),
      // An officer's own words about what was decided come first when given.
      ...(r.summary && r.source_type !== 'manual' ? { decided: r.summary } : {}),
    },
    process: r.process_id && r.process_title ? { id: r.process_id, title: r.process_title } : null,
    status: r.status,
    progress: rolled.get(r.id) ?? r.progress,
    ownProgress: r.progress,
    dropReason: r.drop_reason,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    budgeted: r.budgeted,
    spent: r.spent,
    currency: r.currency,
    parentId: r.parent_id,
    decidedAt: r.decided_at,
    updatedAt: r.updated_at,
    hasChildren: parents.has(r.id),
    latestUpdate: latest ? { body: latest.body, createdAt: latest.created_at } : null,
  };
}

export type ResultsService = ReturnType<typeof createResultsTrackingService>;

export function createResultsTrackingService(deps: { db: Database; notifications: NotificationsService }) {
  const { db, notifications } = deps;

  async function rollups(placeId: string) {
    const nodes = await repo.rollupNodes(db, placeId);
    const rolled = rollUp(
      nodes.map((n) => ({
        id: n.id,
        parentId: n.parent_id,
        progress: n.progress,
        status: n.status,
        budgeted: n.budgeted === null ? null : toMinorUnits(n.budgeted),
      })),
    );
    const parents = new Set(nodes.flatMap((n) => (n.parent_id ? [n.parent_id] : [])));
    return { nodes, rolled, parents };
  }

  /** A result, its parent and, when a page is asked for, that page of its parts. */
  async function loadResult(
    place: PlaceSummary,
    id: string,
    partsPage: { limit: number; offset: number } | null,
  ) {
    const row = await repo.findResult(db, place.id, id);
    if (!row) throw new NotFoundError();
    const { nodes, rolled, parents } = await rollups(place.id);
    const children = partsPage ? await repo.childrenOf(db, place.id, id, partsPage) : null;
    const latest = new Map(
      (await repo.latestUpdates(db, place.id, [id, ...(children?.rows ?? []).map((c) => c.id)])).map((u) => [
        u.decision_id,
        u,
      ]),
    );
    const parentNode = row.parent_id ? nodes.find((n) => n.id === row.parent_id) : undefined;
    return {
      result: toResult(place, row, rolled, parents, latest.get(id)),
      parent: parentNode ? { id: parentNode.id, title: parentNode.title } : null,
      parts: children && {
        rows: children.rows.map((c) => toResult(place, c, rolled, parents, latest.get(c.id))),
        total: children.total,
      },
    };
  }

  function signedIn(actor: Actor) {
    if (!actor.user) throw new ForbiddenError('You need to sign in to do this');
    return actor.user;
  }

  async function checkParent(placeId: string, id: string | null, parentId: string | null) {
    if (parentId === null) return;
    const { nodes } = await rollups(placeId);
    if (!nodes.some((n) => n.id === parentId))
      throw new ValidationError('parentId', 'Select a result from the list');
    if (
      id &&
      wouldCycle(
        nodes.map((n) => ({ id: n.id, parentId: n.parent_id })),
        id,
        parentId,
      )
    ) {
      throw new ValidationError('parentId', 'A result cannot be part of itself or of one of its own parts');
    }
  }

  return {
    canManage(actor: Actor, place: PlaceSummary): boolean {
      return can(actor, 'results.manage', place.id);
    },

    /** The public "you said, we did" list: filtered, paged, each with its rolled-up progress and latest update. */
    async listResults(
      actor: Actor,
      place: PlaceSummary,
      filters: repo.ResultFilters,
      page: { limit: number; offset: number },
    ): Promise<{ results: Result[]; total: number }> {
      authorise(actor, 'place.view', place.id);
      const { rows, total } = await repo.listResults(db, place.id, filters, page);
      const { rolled, parents } = await rollups(place.id);
      const latest = new Map(
        (
          await repo.latestUpdates(
            db,
            place.id,
            rows.map((r) => r.id),
          )
        ).map((u) => [u.decision_id, u]),
      );
      return { results: rows.map((r) => toResult(place, r, rolled, parents, latest.get(r.id))), total };
    },

    processesWithResults(place: PlaceSummary) {
      return repo.processesWithResults(db, place.id);
    },

    /** A result with its parent, for the forms that change it. */
    async getResult(
      actor: Actor,
      place: PlaceSummary,
      id: string,
    ): Promise<{ result: Result; parent: { id: string; title: string } | null }> {
      authorise(actor, 'place.view', place.id);
      const { result, parent } = await loadResult(place, id, null);
      return { result, parent };
    },

    /**
     * A result's page: the result, its parent and one page of its parts with how many there are. Progress,
     * the result's and each part's, is rolled up from every result of the place, never from the page shown.
     */
    async resultPage(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      partsPage: { limit: number; offset: number },
    ): Promise<{
      result: Result;
      parent: { id: string; title: string } | null;
      parts: { rows: Result[]; total: number };
    }> {
      authorise(actor, 'place.view', place.id);
      const { result, parent, parts } = await loadResult(place, id, partsPage);
      return { result, parent, parts: parts ?? { rows: [], total: 0 } };
    },

    async timeline(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      page: { limit: number; offset: number },
    ): Promise<{ entries: TimelineEntry[]; total: number }> {
      authorise(actor, 'place.view', place.id);
      const { rows, total } = await repo.listUpdates(db, place.id, id, page);
      return {
        total,
        entries: rows.map((u) => ({
          id: u.id,
          body: u.body,
          status: u.status,
          progress: u.progress,
          spent: u.spent,
          photo: u.photo_type && u.photo_alt ? { alt: u.photo_alt } : null,
          createdAt: u.created_at,
          authorName: u.author_name ?? 'An officer',
        })),
      };
    },

    async photo(actor: Actor, place: PlaceSummary, id: string, updateId: string) {
      authorise(actor, 'place.view', place.id);
      const row = await repo.findPhoto(db, place.id, id, updateId);
      if (!row?.photo || !row.photo_type) throw new NotFoundError();
      return { contentType: row.photo_type, bytes: row.photo };
    },

    /** Results an officer may choose as a parent: any of the place except the result itself and its parts. */
    async parentOptions(actor: Actor, place: PlaceSummary, excludeId?: string) {
      authorise(actor, 'results.manage', place.id);
      const { nodes } = await rollups(place.id);
      const links = nodes.map((n) => ({ id: n.id, parentId: n.parent_id }));
      return nodes
        .filter((n) => !excludeId || !wouldCycle(links, excludeId, n.id))
        .map((n) => ({ id: n.id, title: n.title }));
    },

    /** A result made by hand, such as a programme of works that groups projects. */
    async createResult(
      actor: Actor,
      place: PlaceSummary,
      form: ResultForm,
      processId: string | null = null,
    ): Promise<string> {
      authorise(actor, 'results.manage', place.id);
      await checkParent(place.id, null, form.parentId);
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertManualResult(tx, place.id, { ...form, processId });
        await recordAudit(tx, actor, {
          action: 'result.created',
          subjectType: 'result',
          subjectId: id,
          placeId: place.id,
          details: { title: form.title, parentId: form.parentId },
        });
        return id;
      });
    },

    async editResult(actor: Actor, place: PlaceSummary, id: string, form: ResultForm): Promise<void> {
      authorise(actor, 'results.manage', place.id);
      await checkParent(place.id, id, form.parentId);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockResult(tx, place.id, id);
        if (!row) throw new NotFoundError();
        await repo.updateDetails(tx, place.id, id, form);
        await recordAudit(tx, actor, {
          action: 'result.edited',
          subjectType: 'result',
          subjectId: id,
          placeId: place.id,
          details: { ...form },
        });
      });
    },

    /**
     * An officer's update: text, the status and progress it leaves the result at, money spent and an
     * optional photo, in one transaction with its audit entry and the followers' notifications. Followers of
     * the source proposal (its author follows it from the start) are told too.
     */
    async postUpdate(actor: Actor, place: PlaceSummary, id: string, form: UpdateForm): Promise<string> {
      authorise(actor, 'results.manage', place.id);
      const user = signedIn(actor);
      const checked = checkTracking(form);
      if (!checked.ok) throw new ValidationError(checked.field, checked.message);
      const { tracking } = checked;
      return db.transaction().execute(async (tx) => {
        const row = await repo.lockResult(tx, place.id, id);
        if (!row) throw new NotFoundError();
        const source = await repo.findResult(tx, place.id, id);
        const updateId = await repo.insertUpdate(tx, {
          placeId: place.id,
          decisionId: id,
          authorId: user.id,
          body: form.body,
          status: tracking.status,
          progress: tracking.progress,
          dropReason: tracking.dropReason,
          spent: form.spent ?? row.spent,
          photo: form.photo,
        });
        await recordAudit(tx, actor, {
          action: 'result.update_posted',
          subjectType: 'result',
          subjectId: id,
          placeId: place.id,
          details: {
            updateId,
            from: { status: row.status, progress: row.progress },
            to: { status: tracking.status, progress: tracking.progress },
            photo: form.photo !== undefined,
          },
        });
        const targets: { type: FollowTarget; id: string }[] = [{ type: 'result', id }];
        const proposalId =
          source?.source_type === 'proposal' ? source.source_id : (source?.project_proposal_id ?? null);
        if (proposalId) targets.push({ type: 'proposal', id: proposalId });
        await notifications.notifyFollowers(tx, targets, user.id, {
          placeId: place.id,
          kind: 'result.updated',
          title: `Update on “${row.title}”: ${STATUS_LABELS[tracking.status].text}, ${tracking.progress}% done`,
          body: form.body,
          link: `/places/${place.slug}/results/${id}`,
        });
        return updateId;
      });
    },

    async isFollowing(actor: Actor, place: PlaceSummary, id: string): Promise<boolean | undefined> {
      if (!actor.user) return undefined;
      return notifications.isFollowing({
        placeId: place.id,
        userId: actor.user.id,
        targetType: 'result',
        targetId: id,
      });
    },

    async setFollowing(actor: Actor, place: PlaceSummary, id: string, follow: boolean): Promise<void> {
      const user = signedIn(actor);
      authorise(actor, 'place.view', place.id);
      if (!(await repo.findResult(db, place.id, id))) throw new NotFoundError();
      const f = { placeId: place.id, userId: user.id, targetType: 'result' as const, targetId: id };
      await db.transaction().execute(async (tx) => {
        const was = await notifications.isFollowing(f, tx);
        if (was === follow) return;
        if (follow) await notifications.follow(tx, f);
        else await notifications.unfollowIn(tx, f);
        await recordAudit(tx, actor, {
          action: follow ? 'notifications.followed' : 'notifications.unfollowed',
          subjectType: 'result',
          subjectId: id,
          placeId: place.id,
        });
      });
    },
  };
}

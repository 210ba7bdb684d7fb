import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import type { Assembly } from '../assemblies/assemblies.service.ts';
import type { RecommendationResponse } from '../assemblies.table.ts';
import * as repo from './work.repository.ts';

export const RESPONSE_LABELS: Record<RecommendationResponse, string> = {
  accepted: 'Accepted',
  partly: 'Partly accepted',
  not_accepted: 'Not accepted',
};

export type WorkService = ReturnType<typeof createWorkService>;

/** The assembly at work: sessions, documents, its recommendations and the official response to each. */
export function createWorkService(deps: { db: Database }) {
  const { db } = deps;

  const audit = (
    tx: Parameters<typeof recordAudit>[0],
    actor: Actor,
    place: PlaceSummary,
    action: Parameters<typeof recordAudit>[2]['action'],
    subjectId: string,
    details: Record<string, unknown>,
  ) => recordAudit(tx, actor, { action, subjectType: 'assembly', subjectId, placeId: place.id, details });

  return {
    /** Public: everything here is published material. */
    async overview(place: PlaceSummary, assembly: Assembly) {
      const [sessions, documents, recommendations] = await Promise.all([
        repo.sessions(db, place.id, assembly.id),
        repo.documents(db, place.id, assembly.id),
        repo.recommendations(db, place.id, assembly.id),
      ]);
      return {
        sessions,
        documents,
        recommendations: recommendations.map((r) => ({
          ...r,
          responseLabel: r.response ? RESPONSE_LABELS[r.response] : null,
        })),
      };
    },

    /** The officers' page: the recommendations a page at a time, with the sessions and documents. */
    async workPage(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const [sessions, documents, recommendations] = await Promise.all([
        repo.sessions(db, place.id, assembly.id),
        repo.documents(db, place.id, assembly.id),
        repo.recommendationsPage(db, place.id, assembly.id, page),
      ]);
      return {
        sessions,
        documents,
        recommendations: recommendations.rows.map((r) => ({
          ...r,
          responseLabel: r.response ? RESPONSE_LABELS[r.response] : null,
        })),
        total: recommendations.total,
      };
    },

    async recommendation(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const row = await repo.recommendation(db, place.id, assembly.id, id);
      if (!row) throw new NotFoundError();
      return row;
    },

    async addSession(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      s: { heldOn: string; location: string; agenda: string },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertSession(tx, { ...s, placeId: place.id, assemblyId: assembly.id });
        await audit(tx, actor, place, 'assembly.session_added', assembly.id, {
          session: id,
          heldOn: s.heldOn,
        });
        return id;
      });
    },

    async addDocument(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      d: { title: string; url: string | null; filename: string | null; content: Buffer | null },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertDocument(tx, { ...d, placeId: place.id, assemblyId: assembly.id });
        await audit(tx, actor, place, 'assembly.document_added', assembly.id, {
          document: id,
          title: d.title,
        });
        return id;
      });
    },

    async documentFile(place: PlaceSummary, assembly: Assembly, id: string) {
      const row = await repo.documentFile(db, place.id, assembly.id, id);
      if (!row?.content) throw new NotFoundError();
      return { filename: row.filename ?? 'document.pdf', content: row.content };
    },

    async publishRecommendation(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      r: { title: string; body: string },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertRecommendation(tx, { ...r, placeId: place.id, assemblyId: assembly.id });
        await audit(tx, actor, place, 'assembly.recommendation_published', assembly.id, {
          recommendation: id,
        });
        return id;
      });
    },

    /** The official response; accepted and partly accepted recommendations are kept as decisions. */
    async respond(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      id: string,
      r: { response: RecommendationResponse; reason: string },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const rec = await repo.findRecommendation(tx, place.id, assembly.id, id);
        if (!rec) throw new NotFoundError();
        await repo.respond(tx, place.id, id, { ...r, by: actor.user?.id ?? null });
        if (r.response === 'not_accepted') await repo.dropDecision(tx, place.id, id);
        else await repo.keepDecision(tx, place.id, id, rec.title);
        await audit(tx, actor, place, 'assembly.recommendation_answered', assembly.id, {
          recommendation: id,
          response: r.response,
        });
      });
    },
  };
}

import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { AppError, NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { decisionHasHistory, keepDecision, withdrawDecision } from '../../accountability/decisions.ts';
import type { Assembly } from '../assemblies/assemblies.service.ts';
import type { RecommendationResponse } from '../assemblies.table.ts';
import * as repo from './work.repository.ts';

export const RESPONSE_LABELS: Record<RecommendationResponse, string> = {
  accepted: 'Accepted',
  partly: 'Partly accepted',
  not_accepted: 'Not accepted',
};

export type WorkService = ReturnType<typeof createWorkService>;

type PageRequest = { limit: number; offset: number };
export interface WorkPages {
  sessions: PageRequest;
  documents: PageRequest;
  recommendations: PageRequest;
}

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

  async function lists(place: PlaceSummary, assembly: Assembly, pages: WorkPages) {
    const [sessions, documents, recommendations] = await Promise.all([
      repo.sessionsPage(db, place.id, assembly.id, pages.sessions),
      repo.documentsPage(db, place.id, assembly.id, pages.documents),
      repo.recommendationsPage(db, place.id, assembly.id, pages.recommendations),
    ]);
    return {
      sessions: sessions.rows,
      sessionsTotal: sessions.total,
      documents: documents.rows,
      documentsTotal: documents.total,
      recommendations: recommendations.rows.map((r) => ({
        ...r,
        responseLabel: r.response ? RESPONSE_LABELS[r.response] : null,
      })),
      recommendationsTotal: recommendations.total,
    };
  }

  return {
    /** Public: everything here is published material. Each list pages on its own. */
    async overview(place: PlaceSummary, assembly: Assembly, pages: WorkPages) {
      return lists(place, assembly, pages);
    },

    /** The officers' page: the same lists, each a page at a time, with links to change them. */
    async workPage(actor: Actor, place: PlaceSummary, assembly: Assembly, pages: WorkPages) {
      authorise(actor, 'assemblies.manage', place.id);
      return lists(place, assembly, pages);
    },

    async session(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const row = await repo.session(db, place.id, assembly.id, id);
      if (!row) throw new NotFoundError();
      return row;
    },

    async document(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const row = await repo.document(db, place.id, assembly.id, id);
      if (!row) throw new NotFoundError();
      return { ...row, hasFile: row.url === null };
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
        const source = { placeId: place.id, sourceType: 'assembly_recommendation' as const, sourceId: id };
        if (r.response === 'not_accepted')
          await withdrawDecision(tx, { ...source, reason: 'the response is now “Not accepted”' });
        else await keepDecision(tx, { ...source, processId: null, title: rec.title });
        await audit(tx, actor, place, 'assembly.recommendation_answered', assembly.id, {
          recommendation: id,
          response: r.response,
        });
      });
    },
    async changeSession(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      id: string,
      s: { heldOn: string; location: string; agenda: string },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        if (!(await repo.updateSession(tx, place.id, assembly.id, id, s))) throw new NotFoundError();
        await audit(tx, actor, place, 'assembly.session_changed', assembly.id, {
          session: id,
          heldOn: s.heldOn,
        });
      });
    },

    async deleteSession(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const gone = await repo.deleteSession(tx, place.id, assembly.id, id);
        if (!gone) throw new NotFoundError();
        await audit(tx, actor, place, 'assembly.session_deleted', assembly.id, {
          session: id,
          heldOn: gone.held_on,
        });
      });
    },

    /**
     * Changes a document. With neither a web address nor a new PDF, an uploaded PDF is kept as it is; a
     * document that was a link needs its web address (the form shows it, so it comes back unless cleared).
     */
    async changeDocument(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      id: string,
      d: { title: string; url: string | null; filename: string | null; content: Buffer | null },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const current = await repo.document(tx, place.id, assembly.id, id);
        if (!current) throw new NotFoundError();
        const keep = d.url === null && d.content === null;
        if (keep && current.url !== null) {
          throw new ValidationError('url', 'Enter a web address or choose a PDF to upload');
        }
        await repo.updateDocument(tx, place.id, assembly.id, id, {
          title: d.title,
          file: keep ? 'keep' : { url: d.url, filename: d.filename, content: d.content },
        });
        await audit(tx, actor, place, 'assembly.document_changed', assembly.id, {
          document: id,
          title: d.title,
          file: keep ? 'kept' : d.url ? 'link' : 'uploaded',
        });
      });
    },

    async deleteDocument(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const gone = await repo.deleteDocument(tx, place.id, assembly.id, id);
        if (!gone) throw new NotFoundError();
        await audit(tx, actor, place, 'assembly.document_deleted', assembly.id, {
          document: id,
          title: gone.title,
        });
      });
    },

    /** Corrects a recommendation's wording; a decision kept for it takes the new title. */
    async changeRecommendation(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      id: string,
      r: { title: string; body: string },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const rec = await repo.findRecommendation(tx, place.id, assembly.id, id);
        if (!rec) throw new NotFoundError();
        await repo.updateRecommendation(tx, place.id, id, r);
        if (rec.response === 'accepted' || rec.response === 'partly') {
          await keepDecision(tx, {
            placeId: place.id,
            sourceType: 'assembly_recommendation',
            sourceId: id,
            processId: null,
            title: r.title,
          });
        }
        await audit(tx, actor, place, 'assembly.recommendation_changed', assembly.id, {
          recommendation: id,
          title: r.title,
        });
      });
    },

    /**
     * Deletes a recommendation and, if its response made it a decision, that decision too, in one
     * transaction: a decision about a recommendation that no longer exists could never be followed up.
     * Once its result has a history (updates, or parts under it) it is refused: that history is public
     * accountability, and answering "not accepted" keeps it, marked dropped. The audit keeps the title and
     * the response, so what was removed stays on record.
     */
    async deleteRecommendation(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      return db.transaction().execute(async (tx) => {
        const rec = await repo.findRecommendation(tx, place.id, assembly.id, id);
        if (!rec) throw new NotFoundError();
        const source = { placeId: place.id, sourceType: 'assembly_recommendation' as const, sourceId: id };
        if (await decisionHasHistory(tx, source)) {
          throw new AppError(
            409,
            'result_has_history',
            'This recommendation’s result already has progress updates, so it cannot be deleted. Answer it as not accepted instead: its result is then marked dropped and its history stays public.',
          );
        }
        const decisionRemoved = (await withdrawDecision(tx, { ...source, reason: 'deleted' })) === 'removed';
        await repo.deleteRecommendation(tx, place.id, id);
        await audit(tx, actor, place, 'assembly.recommendation_deleted', assembly.id, {
          recommendation: id,
          title: rec.title,
          response: rec.response,
          decisionRemoved,
        });
        return { title: rec.title, decisionRemoved };
      });
    },
  };
}

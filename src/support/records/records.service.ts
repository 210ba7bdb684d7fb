import { randomUUID } from 'node:crypto';
import { today as londonToday } from '../../participation/processes/phases.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { auditParticipant } from '../participant-audit.ts';
import * as repo from './records.repository.ts';
import type { ErasedBy } from './records.table.ts';
import { EXPORT_FORMAT, idsMentioned, plain, type SubjectAccessExport } from './subject-access.ts';

export type RecordsService = ReturnType<typeof createRecordsService>;

export interface ErasureReport {
  dryRun: boolean;
  today: string;
  /** Children erased (or, in a dry run, who would be). */
  erased: number;
  /** Children past their retention period but kept because of a legal hold. */
  held: number;
  failed: { participantId: string; error: string }[];
  places: {
    place: string;
    programmes: {
      programmeId: string;
      programme: string;
      retentionYears: number;
      exited: number;
      notTakenForward: number;
      neverReviewed: number;
      participantIds: string[];
    }[];
  }[];
}

/** The erasure run as the audit trail sees it: no person acts, the rule does. */
const systemActor = (runId: string): Pick<Actor, 'user' | 'requestId'> => ({
  user: null,
  requestId: `erasure-${runId}`,
});

/**
 * Subject access, legal hold and erasure by retention rule. Place admins answer subject access requests
 * and set holds: both are explicit, audited actions with a reason kept in its own table (never in the
 * audit trail, whose details hold only ids). Erasure runs without a person, from the command or the
 * schedule, one transaction per child.
 */
export function createRecordsService(deps: { db: Database }) {
  const { db } = deps;

  const audit = auditParticipant;

  async function labelOf(place: PlaceSummary, id: string) {
    const label = await repo.participantLabel(db, place.id, id);
    if (!label) throw new NotFoundError();
    return label;
  }

  return {
    /** The child's records page for a place admin: which child, and the holds, but nothing of the record. */
    async overview(actor: Actor, place: PlaceSummary, id: string) {
      authorise(actor, 'participants.subject_access', place.id);
      const label = await labelOf(place, id);
      const holds = await repo.holdsOf(db, place.id, id);
      return { label, holds, liveHold: holds.find((h) => h.lifted_at === null) ?? null };
    },

    async requestSubjectAccess(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      reason: string,
    ): Promise<string> {
      authorise(actor, 'participants.subject_access', place.id);
      return db.transaction().execute(async (tx) => {
        if (!(await repo.lockParticipant(tx, place.id, id))) throw new NotFoundError();
        const requestId = await repo.insertSubjectAccessRequest(tx, place.id, {
          participantId: id,
          reason,
          requestedBy: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.subject_access_requested', id, { requestId });
        return requestId;
      });
    },

    /**
     * Everything held on the child, gathered in one place. Only the admin who made the request may read
     * its export, and every read (page or download) is audited.
     */
    async subjectAccessExport(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      requestId: string,
      format: 'page' | 'json',
    ): Promise<SubjectAccessExport> {
      authorise(actor, 'participants.subject_access', place.id);
      const request = await repo.findSubjectAccessRequest(db, place.id, id, requestId);
      if (!request || request.requested_by !== actor.user?.id) throw new NotFoundError();
      const label = await labelOf(place, id);
      await audit(db, actor, place, 'participant.subject_access_exported', id, { requestId, format });
      return gatherExport(place, label, request);
    },

    async setLegalHold(actor: Actor, place: PlaceSummary, id: string, reason: string): Promise<void> {
      authorise(actor, 'participants.legal_hold', place.id);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockParticipant(tx, place.id, id);
        if (!row) throw new NotFoundError();
        if (row.legal_hold)
          throw new ValidationError('reason', 'This child’s record is already on legal hold');
        const holdId = await repo.setHold(tx, place.id, {
          participantId: id,
          reason,
          by: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.legal_hold_set', id, { holdId });
      });
    },

    async liftLegalHold(actor: Actor, place: PlaceSummary, id: string, reason: string): Promise<void> {
      authorise(actor, 'participants.legal_hold', place.id);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockParticipant(tx, place.id, id);
        if (!row) throw new NotFoundError();
        const holdId = row.legal_hold
          ? await repo.liftHold(tx, place.id, { participantId: id, reason, by: actor.user?.id ?? null })
          : undefined;
        if (!holdId) throw new ValidationError('reason', 'This child’s record is not on legal hold');
        await audit(tx, actor, place, 'participant.legal_hold_lifted', id, { holdId });
      });
    },

    /**
     * Erases every child whose retention period has run out, in every place or one. Each child is erased
     * in a transaction of its own that checks the rule (and the hold) again under a row lock, so a hold set
     * while the run is going still wins. A failure leaves that child whole and the run carries on.
     */
    async eraseDue(options: {
      dryRun: boolean;
      placeSlug?: string;
      today?: string;
      erasedBy: ErasedBy;
    }): Promise<ErasureReport> {
      const today = options.today ?? londonToday();
      const runId = randomUUID();
      const places = await repo.placesForErasure(db, options.placeSlug);
      if (options.placeSlug !== undefined && places.length === 0) {
        throw new NotFoundError(`There is no place “${options.placeSlug}”`);
      }
      const report: ErasureReport = {
        dryRun: options.dryRun,
        today,
        erased: 0,
        held: 0,
        failed: [],
        places: [],
      };
      for (const place of places) {
        const candidates = await repo.erasureCandidates(db, place.id, today);
        report.held += await repo.heldPastRetention(db, place.id, today);
        const programmes = new Map<string, ErasureReport['places'][number]['programmes'][number]>();
        for (const c of candidates) {
          if (!options.dryRun) {
            try {
              const erased = await db.transaction().execute(async (tx) => {
                if (!(await repo.lockIfStillDue(tx, place.id, c.id, today))) return false;
                await repo.eraseParticipant(tx, place.id, c.id);
                await repo.logErasure(tx, place.id, {
                  programmeId: c.programmeId,
                  basis: c.basis,
                  retentionYears: c.retentionYears,
                  erasedBy: options.erasedBy,
                });
                await recordAudit(tx, systemActor(runId), {
                  action: 'participant.erased',
                  subjectType: 'participant',
                  subjectId: c.id,
                  placeId: place.id,
                  details: {
                    programmeId: c.programmeId,
                    basis: c.basis,
                    retentionYears: c.retentionYears,
                    erasedBy: options.erasedBy,
                  },
                });
                return true;
              });
              if (!erased) continue;
            } catch (error) {
              report.failed.push({
                participantId: c.id,
                error: error instanceof Error ? error.message : String(error),
              });
              continue;
            }
          }
          report.erased += 1;
          const entry = programmes.get(c.programmeId) ?? {
            programmeId: c.programmeId,
            programme: c.programmeName,
            retentionYears: c.retentionYears,
            exited: 0,
            notTakenForward: 0,
            neverReviewed: 0,
            participantIds: [],
          };
          if (c.basis === 'exited') entry.exited += 1;
          else if (c.basis === 'not_taken_forward') entry.notTakenForward += 1;
          else entry.neverReviewed += 1;
          entry.participantIds.push(c.id);
          programmes.set(c.programmeId, entry);
        }
        if (programmes.size > 0)
          report.places.push({ place: place.slug, programmes: [...programmes.values()] });
      }
      return report;
    },

    /** The daily run inside the server; `start` runs once soon after start-up, then every interval. */
    erasureSchedule(options: {
      intervalMs?: number;
      firstRunMs?: number;
      log: {
        info: (details: object, message: string) => void;
        error: (details: object, message: string) => void;
      };
    }) {
      const intervalMs = options.intervalMs ?? 24 * 60 * 60_000;
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> | undefined;
      let stopped = false;
      const run = () => {
        if (running || stopped) return;
        running = this.eraseDue({ dryRun: false, erasedBy: 'schedule' })
          .then((report) => options.log.info({ erasure: report }, 'erasure by retention rule'))
          .catch((error) => options.log.error({ err: error }, 'erasure by retention rule failed'))
          .finally(() => {
            running = undefined;
          });
      };
      return {
        start() {
          stopped = false;
          timer = setTimeout(function tick() {
            run();
            timer = setTimeout(tick, intervalMs);
            timer.unref();
          }, options.firstRunMs ?? 60_000);
          timer.unref();
        },
        async stop() {
          stopped = true;
          if (timer) clearTimeout(timer);
          await running;
        },
      };
    },
  };

  async function gatherExport(
    place: PlaceSummary,
    label: NonNullable<Awaited<ReturnType<typeof repo.participantLabel>>>,
    request: NonNullable<Awaited<ReturnType<typeof repo.findSubjectAccessRequest>>>,
  ): Promise<SubjectAccessExport> {
    const [tables, log] = await Promise.all([
      repo.gatherParticipantTables(db, place.id, label.id),
      repo.accessLog(db, place.id, label.id),
    ]);
    const names = await repo.namesFor(db, place.id, idsMentioned(tables));
    return {
      format: EXPORT_FORMAT,
      generatedAt: new Date().toISOString(),
      place: { name: place.name, slug: place.slug },
      request: {
        id: request.id,
        reason: request.reason,
        requestedBy: request.requested_by_name,
        requestedAt: request.requested_at.toISOString(),
      },
      about: {
        reference: label.reference,
        programme: label.programme_name,
        cohort: label.cohort_name,
        setting: label.setting_name,
      },
      tables: plain(tables) as SubjectAccessExport['tables'],
      names,
      accessLog: log.map((e) => ({
        at: e.occurred_at.toISOString(),
        who: e.actor_name,
        roles: Array.isArray(e.details.roles) ? (e.details.roles as string[]) : [],
        action: e.action,
      })),
    };
  }
}

import type { z } from 'zod';
import { today } from '../../participation/processes/phases.ts';
import { findAuditEvents } from '../../platform/audit/audit.repository.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { auditListed, auditParticipant } from '../participant-audit.ts';
import type { SupportDirectory } from '../programmes/programmes.service.ts';
import type { IndicatorDomain, ParticipantStatus } from '../support.table.ts';
import { mayReview, type SupportViewer, supportViewer } from '../support-policy.ts';
import { checkTransition, isOpen } from './enrolment.ts';
import * as repo from './participants.repository.ts';
import type {
  agreementSchema,
  DataItem,
  lawfulBasisSchema,
  sharingSchema,
  withdrawalSchema,
} from './participants.schema.ts';

export type ParticipantsService = ReturnType<typeof createParticipantsService>;

type Page = { limit: number; offset: number };

/** The lists on a participant's record, each with its own page (and query parameter of the same name). */
export const RECORD_LISTS = [
  'stagesPage',
  'assignmentsPage',
  'agreementsPage',
  'lawfulBasesPage',
  'sharingPage',
] as const;
export type RecordPages = Record<(typeof RECORD_LISTS)[number], Page>;

type Row = NonNullable<Awaited<ReturnType<typeof repo.findParticipant>>>;

export interface ParticipantRecord {
  id: string;
  programmeId: string;
  programmeName: string;
  cohortName: string;
  settingName: string;
  reference: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string | null;
  yearGroup: number | null;
  measures: Record<string, string> | null;
  flaggedDomains: IndicatorDomain[];
  flagCount: number;
  status: ParticipantStatus;
  decidedAt: Date | null;
  teamId: string | null;
  teamName: string | null;
  linkWorkerId: string | null;
  linkWorkerName: string | null;
}

function toRecord(row: Row): ParticipantRecord {
  return {
    id: row.id,
    programmeId: row.programme_id,
    programmeName: row.programme_name,
    cohortName: row.cohort_name,
    settingName: row.setting_name,
    reference: row.reference,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
    yearGroup: row.year_group,
    measures: row.measures,
    flaggedDomains: row.flagged_domains ?? [],
    flagCount: row.flag_count,
    status: row.status,
    decidedAt: row.decided_at,
    teamId: row.team_id,
    teamName: row.team_name,
    linkWorkerId: row.link_worker_id,
    linkWorkerName: row.link_worker_name,
  };
}

/**
 * Participants: review of identified children, the enrolment state machine, agreements, lawful bases,
 * sharing decisions and assignment. Every query is limited by `visibleParticipants` (support-policy.ts);
 * every read of a record and every change is audited with the participant as subject.
 */
export function createParticipantsService(deps: { db: Database; directory: SupportDirectory }) {
  const { db, directory } = deps;

  async function viewerOf(actor: Actor, place: PlaceSummary): Promise<SupportViewer> {
    const held = actor.roles.get(place.id);
    const organizationIds =
      actor.user && held?.has('organisation_member')
        ? await directory.memberOrganizationIds(actor, place)
        : [];
    return supportViewer(actor, place.id, organizationIds);
  }

  /** Locks a participant the viewer may see, or 404: guessing an id reveals nothing. */
  async function locked(tx: Parameters<typeof repo.lockParticipant>[0], viewer: SupportViewer, id: string) {
    const row = await repo.lockParticipant(tx, viewer, id);
    if (!row) throw new NotFoundError();
    return row;
  }

  const audit = auditParticipant;

  return {
    viewerOf,

    async mayReview(actor: Actor, place: PlaceSummary): Promise<boolean> {
      return mayReview(await viewerOf(actor, place));
    },

    async reviewList(
      actor: Actor,
      place: PlaceSummary,
      cohortId: string,
      settingId: string | undefined,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'participants.review', place.id);
      const viewer = await viewerOf(actor, place);
      const { rows, total } = await repo.reviewList(db, viewer, cohortId, settingId, page);
      await auditListed(
        db,
        actor,
        place,
        'review',
        rows.map((r) => r.id),
      );
      return {
        children: rows.map((r) => ({
          id: r.id,
          reference: r.reference,
          givenName: r.given_name,
          familyName: r.family_name,
          flagCount: r.flag_count,
          flaggedDomains: r.flagged_domains ?? [],
          settingName: r.setting_name,
        })),
        total,
      };
    },

    async settingsOfCohort(place: PlaceSummary, cohortId: string) {
      return repo.settingsOfCohort(db, place.id, cohortId);
    },

    /**
     * A participant's record: 404 unless the viewer may see it; every read is audited. Each list on it is
     * paged on its own.
     */
    async record(actor: Actor, place: PlaceSummary, id: string, pages: RecordPages) {
      authorise(actor, 'participants.review', place.id);
      const viewer = await viewerOf(actor, place);
      const row = await repo.findParticipant(db, viewer, id);
      if (!row) throw new NotFoundError();
      await audit(db, actor, place, 'participant.viewed', id);
      const record = toRecord(row);
      // School staff review identified children only; the rest of the record is for link workers.
      if (!viewer.linkWorker) {
        return { record, worker: false as const };
      }
      const [transitions, assignments, agreements, lawfulBases, sharing, hasLiveAgreement, organisations] =
        await Promise.all([
          repo.transitions(db, viewer, id, pages.stagesPage),
          repo.assignments(db, viewer, id, pages.assignmentsPage),
          repo.agreements(db, viewer, id, pages.agreementsPage),
          repo.lawfulBases(db, viewer, id, pages.lawfulBasesPage),
          repo.sharingDecisions(db, viewer, id, pages.sharingPage),
          repo.hasLiveAgreement(db, viewer, id),
          directory.organizationOptions(place),
        ]);
      const orgName = new Map(organisations.map((o) => [o.id, o.name]));
      return {
        record,
        worker: true as const,
        transitions,
        assignments,
        agreements,
        lawfulBases,
        hasLiveAgreement,
        sharing: {
          rows: sharing.rows.map((s) => ({
            ...s,
            organizationName: orgName.get(s.organization_id) ?? 'An organisation',
          })),
          total: sharing.total,
        },
      };
    },

    /** A participant for a form page (no audit: the form shows only the reference and name). */
    async forForm(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      capability: 'participants.review' | 'participants.work_with' = 'participants.work_with',
    ) {
      authorise(actor, capability, place.id);
      const viewer = await viewerOf(actor, place);
      const row = await repo.findParticipant(db, viewer, id);
      if (!row) throw new NotFoundError();
      return toRecord(row);
    },

    /**
     * A reviewer's decision on an identified child. Taken forward keeps the name, date of birth and the
     * domains flagged (the reasons for the approach) but deletes the measures; not taken forward keeps only
     * the reference, cohort, setting, decision and date.
     */
    async decide(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      decision: 'approached' | 'not_taken_forward',
      reason: string,
    ): Promise<void> {
      authorise(actor, 'participants.review', place.id);
      const viewer = await viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, viewer, id);
        const check = checkTransition(row.status, decision, { reason, hasLiveAgreement: false });
        if (!check.ok) throw new ValidationError('decision', check.message);
        await repo.recordDecision(tx, place.id, id, decision);
        await repo.insertTransition(tx, place.id, {
          participantId: id,
          from: row.status,
          to: decision,
          reason,
          actorId: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.reviewed', id, { from: row.status, to: decision });
        // A link worker who takes a child forward takes them into their own team's caseload.
        if (decision === 'approached' && viewer.linkWorker && actor.user) {
          const mine = await repo.teamOfMember(tx, place.id, row.programme_id, actor.user.id);
          if (mine) {
            await repo.assign(tx, place.id, {
              participantId: id,
              teamId: mine.id,
              linkWorkerId: actor.user.id,
              assignedBy: actor.user.id,
            });
            await audit(tx, actor, place, 'participant.assigned', id, {
              teamId: mine.id,
              linkWorkerId: actor.user.id,
            });
          }
        }
      });
    },

    async transition(actor: Actor, place: PlaceSummary, id: string, to: ParticipantStatus, reason: string) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, viewer, id);
        if (row.status === 'identified') {
          throw new ValidationError('to', 'Review the child first: take them forward or not');
        }
        const check = checkTransition(row.status, to, {
          reason,
          hasLiveAgreement: await repo.hasLiveAgreement(tx, viewer, id),
        });
        if (!check.ok) throw new ValidationError(check.field, check.message);
        await repo.setStatus(tx, place.id, id, to, to === 'exited' ? today() : null);
        await repo.insertTransition(tx, place.id, {
          participantId: id,
          from: row.status,
          to,
          reason,
          actorId: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.transitioned', id, { from: row.status, to });
      });
    },

    async recordAgreement(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      form: z.output<typeof agreementSchema>,
    ) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, viewer, id);
        if (!isOpen(row.status)) {
          throw new ValidationError(
            'givenBy',
            'Agreement can be recorded only once a child has been taken forward and before exit',
          );
        }
        const agreementId = await repo.insertAgreement(tx, place.id, {
          participantId: id,
          ...form,
          recordedBy: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.agreement_recorded', id, {
          agreementId,
          givenBy: form.givenBy,
        });
      });
    },

    /** Withdrawal stops sharing at once: every live sharing decision is withdrawn in the same transaction. */
    async withdrawAgreement(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      form: z.output<typeof withdrawalSchema>,
    ) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        await locked(tx, viewer, id);
        const result = await repo.withdrawAgreement(tx, place.id, {
          participantId: id,
          agreementId: form.agreementId,
          reason: form.reason,
          by: actor.user?.id ?? null,
        });
        if (!result) throw new ValidationError('reason', 'That agreement has already been withdrawn');
        await audit(tx, actor, place, 'participant.agreement_withdrawn', id, {
          agreementId: form.agreementId,
          sharingDecisionsWithdrawn: result.sharingWithdrawn,
        });
      });
    },

    async recordLawfulBasis(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      form: z.output<typeof lawfulBasisSchema>,
    ) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, viewer, id);
        if (row.status === 'identified' || row.status === 'not_taken_forward') {
          throw new ValidationError(
            'purpose',
            'Lawful bases are recorded once a child has been taken forward',
          );
        }
        const basisId = await repo.insertLawfulBasis(tx, place.id, {
          participantId: id,
          purpose: form.purpose,
          basis: form.basis,
          condition: form.condition,
          recordedBy: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.lawful_basis_recorded', id, {
          basisId,
          basis: form.basis,
        });
      });
    },

    /** The live agreements a withdrawal can name: none for a child the actor may not see. */
    async liveAgreements(actor: Actor, place: PlaceSummary, participant: Pick<ParticipantRecord, 'id'>) {
      authorise(actor, 'participants.work_with', place.id);
      return repo.liveAgreements(db, await viewerOf(actor, place), participant.id);
    },

    sharingOrganisations(place: PlaceSummary) {
      return directory.organizationOptions(place);
    },

    async recordSharing(actor: Actor, place: PlaceSummary, id: string, form: z.output<typeof sharingSchema>) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await viewerOf(actor, place);
      const organisations = await directory.organizationOptions(place);
      if (!organisations.some((o) => o.id === form.organizationId)) {
        throw new ValidationError('organizationId', 'Choose an organisation from the directory');
      }
      await db.transaction().execute(async (tx) => {
        const row = await locked(tx, viewer, id);
        if (!isOpen(row.status)) {
          throw new ValidationError(
            'organizationId',
            'Sharing can be decided only for a child taken forward and before exit',
          );
        }
        if (!(await repo.hasLiveAgreement(tx, viewer, id))) {
          throw new ValidationError(
            'organizationId',
            'Record the agreement to the service before deciding to share',
          );
        }
        const decisionId = await repo.insertSharingDecision(tx, place.id, {
          participantId: id,
          organizationId: form.organizationId,
          dataItems: [...new Set<DataItem>(form.dataItems)],
          rationale: form.rationale,
          decidedBy: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'participant.sharing_decided', id, {
          decisionId,
          organizationId: form.organizationId,
          dataItems: form.dataItems,
        });
      });
    },

    async assignmentOptions(place: PlaceSummary, programmeId: string) {
      const rows = await repo.teamsWithMembers(db, place.id, programmeId);
      const options: { value: string; text: string }[] = [];
      for (const row of rows) {
        if (!options.some((o) => o.value === row.team_id)) {
          options.push({ value: row.team_id, text: `${row.team_name} (no link worker yet)` });
        }
        if (row.user_id)
          options.push({
            value: `${row.team_id}:${row.user_id}`,
            text: `${row.team_name}: ${row.user_name}`,
          });
      }
      return options;
    },

    /** Who viewed or changed a child's record: for place admins, who see the log but never the record. */
    async accessLog(actor: Actor, place: PlaceSummary, id: string, page: { limit: number; offset: number }) {
      authorise(actor, 'participants.access_log', place.id);
      const label = await repo.participantLabel(db, place.id, id);
      if (!label) throw new NotFoundError();
      const { events, total } = await findAuditEvents(db, { placeId: place.id, subjectId: id }, page);
      return {
        label,
        events: events
          .filter((e) => e.subjectType === 'participant')
          .map((e) => ({
            id: e.id,
            occurredAt: e.occurredAt,
            actorName: e.actorName,
            action: e.action,
            roles: Array.isArray(e.details.roles) ? (e.details.roles as string[]) : [],
            list: typeof e.details.list === 'string' ? e.details.list : null,
          })),
        total,
      };
    },

    /** A page of the children with a reference, for place admins to choose whose access log to read. */
    async findByReference(
      actor: Actor,
      place: PlaceSummary,
      reference: string,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'participants.access_log', place.id);
      if (reference === '') return { matches: [], total: 0 };
      const { rows, total } = await repo.labelsByReference(db, place.id, reference, page);
      return { matches: rows, total };
    },
  };
}

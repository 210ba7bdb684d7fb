import type { z } from 'zod';
import type { NotificationsService } from '../../participation/notifications/notifications.service.ts';
import { today } from '../../participation/processes/phases.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { auditListed, auditParticipant } from '../participant-audit.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import type { concernSchema, contactSchema, reassignSchema } from '../plans/support-plans.schema.ts';
import type { ProgrammesService } from '../programmes/programmes.service.ts';
import * as repo from './caseload.repository.ts';

type Page = { limit: number; offset: number };

/** The caseload limit would be passed by an assignment: the assigner must confirm it. */
export class OverLimitWarning extends ValidationError {
  readonly count: number;
  readonly limit: number;
  constructor(count: number, limit: number) {
    super(
      'confirmOverLimit',
      `This link worker already has ${count} children in this programme; the limit is ${limit}. Confirm to assign over the limit.`,
    );
    this.count = count;
    this.limit = limit;
  }
}

export type CaseloadService = ReturnType<typeof createCaseloadService>;

/**
 * A link worker's caseload, assignment with reasons, the contact log and safeguarding concerns. Every child
 * is reached through the one visibility condition (support-policy.ts); every read of a child's contacts or
 * concerns and every change is audited with the child as subject.
 */
export function createCaseloadService(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  participants: ParticipantsService;
  programmes: ProgrammesService;
  notifications: NotificationsService;
}) {
  const { db, mailer, baseUrl, participants, programmes, notifications } = deps;

  async function visible(actor: Actor, place: PlaceSummary, id: string) {
    authorise(actor, 'participants.work_with', place.id);
    const viewer = await participants.viewerOf(actor, place);
    const row = await repo.findVisible(db, viewer, id);
    if (!row) throw new NotFoundError();
    return { viewer, row };
  }

  function open(status: string, field: string) {
    if (!repo.CASELOAD_STATUSES.includes(status as never))
      throw new ValidationError(
        field,
        'This can be recorded only for a child taken forward and not yet exited',
      );
  }

  const leadOf = (actor: Actor, place: PlaceSummary) =>
    actor.user && can(actor, 'safeguarding.lead', place.id) ? actor.user.id : null;

  return {
    async caseload(actor: Actor, place: PlaceSummary, page: Page) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      const [{ rows, total }, loads] = await Promise.all([
        repo.caseload(db, viewer, page),
        repo.loadsOf(db, place.id, actor.user!.id),
      ]);
      await auditListed(
        db,
        actor,
        place,
        'caseload',
        rows.map((r) => r.id),
      );
      return {
        participants: rows.map((r) => ({
          id: r.id,
          reference: r.reference,
          givenName: r.given_name,
          familyName: r.family_name,
          status: r.status,
          mine: r.link_worker_id === actor.user?.id,
          programmeName: r.programme_name,
          teamName: r.team_name,
          lastContactOn: r.last_contact_on,
          nextReviewOn: r.next_review_on,
          openConcern: Boolean(r.open_concern),
        })),
        total,
        overLimit: loads
          .map((l) => ({ programmeName: l.programme_name, count: Number(l.n), limit: l.caseload_limit }))
          .filter((l) => l.count > l.limit),
      };
    },

    /** The form's choices and the child's assignment history (who, from, to, when, why). */
    async assignment(actor: Actor, place: PlaceSummary, id: string, page: Page) {
      const { row } = await visible(actor, place, id);
      const [options, history] = await Promise.all([
        participants.assignmentOptions(place, row.programme_id),
        repo.assignmentHistory(db, place.id, id, page),
      ]);
      await auditParticipant(db, actor, place, 'participant.viewed', id, { page: 'assignment' });
      return { participant: row, options, history };
    },

    /**
     * Assigns or reassigns a child with a reason. Over the programme's caseload limit the assigner is warned
     * and must confirm (a warning, not a block: sometimes a sibling or an urgent case needs it).
     */
    async reassign(actor: Actor, place: PlaceSummary, id: string, form: z.output<typeof reassignSchema>) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      const [teamId, linkWorkerId] = form.assignee.split(':') as [string, string | undefined];
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockVisible(tx, viewer, id);
        if (!row) throw new NotFoundError();
        open(row.status, 'assignee');
        const members = await repo.teamMembers(tx, place.id, row.programme_id);
        const fits = members.some(
          (m) => m.team_id === teamId && (linkWorkerId === undefined || m.user_id === linkWorkerId),
        );
        if (!fits)
          throw new ValidationError(
            'assignee',
            'Choose a team of this programme and one of its link workers',
          );
        let overLimit = false;
        if (linkWorkerId) {
          const programme = await repo.programmeOf(tx, place.id, row.programme_id);
          const count = await repo.loadInProgramme(tx, place.id, row.programme_id, linkWorkerId, id);
          overLimit = count + 1 > programme!.caseload_limit;
          if (overLimit && !form.confirmOverLimit)
            throw new OverLimitWarning(count, programme!.caseload_limit);
        }
        const assignmentId = await repo.reassign(tx, place.id, {
          participantId: id,
          teamId,
          linkWorkerId: linkWorkerId ?? null,
          assignedBy: actor.user?.id ?? null,
          reason: form.reason,
          overLimit,
        });
        await auditParticipant(tx, actor, place, 'participant.assigned', id, {
          assignmentId,
          fromTeamId: row.team_id,
          fromLinkWorkerId: row.link_worker_id,
          teamId,
          linkWorkerId: linkWorkerId ?? null,
          overLimit,
        });
      });
    },

    async contacts(actor: Actor, place: PlaceSummary, id: string, page: Page) {
      const { row } = await visible(actor, place, id);
      await auditParticipant(db, actor, place, 'participant.viewed', id, { page: 'contacts' });
      const { rows, total } = await repo.contacts(db, place.id, id, page);
      return { participant: row, contacts: rows, total };
    },

    async forForm(actor: Actor, place: PlaceSummary, id: string) {
      return (await visible(actor, place, id)).row;
    },

    async logContact(actor: Actor, place: PlaceSummary, id: string, form: z.output<typeof contactSchema>) {
      authorise(actor, 'participants.work_with', place.id);
      if (form.contactOn > today())
        throw new ValidationError('contactOn', 'The date of the contact cannot be in the future');
      const viewer = await participants.viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockVisible(tx, viewer, id);
        if (!row) throw new NotFoundError();
        open(row.status, 'contactOn');
        const contactId = await repo.insertContact(tx, place.id, {
          participantId: id,
          on: form.contactOn,
          kind: form.kind,
          notes: form.notes,
          by: actor.user?.id ?? null,
        });
        // The notes stay in the log only: the audit says that a contact was recorded, not what was said.
        await auditParticipant(tx, actor, place, 'participant.contact_logged', id, {
          contactId,
          kind: form.kind,
        });
      });
    },

    async concerns(actor: Actor, place: PlaceSummary, id: string, page: Page) {
      const { row } = await visible(actor, place, id);
      await auditParticipant(db, actor, place, 'participant.viewed', id, { page: 'safeguarding' });
      const [{ rows, total }, programme] = await Promise.all([
        repo.concernsOf(db, place.id, id, page),
        repo.programmeOf(db, place.id, row.programme_id),
      ]);
      return { participant: row, concerns: rows, total, hasLead: Boolean(programme?.safeguarding_lead_id) };
    },

    /**
     * Records a concern (which flags the child while it is open) and tells the programme's designated
     * safeguarding lead: in-app in the same transaction, and by an email sent at once, whatever their email
     * preferences, carrying only a link: never the child's name or the concern itself.
     */
    async raiseConcern(actor: Actor, place: PlaceSummary, id: string, form: z.output<typeof concernSchema>) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      const raised = await db.transaction().execute(async (tx) => {
        const row = await repo.lockVisible(tx, viewer, id);
        if (!row) throw new NotFoundError();
        const programme = await repo.programmeOf(tx, place.id, row.programme_id);
        const leadId = programme?.safeguarding_lead_id ?? null;
        const concernId = await repo.insertConcern(tx, place.id, {
          participantId: id,
          programmeId: row.programme_id,
          summary: form.summary,
          by: actor.user?.id ?? null,
          leadId,
        });
        await auditParticipant(tx, actor, place, 'participant.safeguarding_raised', id, {
          concernId,
          leadId,
        });
        const link = `/places/${place.slug}/support/safeguarding/${concernId}`;
        if (leadId) {
          await notifications.notifyUser(tx, leadId, {
            placeId: place.id,
            kind: 'safeguarding_concern',
            title: 'A safeguarding concern has been raised',
            body: 'Sign in and open the concern to read it.',
            link,
          });
        }
        return { concernId, leadId, link };
      });
      if (!raised.leadId) return { concernId: raised.concernId, leadEmailed: false, hasLead: false };
      const lead = await repo.userContact(db, raised.leadId);
      if (!lead?.email) return { concernId: raised.concernId, leadEmailed: false, hasLead: true };
      try {
        await mailer.send({
          to: lead.email,
          subject: 'A safeguarding concern needs your attention',
          text: [
            `Dear ${lead.name},`,
            '',
            `A link worker in ${place.name} has raised a safeguarding concern in a programme you are the designated safeguarding lead for.`,
            '',
            'Sign in to read it:',
            `${baseUrl}${raised.link}`,
            '',
            'For the child’s privacy this email does not say who the concern is about.',
          ].join('\n'),
        });
        await repo.markLeadEmailed(db, place.id, raised.concernId);
        return { concernId: raised.concernId, leadEmailed: true, hasLead: true };
      } catch {
        // The concern and the in-app notification are stored; the page tells the link worker to call the lead.
        return { concernId: raised.concernId, leadEmailed: false, hasLead: true };
      }
    },

    async concern(actor: Actor, place: PlaceSummary, concernId: string) {
      if (!actor.user) throw new NotFoundError();
      const leadId = leadOf(actor, place);
      if (!leadId) authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      const row = await repo.findConcern(db, viewer, leadId, concernId);
      if (!row) throw new NotFoundError();
      await auditParticipant(db, actor, place, 'participant.viewed', row.participant_id, {
        page: 'safeguarding_concern',
        concernId,
      });
      return row;
    },

    async resolveConcern(actor: Actor, place: PlaceSummary, concernId: string, resolution: string) {
      if (!actor.user) throw new NotFoundError();
      const leadId = leadOf(actor, place);
      if (!leadId) authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await repo.findConcern(tx, viewer, leadId, concernId, true);
        if (!row) throw new NotFoundError();
        const resolved = await repo.resolveConcern(tx, place.id, concernId, {
          by: actor.user!.id,
          resolution,
        });
        if (!resolved) throw new ValidationError('resolution', 'This concern has already been resolved');
        await auditParticipant(tx, actor, place, 'participant.safeguarding_resolved', row.participant_id, {
          concernId,
        });
      });
    },

    async leadConcerns(actor: Actor, place: PlaceSummary, page: Page) {
      authorise(actor, 'safeguarding.lead', place.id);
      const concerns = await repo.openConcernsForLead(db, place.id, actor.user!.id, page);
      await auditListed(
        db,
        actor,
        place,
        'safeguarding',
        concerns.rows.map((c) => c.participant_id),
      );
      return concerns;
    },

    async safeguardingLead(actor: Actor, place: PlaceSummary, programmeId: string) {
      authorise(actor, 'programmes.manage', place.id);
      const programme = await repo.programmeOf(db, place.id, programmeId);
      if (!programme) throw new NotFoundError();
      return { programme, options: await programmes.linkWorkers(place) };
    },

    async setSafeguardingLead(actor: Actor, place: PlaceSummary, programmeId: string, leadId: string | null) {
      authorise(actor, 'programmes.manage', place.id);
      if (leadId && !(await programmes.isLinkWorker(place, leadId)))
        throw new ValidationError('leadUserId', 'The safeguarding lead must be a link worker of this place');
      await db.transaction().execute(async (tx) => {
        const programme = await repo.programmeOf(tx, place.id, programmeId);
        if (!programme) throw new NotFoundError();
        await repo.setSafeguardingLead(tx, place.id, programmeId, leadId);
        await recordAudit(tx, actor, {
          action: 'programme.safeguarding_lead_set',
          subjectType: 'programme',
          subjectId: programmeId,
          placeId: place.id,
          details: { leadId },
        });
      });
    },
  };
}

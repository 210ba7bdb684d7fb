import type { z } from 'zod';
import type { DirectoryService } from '../../directory/directory.service.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { childName } from '../child-name.ts';
import { auditListed } from '../participant-audit.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import type { SupportDirectory } from '../programmes/programmes.service.ts';
import type { ReferralsService } from '../referrals/referrals.service.ts';
import { ENGAGEMENT_WINDOW, type Engagement, engagement } from './engagement.ts';
import * as repo from './sessions.repository.ts';
import type { sessionSchema } from './sessions.schema.ts';
import type { AttendanceStatus } from './sessions.table.ts';

export type SessionsService = ReturnType<typeof createSessionsService>;

type Page = { limit: number; offset: number };

/**
 * Sessions and their registers. Partner staff run sessions of their organisations' services and add
 * children from referrals their organisation accepted; link workers run their own sessions and add children
 * they work with. Every query is limited to the session's organisation or the link worker who runs it.
 */
export function createSessionsService(deps: {
  db: Database;
  directory: DirectoryService;
  supportDirectory: SupportDirectory;
  participants: ParticipantsService;
  referrals: () => ReferralsService;
}) {
  const { db, directory, supportDirectory, participants } = deps;

  async function reachOf(actor: Actor, place: PlaceSummary): Promise<repo.SessionReach> {
    authorise(actor, 'sessions.run', place.id);
    const organizationIds = can(actor, 'referrals.receive', place.id)
      ? await supportDirectory.memberOrganizationIds(actor, place)
      : [];
    return {
      placeId: place.id,
      userId: actor.user!.id,
      organizationIds,
      linkWorker: can(actor, 'participants.work_with', place.id),
    };
  }

  async function session(actor: Actor, place: PlaceSummary, id: string) {
    const reach = await reachOf(actor, place);
    const row = await repo.findSession(db, reach, id);
    if (!row) throw new NotFoundError();
    return { reach, row };
  }

  return {
    async list(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      const reach = await reachOf(actor, place);
      const { rows, total } = await repo.listSessions(db, reach, page);
      return { sessions: rows.map((r) => ({ ...r, attendees: Number(r.attendees ?? 0) })), total };
    },

    /** Services the person may run a session of: their organisations' (partners), any (link workers). */
    async serviceOptions(actor: Actor, place: PlaceSummary) {
      const reach = await reachOf(actor, place);
      const { services } = await directory.search(
        place,
        { text: '', area: '', activeOnly: true },
        { limit: 500, offset: 0 },
      );
      return services
        .filter((s) => reach.linkWorker || reach.organizationIds.includes(s.organizationId))
        .map((s) => ({ value: s.id, text: `${s.name} (${s.organizationName})` }));
    },

    async create(actor: Actor, place: PlaceSummary, form: z.output<typeof sessionSchema>): Promise<string> {
      const reach = await reachOf(actor, place);
      let service: Awaited<ReturnType<DirectoryService['service']>>;
      try {
        service = await directory.service(place, form.serviceId);
      } catch (error) {
        if (error instanceof NotFoundError)
          throw new ValidationError('serviceId', 'Choose a service from the list');
        throw error;
      }
      const member = reach.organizationIds.includes(service.organizationId);
      if (!member && !reach.linkWorker)
        throw new ValidationError('serviceId', 'Choose a service of your own organisation');
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertSession(tx, place.id, {
          organizationId: service.organizationId,
          serviceId: service.id,
          serviceName: service.name,
          runBy: member ? 'organisation' : 'link_worker',
          kind: form.kind,
          title: form.title,
          heldOn: form.heldOn,
          startsAt: form.startsAt,
          durationMinutes: form.durationMinutes,
          createdBy: reach.userId,
        });
        await recordAudit(tx, actor, {
          action: 'session.created',
          subjectType: 'support_session',
          subjectId: id,
          placeId: place.id,
          details: { organizationId: service.organizationId, kind: form.kind },
        });
        return id;
      });
    },

    /**
     * A session with one page of its register: each child named only as the viewer may name them, and only
     * the children named on the page audited as listed.
     */
    async detail(actor: Actor, place: PlaceSummary, id: string, page: Page) {
      const { row } = await session(actor, place, id);
      const counts = await repo.countAttendees(db, place.id, id);
      let people: { participantId: string; name: string | null; status: AttendanceStatus }[];
      if (row.run_by === 'organisation') {
        const rows = await repo.partnerAttendees(db, place.id, id, page);
        const labels = await deps.referrals().partnerLabels(
          actor,
          place,
          rows.map((p) => p.referral_id).filter((r): r is string => r !== null),
        );
        people = rows.map((p) => ({
          participantId: p.participant_id,
          name: labels.get(p.referral_id ?? '') ?? null,
          status: p.status,
        }));
      } else {
        const viewer = await participants.viewerOf(actor, place);
        const rows = await repo.linkWorkerAttendees(db, viewer, id, page);
        people = rows.map((p) => ({
          participantId: p.participant_id,
          name: p.visible_id ? (childName(p.given_name, p.family_name) ?? p.reference) : null,
          status: p.status,
        }));
      }
      // Only the children the register names were seen; the rest appear without a name.
      await auditListed(
        db,
        actor,
        place,
        'register',
        people.filter((p) => p.name !== null).map((p) => p.participantId),
      );
      const unnamed = row.run_by === 'organisation' ? 'A referred child' : 'A child you no longer work with';
      return {
        session: row,
        total: counts.total,
        unmarked: counts.unmarked,
        attendees: people.map((p) => ({ ...p, name: p.name ?? unnamed })),
      };
    },

    /**
     * One page of the children who may be added: accepted referrals of the organisation, or the link
     * worker's own. Only the children on the page are audited as listed.
     */
    async candidates(actor: Actor, place: PlaceSummary, id: string, page: Page) {
      const { row } = await session(actor, place, id);
      let items: { value: string; text: string }[];
      let total: number;
      if (row.run_by === 'organisation') {
        const accepted = await deps
          .referrals()
          .acceptedForOrganization(actor, place, row.organization_id, page);
        items = accepted.candidates.map((a) => ({ value: a.participantId, text: a.label }));
        total = accepted.total;
      } else {
        const viewer = await participants.viewerOf(actor, place);
        const workable = await repo.workableParticipants(db, viewer, page);
        items = workable.rows.map((r) => ({
          value: r.id,
          text: childName(r.given_name, r.family_name) ?? r.reference,
        }));
        total = workable.total;
      }
      await auditListed(
        db,
        actor,
        place,
        'session_candidates',
        items.map((i) => i.value),
      );
      return { items, total };
    },

    /**
     * Adds the chosen children. Exactly the chosen ids are looked up under the same condition as the
     * candidates (the organisation's accepted referrals, or the children the link worker works with), so
     * any of them may be added however long the list, and a child outside it is refused.
     */
    async addAttendees(actor: Actor, place: PlaceSummary, id: string, participantIds: string[]) {
      const reach = await reachOf(actor, place);
      const chosen = [...new Set(participantIds)];
      // Who may be added is read before the transaction: PGlite has one connection, so nothing else may run
      // inside it.
      const current = await repo.findSession(db, reach, id);
      if (!current) throw new NotFoundError();
      let rows: { participantId: string; referralId: string | null }[];
      if (current.run_by === 'organisation') {
        const accepted = await deps.referrals().acceptedAmong(actor, place, current.organization_id, chosen);
        // One row per child (acceptedAmong reads each by their latest accepted referral).
        const byChild = new Map(accepted.map((a) => [a.participantId, a.referralId]));
        if (byChild.size !== chosen.length)
          throw new ValidationError(
            'participants',
            'Choose children from the referrals your organisation accepted',
          );
        rows = [...byChild].map(([participantId, referralId]) => ({ participantId, referralId }));
      } else {
        const viewer = await participants.viewerOf(actor, place);
        const workable = await repo.workableAmong(db, viewer, chosen);
        if (workable.length !== chosen.length)
          throw new ValidationError('participants', 'Choose children and young people you work with');
        rows = workable.map((participantId) => ({ participantId, referralId: null }));
      }
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockSession(tx, reach, id);
        if (!row) throw new NotFoundError();
        if (
          row.kind === 'one_to_one' &&
          (await repo.countAttendees(tx, place.id, id)).total + rows.length > 1
        )
          throw new ValidationError('participants', 'A one-to-one session has one child or young person');
        const added = await repo.addAttendees(tx, place.id, id, rows);
        await recordAudit(tx, actor, {
          action: 'session.attendee_added',
          subjectType: 'support_session',
          subjectId: id,
          placeId: place.id,
          details: { added, participantIds: rows.map((r) => r.participantId) },
        });
      });
    },

    /**
     * The register: everyone in the session present in one go, or the marks of the children on one page of
     * the register (each present unless changed). Children on other pages keep their marks.
     */
    async takeRegister(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      input: { all: boolean; marks: Map<string, Exclude<AttendanceStatus, 'expected'>> },
    ) {
      const reach = await reachOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockSession(tx, reach, id);
        if (!row) throw new NotFoundError();
        if ((await repo.countAttendees(tx, place.id, id)).total === 0)
          throw new ValidationError('all', 'Add children to the session first');
        if (!input.all && input.marks.size === 0)
          throw new ValidationError('all', 'Choose present, late, absent or excused for each child');
        const counts = await repo.markAttendance(
          tx,
          place.id,
          id,
          input.all
            ? { everyone: 'present' }
            : [...input.marks].map(([participantId, status]) => ({ participantId, status })),
          reach.userId,
        );
        await recordAudit(tx, actor, {
          action: 'session.register_taken',
          subjectType: 'support_session',
          subjectId: id,
          placeId: place.id,
          details: {
            present: counts.present,
            late: counts.late,
            absent: counts.absent,
            excused: counts.excused,
          },
        });
      });
    },

    /**
     * A child's engagement over their last sessions, as the person may see it: the query itself returns
     * marks only of a child the person may see, or whose attendance a live referral shares with the
     * partner's organisation; anyone else gets no marks at all.
     */
    async engagementOf(actor: Actor, place: PlaceSummary, participantId: string): Promise<Engagement> {
      const viewer = await participants.viewerOf(actor, place);
      const partnerUserId = can(actor, 'referrals.receive', place.id) ? (actor.user?.id ?? null) : null;
      return engagement(
        await repo.attendanceOf(db, { viewer, partnerUserId }, participantId, ENGAGEMENT_WINDOW * 3),
      );
    },
  };
}

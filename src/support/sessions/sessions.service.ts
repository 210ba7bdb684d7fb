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

    /** A session with its register: each child named only as the viewer may name them. */
    async detail(actor: Actor, place: PlaceSummary, id: string) {
      const { row } = await session(actor, place, id);
      const people = await repo.attendees(db, place.id, id);
      let names = new Map<string, string>();
      if (row.run_by === 'organisation') {
        const labels = await deps.referrals().partnerLabels(
          actor,
          place,
          people.map((p) => p.referral_id).filter((r): r is string => r !== null),
        );
        names = new Map(
          people.flatMap((p) => {
            const label = labels.get(p.referral_id ?? '');
            return label ? [[p.participant_id, label] as const] : [];
          }),
        );
      } else {
        const viewer = await participants.viewerOf(actor, place);
        const rows = await repo.visibleNames(
          db,
          viewer,
          people.map((p) => p.participant_id),
        );
        names = new Map(rows.map((r) => [r.id, childName(r.given_name, r.family_name) ?? r.reference]));
      }
      // Only the children the register names were seen; the rest appear without a name.
      await auditListed(db, actor, place, 'register', [...names.keys()]);
      const unnamed = row.run_by === 'organisation' ? 'A referred child' : 'A child you no longer work with';
      return {
        session: row,
        attendees: people
          .map((p) => ({
            participantId: p.participant_id,
            name: names.get(p.participant_id) ?? unnamed,
            status: p.status,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },

    /** Children who may be added: accepted referrals of the organisation, or the link worker's own. */
    async candidates(actor: Actor, place: PlaceSummary, id: string) {
      const { row } = await session(actor, place, id);
      if (row.run_by === 'organisation') {
        const accepted = await deps.referrals().acceptedForOrganization(actor, place, row.organization_id);
        await auditListed(
          db,
          actor,
          place,
          'session_candidates',
          accepted.map((a) => a.participantId),
        );
        return accepted.map((a) => ({ value: a.participantId, text: a.label }));
      }
      const viewer = await participants.viewerOf(actor, place);
      const rows = await repo.workableParticipants(db, viewer);
      await auditListed(
        db,
        actor,
        place,
        'session_candidates',
        rows.map((r) => r.id),
      );
      return rows.map((r) => ({
        value: r.id,
        text: childName(r.given_name, r.family_name) ?? r.reference,
      }));
    },

    async addAttendees(actor: Actor, place: PlaceSummary, id: string, participantIds: string[]) {
      const reach = await reachOf(actor, place);
      const chosen = [...new Set(participantIds)];
      // Who may be added is read before the transaction: PGlite has one connection, so nothing else may run
      // inside it.
      const current = await repo.findSession(db, reach, id);
      if (!current) throw new NotFoundError();
      let rows: { participantId: string; referralId: string | null }[];
      if (current.run_by === 'organisation') {
        const accepted = await deps
          .referrals()
          .acceptedForOrganization(actor, place, current.organization_id);
        const byChild = new Map(accepted.map((a) => [a.participantId, a.referralId]));
        if (chosen.some((c) => !byChild.has(c)))
          throw new ValidationError(
            'participants',
            'Choose children from the referrals your organisation accepted',
          );
        rows = chosen.map((c) => ({ participantId: c, referralId: byChild.get(c)! }));
      } else {
        const viewer = await participants.viewerOf(actor, place);
        const mine = new Set((await repo.workableParticipants(db, viewer)).map((r) => r.id));
        if (chosen.some((c) => !mine.has(c)))
          throw new ValidationError('participants', 'Choose children and young people you work with');
        rows = chosen.map((c) => ({ participantId: c, referralId: null }));
      }
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockSession(tx, reach, id);
        if (!row) throw new NotFoundError();
        if (row.kind === 'one_to_one' && (await repo.countAttendees(tx, place.id, id)) + rows.length > 1)
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

    /** The register in one go: everyone present, or each row's mark (present unless changed). */
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
        const people = await repo.attendees(tx, place.id, id);
        if (people.length === 0) throw new ValidationError('all', 'Add children to the session first');
        const marks = people.map((p) => ({
          participantId: p.participant_id,
          status: input.all
            ? ('present' as const)
            : (input.marks.get(p.participant_id) ?? ('present' as const)),
        }));
        await repo.markAttendance(tx, place.id, id, marks, reach.userId);
        const count = (s: string) => marks.filter((m) => m.status === s).length;
        await recordAudit(tx, actor, {
          action: 'session.register_taken',
          subjectType: 'support_session',
          subjectId: id,
          placeId: place.id,
          details: {
            present: count('present'),
            late: count('late'),
            absent: count('absent'),
            excused: count('excused'),
          },
        });
      });
    },

    /** A child's engagement over their last sessions; callers have already checked who may see it. */
    async engagementOf(placeId: string, participantId: string): Promise<Engagement> {
      return engagement(await repo.attendanceOf(db, placeId, participantId, ENGAGEMENT_WINDOW * 3));
    },
  };
}

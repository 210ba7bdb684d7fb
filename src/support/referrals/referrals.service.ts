import type { z } from 'zod';
import type { DirectoryService } from '../../directory/directory.service.ts';
import type { AuditAction } from '../../platform/audit/audit.actions.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { childName } from '../child-name.ts';
import { auditParticipant } from '../participant-audit.ts';
import { isOpen } from '../participants/enrolment.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import type { Engagement } from '../sessions/engagement.ts';
import type { IndicatorDomain } from '../support.table.ts';
import { actionsFor, carriedItems, checkReferralAction, type ReferralAction } from './referral-states.ts';
import * as repo from './referrals.repository.ts';
import { REFERRAL_ITEMS, type referralSchema } from './referrals.schema.ts';
import type { ReferralStatus } from './referrals.table.ts';

export type ReferralsService = ReturnType<typeof createReferralsService>;

/** A short label for a referral, for pages and registers that must not name the child. */
export function referralLabel(id: string): string {
  return `Referral ${id.slice(0, 8).toUpperCase()}`;
}

/** What the partner sees of a child: each item null unless the referral carries it and sharing is live. */
export interface ReceivedReferral {
  id: string;
  label: string;
  status: ReferralStatus;
  serviceName: string;
  organizationName: string;
  note: string;
  declineReason: string | null;
  sentAt: Date | null;
  referredByName: string | null;
  carried: string[];
  name: string | null;
  dateOfBirth: string | null;
  settingName: string | null;
  yearGroup: number | null;
  flaggedDomains: IndicatorDomain[] | null;
  engagement: Engagement | null;
  actions: ReferralAction[];
}

/**
 * Referrals of participants to partners' services. The referrer's side goes through the participant's
 * visibility (support-policy.ts); the partner's side through organisation membership, in the query. Every
 * read of a child's details and every change is audited with the participant as subject, so "who viewed
 * this child" lists partners too.
 */
/** "Amara Test (Referral 1A2B3C4D)" while the name is known to the viewer, else just the referral's label. */
const labelled = (name: string | null, label: string) => (name ? `${name} (${label})` : label);

type Page = { limit: number; offset: number };

const toCandidate = (r: {
  id: string;
  participant_id: string;
  given_name: string | null;
  family_name: string | null;
}) => ({
  referralId: r.id,
  participantId: r.participant_id,
  label: labelled(childName(r.given_name, r.family_name), referralLabel(r.id)),
});

export function createReferralsService(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  participants: ParticipantsService;
  directory: DirectoryService;
  engagement: (actor: Actor, place: PlaceSummary, participantId: string) => Promise<Engagement>;
}) {
  const { db, mailer, baseUrl, participants, directory } = deps;

  const audit = auditParticipant;

  function reachOf(actor: Actor, place: PlaceSummary): repo.PartnerReach {
    authorise(actor, 'referrals.receive', place.id);
    return { placeId: place.id, userId: actor.user!.id };
  }

  async function referrerViewer(actor: Actor, place: PlaceSummary) {
    authorise(actor, 'participants.work_with', place.id);
    return participants.viewerOf(actor, place);
  }

  return {
    /** Services a child can be referred to: the place's active directory services. */
    async serviceOptions(place: PlaceSummary) {
      const { services } = await directory.search(
        place,
        { text: '', area: '', activeOnly: true },
        { limit: 500, offset: 0 },
      );
      return services.map((s) => ({ value: s.id, text: `${s.name} (${s.organizationName})` }));
    },

    async create(
      actor: Actor,
      place: PlaceSummary,
      participantId: string,
      form: z.output<typeof referralSchema>,
    ): Promise<string> {
      const viewer = await referrerViewer(actor, place);
      let service: Awaited<ReturnType<DirectoryService['service']>>;
      try {
        service = await directory.service(place, form.serviceId);
      } catch (error) {
        if (error instanceof NotFoundError)
          throw new ValidationError('serviceId', 'Choose a service from the directory');
        throw error;
      }
      return db.transaction().execute(async (tx) => {
        const child = await repo.lockParticipant(tx, viewer, participantId);
        if (!child) throw new NotFoundError();
        if (!isOpen(child.status))
          throw new ValidationError(
            'serviceId',
            'Only a child taken forward and not yet exited can be referred',
          );
        const id = await repo.insertReferral(tx, place.id, {
          participantId,
          organizationId: service.organizationId,
          serviceId: service.id,
          serviceName: service.name,
          note: form.note,
          dataItems: [...new Set(form.dataItems)],
          referredBy: actor.user?.id ?? null,
        });
        await audit(tx, actor, place, 'referral.created', participantId, {
          referralId: id,
          organizationId: service.organizationId,
        });
        return id;
      });
    },

    /** The referrer's page of a referral: only for a participant the link worker may see. */
    async forReferrer(actor: Actor, place: PlaceSummary, id: string) {
      const viewer = await referrerViewer(actor, place);
      const row = await repo.referral(db, viewer, id);
      if (!row) throw new NotFoundError();
      await audit(db, actor, place, 'participant.viewed', row.participant_id, { referralId: id });
      const decision = await repo.liveSharingDecision(db, place.id, row.participant_id, row.organization_id);
      return {
        id: row.id,
        label: referralLabel(row.id),
        participantId: row.participant_id,
        childName: childName(row.given_name, row.family_name) ?? row.reference,
        status: row.status,
        serviceName: row.service_name,
        organizationName: row.organization_name,
        note: row.note,
        dataItems: row.data_items,
        declineReason: row.decline_reason,
        createdAt: row.created_at,
        sentAt: row.sent_at,
        respondedAt: row.responded_at,
        closedAt: row.closed_at,
        referredByName: row.referred_by_name,
        sharingLive: decision !== undefined,
        allowedNow: decision ? carriedItems(row.data_items, decision.data_items) : [],
        actions: actionsFor(row.status, 'referrer'),
      };
    },

    /** One page of a child's referrals, newest first: only for a participant the link worker may see. */
    async pageOfParticipant(actor: Actor, place: PlaceSummary, participantId: string, page: Page) {
      const viewer = await referrerViewer(actor, place);
      const { rows, total } = await repo.referralsOfParticipant(db, viewer, participantId, page);
      return {
        referrals: rows.map((r) => ({
          id: r.id,
          label: referralLabel(r.id),
          status: r.status,
          serviceName: r.service_name,
          organizationName: r.organization_name,
          createdAt: r.created_at,
          sentAt: r.sent_at,
        })),
        total,
      };
    },

    /**
     * Sends a draft. Refused without a live sharing decision for the service's organisation; the referral
     * then carries only the ticked items the decision allows. The organisation's members get an email with a
     * link and nothing about the child.
     */
    async send(actor: Actor, place: PlaceSummary, id: string): Promise<void> {
      const viewer = await referrerViewer(actor, place);
      // Read before the transaction: PGlite has one connection, so no other query may run inside it.
      const before = await repo.referral(db, viewer, id);
      if (!before) throw new NotFoundError();
      const organisation =
        (await directory.organizationName(place, before.organization_id)) ?? 'the organisation';
      const sent = await db.transaction().execute(async (tx) => {
        const row = await repo.lockReferral(tx, viewer, id);
        if (!row) throw new NotFoundError();
        const check = checkReferralAction(row.status, 'send');
        if (!check.ok) throw new ValidationError('action', check.message);
        const decision = await repo.liveSharingDecision(
          tx,
          place.id,
          row.participant_id,
          row.organization_id,
        );
        if (!decision) {
          throw new ValidationError(
            'action',
            `You cannot send this referral: there is no live information-sharing decision for ${organisation}. Record one on the child’s record first.`,
          );
        }
        const items = carriedItems(row.data_items, decision.data_items);
        if (items.length === 0) {
          throw new ValidationError(
            'action',
            `You cannot send this referral: the sharing decision for ${organisation} covers none of the items it would carry.`,
          );
        }
        await repo.markSent(tx, place.id, id, { dataItems: items, decisionId: decision.id });
        await audit(tx, actor, place, 'referral.sent', row.participant_id, {
          referralId: id,
          organizationId: row.organization_id,
          dataItems: items,
        });
        return { organizationId: row.organization_id, serviceName: row.service_name };
      });
      const emails = await repo.memberEmails(db, place.id, sent.organizationId);
      const link = `${baseUrl}/places/${place.slug}/support/referrals/received/${id}`;
      for (const to of emails) {
        await mailer.send({
          to,
          subject: `A new referral to ${sent.serviceName}`,
          text: `A link worker in ${place.name} has sent a referral to ${sent.serviceName}.\n\nSign in to read it: ${link}\n\nFor the child's privacy, this email says nothing about them.`,
        });
      }
    },

    async revoke(actor: Actor, place: PlaceSummary, id: string): Promise<void> {
      const viewer = await referrerViewer(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockReferral(tx, viewer, id);
        if (!row) throw new NotFoundError();
        const check = checkReferralAction(row.status, 'revoke');
        if (!check.ok) throw new ValidationError('action', check.message);
        await repo.respond(tx, place.id, id, 'revoked', null);
        await audit(tx, actor, place, 'referral.revoked', row.participant_id, {
          referralId: id,
          from: row.status,
        });
      });
    },

    /** The partner's inbox: referrals to their organisations, paged, without any child's details. */
    async inbox(
      actor: Actor,
      place: PlaceSummary,
      status: ReferralStatus | undefined,
      page: { limit: number; offset: number },
    ) {
      const reach = reachOf(actor, place);
      const { rows, total } = await repo.receivedReferrals(db, reach, status, page);
      return {
        referrals: rows.map((r) => ({
          id: r.id,
          label: referralLabel(r.id),
          status: r.status,
          serviceName: r.service_name,
          organizationName: r.organization_name,
          sentAt: r.sent_at,
        })),
        total,
      };
    },

    /** One received referral: 404 outside the partner's organisations; the read is audited. */
    async received(actor: Actor, place: PlaceSummary, id: string): Promise<ReceivedReferral> {
      const reach = reachOf(actor, place);
      const row = await db.transaction().execute(async (tx) => {
        const row = await repo.receivedReferral(tx, reach, id);
        if (!row) throw new NotFoundError();
        const shown = (Object.keys(REFERRAL_ITEMS) as (keyof typeof REFERRAL_ITEMS)[]).filter((item) => {
          if (item === 'name') return row.name_shared;
          if (item === 'date_of_birth') return row.date_of_birth !== null;
          if (item === 'school_and_year') return row.setting_name !== null;
          if (item === 'identification_flags') return row.flagged_domains !== null;
          return row.attendance_shared;
        });
        await audit(tx, actor, place, 'participant.viewed', row.participant_id, {
          referralId: id,
          organizationId: row.organization_id,
          dataItems: shown,
        });
        return { ...row, shown };
      });
      return {
        id: row.id,
        label: referralLabel(row.id),
        status: row.status,
        serviceName: row.service_name,
        organizationName: row.organization_name,
        note: row.note,
        declineReason: row.decline_reason,
        sentAt: row.sent_at,
        referredByName: row.referred_by_name,
        carried: row.shown,
        name: row.name_shared ? childName(row.given_name, row.family_name) : null,
        dateOfBirth: row.date_of_birth,
        settingName: row.setting_name,
        yearGroup: row.year_group,
        flaggedDomains: row.flagged_domains,
        engagement: row.attendance_shared ? await deps.engagement(actor, place, row.participant_id) : null,
        actions: actionsFor(row.status, 'partner'),
      };
    },

    /** The partner's answer: accept, decline (with a reason) or complete. */
    async respond(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      action: 'accept' | 'decline' | 'complete',
      reason = '',
    ): Promise<void> {
      const reach = reachOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockReceived(tx, reach, id);
        if (!row) throw new NotFoundError();
        const check = checkReferralAction(row.status, action, { reason });
        if (!check.ok) throw new ValidationError(check.field, check.message);
        await repo.respond(tx, place.id, id, check.to, action === 'decline' ? reason : null);
        const audited: Record<typeof action, AuditAction> = {
          accept: 'referral.accepted',
          decline: 'referral.declined',
          complete: 'referral.completed',
        };
        await audit(tx, actor, place, audited[action], row.participant_id, {
          referralId: id,
          organizationId: row.organization_id,
        });
      });
    },

    /** One page of the accepted referrals of an organisation the partner belongs to: children its sessions may add. */
    async acceptedForOrganization(actor: Actor, place: PlaceSummary, organizationId: string, page: Page) {
      const reach = reachOf(actor, place);
      const { rows, total } = await repo.acceptedForOrganization(db, reach, organizationId, page);
      return { candidates: rows.map(toCandidate), total };
    },

    /** The accepted referrals of exactly the children given, to check that each chosen child may be added. */
    async acceptedAmong(actor: Actor, place: PlaceSummary, organizationId: string, participantIds: string[]) {
      const reach = reachOf(actor, place);
      const rows = await repo.acceptedAmong(db, reach, organizationId, participantIds);
      return rows.map(toCandidate);
    },

    /** How a partner may name each child on a register: the carried name while sharing is live, or the referral. */
    async partnerLabels(actor: Actor, place: PlaceSummary, referralIds: string[]) {
      const reach = reachOf(actor, place);
      const rows = await repo.partnerLabels(db, reach, referralIds);
      return new Map(
        rows.map((r) => [r.id, labelled(childName(r.given_name, r.family_name), referralLabel(r.id))]),
      );
    },
  };
}

import type { z } from 'zod';
import { today } from '../../participation/processes/phases.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { hashSecret, newSecret } from '../../platform/session/tokens.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import * as caseloadRepo from '../caseload/caseload.repository.ts';
import { auditListed, auditParticipant } from '../participant-audit.ts';
import type { ParticipantsService } from '../participants/participants.service.ts';
import { ageOn } from '../plans/plan-content.ts';
import { readPlan } from '../plans/plan-reader.ts';
import * as plansRepo from '../plans/plans.repository.ts';
import type { inviteSchema } from '../plans/support-plans.schema.ts';
import type { FamilyRelationship } from '../plans/support-plans.table.ts';
import * as repo from './family.repository.ts';

type Page = { limit: number; offset: number };

/** The youngest a young person may be to sign in to their own plan. */
export const YOUNG_PERSON_MIN_AGE = 13;
const INVITATION_DAYS = 14;
/** Stages in which the family sees the plan: from agreement to the service until exit. */
const SHARED_STATUSES = ['agreed', 'enrolled', 'active'] as const;

export type FamilyService = ReturnType<typeof createFamilyService>;

/**
 * The family view. Young people aged 13 and over and parents or carers sign in with ordinary accounts; a
 * link worker invites them to one child's plan. Every family query starts from the person's own accepted
 * link (family.repository `linked`), so a family member reaches that child only, and every read is audited
 * like a staff read, with the relationship as the role.
 */
export function createFamilyService(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  participants: ParticipantsService;
}) {
  const { db, mailer, baseUrl, participants } = deps;

  function tooYoung(dateOfBirth: string | null): string | undefined {
    if (!dateOfBirth)
      return 'The young person’s date of birth is not kept, so they cannot be invited: invite a parent or carer';
    if (ageOn(dateOfBirth, today()) < YOUNG_PERSON_MIN_AGE)
      return `A young person can sign in to their plan from the age of ${YOUNG_PERSON_MIN_AGE}: invite a parent or carer`;
    return undefined;
  }

  async function link(actor: Actor, place: PlaceSummary, participantId: string) {
    if (!actor.user) throw new ForbiddenError('You need to sign in to see this page');
    const found = await repo.myLink(db, place.id, actor.user.id, participantId);
    if (!found) throw new NotFoundError();
    return found;
  }

  async function currentPlan(
    tx: Parameters<typeof plansRepo.planOf>[0],
    place: PlaceSummary,
    participantId: string,
  ) {
    const current = await plansRepo.currentPlan(tx, place.id, participantId);
    if (!current) throw new NotFoundError();
    return current;
  }

  return {
    YOUNG_PERSON_MIN_AGE,

    /** A live family link or open invitation of a child the link worker works with, to ask before ending it. */
    async memberToEnd(actor: Actor, place: PlaceSummary, participantId: string, memberId: string) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      const child = await caseloadRepo.findVisible(db, viewer, participantId);
      if (!child) throw new NotFoundError();
      const member = await repo.liveMember(db, place.id, participantId, memberId);
      if (!member) throw new NotFoundError();
      return { child, member };
    },

    /**
     * Ends a family member's access to the child's plan, or withdraws an invitation not yet accepted (its
     * link stops working). Earlier ratings, comments and sign-offs stay. Audited.
     */
    async endMember(actor: Actor, place: PlaceSummary, participantId: string, memberId: string) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      await db.transaction().execute(async (tx) => {
        const row = await caseloadRepo.lockVisible(tx, viewer, participantId);
        if (!row) throw new NotFoundError();
        const ended = await repo.endMember(tx, place.id, participantId, memberId);
        if (!ended) throw new ValidationError('confirm', 'That family member’s access has already ended');
        await auditParticipant(tx, actor, place, 'participant.family_ended', participantId, {
          familyMemberId: ended.id,
          relationship: ended.relationship,
          accepted: ended.accepted_at !== null,
        });
      });
    },

    /** A link worker invites a young person (13+) or a parent or carer, by email, to the child's plan. */
    async invite(
      actor: Actor,
      place: PlaceSummary,
      participantId: string,
      form: z.output<typeof inviteSchema>,
    ) {
      authorise(actor, 'participants.work_with', place.id);
      const viewer = await participants.viewerOf(actor, place);
      const token = newSecret();
      await db.transaction().execute(async (tx) => {
        const row = await caseloadRepo.lockVisible(tx, viewer, participantId);
        if (!row) throw new NotFoundError();
        if (!(SHARED_STATUSES as readonly string[]).includes(row.status))
          throw new ValidationError(
            'email',
            'Families can be invited once the agreement is recorded and until exit',
          );
        if (form.relationship === 'young_person') {
          const problem = tooYoung(row.date_of_birth);
          if (problem) throw new ValidationError('relationship', problem);
        }
        const id = await repo.insertInvitation(tx, place.id, {
          participantId,
          email: form.email.toLowerCase(),
          relationship: form.relationship,
          tokenHash: hashSecret(token),
          by: actor.user?.id ?? null,
        });
        await auditParticipant(tx, actor, place, 'participant.family_invited', participantId, {
          familyMemberId: id,
          relationship: form.relationship,
        });
      });
      // Nothing about the child in the email: a mistyped address must not learn anything.
      await mailer.send({
        to: form.email,
        subject: `You are invited to see a support plan in ${place.name}`,
        text: [
          'Hello,',
          '',
          `A link worker in ${place.name} has invited you to see a support plan on Commonweal, to follow it, rate progress and sign it off.`,
          '',
          `Sign in (or create an account) with this email address, then open this link within ${INVITATION_DAYS} days:`,
          `${baseUrl}/places/${place.slug}/family/invitations/${token}`,
          '',
          'If you were not expecting this, you can ignore this email.',
        ].join('\n'),
      });
    },

    async invitation(actor: Actor, place: PlaceSummary, token: string) {
      const found = await repo.openInvitation(db, place.id, hashSecret(token));
      const expired = found && Date.now() - found.invited_at.getTime() > INVITATION_DAYS * 86_400_000;
      if (!found || expired) throw new NotFoundError('This invitation has been used or has expired');
      return { relationship: found.relationship as FamilyRelationship, signedIn: actor.user !== null };
    },

    /** Accepting links the signed-in account, which must be the one invited, to the child. */
    async accept(actor: Actor, place: PlaceSummary, token: string): Promise<string> {
      if (!actor.user) throw new ForbiddenError('You need to sign in to accept an invitation');
      const user = actor.user;
      return db.transaction().execute(async (tx) => {
        const found = await repo.openInvitation(tx, place.id, hashSecret(token), true);
        if (!found || Date.now() - found.invited_at.getTime() > INVITATION_DAYS * 86_400_000)
          throw new NotFoundError('This invitation has been used or has expired');
        if (found.email !== user.email.toLowerCase())
          throw new ValidationError(
            'invitation',
            'This invitation was sent to another email address. Sign in with the account for that address.',
          );
        if (found.relationship === 'young_person') {
          const problem = tooYoung(found.date_of_birth);
          if (problem) throw new ValidationError('invitation', 'This invitation can no longer be accepted');
        }
        if (await repo.alreadyLinked(tx, place.id, found.participant_id, user.id))
          throw new ValidationError('invitation', 'You can already see this plan');
        await repo.accept(tx, place.id, found.id, user.id);
        await auditParticipant(
          tx,
          actor,
          place,
          'participant.family_joined',
          found.participant_id,
          { familyMemberId: found.id },
          [found.relationship],
        );
        return found.participant_id;
      });
    },

    /**
     * One page of the plans the signed-in person may see through their own links. The page names the
     * children, so it is audited as a read of each, in the person's relationship to that child.
     */
    async links(actor: Actor, place: PlaceSummary, page: Page) {
      if (!actor.user) throw new ForbiddenError('You need to sign in to see this page');
      const links = await repo.myLinks(db, place.id, actor.user.id, page);
      for (const relationship of new Set(links.rows.map((r) => r.relationship))) {
        const children = links.rows.filter((r) => r.relationship === relationship);
        await auditListed(
          db,
          actor,
          place,
          'family',
          children.map((r) => r.participant_id),
          [relationship],
        );
      }
      return links;
    },

    async plan(actor: Actor, place: PlaceSummary, participantId: string, commentsPage: Page) {
      const me = await link(actor, place, participantId);
      const plan = await readPlan(db, place, participantId, {
        versionsPage: { limit: 1, offset: 0 },
        commentsPage,
      });
      if (!plan) throw new NotFoundError();
      await auditParticipant(
        db,
        actor,
        place,
        'participant.viewed',
        participantId,
        { page: 'family_plan', version: plan.shownVersion },
        [me.relationship],
      );
      const signedCurrent =
        plan.planId !== null &&
        plan.currentVersion > 0 &&
        (await plansRepo.hasSignedOff(db, place.id, {
          planId: plan.planId,
          version: plan.currentVersion,
          familyMemberId: me.id,
        }));
      return { me, plan, signedCurrent };
    },

    async goal(actor: Actor, place: PlaceSummary, participantId: string, goalId: string) {
      const me = await link(actor, place, participantId);
      const { content } = await currentPlan(db, place, participantId);
      const goal = content.goals.find((g) => g.id === goalId);
      if (!goal) throw new NotFoundError();
      return { me, goal };
    },

    async rateGoal(
      actor: Actor,
      place: PlaceSummary,
      participantId: string,
      goalId: string,
      rating: number,
      note: string,
    ) {
      const me = await link(actor, place, participantId);
      await db.transaction().execute(async (tx) => {
        const { plan, content } = await currentPlan(tx, place, participantId);
        if (!content.goals.some((g) => g.id === goalId)) throw new NotFoundError();
        const ratingId = await plansRepo.insertRating(tx, place.id, {
          planId: plan.id,
          goalId,
          rating,
          by: actor.user!.id,
          as: me.relationship,
          note,
        });
        await auditParticipant(
          tx,
          actor,
          place,
          'participant.goal_rated',
          participantId,
          { ratingId, goalId },
          [me.relationship],
        );
      });
    },

    async comment(actor: Actor, place: PlaceSummary, participantId: string, body: string) {
      const me = await link(actor, place, participantId);
      await db.transaction().execute(async (tx) => {
        const { plan } = await currentPlan(tx, place, participantId);
        const commentId = await plansRepo.insertComment(tx, place.id, {
          planId: plan.id,
          version: plan.current_version,
          by: actor.user!.id,
          as: me.relationship,
          body,
        });
        await auditParticipant(tx, actor, place, 'participant.plan_commented', participantId, { commentId }, [
          me.relationship,
        ]);
      });
    },

    /** Signs off the version the person saw; a later change needs a new sign-off. */
    async signOff(actor: Actor, place: PlaceSummary, participantId: string, version: number) {
      const me = await link(actor, place, participantId);
      await db.transaction().execute(async (tx) => {
        const { plan } = await currentPlan(tx, place, participantId);
        if (version !== plan.current_version)
          throw new ValidationError(
            'version',
            'The plan has changed since you opened it: read it again, then sign it off',
          );
        const id = await plansRepo.insertSignoff(tx, place.id, {
          planId: plan.id,
          version,
          familyMemberId: me.id,
          by: actor.user!.id,
        });
        if (!id) throw new ValidationError('version', 'You have already signed off this version');
        await auditParticipant(tx, actor, place, 'participant.plan_signed_off', participantId, { version }, [
          me.relationship,
        ]);
      });
    },
  };
}

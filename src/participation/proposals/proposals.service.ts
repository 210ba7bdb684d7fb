import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { ForbiddenError, NotFoundError, RefusalError, ValidationError } from '../../platform/errors.ts';
import { renderMarkdown } from '../../platform/markdown.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { keepDecision, withdrawDecision } from '../accountability/decisions.ts';
import type { ModerationService } from '../moderation/moderation.service.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { Process, ProcessesService } from '../processes/processes.service.ts';
import * as repo from './proposals.repository.ts';
import type { ProposalAnswer, ProposalStatus } from './proposals.table.ts';

export const ANSWER_LABELS: Record<ProposalAnswer, string> = {
  evaluating: 'Being evaluated',
  accepted: 'Accepted',
  not_accepted: 'Not accepted',
  already_happening: 'Already happening',
};

export interface ImageUpload {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
  bytes: Buffer;
  altText: string;
}

export interface ProposalInput extends repo.ProposalValues {
  image?: ImageUpload | undefined;
  removeImage?: boolean;
}

export interface ProposalSummary {
  id: string;
  processId: string;
  title: string;
  excerpt: string;
  category: string | null;
  area: string | null;
  status: ProposalStatus;
  answer: ProposalAnswer | null;
  supportCount: number;
  commentCount: number;
  authorName: string;
  createdAt: Date;
  supportedByMe: boolean;
}

export interface Proposal extends ProposalSummary {
  authorId: string;
  bodyHtml: string;
  body: string;
  postcode: string | null;
  answerReason: string | null;
  answeredAt: Date | null;
  hasImage: boolean;
  imageAlt: string | null;
  /** No edits once anyone has supported or commented: they agreed with what they read. */
  editable: boolean;
}

function excerpt(markdown: string): string {
  const plain = markdown
    .replace(/[#*_>`[\]()!-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 197)}…` : plain;
}

export type ProposalsService = ReturnType<typeof createProposalsService>;

export function createProposalsService(deps: {
  db: Database;
  processes: ProcessesService;
  moderation: ModerationService;
  notifications: NotificationsService;
}) {
  const { db, processes, moderation, notifications } = deps;

  function proposalLink(place: PlaceSummary, processId: string, id: string) {
    return `/places/${place.slug}/processes/${processId}/proposals/${id}`;
  }

  async function getProposal(
    actor: Actor,
    place: PlaceSummary,
    process: Process,
    id: string,
  ): Promise<Proposal> {
    const row = await repo.findProposal(db, place.id, process.id, id);
    if (!row) throw new NotFoundError();
    const isAuthor = actor.user?.id === row.author_id;
    const isModerator = can(actor, 'content.moderate', place.id);
    if (row.status !== 'published' && row.status !== 'withdrawn' && !isAuthor && !isModerator)
      throw new NotFoundError();
    const supported = actor.user
      ? await repo.supportedAmong(db, place.id, actor.user.id, [row.id])
      : new Set<string>();
    return {
      id: row.id,
      processId: row.process_id,
      authorId: row.author_id,
      title: row.title,
      body: row.body,
      bodyHtml: renderMarkdown(row.body, 'basic'),
      excerpt: excerpt(row.body),
      category: row.category,
      area: row.area,
      postcode: row.postcode,
      status: row.status,
      answer: row.answer,
      answerReason: row.answer_reason,
      answeredAt: row.answered_at,
      supportCount: row.support_count,
      commentCount: row.comment_count,
      authorName: row.author_name,
      createdAt: row.created_at,
      supportedByMe: supported.has(row.id),
      hasImage: row.image_alt !== null,
      imageAlt: row.image_alt,
      editable:
        row.support_count === 0 &&
        row.comment_count === 0 &&
        (row.status === 'published' || row.status === 'held'),
    };
  }

  function checkCategory(process: Process, category: string | null) {
    if (category && !process.categories.includes(category))
      throw new ValidationError('category', 'Select a category from the list');
    if (!category && process.categories.length > 0)
      throw new ValidationError('category', 'Select a category');
  }

  return {
    getProposal,
    proposalLink,

    async listProposals(
      actor: Actor,
      place: PlaceSummary,
      process: Process,
      filter: Omit<repo.ProposalFilter, 'includeHiddenFor'>,
      sort: repo.ProposalSort,
      seed: string,
      page: { limit: number; offset: number },
    ): Promise<{ proposals: ProposalSummary[]; total: number; areas: string[] }> {
      const includeHiddenFor = can(actor, 'content.moderate', place.id)
        ? ('moderator' as const)
        : actor.user
          ? { authorId: actor.user.id }
          : undefined;
      const [{ rows, total }, areas] = await Promise.all([
        repo.listProposals(db, place.id, process.id, { ...filter, includeHiddenFor }, sort, seed, page),
        repo.distinctAreas(db, place.id, process.id),
      ]);
      const supported = actor.user
        ? await repo.supportedAmong(
            db,
            place.id,
            actor.user.id,
            rows.map((r) => r.id),
          )
        : new Set<string>();
      return {
        total,
        areas,
        proposals: rows.map((r) => ({
          id: r.id,
          processId: r.process_id,
          title: r.title,
          excerpt: excerpt(r.body),
          category: r.category,
          area: r.area,
          status: r.status,
          answer: r.answer,
          supportCount: r.support_count,
          commentCount: r.comment_count,
          authorName: r.author_name,
          createdAt: r.created_at,
          supportedByMe: supported.has(r.id),
        })),
      };
    },

    async createProposal(actor: Actor, place: PlaceSummary, process: Process, input: ProposalInput) {
      await processes.assertCanAct(actor, place, process, 'propose');
      await moderation.assertNotBlocked(actor, place);
      checkCategory(process, input.category);
      const user = actor.user!;
      const screened = await moderation.screen(place, user.id, `${input.title}\n${input.body}`);
      const status: ProposalStatus = screened.status === 'held' ? 'held' : 'published';
      const id = await db.transaction().execute(async (tx) => {
        const { id } = await repo.insertProposal(tx, {
          ...input,
          placeId: place.id,
          processId: process.id,
          authorId: user.id,
          status,
        });
        if (input.image) await repo.upsertImage(tx, { placeId: place.id, proposalId: id, ...input.image });
        await notifications.follow(tx, {
          placeId: place.id,
          userId: user.id,
          targetType: 'proposal',
          targetId: id,
        });
        if (status === 'published') {
          await notifications.notifyFollowers(tx, [{ type: 'process', id: process.id }], user.id, {
            placeId: place.id,
            kind: 'proposal.created',
            title: `New proposal in ${process.title}: ${input.title}`,
            body: excerpt(input.body),
            link: proposalLink(place, process.id, id),
          });
        }
        await recordAudit(tx, actor, {
          action: 'proposal.created',
          subjectType: 'proposal',
          subjectId: id,
          placeId: place.id,
          details: { processId: process.id, status },
        });
        return id;
      });
      return { id, status, heldBecause: screened.reason };
    },

    async updateProposal(
      actor: Actor,
      place: PlaceSummary,
      process: Process,
      id: string,
      input: ProposalInput,
    ) {
      await moderation.assertNotBlocked(actor, place);
      checkCategory(process, input.category);
      const user = actor.user;
      if (!user) throw new ForbiddenError();
      const screened = await moderation.screen(place, user.id, `${input.title}\n${input.body}`);
      return db.transaction().execute(async (tx) => {
        const row = await repo.lockProposal(tx, place.id, id);
        if (!row || row.process_id !== process.id) throw new NotFoundError();
        if (row.author_id !== user.id)
          throw new ForbiddenError('Only the person who made a proposal can change it');
        if (row.support_count > 0 || row.comment_count > 0) {
          throw new RefusalError(
            'proposal_locked',
            'This proposal can no longer be changed, because people have supported or commented on it as it is.',
            'You can add a comment to explain what has changed, or withdraw it and make a new proposal.',
          );
        }
        if (row.status !== 'published' && row.status !== 'held')
          throw new RefusalError(
            'proposal_closed',
            'This proposal can no longer be changed.',
            'It has been withdrawn or hidden.',
          );
        const status: ProposalStatus =
          screened.status === 'held' ? 'held' : row.status === 'held' ? 'held' : 'published';
        await repo.updateProposal(tx, place.id, id, {
          title: input.title,
          body: input.body,
          category: input.category,
          area: input.area,
          postcode: input.postcode,
          status,
        });
        if (input.image) await repo.upsertImage(tx, { placeId: place.id, proposalId: id, ...input.image });
        else if (input.removeImage) await repo.deleteImage(tx, place.id, id);
        await recordAudit(tx, actor, {
          action: 'proposal.updated',
          subjectType: 'proposal',
          subjectId: id,
          placeId: place.id,
        });
        return { status, heldBecause: screened.reason };
      });
    },

    async withdrawProposal(actor: Actor, place: PlaceSummary, process: Process, id: string) {
      const user = actor.user;
      if (!user) throw new ForbiddenError();
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockProposal(tx, place.id, id);
        if (!row || row.process_id !== process.id) throw new NotFoundError();
        if (row.author_id !== user.id)
          throw new ForbiddenError('Only the person who made a proposal can withdraw it');
        if (row.status === 'withdrawn') return;
        // Held or hidden content must not become public by being withdrawn.
        if (row.status !== 'published') {
          throw new RefusalError(
            'proposal_not_shown',
            'This proposal cannot be withdrawn while it is waiting for, or hidden by, a moderator.',
            'A moderator will look at it soon.',
          );
        }
        await repo.setStatus(tx, place.id, id, 'withdrawn');
        await notifications.notifyFollowers(tx, [{ type: 'proposal', id }], user.id, {
          placeId: place.id,
          kind: 'proposal.withdrawn',
          title: `Withdrawn by its author: ${row.title}`,
          body: '',
          link: proposalLink(place, process.id, id),
        });
        await recordAudit(tx, actor, {
          action: 'proposal.withdrawn',
          subjectType: 'proposal',
          subjectId: id,
          placeId: place.id,
        });
      });
    },

    /** One support per resident per proposal, within the process's per-resident limit. */
    async support(actor: Actor, place: PlaceSummary, process: Process, id: string) {
      await processes.assertCanAct(actor, place, process, 'support');
      const user = actor.user!;
      await db.transaction().execute(async (tx) => {
        // Serialises one person's supports in a process, so that two at once cannot pass the limit together.
        await sql`select pg_advisory_xact_lock(hashtext(${`${process.id}:${user.id}`}))`.execute(tx);
        const row = await repo.lockProposal(tx, place.id, id);
        if (!row || row.process_id !== process.id || row.status !== 'published') throw new NotFoundError();
        if (row.author_id === user.id) {
          throw new RefusalError(
            'own_proposal',
            'You cannot support your own proposal.',
            'Ask your neighbours to support it.',
          );
        }
        if (process.supportsPerResident !== null) {
          const used = await repo.countSupportsInProcess(tx, place.id, process.id, user.id);
          if (used >= process.supportsPerResident) {
            throw new RefusalError(
              'support_limit',
              `You have used all ${process.supportsPerResident} of your supports in this process.`,
              'Withdraw a support from another proposal to support this one.',
            );
          }
        }
        const added = await repo.insertSupport(tx, {
          placeId: place.id,
          processId: process.id,
          proposalId: id,
          userId: user.id,
        });
        if (!added) return;
        await repo.adjustSupportCount(tx, place.id, id, 1);
        await recordAudit(tx, actor, {
          action: 'proposal.supported',
          subjectType: 'proposal',
          subjectId: id,
          placeId: place.id,
        });
        if (process.supportThreshold !== null && row.support_count + 1 === process.supportThreshold) {
          await notifications.notifyFollowers(tx, [{ type: 'proposal', id }], null, {
            placeId: place.id,
            kind: 'proposal.threshold_reached',
            title: `${row.title} has reached ${process.supportThreshold} supports`,
            body: 'The council will now consider it and give an official answer.',
            link: proposalLink(place, process.id, id),
          });
        }
      });
    },

    async withdrawSupport(actor: Actor, place: PlaceSummary, process: Process, id: string) {
      await processes.assertCanAct(actor, place, process, 'support');
      const user = actor.user!;
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockProposal(tx, place.id, id);
        if (!row || row.process_id !== process.id) throw new NotFoundError();
        const removed = await repo.deleteSupport(tx, place.id, id, user.id);
        if (!removed) return;
        await repo.adjustSupportCount(tx, place.id, id, -1);
        await recordAudit(tx, actor, {
          action: 'proposal.support_withdrawn',
          subjectType: 'proposal',
          subjectId: id,
          placeId: place.id,
        });
      });
    },

    /** The official answer; accepted proposals become decisions to track to completion. */
    async answer(
      actor: Actor,
      place: PlaceSummary,
      process: Process,
      id: string,
      answer: ProposalAnswer,
      reason: string,
    ) {
      authorise(actor, 'proposals.answer', place.id);
      await db.transaction().execute(async (tx) => {
        const row = await repo.lockProposal(tx, place.id, id);
        if (!row || row.process_id !== process.id) throw new NotFoundError();
        await repo.setAnswer(tx, place.id, id, { answer, reason, answeredBy: actor.user!.id });
        const source = { placeId: place.id, sourceType: 'proposal' as const, sourceId: id };
        if (answer === 'accepted') {
          await keepDecision(tx, { ...source, processId: process.id, title: row.title });
        } else {
          await withdrawDecision(tx, { ...source, reason: `the answer is now “${ANSWER_LABELS[answer]}”` });
        }
        const message = {
          placeId: place.id,
          kind: 'proposal.answered',
          title: `Official answer to “${row.title}”: ${ANSWER_LABELS[answer]}`,
          body: reason,
          link: proposalLink(place, process.id, id),
        };
        await notifications.notifyFollowers(tx, [{ type: 'proposal', id }], actor.user!.id, message);
        // The proposer hears the answer even after they stopped following.
        const follow = {
          placeId: place.id,
          userId: row.author_id,
          targetType: 'proposal' as const,
          targetId: id,
        };
        if (row.author_id !== actor.user!.id && !(await notifications.isFollowing(follow, tx))) {
          await notifications.notifyUser(tx, row.author_id, message);
        }
        await recordAudit(tx, actor, {
          action: 'proposal.answered',
          subjectType: 'proposal',
          subjectId: id,
          placeId: place.id,
          details: { answer },
        });
      });
    },

    async image(actor: Actor, place: PlaceSummary, id: string) {
      const image = await repo.findImage(db, place.id, id);
      if (!image) throw new NotFoundError();
      const visible =
        image.status === 'published' ||
        image.status === 'withdrawn' ||
        actor.user?.id === image.author_id ||
        can(actor, 'content.moderate', place.id);
      if (!visible) throw new NotFoundError();
      return { contentType: image.content_type, bytes: image.bytes };
    },
  };
}

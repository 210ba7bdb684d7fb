import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../platform/errors.ts';
import { handleForm, parseForm } from '../../platform/forms.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { Services } from '../../services.ts';
import {
  commentIdSchema,
  commentSchema,
  deleteCommentSchema,
  editCommentSchema,
  reactionSchema,
  safeReturnTo,
  threadQuerySchema,
} from './deliberation.schema.ts';
import {
  type CommentTarget,
  EDIT_WINDOW_MINUTES,
  type Thread,
  type ThreadOrder,
  targetPath,
} from './deliberation.service.ts';

const V = 'participation/deliberation/views';

/** Comments hang from a process, or from one of its proposals: every route exists under both. */
const TARGET_PREFIXES = ['/processes/:processId', '/processes/:processId/proposals/:proposalId'] as const;

interface TargetParams {
  slug: string;
  processId: string;
  proposalId?: string;
  commentId?: string;
}

/** What thread.njk reads: the thread, plus where its forms and links go. */
export interface ThreadView extends Thread {
  placeSlug: string;
  /** The process or proposal page; reaction, reply, edit and delete URLs start here. */
  basePath: string;
  /** Where the form for a new comment posts. */
  postUrl: string;
  /** The page the thread is shown on, to come back to after each form. */
  returnTo: string;
  orderLinks: { oldest: string; newest: string };
  /** Parameters for govukPagination, or undefined for a single page. */
  pagination:
    | {
        items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
        previous?: { href: string };
        next?: { href: string };
      }
    | undefined;
}

function isUuid(value: unknown): value is string {
  return commentIdSchema.safeParse(value).success;
}

function targetOf(params: TargetParams): CommentTarget {
  if (!isUuid(params.processId)) throw new NotFoundError();
  if (params.proposalId !== undefined && !isUuid(params.proposalId)) throw new NotFoundError();
  return { processId: params.processId, proposalId: params.proposalId ?? null };
}

function commentIdOf(params: TargetParams): string {
  if (!isUuid(params.commentId)) throw new NotFoundError();
  return params.commentId;
}

/** The same path and query with the thread's own parameters changed, pointing at the comments. */
function threadUrl(
  pageUrl: string,
  changes: Record<string, string | undefined>,
  anchor = 'comments',
): string {
  const url = new URL(pageUrl, 'http://commonweal.invalid');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return `${url.pathname}${url.search}#${anchor}`;
}

function threadPagination(pageUrl: string, page: number, pages: number): ThreadView['pagination'] {
  if (pages <= 1) return undefined;
  const href = (n: number) => threadUrl(pageUrl, { commentPage: n > 1 ? String(n) : undefined });
  const items: NonNullable<ThreadView['pagination']>['items'] = [];
  for (let n = 1; n <= pages; n++) {
    if (Math.abs(n - page) <= 1 || n === 1 || n === pages) {
      items.push({ number: n, href: href(n), current: n === page });
    } else if (!('ellipsis' in (items[items.length - 1] ?? {}))) {
      items.push({ ellipsis: true });
    }
  }
  return {
    items,
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
  };
}

function orderIn(path: string): ThreadOrder {
  const order = new URL(path, 'http://commonweal.invalid').searchParams.get('commentOrder');
  return order === 'newest' ? 'newest' : 'oldest';
}

/** Back to the page the form came from, at the comment's anchor (and on the page of the thread it is on). */
function redirectBack(reply: FastifyReply, returnTo: string, commentId: string, page?: number) {
  const changes = page === undefined ? {} : { commentPage: page > 1 ? String(page) : undefined };
  return reply.redirect(threadUrl(returnTo, changes, `comment-${commentId}`), 303);
}

function signInFirst(reply: FastifyReply, returnTo: string) {
  return reply.redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`, 303);
}

function services(request: FastifyRequest): Services {
  return request.server.services;
}

/**
 * The `thread` context variable for thread.njk on a process or proposal
 * page: reads ?commentPage and ?commentOrder from the request and comes
 * back to the page it is shown on after every form.
 */
export async function threadContext(request: FastifyRequest, target: CommentTarget): Promise<ThreadView> {
  const place = request.place!;
  const query = threadQuerySchema.parse(request.query ?? {});
  const thread = await services(request).deliberation.thread(request.actor, place, target, {
    page: query.commentPage ?? 1,
    order: query.commentOrder ?? 'oldest',
  });
  const basePath = targetPath(place, target);
  const returnTo = safeReturnTo(request.url, place.slug, basePath);
  return {
    ...thread,
    placeSlug: place.slug,
    basePath,
    postUrl: `${basePath}/comments`,
    returnTo,
    orderLinks: {
      oldest: threadUrl(returnTo, { commentOrder: undefined, commentPage: undefined }),
      newest: threadUrl(returnTo, { commentOrder: 'newest', commentPage: undefined }),
    },
    pagination: threadPagination(returnTo, thread.page, thread.pages),
  };
}

export function deliberationRoutes(app: FastifyInstance, all: Services): void {
  const { deliberation, places } = all;

  app.register(
    async (scope) => {
      scope.addHook('preHandler', async (request) => {
        const { slug } = request.params as { slug: string };
        const place = await places.placeBySlug(slug);
        request.placeRecord = place;
        request.place = { id: place.id, slug: place.slug, name: place.name };
      });

      const currentPlace = (request: FastifyRequest): PlaceSummary => request.place!;
      const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

      for (const prefix of TARGET_PREFIXES) {
        // The conversation on its own page, for links and for people who only want the comments.
        scope.get<{ Params: TargetParams }>(`${prefix}/comments`, async (request, reply) => {
          const thread = await threadContext(request, targetOf(request.params));
          return reply.page(`${V}/comments.njk`, {
            title: `Comments on ${thread.subject.title}`,
            thread,
            subjectPath: thread.basePath,
            values: {},
          });
        });

        // A lasting link to one comment (used in notifications): to the page of the thread that shows it.
        scope.get<{ Params: TargetParams }>(`${prefix}/comments/:commentId`, async (request, reply) => {
          const place = currentPlace(request);
          const target = targetOf(request.params);
          const commentId = commentIdOf(request.params);
          const { page } = await deliberation.locate(request.actor, place, target, commentId);
          const path = targetPath(place, target);
          return reply.redirect(
            threadUrl(path, { commentPage: page > 1 ? String(page) : undefined }, `comment-${commentId}`),
          );
        });

        scope.get<{ Params: TargetParams; Querystring: { returnTo?: string } }>(
          `${prefix}/comments/new`,
          async (request, reply) => {
            const place = currentPlace(request);
            const target = targetOf(request.params);
            const returnTo = safeReturnTo(request.query.returnTo, place.slug, targetPath(place, target));
            const { template, context } = await newCommentPage(request, target, returnTo);
            return reply.page(template, { ...context, values: { returnTo } });
          },
        );

        scope.post<{ Params: TargetParams }>(`${prefix}/comments`, async (request, reply) => {
          const place = currentPlace(request);
          const target = targetOf(request.params);
          const basePath = targetPath(place, target);
          const body = bodyOf(request);
          const returnTo = safeReturnTo(body.returnTo, place.slug, basePath);
          if (!request.actor.user) return signInFirst(reply, returnTo);
          const parentId = body.parentId ? String(body.parentId) : undefined;
          if (parentId !== undefined && !isUuid(parentId)) throw new NotFoundError();
          // Refusals come before validation: someone who cannot comment is told why, not that a field is empty.
          const { template, context } = parentId
            ? await replyPage(request, target, parentId, returnTo)
            : await newCommentPage(request, target, returnTo);
          return handleForm(reply, {
            schema: commentSchema,
            body: request.body,
            template,
            context,
            action: async (data) => {
              const created = await deliberation.create(
                request.actor,
                place,
                target,
                { body: data.body, stance: data.stance, parentId: data.parentId ?? null },
                { order: orderIn(returnTo) },
              );
              await app.sessions.flash(
                request,
                created.status === 'held'
                  ? {
                      kind: 'info',
                      heading: 'Your comment is waiting for a moderator',
                      text: `Only you and the moderators can see it until a moderator has checked it${created.heldReason ? `, because ${created.heldReason}` : ''}.`,
                    }
                  : { kind: 'success', text: 'Your comment has been posted.' },
              );
              return redirectBack(reply, returnTo, created.id, created.page);
            },
          });
        });

        scope.get<{ Params: TargetParams; Querystring: { returnTo?: string } }>(
          `${prefix}/comments/:commentId/reply`,
          async (request, reply) => {
            const place = currentPlace(request);
            const target = targetOf(request.params);
            const returnTo = safeReturnTo(request.query.returnTo, place.slug, targetPath(place, target));
            const { template, context } = await replyPage(
              request,
              target,
              commentIdOf(request.params),
              returnTo,
            );
            return reply.page(template, { ...context, values: { returnTo } });
          },
        );

        scope.post<{ Params: TargetParams }>(
          `${prefix}/comments/:commentId/reactions`,
          async (request, reply) => {
            const place = currentPlace(request);
            const target = targetOf(request.params);
            const commentId = commentIdOf(request.params);
            const returnTo = safeReturnTo(bodyOf(request).returnTo, place.slug, targetPath(place, target));
            if (!request.actor.user) return signInFirst(reply, returnTo);
            const parsed = parseForm(reactionSchema, request.body);
            if (!parsed.ok) throw new NotFoundError();
            await deliberation.react(request.actor, place, target, commentId, parsed.data.value);
            return redirectBack(reply, returnTo, commentId);
          },
        );

        scope.get<{ Params: TargetParams; Querystring: { returnTo?: string } }>(
          `${prefix}/comments/:commentId/edit`,
          async (request, reply) => {
            const place = currentPlace(request);
            const target = targetOf(request.params);
            const returnTo = safeReturnTo(request.query.returnTo, place.slug, targetPath(place, target));
            const { context, comment } = await editPage(
              request,
              target,
              commentIdOf(request.params),
              returnTo,
            );
            return reply.page(`${V}/edit.njk`, {
              ...context,
              values: { body: comment.body, stance: comment.stance, returnTo },
            });
          },
        );

        scope.post<{ Params: TargetParams }>(`${prefix}/comments/:commentId/edit`, async (request, reply) => {
          const place = currentPlace(request);
          const target = targetOf(request.params);
          const commentId = commentIdOf(request.params);
          const returnTo = safeReturnTo(bodyOf(request).returnTo, place.slug, targetPath(place, target));
          if (!request.actor.user) return signInFirst(reply, returnTo);
          const { context } = await editPage(request, target, commentId, returnTo);
          return handleForm(reply, {
            schema: editCommentSchema,
            body: request.body,
            template: `${V}/edit.njk`,
            context,
            action: async (data) => {
              const edited = await deliberation.edit(request.actor, place, target, commentId, {
                body: data.body,
                stance: data.stance,
              });
              await app.sessions.flash(
                request,
                edited.status === 'held'
                  ? {
                      kind: 'info',
                      heading: 'Your comment is waiting for a moderator',
                      text: `Only you and the moderators can see it until a moderator has checked it${edited.heldReason ? `, because ${edited.heldReason}` : ''}.`,
                    }
                  : { kind: 'success', text: 'Your comment has been changed.' },
              );
              return redirectBack(reply, returnTo, commentId);
            },
          });
        });

        scope.get<{ Params: TargetParams; Querystring: { returnTo?: string } }>(
          `${prefix}/comments/:commentId/delete`,
          async (request, reply) => {
            const place = currentPlace(request);
            const target = targetOf(request.params);
            const basePath = targetPath(place, target);
            const returnTo = safeReturnTo(request.query.returnTo, place.slug, basePath);
            const commentId = commentIdOf(request.params);
            const { subject, comment } = await deliberation.deleteForm(
              request.actor,
              place,
              target,
              commentId,
            );
            return reply.page(`${V}/delete.njk`, {
              title: 'Are you sure you want to delete your comment?',
              subject,
              comment,
              action: `${basePath}/comments/${commentId}/delete`,
              cancelHref: threadUrl(returnTo, {}, `comment-${commentId}`),
              values: { returnTo },
              backLink: threadUrl(returnTo, {}, `comment-${commentId}`),
            });
          },
        );

        scope.post<{ Params: TargetParams }>(
          `${prefix}/comments/:commentId/delete`,
          async (request, reply) => {
            const place = currentPlace(request);
            const target = targetOf(request.params);
            const commentId = commentIdOf(request.params);
            const returnTo = safeReturnTo(bodyOf(request).returnTo, place.slug, targetPath(place, target));
            if (!request.actor.user) return signInFirst(reply, returnTo);
            const parsed = parseForm(deleteCommentSchema, request.body);
            if (!parsed.ok) throw new NotFoundError();
            await deliberation.deleteComment(request.actor, place, target, commentId);
            await app.sessions.flash(request, { kind: 'success', text: 'Your comment has been deleted.' });
            return redirectBack(reply, returnTo, commentId);
          },
        );
      }

      async function newCommentPage(request: FastifyRequest, target: CommentTarget, returnTo: string) {
        const place = currentPlace(request);
        const { subject } = await deliberation.newCommentForm(request.actor, place, target);
        const basePath = targetPath(place, target);
        return {
          template: `${V}/comment-form.njk`,
          context: {
            title: 'Add a comment',
            subject,
            subjectPath: basePath,
            action: `${basePath}/comments`,
            backLink: returnTo,
          },
        };
      }

      async function replyPage(
        request: FastifyRequest,
        target: CommentTarget,
        parentId: string,
        returnTo: string,
      ) {
        const place = currentPlace(request);
        const { subject, parent, atMaxDepth } = await deliberation.replyForm(
          request.actor,
          place,
          target,
          parentId,
        );
        const basePath = targetPath(place, target);
        return {
          template: `${V}/reply.njk`,
          context: {
            title: `Reply to ${parent.authorName}`,
            subject,
            subjectPath: basePath,
            parent,
            atMaxDepth,
            action: `${basePath}/comments`,
            backLink: threadUrl(returnTo, {}, `comment-${parent.id}`),
          },
        };
      }

      async function editPage(
        request: FastifyRequest,
        target: CommentTarget,
        commentId: string,
        returnTo: string,
      ) {
        const place = currentPlace(request);
        const form = await deliberation.editForm(request.actor, place, target, commentId);
        const basePath = targetPath(place, target);
        return {
          comment: form.comment,
          context: {
            title: 'Change your comment',
            subject: form.subject,
            subjectPath: basePath,
            editableUntil: form.editableUntil,
            editWindowMinutes: EDIT_WINDOW_MINUTES,
            action: `${basePath}/comments/${commentId}/edit`,
            backLink: threadUrl(returnTo, {}, `comment-${commentId}`),
          },
        };
      }
    },
    { prefix: '/places/:slug' },
  );
}

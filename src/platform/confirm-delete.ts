import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from './errors.ts';
import { validationErrors } from './forms.ts';

const TEMPLATE = 'platform/views/confirm-delete.njk';

/** What a confirm-delete page shows. */
export interface ConfirmPage {
  title: string;
  /** What the record belongs to, above the heading. */
  caption?: string;
  /** The record itself, in a line under the heading (with its date in bold when it has one). */
  detail?: { date?: string | Date; text: string };
  warning?: string;
  /** Where its form posts. */
  action: string;
  backLink: string;
}

interface DeletionPages<P> {
  /** The confirm page's path in the place; its form posts to the same path. */
  path: string;
  /** Finds the record, refusing anyone who may not delete it, and words the question. */
  confirm(request: FastifyRequest<{ Params: P }>): Promise<ConfirmPage>;
  buttonText: string;
  /** For a deletion that can be refused with a reason: the page that gives it, offering to try again. */
  refused?(request: FastifyRequest<{ Params: P }>): ConfirmPage;
}

/**
 * A record kind's pair of routes: a page that asks before deleting, and the form post that deletes.
 * `remove` deletes the record (its service authorises again) and says where to go next; the success
 * message is `done`, or what `remove` says when the message depends on what was deleted.
 */
export type Deletion<P> = DeletionPages<P> &
  (
    | { remove(request: FastifyRequest<{ Params: P }>): Promise<string>; done: string }
    | { remove(request: FastifyRequest<{ Params: P }>): Promise<{ next: string; done: string }> }
  );

export function registerDeletion<P extends Record<string, string>>(
  app: FastifyInstance,
  scope: FastifyInstance,
  deletion: Deletion<P>,
): void {
  scope.get<{ Params: P }>(deletion.path, async (request, reply) =>
    reply.page(TEMPLATE, { ...(await deletion.confirm(request)), buttonText: deletion.buttonText }),
  );
  scope.post<{ Params: P }>(deletion.path, async (request, reply) => {
    let next: string;
    let done: string;
    try {
      const removed = await deletion.remove(request);
      if (typeof removed === 'string') {
        next = removed;
        done = 'done' in deletion ? deletion.done : '';
      } else {
        ({ next, done } = removed);
      }
    } catch (error) {
      if (!deletion.refused || !(error instanceof ValidationError)) throw error;
      return reply.code(400).page(TEMPLATE, {
        ...deletion.refused(request),
        errors: validationErrors(error),
        buttonText: 'Try again',
      });
    }
    await app.sessions.flash(request, { kind: 'success', text: done });
    return reply.redirect(next, 303);
  });
}

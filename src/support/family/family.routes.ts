import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { listPagination, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { formPage } from '../plans/form-page.ts';
import { COMPONENT_KINDS } from '../plans/plan-content.ts';
import { RATING_ITEMS, VOICE_LABELS } from '../plans/plans.routes.ts';
import { commentSchema, ratingSchema } from '../plans/support-plans.schema.ts';

const V = 'support/family/views';
const INVITATION_RATE_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };

function token(value: string): string {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(value)) throw new NotFoundError();
  return value;
}

const signOffSchema = z.object({ version: z.coerce.number().int().min(1) });

/** The family view: young people (13+) and parents or carers see one child's plan, in plain language. */
export function familyRoutes(app: FastifyInstance, services: Services): void {
  const { family } = services.supportPlans;

  registerPlaceRoutes(app, (scope) => {
    const home = (request: FastifyRequest) => `/places/${place(request).slug}/family`;
    const planPath = (request: FastifyRequest, id: string) => `${home(request)}/${id}`;

    scope.get<{ Querystring: { page?: string } }>('/family', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const { rows, total } = await family.links(request.actor, place(request), page);
      return reply.page(`${V}/home.njk`, {
        title: 'Your family’s support plans',
        links: rows,
        pagination: paginationLinks(home(request), {}, page, total),
        home: home(request),
      });
    });

    scope.get<{ Params: { token: string } }>('/family/invitations/:token', async (request, reply) => {
      if (!request.actor.user) throw new ForbiddenError('You need to sign in to accept an invitation');
      const invitation = await family.invitation(request.actor, place(request), token(request.params.token));
      return reply.page(`${V}/invitation.njk`, {
        title: 'Accept the invitation',
        invitation,
        action: `${home(request)}/invitations/${request.params.token}`,
      });
    });

    scope.post<{ Params: { token: string } }>(
      '/family/invitations/:token',
      { config: INVITATION_RATE_LIMIT },
      async (request, reply) => {
        const t = token(request.params.token);
        const invitation = await family.invitation(request.actor, place(request), t);
        try {
          const participantId = await family.accept(request.actor, place(request), t);
          await app.sessions.flash(request, { kind: 'success', text: 'You can now see the support plan.' });
          return reply.redirect(planPath(request, participantId), 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return reply.code(400).page(`${V}/invitation.njk`, {
            title: 'Accept the invitation',
            invitation,
            action: `${home(request)}/invitations/${t}`,
            problem: error.message,
          });
        }
      },
    );

    scope.get<{ Params: { id: string }; Querystring: { comments?: string } }>(
      '/family/:id',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const commentsPage = pageRequest(request.query.comments);
        const { me, plan, signedCurrent } = await family.plan(
          request.actor,
          place(request),
          id,
          commentsPage,
        );
        return reply.page(`${V}/plan.njk`, {
          title: me.given_name ? `${me.given_name}’s support plan` : 'Your support plan',
          me,
          plan,
          signedCurrent,
          components: plan.content.components.map((c) => ({
            ...c,
            plain: COMPONENT_KINDS[c.kind].plain,
          })),
          voiceLabels: VOICE_LABELS,
          base: planPath(request, id),
          commentsPagination: listPagination(
            planPath(request, id),
            { comments: commentsPage },
            'comments',
            plan.comments.total,
            { anchor: 'comments' },
          ),
          backLink: home(request),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    formPage(app, scope, {
      path: '/family/:id/goals/:goalId/rating',
      schema: ratingSchema,
      load: (request) =>
        family.goal(request.actor, place(request), uuid(request.params.id!), uuid(request.params.goalId!)),
      context: ({ goal }, request) => ({
        title: 'How is this goal going?',
        intro: [
          `Goal: ${goal.text}`,
          'Choose a number: 0 means not at all, 10 means the goal is fully reached.',
        ],
        action: `${planPath(request, request.params.id!)}/goals/${goal.id}/rating`,
        backLink: planPath(request, request.params.id!),
        fields: [
          { name: 'rating', label: 'How close is the goal now?', type: 'radios', items: RATING_ITEMS },
          { name: 'note', label: 'Anything you want to add? (optional)', type: 'textarea', rows: 3 },
        ],
        submitText: 'Save',
      }),
      act: async ({ goal }, data, request) => {
        const id = uuid(request.params.id!);
        await family.rateGoal(request.actor, place(request), id, goal.id, data.rating, data.note);
        return { flash: 'Thank you. Your rating has been saved.', redirect: planPath(request, id) };
      },
    });

    formPage(app, scope, {
      path: '/family/:id/comments/new',
      schema: commentSchema,
      load: async (request) => {
        const id = uuid(request.params.id!);
        await family.plan(request.actor, place(request), id, { limit: 1, offset: 0 });
        return { id };
      },
      context: ({ id }, request) => ({
        title: 'Comment on the plan',
        intro: ['Your link worker will read your comment.'],
        action: `${planPath(request, id)}/comments/new`,
        backLink: planPath(request, id),
        fields: [{ name: 'body', label: 'Your comment', type: 'textarea', rows: 5 }],
        submitText: 'Send the comment',
      }),
      act: async ({ id }, data, request) => {
        await family.comment(request.actor, place(request), id, data.body);
        return { flash: 'Thank you. Your comment has been saved.', redirect: planPath(request, id) };
      },
    });

    scope.post<{ Params: { id: string } }>('/family/:id/sign-off', async (request, reply) => {
      const id = uuid(request.params.id);
      const parsed = signOffSchema.safeParse(request.body);
      try {
        if (!parsed.success) throw new ValidationError('version', 'Read the plan again, then sign it off');
        await family.signOff(request.actor, place(request), id, parsed.data.version);
        await app.sessions.flash(request, {
          kind: 'success',
          text: 'Thank you. You have signed off the plan.',
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        await app.sessions.flash(request, { kind: 'info', text: error.message });
      }
      return reply.redirect(planPath(request, id), 303);
    });
  });
}

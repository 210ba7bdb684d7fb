import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { registerDeletion } from '../../platform/confirm-delete.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { listPageRequests, listPagination, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { displayName, formPage } from './form-page.ts';
import { COMPONENT_KINDS } from './plan-content.ts';
import {
  actionSchema,
  commentSchema,
  componentSchema,
  goalSchema,
  inviteSchema,
  RELATIONSHIPS,
  ratingSchema,
  reviewSchema,
} from './support-plans.schema.ts';

const V = 'support/plans/views';

/** The paged lists on a plan page, each by its own query parameter (`page` is the version history). */
const PLAN_LISTS = ['page', 'comments', 'familyPage', 'signoffsPage'] as const;

export const RATING_ITEMS = Array.from({ length: 11 }, (_, n) => ({
  value: String(n),
  text: n === 0 ? '0 (not at all)' : n === 10 ? '10 (fully reached)' : String(n),
}));

export const VOICE_LABELS = {
  link_worker: 'Link worker',
  young_person: 'Young person',
  parent_carer: 'Parent or carer',
} as const;

export function plansRoutes(app: FastifyInstance, services: Services): void {
  const { plans, family } = services.supportPlans;

  registerPlaceRoutes(app, (scope) => {
    const planPath = (request: FastifyRequest, id: string) =>
      `/places/${place(request).slug}/support/participants/${id}/plan`;
    const loadPlan = (request: FastifyRequest<{ Params: Record<string, string> }>) =>
      plans.forForm(request.actor, place(request), uuid(request.params.id!));

    scope.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
      '/support/participants/:id/plan',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const asked = request.query.version;
        const version = asked && /^\d{1,6}$/.test(asked) ? Number(asked) : undefined;
        const pages = listPageRequests(request.query, PLAN_LISTS);
        const view = await plans.plan(request.actor, place(request), id, {
          version,
          versionsPage: pages.page,
          commentsPage: pages.comments,
          familyPage: pages.familyPage,
          signoffsPage: pages.signoffsPage,
        });
        const { plan } = view;
        const base = planPath(request, id);
        const paging = (list: (typeof PLAN_LISTS)[number], total: number, anchor: string, label: string) =>
          listPagination(base, pages, list, total, {
            keep: { version: version === undefined ? undefined : String(version) },
            anchor,
            label: `Pages of ${label}`,
          });
        return reply.page(`${V}/plan.njk`, {
          title:
            plan.shownVersion !== plan.currentVersion
              ? `Support plan, version ${plan.shownVersion}`
              : 'Support plan',
          caption: displayName(view.participant),
          plan,
          old: plan.shownVersion !== plan.currentVersion,
          components: plan.content.components.map((c) => ({
            ...c,
            kindLabel: COMPONENT_KINDS[c.kind].label,
            providerName: view.providerOf(c),
          })),
          family: view.family,
          relationshipLabels: RELATIONSHIPS,
          voiceLabels: VOICE_LABELS,
          base,
          record: `/places/${place(request).slug}/support/participants/${id}`,
          versionsPagination: paging('page', plan.versions.total, 'history', 'versions'),
          commentsPagination: paging('comments', plan.comments.total, 'comments', 'comments'),
          familyPagination: paging('familyPage', view.family.total, 'family', 'family members'),
          signoffsPagination: paging('signoffsPage', plan.signoffs.total, 'signoffs', 'sign-offs'),
          backLink: `/places/${place(request).slug}/support/participants/${id}`,
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { id: string; goalId: string }; Querystring: { page?: string } }>(
      '/support/participants/:id/plan/goals/:goalId/ratings',
      async (request, reply) => {
        const id = uuid(request.params.id);
        const page = pageRequest(request.query.page);
        const view = await plans.goalRatings(
          request.actor,
          place(request),
          id,
          uuid(request.params.goalId),
          page,
        );
        const base = planPath(request, id);
        const path = `${base}/goals/${view.goal.id}/ratings`;
        return reply.page(`${V}/goal-ratings.njk`, {
          title: 'Every rating of a goal',
          caption: displayName(view.participant),
          goal: view.goal,
          ratings: view.ratings.rows,
          firstIsBaseline: page.offset === 0,
          pagination: paginationLinks(path, {}, page, view.ratings.total),
          voiceLabels: VOICE_LABELS,
          backLink: base,
        });
      },
    );

    formPage(app, scope, {
      path: '/support/participants/:id/plan/goals/new',
      schema: goalSchema,
      load: loadPlan,
      context: ({ participant }, request) => ({
        title: 'Add a goal',
        caption: displayName(participant),
        intro: ['Write the goal in the young person’s own words, as they said it.'],
        action: `${planPath(request, participant.id)}/goals/new`,
        backLink: planPath(request, participant.id),
        fields: [{ name: 'text', label: 'Goal', type: 'textarea', rows: 3 }],
        submitText: 'Add the goal',
      }),
      act: async ({ participant }, data, request) => {
        await plans.change(request.actor, place(request), participant.id, {
          kind: 'add_goal',
          text: data.text,
        });
        return { flash: 'The goal has been added.', redirect: planPath(request, participant.id) };
      },
    });

    const goalOf = (content: { goals: { id: string; text: string }[] }, goalId: string | undefined) => {
      const goal = content.goals.find((g) => g.id === goalId);
      if (!goal) throw new ValidationError('text', 'That goal is not in the plan');
      return goal;
    };

    formPage(app, scope, {
      path: '/support/participants/:id/plan/goals/:goalId/edit',
      schema: goalSchema,
      load: async (request) => {
        const loaded = await loadPlan(request);
        return { ...loaded, goal: goalOf(loaded.content, request.params.goalId) };
      },
      context: ({ participant, goal }, request) => ({
        title: 'Change the words of a goal',
        caption: displayName(participant),
        action: `${planPath(request, participant.id)}/goals/${goal.id}/edit`,
        backLink: planPath(request, participant.id),
        fields: [{ name: 'text', label: 'Goal', type: 'textarea', rows: 3 }],
        submitText: 'Save the goal',
      }),
      values: ({ goal }) => ({ text: goal.text }),
      act: async ({ participant, goal }, data, request) => {
        await plans.change(request.actor, place(request), participant.id, {
          kind: 'edit_goal',
          goalId: goal.id,
          text: data.text,
        });
        return { flash: 'The goal has been changed.', redirect: planPath(request, participant.id) };
      },
    });

    formPage(app, scope, {
      path: '/support/participants/:id/plan/goals/:goalId/rating',
      schema: ratingSchema,
      load: async (request) => {
        const loaded = await loadPlan(request);
        return { ...loaded, goal: goalOf(loaded.content, request.params.goalId) };
      },
      context: ({ participant, goal }, request) => ({
        title: 'Rate progress on a goal',
        caption: displayName(participant),
        intro: [
          `Goal: ${goal.text}`,
          'Rate it with the young person: 0 means not at all, 10 means fully reached.',
        ],
        action: `${planPath(request, participant.id)}/goals/${goal.id}/rating`,
        backLink: planPath(request, participant.id),
        fields: [
          { name: 'rating', label: 'How close is the goal?', type: 'radios', items: RATING_ITEMS },
          { name: 'note', label: 'Note (optional)', type: 'textarea', rows: 3 },
        ],
        submitText: 'Save the rating',
      }),
      act: async ({ participant, goal }, data, request) => {
        await plans.rateGoal(request.actor, place(request), participant.id, goal.id, data.rating, data.note);
        return { flash: 'The rating has been saved.', redirect: planPath(request, participant.id) };
      },
    });

    formPage(app, scope, {
      path: '/support/participants/:id/plan/components/new',
      schema: componentSchema,
      load: async (request) => ({
        ...(await loadPlan(request)),
        organisations: await plans.organisationOptions(place(request)),
      }),
      context: ({ participant, organisations }, request) => ({
        title: 'Add support to the plan',
        caption: displayName(participant),
        action: `${planPath(request, participant.id)}/components/new`,
        backLink: planPath(request, participant.id),
        fields: [
          {
            name: 'kind',
            label: 'Kind of support',
            type: 'radios',
            items: Object.entries(COMPONENT_KINDS).map(([value, k]) => ({
              value,
              text: k.label,
              hint: { text: k.plain },
            })),
          },
          { name: 'description', label: 'What the support is', type: 'textarea', rows: 3 },
          {
            name: 'organizationId',
            label: 'Provider from the directory (optional)',
            type: 'select',
            items: [
              { value: '', text: 'Not in the directory' },
              ...organisations.map((o) => ({ value: o.id, text: o.name })),
            ],
          },
          {
            name: 'provider',
            label: 'Or the provider’s name (optional)',
            hint: 'For example, Grandma, or the school nurse.',
          },
        ],
        submitText: 'Add the support',
      }),
      act: async ({ participant }, data, request) => {
        await plans.change(request.actor, place(request), participant.id, {
          kind: 'add_component',
          component: data.kind,
          description: data.description,
          provider: data.organizationId ? '' : data.provider,
          organizationId: data.organizationId || null,
        });
        return { flash: 'The support has been added.', redirect: planPath(request, participant.id) };
      },
    });

    formPage(app, scope, {
      path: '/support/participants/:id/plan/actions/new',
      schema: actionSchema,
      load: loadPlan,
      context: ({ participant }, request) => ({
        title: 'Add an agreed action',
        caption: displayName(participant),
        action: `${planPath(request, participant.id)}/actions/new`,
        backLink: planPath(request, participant.id),
        fields: [
          { name: 'text', label: 'Action', type: 'textarea', rows: 3 },
          {
            name: 'owner',
            label: 'Who will do it',
            hint: 'For example, Mum, Leah (link worker), or Jordan.',
          },
          { name: 'dueOn', label: 'Due by', type: 'date', classes: 'govuk-input--width-10' },
        ],
        submitText: 'Add the action',
      }),
      act: async ({ participant }, data, request) => {
        await plans.change(request.actor, place(request), participant.id, { kind: 'add_action', ...data });
        return { flash: 'The action has been added.', redirect: planPath(request, participant.id) };
      },
    });

    scope.post<{ Params: { id: string; actionId: string } }>(
      '/support/participants/:id/plan/actions/:actionId/done',
      async (request, reply) => {
        const id = uuid(request.params.id);
        try {
          await plans.change(request.actor, place(request), id, {
            kind: 'complete_action',
            actionId: uuid(request.params.actionId),
          });
          await app.sessions.flash(request, { kind: 'success', text: 'The action is marked as done.' });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          await app.sessions.flash(request, { kind: 'info', text: error.message });
        }
        return reply.redirect(planPath(request, id), 303);
      },
    );

    formPage(app, scope, {
      path: '/support/participants/:id/plan/comments/new',
      schema: commentSchema,
      load: loadPlan,
      context: ({ participant }, request) => ({
        title: 'Comment on the plan',
        caption: displayName(participant),
        intro: ['The family sees your comment beside theirs, on the plan they can read.'],
        action: `${planPath(request, participant.id)}/comments/new`,
        backLink: `${planPath(request, participant.id)}#comments`,
        fields: [{ name: 'body', label: 'Your comment', type: 'textarea', rows: 5 }],
        submitText: 'Send the comment',
      }),
      act: async ({ participant }, data, request) => {
        await plans.comment(request.actor, place(request), participant.id, data.body);
        return {
          flash: 'Your comment has been saved.',
          redirect: `${planPath(request, participant.id)}#comments`,
        };
      },
    });

    type MemberParams = { id: string; memberId: string };
    const endPath = (request: FastifyRequest<{ Params: MemberParams }>) =>
      `${planPath(request, uuid(request.params.id))}/family/${uuid(request.params.memberId)}/end`;
    registerDeletion<MemberParams>(app, scope, {
      path: '/support/participants/:id/plan/family/:memberId/end',
      async confirm(request) {
        const { child, member } = await family.memberToEnd(
          request.actor,
          place(request),
          uuid(request.params.id),
          uuid(request.params.memberId),
        );
        const who = `${RELATIONSHIPS[member.relationship]} (${member.user_name ?? member.email})`;
        return {
          title: member.accepted_at ? 'End this family member’s access?' : 'Withdraw this invitation?',
          caption: displayName(child),
          detail: { text: who },
          warning: member.accepted_at
            ? 'They can no longer see the plan, rate goals, comment or sign off. What they wrote stays.'
            : 'The link in the invitation email stops working.',
          action: endPath(request),
          backLink: `${planPath(request, child.id)}#family`,
        };
      },
      buttonText: 'End access',
      async remove(request) {
        const id = uuid(request.params.id);
        await family.endMember(request.actor, place(request), id, uuid(request.params.memberId));
        return `${planPath(request, id)}#family`;
      },
      done: 'Their access to the plan has ended.',
      refused: (request) => ({
        title: 'This access cannot be ended',
        action: endPath(request),
        backLink: `${planPath(request, uuid(request.params.id))}#family`,
      }),
    });

    // Removing a goal or an action asks first, then writes a new version without it.
    type PartParams = { id: string; partId: string };
    const removal = (part: 'goal' | 'action') => {
      const list = part === 'goal' ? 'goals' : 'actions';
      const path = (request: FastifyRequest<{ Params: PartParams }>) =>
        `${planPath(request, uuid(request.params.id))}/${list}/${uuid(request.params.partId)}/remove`;
      registerDeletion<PartParams>(app, scope, {
        path: `/support/participants/:id/plan/${list}/:partId/remove`,
        async confirm(request) {
          const { participant, content } = await loadPlan(request);
          const partId = uuid(request.params.partId);
          const text =
            part === 'goal'
              ? content.goals.find((g) => g.id === partId)?.text
              : content.actions.find((a) => a.id === partId)?.text;
          if (text === undefined) throw new NotFoundError();
          return {
            title: `Remove the ${part} “${text}”?`,
            caption: displayName(participant),
            warning:
              part === 'goal'
                ? 'The plan gets a new version without it. Earlier versions keep it, with its ratings.'
                : 'The plan gets a new version without it. Earlier versions keep it.',
            action: path(request),
            backLink: planPath(request, participant.id),
          };
        },
        buttonText: `Remove the ${part}`,
        async remove(request) {
          const id = uuid(request.params.id);
          const partId = uuid(request.params.partId);
          try {
            await plans.change(
              request.actor,
              place(request),
              id,
              part === 'goal'
                ? { kind: 'remove_goal', goalId: partId }
                : { kind: 'remove_action', actionId: partId },
            );
          } catch (error) {
            // The refusal page has one thing to point at: its button.
            if (error instanceof ValidationError) throw new ValidationError('confirm', error.message);
            throw error;
          }
          return planPath(request, id);
        },
        done: `The ${part} has been removed.`,
        refused: (request) => ({
          title: `This ${part} cannot be removed`,
          action: path(request),
          backLink: planPath(request, uuid(request.params.id)),
        }),
      });
    };
    removal('goal');
    removal('action');

    formPage(app, scope, {
      path: '/support/participants/:id/plan/reviews/new',
      schema: reviewSchema,
      load: loadPlan,
      context: ({ participant }, request) => ({
        title: 'Add a review date',
        caption: displayName(participant),
        action: `${planPath(request, participant.id)}/reviews/new`,
        backLink: planPath(request, participant.id),
        fields: [{ name: 'on', label: 'Review date', type: 'date', classes: 'govuk-input--width-10' }],
        submitText: 'Add the review date',
      }),
      act: async ({ participant }, data, request) => {
        await plans.change(request.actor, place(request), participant.id, {
          kind: 'add_review',
          on: data.on,
        });
        return { flash: 'The review date has been added.', redirect: planPath(request, participant.id) };
      },
    });

    formPage(app, scope, {
      path: '/support/participants/:id/plan/family/invite',
      schema: inviteSchema,
      load: loadPlan,
      routeConfig: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      context: ({ participant }, request) => ({
        title: 'Invite the family to the plan',
        caption: displayName(participant),
        intro: [
          `Young people from the age of ${family.YOUNG_PERSON_MIN_AGE} and parents or carers can sign in to see this plan, comment, rate progress on the goals and sign it off. They see this plan only.`,
          'The email does not name the child. They must sign in with the address you enter.',
        ],
        action: `${planPath(request, participant.id)}/family/invite`,
        backLink: planPath(request, participant.id),
        fields: [
          {
            name: 'relationship',
            label: 'Who are you inviting?',
            type: 'radios',
            items: Object.entries(RELATIONSHIPS).map(([value, text]) => ({ value, text })),
          },
          { name: 'email', label: 'Their email address', type: 'email' },
        ],
        submitText: 'Send the invitation',
      }),
      act: async ({ participant }, data, request) => {
        await family.invite(request.actor, place(request), participant.id, data);
        return {
          flash: `An invitation has been sent to ${data.email}.`,
          redirect: planPath(request, participant.id),
        };
      },
    });
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import { requireUser } from '../../platform/auth/require-user.ts';
import { handleForm } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { PREFER_NOT } from './profile-csv.ts';
import { aboutYouSchema, profileUploadSchema, scopeSchema } from './representation.schema.ts';
import { type Dimension, SCOPE_LABELS, SCOPES } from './representation.service.ts';
import { cellText } from './suppression.ts';

const V = 'evidence/representation/views';

const percent = (share: number | null) => (share === null ? '' : `${(share * 100).toFixed(1)}%`);

function questionItems(dimension: Dimension, current: string | undefined) {
  return [
    ...dimension.categories.map((c) => ({
      value: c.category,
      text: c.category,
      checked: current === c.category,
    })),
    { divider: 'or' },
    { value: PREFER_NOT, text: 'Prefer not to say', checked: current === PREFER_NOT },
  ];
}

export function representationRoutes(app: FastifyInstance, services: Services): void {
  const { representation } = services;

  // The account page links here: the places whose questions a person can answer.
  app.get<{ Querystring: { page?: string } }>('/about-you', async (request, reply) => {
    requireUser(request);
    const page = pageRequest(request.query.page);
    const { rows, total } = await representation.placesToAnswer(request.actor, page);
    return reply.page(`${V}/about-you-places.njk`, {
      title: 'About you',
      answerPlaces: rows,
      pagination: paginationLinks('/about-you', {}, page, total),
    });
  });

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}`;

    async function aboutYouPage(request: FastifyRequest) {
      const questions = await representation.questions(request.actor, place(request));
      return {
        title: 'About you',
        action: `${base(request)}/about-you`,
        questions: questions.dimensions.map((d) => ({
          key: d.key,
          label: d.label,
          items: questionItems(d, questions.answers[d.key]),
        })),
        answered: Object.keys(questions.answers).length > 0,
        consentedAt: questions.consentedAt,
      };
    }

    scope.get('/about-you', async (request, reply) => {
      requireUser(request);
      return reply.page(`${V}/about-you.njk`, await aboutYouPage(request));
    });

    scope.post('/about-you', async (request, reply) => {
      requireUser(request);
      const context = await aboutYouPage(request);
      // Re-shown with what was posted, so a missing consent does not lose the answers.
      const posted = request.body as Record<string, unknown>;
      const withPosted = {
        ...context,
        questions: context.questions.map((q) => ({
          ...q,
          items: q.items.map((i) =>
            'value' in i ? { ...i, checked: posted?.[`q-${q.key}`] === i.value } : i,
          ),
        })),
      };
      return handleForm(reply, {
        schema: aboutYouSchema,
        body: request.body,
        template: `${V}/about-you.njk`,
        context: withPosted,
        action: async (data) => {
          const saved = await representation.saveAnswers(request.actor, place(request), data);
          await app.sessions.flash(request, {
            kind: 'success',
            text: saved > 0 ? 'Your answers have been saved.' : 'Saved: you did not answer any question.',
          });
          return reply.redirect(`${base(request)}/about-you`, 303);
        },
      });
    });

    scope.post('/about-you/delete', async (request, reply) => {
      requireUser(request);
      await representation.deleteAnswers(request.actor, place(request));
      await app.sessions.flash(request, { kind: 'success', text: 'Your answers have been deleted.' });
      return reply.redirect(`${base(request)}/about-you`, 303);
    });

    async function profilePage(request: FastifyRequest) {
      const profile = await representation.profile(request.actor, place(request));
      return {
        title: 'Population profile',
        profile,
        canUpload: can(request.actor, 'population_profile.manage', place(request).id),
        percent,
      };
    }

    scope.get('/evidence/population', async (request, reply) => {
      return reply.page(`${V}/profile.njk`, await profilePage(request));
    });

    scope.post('/evidence/population', async (request, reply) => {
      authorise(request.actor, 'population_profile.manage', place(request).id);
      return handleForm(reply, {
        schema: profileUploadSchema,
        body: request.body,
        template: `${V}/profile.njk`,
        context: () => profilePage(request),
        action: async (file) => {
          const count = await representation.uploadProfile(request.actor, place(request), file);
          await app.sessions.flash(request, {
            kind: 'success',
            text: `The population profile has been replaced: ${count} categories.`,
          });
          return reply.redirect(`${base(request)}/evidence/population`, 303);
        },
      });
    });

    scope.get<{ Querystring: { page?: string } }>('/evidence/representation', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const [list, profile] = await Promise.all([
        representation.processList(request.actor, place(request), page),
        representation.profile(request.actor, place(request)),
      ]);
      return reply.page(`${V}/index.njk`, {
        title: 'Who takes part',
        processes: list.rows,
        hasProfile: profile !== null,
        pagination: paginationLinks(
          `${base(request)}/evidence/representation`,
          request.query,
          page,
          list.total,
        ),
      });
    });

    scope.get<{ Params: { processId: string }; Querystring: { scope?: string } }>(
      '/evidence/representation/:processId',
      async (request, reply) => {
        const chosen = scopeSchema.parse(request.query.scope);
        const dashboard = await representation.dashboard(
          request.actor,
          place(request),
          uuid(request.params.processId),
          chosen,
        );
        return reply.page(`${V}/dashboard.njk`, {
          title: `Who took part: ${dashboard.process.title}`,
          dashboard,
          scopes: SCOPES.map((s) => ({ value: s, text: SCOPE_LABELS[s], selected: s === chosen })),
          scopeLabel: SCOPE_LABELS[chosen],
          cellText,
          percent,
          backLink: `${base(request)}/evidence/representation`,
        });
      },
    );
  });
}

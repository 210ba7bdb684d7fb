import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { can } from '../../platform/auth/policy.ts';
import { ForbiddenError, ValidationError } from '../../platform/errors.ts';
import { handleForm, validationErrors } from '../../platform/forms.ts';
import { pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { childName } from '../child-name.ts';
import { DOMAIN_LABELS } from '../identification/indicators.ts';
import { REFERRAL_STATUS_LABELS } from './referral-states.ts';
import { declineSchema, inboxSchema, REFERRAL_ITEMS, referralSchema } from './referrals.schema.ts';

const V = 'support/referrals/views';
const FORM = 'support/views/form.njk';

const ACTION_TEXT = {
  send: 'Send the referral',
  revoke: 'Revoke the referral',
  accept: 'Accept the referral',
  decline: 'Decline the referral',
  complete: 'Mark the referral completed',
} as const;

export function referralsRoutes(app: FastifyInstance, services: Services): void {
  const { referrals } = services.supportDelivery;
  const { participants } = services.support;

  registerPlaceRoutes(app, (scope) => {
    const root = (request: FastifyRequest) => `/places/${place(request).slug}/support`;

    // The way in to referrals, sessions and outcomes for everyone whose roles give them one.
    scope.get('/support/delivery', async (request, reply) => {
      const actor = request.actor;
      if (!actor.user) throw new ForbiddenError('You need to sign in to see this page');
      const p = place(request);
      const links = {
        received: can(actor, 'referrals.receive', p.id),
        sessions: can(actor, 'sessions.run', p.id),
        indicators:
          can(actor, 'outcomes.manage_indicators', p.id) ||
          can(actor, 'participants.work_with', p.id) ||
          can(actor, 'evidence.analyse', p.id),
        dashboard: can(actor, 'evidence.analyse', p.id),
        caseload: can(actor, 'participants.work_with', p.id),
      };
      if (!Object.values(links).some(Boolean)) throw new ForbiddenError();
      return reply.page(`${V}/delivery.njk`, { title: 'Referrals, sessions and outcomes', links });
    });

    const referralForm = async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const child = await participants.forForm(request.actor, place(request), uuid(request.params.id));
      const options = await referrals.serviceOptions(place(request));
      return {
        child,
        context: {
          title: 'Refer to a partner’s service',
          caption: childName(child.givenName, child.familyName) ?? child.reference,
          action: `${root(request)}/participants/${child.id}/referrals/new`,
          backLink: `${root(request)}/participants/${child.id}`,
          intro: [
            'The referral is saved as a draft. When you send it, only the items you tick that a live information-sharing decision for the service’s organisation allows will travel; without such a decision it cannot be sent.',
          ],
          fields: [
            {
              name: 'serviceId',
              label: 'Service',
              type: 'select',
              items: [{ value: '', text: 'Choose a service' }, ...options],
            },
            {
              name: 'dataItems',
              label: 'Items to share with the service',
              type: 'checkboxes',
              items: Object.entries(REFERRAL_ITEMS).map(([value, text]) => ({ value, text })),
            },
            {
              name: 'note',
              label: 'What you are asking the service to do',
              hint: 'Write only what the service needs to know to respond.',
              type: 'textarea',
              rows: 4,
            },
          ],
          submitText: 'Save the draft',
        },
      };
    };

    scope.get<{ Params: { id: string } }>(
      '/support/participants/:id/referrals/new',
      async (request, reply) => {
        const { context } = await referralForm(request);
        return reply.page(FORM, { ...context, values: {} });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/support/participants/:id/referrals/new',
      async (request, reply) => {
        const { child, context } = await referralForm(request);
        return handleForm(reply, {
          schema: referralSchema,
          body: request.body,
          template: FORM,
          context,
          action: async (data) => {
            const id = await referrals.create(request.actor, place(request), child.id, data);
            await app.sessions.flash(request, { kind: 'success', text: 'The referral is saved as a draft.' });
            return reply.redirect(`${root(request)}/referrals/${id}`, 303);
          },
        });
      },
    );

    async function referrerPage(
      request: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
      errors?: ReturnType<typeof validationErrors>,
    ) {
      const referral = await referrals.forReferrer(request.actor, place(request), uuid(request.params.id));
      return reply.code(errors ? 400 : 200).page(`${V}/referral.njk`, {
        title: `${referral.label}: ${referral.serviceName}`,
        referral,
        errors,
        statusLabels: REFERRAL_STATUS_LABELS,
        itemLabels: REFERRAL_ITEMS,
        actionText: ACTION_TEXT,
        base: `${root(request)}/referrals/${referral.id}`,
        backLink: `${root(request)}/participants/${referral.participantId}/delivery`,
      });
    }

    scope.get<{ Params: { id: string } }>('/support/referrals/:id', (request, reply) =>
      referrerPage(request, reply),
    );

    for (const action of ['send', 'revoke'] as const) {
      scope.post<{ Params: { id: string } }>(`/support/referrals/:id/${action}`, async (request, reply) => {
        const id = uuid(request.params.id);
        try {
          if (action === 'send') await referrals.send(request.actor, place(request), id);
          else await referrals.revoke(request.actor, place(request), id);
        } catch (error) {
          if (error instanceof ValidationError) return referrerPage(request, reply, validationErrors(error));
          throw error;
        }
        await app.sessions.flash(request, {
          kind: 'success',
          text: action === 'send' ? 'The referral has been sent.' : 'The referral has been revoked.',
        });
        return reply.redirect(`${root(request)}/referrals/${id}`, 303);
      });
    }

    scope.get<{ Querystring: Record<string, string> }>(
      '/support/referrals/received',
      async (request, reply) => {
        const { status } = inboxSchema.parse(request.query);
        const page = pageRequest(request.query.page);
        const { referrals: list, total } = await referrals.inbox(request.actor, place(request), status, page);
        return reply.page(`${V}/received.njk`, {
          title: 'Referrals received',
          list,
          status,
          statusLabels: REFERRAL_STATUS_LABELS,
          statusItems: [
            { value: '', text: 'All' },
            ...(['sent', 'accepted', 'declined', 'completed', 'revoked'] as const).map((s) => ({
              value: s,
              text: REFERRAL_STATUS_LABELS[s],
            })),
          ],
          pagination: paginationLinks(`${root(request)}/referrals/received`, { status }, page, total),
          backLink: `${root(request)}/delivery`,
        });
      },
    );

    async function partnerPage(
      request: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
      errors?: ReturnType<typeof validationErrors>,
    ) {
      const referral = await referrals.received(request.actor, place(request), uuid(request.params.id));
      return reply.code(errors ? 400 : 200).page(`${V}/received-referral.njk`, {
        title: `${referral.label}: ${referral.serviceName}`,
        referral,
        errors,
        statusLabels: REFERRAL_STATUS_LABELS,
        itemLabels: REFERRAL_ITEMS,
        domains: referral.flaggedDomains?.map((d) => DOMAIN_LABELS[d]).join(', ') || 'None',
        actionText: ACTION_TEXT,
        base: `${root(request)}/referrals/received/${referral.id}`,
        backLink: `${root(request)}/referrals/received`,
      });
    }

    scope.get<{ Params: { id: string } }>('/support/referrals/received/:id', (request, reply) =>
      partnerPage(request, reply),
    );

    for (const action of ['accept', 'complete'] as const) {
      scope.post<{ Params: { id: string } }>(
        `/support/referrals/received/:id/${action}`,
        async (request, reply) => {
          const id = uuid(request.params.id);
          try {
            await referrals.respond(request.actor, place(request), id, action);
          } catch (error) {
            if (error instanceof ValidationError) return partnerPage(request, reply, validationErrors(error));
            throw error;
          }
          await app.sessions.flash(request, {
            kind: 'success',
            text: action === 'accept' ? 'The referral has been accepted.' : 'The referral is completed.',
          });
          return reply.redirect(`${root(request)}/referrals/received/${id}`, 303);
        },
      );
    }

    const declineContext = (request: FastifyRequest<{ Params: { id: string } }>) => ({
      title: 'Decline the referral',
      action: `${root(request)}/referrals/received/${uuid(request.params.id)}/decline`,
      backLink: `${root(request)}/referrals/received/${uuid(request.params.id)}`,
      intro: ['The link worker who sent the referral will see your reason.'],
      fields: [
        { name: 'reason', label: 'Why the service cannot take the referral', type: 'textarea', rows: 4 },
      ],
      submitText: 'Decline the referral',
    });

    scope.get<{ Params: { id: string } }>(
      '/support/referrals/received/:id/decline',
      async (request, reply) => {
        // Loads (and audits) nothing of the child: the form needs only the referral's id, checked on POST.
        if (!can(request.actor, 'referrals.receive', place(request).id)) throw new ForbiddenError();
        return reply.page(FORM, { ...declineContext(request), values: {} });
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/support/referrals/received/:id/decline',
      async (request, reply) => {
        const context = declineContext(request);
        return handleForm(reply, {
          schema: declineSchema,
          body: request.body,
          template: FORM,
          context,
          action: async (data) => {
            const id = uuid(request.params.id);
            await referrals.respond(request.actor, place(request), id, 'decline', data.reason);
            await app.sessions.flash(request, { kind: 'success', text: 'The referral has been declined.' });
            return reply.redirect(`${root(request)}/referrals/received/${id}`, 303);
          },
        });
      },
    );
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import type { AuditAction } from '../../platform/audit/audit.actions.ts';
import { authorise, can } from '../../platform/auth/policy.ts';
import { isPlaceRole, ROLE_LABELS } from '../../platform/auth/roles.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { handleForm } from '../../platform/forms.ts';
import { listPageRequests, listPagination, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import type { Services } from '../../services.ts';
import { caseloadPage } from '../caseload/caseload.routes.ts';
import { childName } from '../child-name.ts';
import { DOMAIN_LABELS } from '../identification/indicators.ts';
import type { ChildList } from '../participant-audit.ts';
import { VOICE_LABELS } from '../plans/plans.routes.ts';
import type { ParticipantStatus } from '../support.table.ts';
import { NEXT, STATUS_LABELS } from './enrolment.ts';
import {
  agreementSchema,
  DATA_ITEMS,
  decisionSchema,
  GIVER_LABELS,
  LAWFUL_BASIS_LABELS,
  lawfulBasisSchema,
  referenceSearchSchema,
  sharingSchema,
  transitionSchema,
  withdrawalSchema,
} from './participants.schema.ts';
import { type ParticipantRecord, RECORD_LISTS } from './participants.service.ts';

const V = 'support/participants/views';
const FORM = 'support/views/form.njk';

/** Where a person saw a child listed: every list that is audited has a name here. */
const LIST_LABELS: Record<ChildList, string> = {
  caseload: 'Saw them in a caseload',
  review: 'Saw them in the review list',
  register: 'Saw them in a session register',
  session_candidates: 'Saw them among the children who could join a session',
  safeguarding: 'Saw them in the safeguarding list',
  family: 'Saw them on their family page',
};

/** Every action recorded against a participant has a label: the compiler refuses a new one without it. */
const ACTION_LABELS: Record<
  Extract<AuditAction, `participant.${string}` | `referral.${string}` | 'outcome.observed'>,
  string
> = {
  'participant.viewed': 'Viewed the record',
  'participant.listed': 'Saw them in a list',
  'participant.reviewed': 'Recorded a review decision',
  'participant.transitioned': 'Moved to another stage',
  'participant.assigned': 'Assigned to a team or link worker',
  'participant.agreement_recorded': 'Recorded agreement to the service',
  'participant.agreement_withdrawn': 'Recorded withdrawal of agreement',
  'participant.lawful_basis_recorded': 'Recorded a lawful basis',
  'participant.sharing_decided': 'Recorded a sharing decision',
  'participant.contact_logged': 'Logged a contact',
  'participant.safeguarding_raised': 'Raised a safeguarding concern',
  'participant.safeguarding_resolved': 'Resolved a safeguarding concern',
  'participant.plan_changed': 'Changed the support plan',
  'participant.goal_rated': 'Rated progress on a goal',
  'participant.plan_commented': 'Commented on the support plan',
  'participant.plan_signed_off': 'Signed off the support plan',
  'participant.family_invited': 'Invited a family member',
  'participant.family_joined': 'Joined as a family member',
  'participant.family_ended': 'Ended a family member’s access',
  'participant.subject_access_requested': 'Answered a subject access request',
  'participant.subject_access_exported': 'Read the subject access export',
  'participant.legal_hold_set': 'Set a legal hold',
  'participant.legal_hold_lifted': 'Lifted a legal hold',
  'participant.erased': 'Erased under the retention rule',
  'referral.created': 'Drafted a referral',
  'referral.sent': 'Sent a referral to a partner',
  'referral.accepted': 'Accepted a referral',
  'referral.declined': 'Declined a referral',
  'referral.completed': 'Completed a referral',
  'referral.revoked': 'Revoked a referral',
  'outcome.observed': 'Recorded an outcome score',
};

const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, text]) => ({ value, text }));

function displayName(p: Pick<ParticipantRecord, 'givenName' | 'familyName' | 'reference'>): string {
  return childName(p.givenName, p.familyName) ?? p.reference;
}

export function participantsRoutes(app: FastifyInstance, services: Services): void {
  const { participants, programmes } = services.support;

  registerPlaceRoutes(app, (scope) => {
    const root = (request: FastifyRequest) => `/places/${place(request).slug}/support`;
    const recordPath = (request: FastifyRequest, id: string) => `${root(request)}/participants/${id}`;

    // The pillar's start page: each person sees the way in their roles give them.
    scope.get<{ Querystring: { page?: string } }>('/support', async (request, reply) => {
      const actor = request.actor;
      if (!actor.user) throw new ForbiddenError('You need to sign in to see this page');
      const p = place(request);
      const canManage = can(actor, 'programmes.manage', p.id);
      const canReview = can(actor, 'participants.review', p.id);
      const canWork = can(actor, 'participants.work_with', p.id);
      const canLog = can(actor, 'participants.access_log', p.id);
      if (!canManage && !canReview && !canLog) throw new ForbiddenError();
      const page = pageRequest(request.query.page);
      let reviewable: Awaited<ReturnType<typeof programmes.reviewableCohorts>> = { cohorts: [], total: 0 };
      if (canReview) {
        const viewer = await participants.viewerOf(actor, p);
        reviewable = await programmes.reviewableCohorts(
          p,
          actor.user.id,
          viewer.linkWorker,
          [...viewer.organizationIds],
          page,
        );
      }
      return reply.page(`${V}/hub.njk`, {
        title: 'Support',
        canManage,
        canReview,
        canWork,
        canLog,
        cohorts: reviewable.cohorts,
        pagination: paginationLinks(root(request), {}, page, reviewable.total),
      });
    });

    scope.get<{ Params: { cohortId: string }; Querystring: { page?: string; setting?: string } }>(
      '/support/cohorts/:cohortId/review',
      async (request, reply) => {
        authorise(request.actor, 'participants.review', place(request).id);
        const { cohort, programme, indicators } = await programmes.cohortWithRules(
          place(request),
          uuid(request.params.cohortId),
        );
        const settings = await participants.settingsOfCohort(place(request), cohort.id);
        const settingId = settings.find((s) => s.id === request.query.setting)?.id;
        const page = pageRequest(request.query.page);
        const { children, total } = await participants.reviewList(
          request.actor,
          place(request),
          cohort.id,
          settingId,
          page,
        );
        const path = `${root(request)}/cohorts/${cohort.id}/review`;
        return reply.page(`${V}/review.njk`, {
          title: `Children to review: ${cohort.name}`,
          programme,
          cohort,
          indicators,
          settings,
          settingId,
          settingItems: [
            { value: '', text: 'All settings you can see' },
            ...settings.map((s) => ({ value: s.id, text: s.name })),
          ],
          children: children.map((c, i) => ({
            ...c,
            rank: page.offset + i + 1,
            domains: c.flaggedDomains.map((d) => DOMAIN_LABELS[d]).join(', '),
          })),
          domainLabels: DOMAIN_LABELS,
          pagination: paginationLinks(path, { setting: settingId }, page, total),
          backLink: root(request),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    scope.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
      '/support/participants/:id',
      async (request, reply) => {
        const pages = listPageRequests(request.query, RECORD_LISTS);
        const view = await participants.record(request.actor, place(request), uuid(request.params.id), pages);
        const record = view.record;
        // Read only after the record itself was authorised (and its view audited) above.
        const engagement = await services.supportDelivery.sessions.engagementOf(
          request.actor,
          place(request),
          record.id,
        );
        const base = recordPath(request, record.id);
        const paging = (list: (typeof RECORD_LISTS)[number], total: number, anchor: string, label: string) =>
          listPagination(base, pages, list, total, { anchor, label: `Pages of ${label}` });
        return reply.page(`${V}/participant.njk`, {
          title: displayName(record),
          view,
          record,
          delivery: { engagement },
          statusLabels: STATUS_LABELS,
          domains: record.flaggedDomains.map((d) => DOMAIN_LABELS[d]),
          giverLabels: GIVER_LABELS,
          basisLabels: LAWFUL_BASIS_LABELS,
          dataItemLabels: DATA_ITEMS,
          canMove: view.worker && NEXT[record.status].length > 0 && record.status !== 'identified',
          pagination: view.worker
            ? {
                stages: paging('stagesPage', view.transitions.total, 'stages', 'changes of stage'),
                assignments: paging('assignmentsPage', view.assignments.total, 'assignments', 'assignments'),
                agreements: paging('agreementsPage', view.agreements.total, 'agreements', 'agreements'),
                lawfulBases: paging(
                  'lawfulBasesPage',
                  view.lawfulBases.total,
                  'lawful-bases',
                  'lawful bases',
                ),
                sharing: paging('sharingPage', view.sharing.total, 'sharing', 'sharing decisions'),
              }
            : undefined,
          base,
          backLink: root(request),
          columnClass: 'govuk-grid-column-full',
        });
      },
    );

    /** One small form per change: each renders the shared form template and returns to the record. */
    function formRoute<S extends z.ZodType>(options: {
      path: string;
      capability?: 'participants.review' | 'participants.work_with';
      schema: S;
      context: (
        request: FastifyRequest,
        p: ParticipantRecord,
      ) => Promise<Record<string, unknown>> | Record<string, unknown>;
      values?: (p: ParticipantRecord) => Record<string, unknown>;
      act: (request: FastifyRequest, p: ParticipantRecord, data: z.output<S>) => Promise<string>;
    }) {
      // The participant is loaded once per request; the page's context only when the form is shown.
      const load = async (request: FastifyRequest<{ Params: { id: string } }>) => {
        const p = await participants.forForm(
          request.actor,
          place(request),
          uuid(request.params.id),
          options.capability,
        );
        const context = async () => ({
          caption: displayName(p),
          action: `${recordPath(request, p.id)}/${options.path}`,
          backLink: recordPath(request, p.id),
          ...(await options.context(request, p)),
        });
        return { p, context };
      };
      scope.get<{ Params: { id: string } }>(
        `/support/participants/:id/${options.path}`,
        async (request, reply) => {
          const { p, context } = await load(request);
          return reply.page(FORM, { ...(await context()), values: options.values?.(p) ?? {} });
        },
      );
      scope.post<{ Params: { id: string } }>(
        `/support/participants/:id/${options.path}`,
        async (request, reply) => {
          const { p, context } = await load(request);
          return handleForm(reply, {
            schema: options.schema,
            body: request.body,
            template: FORM,
            context,
            action: async (data) => {
              const text = await options.act(request, p, data);
              await app.sessions.flash(request, { kind: 'success', text });
              return reply.redirect(recordPath(request, p.id), 303);
            },
          });
        },
      );
    }

    formRoute({
      path: 'decision',
      capability: 'participants.review',
      schema: decisionSchema,
      context: () => ({
        title: 'Review decision',
        intro: [
          'Taken forward: the child moves to “approached” and a link worker contacts the family. Their name, date of birth and the domains that were flagged are kept; the imported measures are deleted because the flags already say why.',
          'Not taken forward: only the reference, cohort, setting, the decision and its date are kept, so that a later import does not list the child again. Names, date of birth, measures and flags are deleted now, because nobody needs them.',
        ],
        fields: [
          {
            name: 'decision',
            label: 'Decision',
            type: 'radios',
            items: [
              { value: 'approached', text: 'Take forward' },
              { value: 'not_taken_forward', text: 'Do not take forward' },
            ],
          },
          { name: 'reason', label: 'Note (optional)', type: 'textarea', rows: 3 },
        ],
        submitText: 'Record the decision',
      }),
      act: async (request, p, data) => {
        await participants.decide(request.actor, place(request), p.id, data.decision, data.reason);
        return data.decision === 'approached'
          ? 'The child has been taken forward.'
          : 'The decision has been recorded.';
      },
    });

    formRoute({
      path: 'transition',
      schema: transitionSchema,
      context: (_request, p) => ({
        title: 'Move to the next stage',
        intro: [`Now: ${STATUS_LABELS[p.status]}.`],
        fields: [
          {
            name: 'to',
            label: 'Next stage',
            type: 'radios',
            items: NEXT[p.status].map((s: ParticipantStatus) => ({ value: s, text: STATUS_LABELS[s] })),
          },
          { name: 'reason', label: 'Reason', hint: 'Needed for an exit.', type: 'textarea', rows: 3 },
        ],
        submitText: 'Move',
      }),
      act: async (request, p, data) => {
        await participants.transition(request.actor, place(request), p.id, data.to, data.reason);
        return `Moved to ${STATUS_LABELS[data.to].toLowerCase()}.`;
      },
    });

    formRoute({
      path: 'agreement',
      schema: agreementSchema,
      context: () => ({
        title: 'Record agreement to the service',
        fields: [
          { name: 'givenBy', label: 'Who agreed', type: 'radios', items: options(GIVER_LABELS) },
          { name: 'giverName', label: 'Their name' },
          {
            name: 'capacityJudgement',
            label: 'Capacity judgement',
            hint: 'How you judged that the person could agree, for example Gillick competence for a young person under 16.',
            type: 'textarea',
            rows: 4,
          },
        ],
        submitText: 'Record the agreement',
      }),
      act: async (request, p, data) => {
        await participants.recordAgreement(request.actor, place(request), p.id, data);
        return 'The agreement has been recorded.';
      },
    });

    formRoute({
      path: 'withdrawal',
      schema: withdrawalSchema,
      context: async (request, p) => {
        const live = await participants.liveAgreements(request.actor, place(request), p);
        return {
          title: 'Record withdrawal of agreement',
          intro: [
            'Withdrawal stops sharing at once: every live sharing decision for this child is withdrawn too.',
          ],
          fields: [
            {
              name: 'agreementId',
              label: 'Agreement',
              type: 'select',
              items: [
                { value: '', text: live.length ? 'Choose the agreement' : 'No live agreement' },
                ...live.map((a) => ({ value: a.id, text: `${GIVER_LABELS[a.given_by]}: ${a.giver_name}` })),
              ],
            },
            { name: 'reason', label: 'Reason', type: 'textarea', rows: 3 },
          ],
          submitText: 'Record the withdrawal',
        };
      },
      act: async (request, p, data) => {
        await participants.withdrawAgreement(request.actor, place(request), p.id, data);
        return 'The agreement has been withdrawn and sharing has stopped.';
      },
    });

    formRoute({
      path: 'lawful-basis',
      schema: lawfulBasisSchema,
      context: () => ({
        title: 'Record a lawful basis',
        fields: [
          { name: 'purpose', label: 'Purpose', hint: 'For example, Providing link worker support.' },
          { name: 'basis', label: 'Lawful basis', type: 'radios', items: options(LAWFUL_BASIS_LABELS) },
          {
            name: 'condition',
            label: 'Special category condition (if health or other special category data is used)',
            hint: 'For example, Article 9(2)(h) health or social care.',
          },
        ],
        submitText: 'Record the lawful basis',
      }),
      act: async (request, p, data) => {
        await participants.recordLawfulBasis(request.actor, place(request), p.id, data);
        return 'The lawful basis has been recorded.';
      },
    });

    formRoute({
      path: 'sharing',
      schema: sharingSchema,
      context: async (request) => {
        const organisations = await participants.sharingOrganisations(place(request));
        return {
          title: 'Record an information-sharing decision',
          fields: [
            {
              name: 'organizationId',
              label: 'Share with',
              type: 'select',
              items: [
                { value: '', text: 'Choose an organisation' },
                ...organisations.map((o) => ({ value: o.id, text: o.name })),
              ],
            },
            { name: 'dataItems', label: 'Data items', type: 'checkboxes', items: options(DATA_ITEMS) },
            {
              name: 'rationale',
              label: 'Rationale',
              hint: 'Why sharing these items is necessary and proportionate.',
              type: 'textarea',
              rows: 4,
            },
          ],
          submitText: 'Record the decision',
        };
      },
      act: async (request, p, data) => {
        await participants.recordSharing(request.actor, place(request), p.id, data);
        return 'The sharing decision has been recorded.';
      },
    });

    // The caseload page shows last contact, next review, safeguarding flags and limit warnings (caseload/).
    scope.get<{ Querystring: { page?: string } }>('/support/caseload', (request, reply) =>
      caseloadPage(services, request, reply),
    );

    scope.get<{ Querystring: Record<string, string> }>('/support/access-log', async (request, reply) => {
      authorise(request.actor, 'participants.access_log', place(request).id);
      const query = referenceSearchSchema.safeParse(request.query);
      const reference = query.success ? query.data.reference : '';
      const page = pageRequest(request.query.page);
      const { matches, total } = await participants.findByReference(
        request.actor,
        place(request),
        reference,
        page,
      );
      return reply.page(`${V}/access-search.njk`, {
        title: 'Who viewed this child',
        reference,
        matches,
        pagination: paginationLinks(`${root(request)}/access-log`, { reference }, page, total),
        firstHref: `${root(request)}/access-log?reference=${encodeURIComponent(reference)}`,
        values: { reference },
        backLink: root(request),
      });
    });

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/support/participants/:id/access-log',
      async (request, reply) => {
        const page = pageRequest(request.query.page);
        const log = await participants.accessLog(
          request.actor,
          place(request),
          uuid(request.params.id),
          page,
        );
        return reply.page(`${V}/access-log.njk`, {
          title: `Who viewed ${log.label.reference}`,
          label: log.label,
          events: log.events.map((e) => ({
            ...e,
            actionLabel:
              (e.action === 'participant.listed' && LIST_LABELS[e.list as ChildList]) ||
              (ACTION_LABELS[e.action as keyof typeof ACTION_LABELS] ?? e.action),
            roleText:
              e.roles
                .map((r) =>
                  isPlaceRole(r) ? ROLE_LABELS[r] : (VOICE_LABELS[r as keyof typeof VOICE_LABELS] ?? r),
                )
                .join(', ') || 'No role in this place',
          })),
          pagination: paginationLinks(`${recordPath(request, log.label.id)}/access-log`, {}, page, log.total),
          backLink: `${root(request)}/access-log?reference=${encodeURIComponent(log.label.reference)}`,
          columnClass: 'govuk-grid-column-full',
        });
      },
    );
  });
}

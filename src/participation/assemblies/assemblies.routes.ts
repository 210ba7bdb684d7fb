import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { currentPlace as place, registerPlaceRoutes, idParam as uuid } from '../../places/place-scope.ts';
import { authorise } from '../../platform/auth/policy.ts';
import { registerDeletion } from '../../platform/confirm-delete.ts';
import { ValidationError } from '../../platform/errors.ts';
import { handleForm, parseForm, validationErrors } from '../../platform/forms.ts';
import { type PageRequest, pageRequest, paginationLinks } from '../../platform/pagination.ts';
import { barChart } from '../../platform/views/bar-chart.ts';
import type { Services } from '../../services.ts';
import {
  ASSEMBLY_STATUSES,
  assemblyEditSchema,
  assemblySchema,
  csvUploadSchema,
  featureSchema,
  STATUS_LABELS,
} from './assemblies/assemblies.schema.ts';
import type { Assembly } from './assemblies/assemblies.service.ts';
import { valueLines } from './assemblies/quotas.ts';
import {
  codeSchema,
  documentChangeSchema,
  documentSchema,
  drawSchema,
  importSchema,
  recommendationSchema,
  registrationSchema,
  replacementSchema,
  responseSchema,
  seedSchema,
  selectionSchema,
  sessionSchema,
} from './assemblies.schema.ts';
import { probabilitiesCsv, selectionFiles } from './panels/panel-report.ts';
import { InvitationRefused, type OpenInvitation } from './recruitment/recruitment.service.ts';
import { RESPONSE_LABELS } from './work/work.service.ts';

const V = 'participation/assemblies/views';
/** Codes are far too many to guess; this keeps anyone from trying. */
const CODE_RATE_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };

/** The public page and the work page each show three lists, each paged by its own query parameter. */
const WORK_LISTS = ['sessions', 'documents', 'recommendations'] as const;
type WorkList = (typeof WORK_LISTS)[number];
type WorkQuery = Partial<Record<WorkList, string>>;
type WorkListParams = { Params: { id: string }; Querystring: WorkQuery };

const workPages = (query: WorkQuery): Record<WorkList, PageRequest> => ({
  sessions: pageRequest(query.sessions),
  documents: pageRequest(query.documents),
  recommendations: pageRequest(query.recommendations),
});

/** GOV.UK pagination for each list, keeping the other lists on their pages and landing on the list's heading. */
function workPagination(
  path: string,
  query: WorkQuery,
  pages: Record<WorkList, PageRequest>,
  totals: Record<WorkList, number>,
) {
  const one = (list: WorkList) => {
    const relink = (href: string) => {
      const page = new URL(href, 'http://localhost').searchParams.get('page');
      const params = new URLSearchParams();
      for (const other of WORK_LISTS) {
        const value = other === list ? page : query[other];
        if (value && value !== '1') params.set(other, value);
      }
      const qs = params.toString();
      return `${qs ? `${path}?${qs}` : path}#${list}`;
    };
    const links = paginationLinks(path, {}, pages[list], totals[list]);
    const p = links.params;
    return {
      ...links,
      params: p && {
        // Three paginations on one page need their own names to be told apart as landmarks.
        landmarkLabel: `Pages of ${list}`,
        items: p.items.map((item) => ('href' in item ? { ...item, href: relink(item.href) } : item)),
        previous: p.previous && { href: relink(p.previous.href) },
        next: p.next && { href: relink(p.next.href) },
      },
    };
  };
  return { sessions: one('sessions'), documents: one('documents'), recommendations: one('recommendations') };
}

const workTotals = (work: {
  sessionsTotal: number;
  documentsTotal: number;
  recommendationsTotal: number;
}) => ({
  sessions: work.sessionsTotal,
  documents: work.documentsTotal,
  recommendations: work.recommendationsTotal,
});

const statusItems = (selected?: unknown) =>
  ASSEMBLY_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s], selected: s === selected }));

export function assembliesRoutes(app: FastifyInstance, services: Services): void {
  const { assemblies, assemblyRecruitment: recruitment, assemblyPanels: panels } = services;

  registerPlaceRoutes(app, (scope) => {
    const base = (request: FastifyRequest) => `/places/${place(request).slug}/assemblies`;
    const officerAssembly = async (request: FastifyRequest<{ Params: { id: string } }>) => {
      authorise(request.actor, 'assemblies.manage', place(request).id);
      return assemblies.getAssembly(place(request), uuid(request.params.id));
    };
    const flash = (request: FastifyRequest, text: string) =>
      app.sessions.flash(request, { kind: 'success', text });

    scope.get<{ Querystring: { page?: string } }>('/assemblies', async (request, reply) => {
      const page = pageRequest(request.query.page);
      const list = await assemblies.listAssemblies(request.actor, place(request), page);
      return reply.page(`${V}/list.njk`, {
        title: 'Citizens’ assemblies',
        ...list,
        statusLabels: STATUS_LABELS,
        pagination: paginationLinks(base(request), {}, page, list.total),
      });
    });

    scope.get('/assemblies/new', async (request, reply) => {
      authorise(request.actor, 'assemblies.manage', place(request).id);
      return reply.page(`${V}/edit.njk`, {
        title: 'New citizens’ assembly',
        action: `${base(request)}/new`,
        values: {},
      });
    });

    scope.post('/assemblies/new', async (request, reply) => {
      authorise(request.actor, 'assemblies.manage', place(request).id);
      return handleForm(reply, {
        schema: assemblySchema,
        body: request.body,
        template: `${V}/edit.njk`,
        context: { title: 'New citizens’ assembly', action: `${base(request)}/new` },
        action: async (data) => {
          const id = await assemblies.createAssembly(request.actor, place(request), data);
          await flash(request, 'The assembly has been created. Add the features to stratify on next.');
          return reply.redirect(`${base(request)}/${id}`, 303);
        },
      });
    });

    // Public: the register page comes before /:id so "register" is never read as an id.
    const codePage = (reply: FastifyReply, extra: Record<string, unknown> = {}) =>
      reply.page(`${V}/register-code.njk`, {
        title: 'Register for a citizens’ assembly',
        values: {},
        ...extra,
      });
    const formPage = (
      reply: FastifyReply,
      invitation: OpenInvitation,
      extra: Record<string, unknown> = {},
    ) => {
      const values = (extra.values as Record<string, unknown> | undefined) ?? {};
      const questions = invitation.features
        .filter((f) => f.values.length > 0)
        .map((f) => ({
          name: `feature-${f.id}`,
          legend: f.specialCategory ? `${f.question} (special-category data: optional)` : f.question,
          items: [
            ...f.values.map((v) => ({
              value: v.id,
              text: v.name,
              checked: values[`feature-${f.id}`] === v.id,
            })),
            ...(f.specialCategory ? [{ value: '', text: 'Prefer not to say' }] : []),
          ],
        }));
      return reply.page(`${V}/register.njk`, {
        title: `Register: ${invitation.assembly.title}`,
        invitation,
        questions,
        hasSpecial: invitation.features.some((f) => f.specialCategory),
        values: {},
        ...extra,
      });
    };

    scope.get('/assemblies/register', async (_request, reply) => codePage(reply));

    scope.post('/assemblies/register', { config: CODE_RATE_LIMIT }, async (request, reply) =>
      handleForm(reply, {
        schema: codeSchema,
        body: request.body,
        template: `${V}/register-code.njk`,
        context: { title: 'Register for a citizens’ assembly' },
        action: async (data) => formPage(reply, await recruitment.openInvitation(place(request), data.code)),
      }),
    );

    scope.post('/assemblies/register/details', { config: CODE_RATE_LIMIT }, async (request, reply) => {
      const body = (request.body as Record<string, unknown> | undefined) ?? {};
      const values = { ...body };
      delete values._csrf;
      let invitation: OpenInvitation;
      try {
        invitation = await recruitment.openInvitation(place(request), String(body.code ?? ''));
      } catch (error) {
        if (!(error instanceof InvitationRefused)) throw error;
        return codePage(reply.code(400), { errors: validationErrors(error), values: { code: body.code } });
      }
      const parsed = parseForm(registrationSchema, body);
      if (!parsed.ok) return formPage(reply.code(400), invitation, { errors: parsed.errors, values });
      try {
        const done = await recruitment.register(request.actor, place(request), parsed.data.code, parsed.data);
        // Post/Redirect/Get: refreshing the confirmation must not post the spent code again.
        return reply.redirect(`${base(request)}/${done.assembly.id}/registered`, 303);
      } catch (error) {
        if (error instanceof InvitationRefused) {
          return codePage(reply.code(400), { errors: validationErrors(error), values: { code: body.code } });
        }
        if (!(error instanceof ValidationError)) throw error;
        return formPage(reply.code(400), invitation, { errors: validationErrors(error), values });
      }
    });

    scope.get<{ Params: { id: string } }>('/assemblies/:id/registered', async (request, reply) => {
      const { assembly } = await assemblies.viewAssembly(
        request.actor,
        place(request),
        uuid(request.params.id),
      );
      return reply.page(`${V}/registered.njk`, { title: 'Thank you for registering', assembly });
    });

    scope.get<WorkListParams>('/assemblies/:id', async (request, reply) => {
      const { assembly, officer } = await assemblies.viewAssembly(
        request.actor,
        place(request),
        uuid(request.params.id),
      );
      const pages = workPages(request.query);
      const lists = await services.assemblyWork.overview(place(request), assembly, pages);
      const work = {
        ...lists,
        pagination: workPagination(
          `${base(request)}/${assembly.id}`,
          request.query,
          pages,
          workTotals(lists),
        ),
      };
      const report = await panels.report(request.actor, place(request), assembly).catch(() => null);
      return reply.page(`${V}/assembly.njk`, {
        title: assembly.title,
        assembly,
        officer,
        work,
        reportPublished: report !== null && report.selection.publishedAt !== null,
        statusLabel: STATUS_LABELS[assembly.status],
      });
    });

    scope.get<{ Params: { id: string } }>('/assemblies/:id/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return reply.page(`${V}/edit.njk`, {
        title: `Change ${assembly.title}`,
        assembly,
        action: `${base(request)}/${assembly.id}/edit`,
        statusItems: statusItems(assembly.status),
        values: { ...assembly, panelSize: String(assembly.panelSize) },
      });
    });

    scope.post<{ Params: { id: string } }>('/assemblies/:id/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return handleForm(reply, {
        schema: assemblyEditSchema,
        body: request.body,
        template: `${V}/edit.njk`,
        context: {
          title: `Change ${assembly.title}`,
          assembly,
          action: `${base(request)}/${assembly.id}/edit`,
          statusItems: statusItems((request.body as Record<string, unknown>)?.status),
        },
        action: async (data) => {
          await assemblies.updateAssembly(request.actor, place(request), assembly.id, data);
          await flash(request, 'The assembly has been changed.');
          return reply.redirect(`${base(request)}/${assembly.id}`, 303);
        },
      });
    });

    // Features and quotas.
    const featuresContext = async (request: FastifyRequest, assembly: Assembly) => ({
      title: 'Features and quotas',
      assembly,
      features: await assemblies.features(place(request), assembly.id),
      action: `${base(request)}/${assembly.id}/features`,
    });

    scope.get<{ Params: { id: string } }>('/assemblies/:id/features', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return reply.page(`${V}/features.njk`, { ...(await featuresContext(request, assembly)), values: {} });
    });

    scope.post<{ Params: { id: string } }>('/assemblies/:id/features', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return handleForm(reply, {
        schema: featureSchema,
        body: request.body,
        template: `${V}/features.njk`,
        context: () => featuresContext(request, assembly),
        action: async (data) => {
          await assemblies.saveFeature(request.actor, place(request), assembly, null, data);
          await flash(request, `The feature “${data.name}” has been added.`);
          return reply.redirect(`${base(request)}/${assembly.id}/features`, 303);
        },
      });
    });

    scope.get<{ Params: { id: string; featureId: string } }>(
      '/assemblies/:id/features/:featureId',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        const context = await featuresContext(request, assembly);
        const feature = context.features.find((f) => f.id === uuid(request.params.featureId));
        if (!feature) return reply.callNotFound();
        return reply.page(`${V}/feature.njk`, {
          ...context,
          title: `Change ${feature.name}`,
          feature,
          values: {
            ...feature,
            specialCategory: feature.specialCategory ? 'yes' : '',
            values: valueLines(feature.values),
          },
        });
      },
    );

    scope.post<{ Params: { id: string; featureId: string } }>(
      '/assemblies/:id/features/:featureId',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        const context = await featuresContext(request, assembly);
        const feature = context.features.find((f) => f.id === uuid(request.params.featureId));
        if (!feature) return reply.callNotFound();
        return handleForm(reply, {
          schema: featureSchema,
          body: request.body,
          template: `${V}/feature.njk`,
          context: { ...context, title: `Change ${feature.name}`, feature },
          action: async (data) => {
            await assemblies.saveFeature(request.actor, place(request), assembly, feature.id, data);
            await flash(request, `The feature “${data.name}” has been changed.`);
            return reply.redirect(`${base(request)}/${assembly.id}/features`, 303);
          },
        });
      },
    );

    scope.post<{ Params: { id: string } }>('/assemblies/:id/quotas', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return handleForm(reply, {
        schema: csvUploadSchema('quotas'),
        body: request.body,
        template: `${V}/features.njk`,
        context: () => featuresContext(request, assembly),
        action: async (data) => {
          const n = await assemblies.uploadQuotas(request.actor, place(request), assembly, data.text);
          await flash(request, `The quotas of ${n} features have been read from the file.`);
          return reply.redirect(`${base(request)}/${assembly.id}/features`, 303);
        },
      });
    });

    scope.get<{ Params: { id: string } }>('/assemblies/:id/quota-check', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const check = await assemblies.quotaCheck(request.actor, place(request), assembly);
      return reply.page(`${V}/quota-check.njk`, { title: 'Check the quotas', assembly, check, values: {} });
    });

    scope.post<{ Params: { id: string } }>('/assemblies/:id/quota-check', async (request, reply) => {
      const assembly = await officerAssembly(request);
      try {
        const changes = await assemblies.applyRelaxation(request.actor, place(request), assembly);
        await flash(request, `The quotas have been loosened: ${changes.join('; ')}.`);
        return reply.redirect(`${base(request)}/${assembly.id}/quota-check`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const check = await assemblies.quotaCheck(request.actor, place(request), assembly);
        return reply.code(400).page(`${V}/quota-check.njk`, {
          title: 'Check the quotas',
          assembly,
          check,
          errors: validationErrors(error),
          values: {},
        });
      }
    });

    // Recruitment.
    const addressesContext = async (
      request: FastifyRequest<{ Querystring: { page?: string } }>,
      assembly: Assembly,
    ) => {
      const page = pageRequest(request.query.page);
      const summary = await recruitment.addressSummary(request.actor, place(request), assembly, page);
      const path = `${base(request)}/${assembly.id}/addresses`;
      return {
        title: 'Invitations by letter',
        assembly,
        ...summary,
        registerUrl: recruitment.registerUrl(place(request)),
        path,
        pagination: paginationLinks(path, {}, page, summary.totalDraws),
      };
    };

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/addresses',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        return reply.page(`${V}/addresses.njk`, {
          ...(await addressesContext(request, assembly)),
          values: {},
        });
      },
    );

    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/addresses',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        return handleForm(reply, {
          schema: csvUploadSchema('addresses'),
          body: request.body,
          template: `${V}/addresses.njk`,
          context: () => addressesContext(request, assembly),
          action: async (data) => {
            const { read, added } = await recruitment.uploadAddresses(
              request.actor,
              place(request),
              assembly,
              data.text,
            );
            await flash(
              request,
              `${added} of the ${read} addresses in the file have been added to the list.`,
            );
            return reply.redirect(`${base(request)}/${assembly.id}/addresses`, 303);
          },
        });
      },
    );

    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/invitations',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        return handleForm(reply, {
          schema: drawSchema,
          body: request.body,
          template: `${V}/addresses.njk`,
          context: () => addressesContext(request, assembly),
          action: async (data) => {
            const { pdf, filename } = await recruitment.drawInvitations(
              request.actor,
              place(request),
              assembly,
              data,
            );
            return reply
              .type('application/pdf')
              .header('content-disposition', `attachment; filename="${filename}"`)
              .header('cache-control', 'no-store')
              .send(pdf);
          },
        });
      },
    );

    const registrantsContext = async (
      request: FastifyRequest<{ Querystring: { page?: string } }>,
      assembly: Assembly,
    ) => {
      const page = pageRequest(request.query.page);
      const { rows, total } = await recruitment.listRegistrants(
        request.actor,
        place(request),
        assembly,
        page,
      );
      const path = `${base(request)}/${assembly.id}/registrants`;
      return {
        title: 'Registrants',
        assembly,
        registrants: rows,
        total,
        path,
        pagination: paginationLinks(path, {}, page, total),
      };
    };

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/registrants',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        return reply.page(`${V}/registrants.njk`, {
          ...(await registrantsContext(request, assembly)),
          values: {},
        });
      },
    );

    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/registrants',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        const upload = parseForm(csvUploadSchema('registrants'), request.body);
        return handleForm(reply, {
          schema: importSchema,
          body: upload.ok ? { ...(request.body as object), text: upload.data.text } : request.body,
          template: `${V}/registrants.njk`,
          context: () => registrantsContext(request, assembly),
          action: async (data) => {
            if (!upload.ok) throw new ValidationError('file', upload.errors.summary[0]!.text);
            const n = await recruitment.importRegistrants(request.actor, place(request), assembly, data);
            await flash(request, `${n} registrants have been imported.`);
            return reply.redirect(`${base(request)}/${assembly.id}/registrants`, 303);
          },
        });
      },
    );

    // Selection.
    const selectionContext = async (
      request: FastifyRequest<{ Querystring: { page?: string } }>,
      assembly: Assembly,
    ) => {
      const page = pageRequest(request.query.page);
      const list = await panels.selectionsPage(request.actor, place(request), assembly, page);
      const path = `${base(request)}/${assembly.id}/selection`;
      return {
        title: 'Select the members',
        assembly,
        ...list,
        path,
        pagination: paginationLinks(path, {}, page, list.total),
      };
    };

    scope.get<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/selection',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        return reply.page(`${V}/selection.njk`, {
          ...(await selectionContext(request, assembly)),
          values: { algorithm: 'leximin' },
        });
      },
    );

    scope.post<{ Params: { id: string }; Querystring: { page?: string } }>(
      '/assemblies/:id/selection',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        return handleForm(reply, {
          schema: selectionSchema,
          body: request.body,
          template: `${V}/selection.njk`,
          context: () => selectionContext(request, assembly),
          action: async (data) => {
            const id = await panels.requestSelection(request.actor, place(request), assembly, data);
            return reply.redirect(`${base(request)}/${assembly.id}/selection/${id}`, 303);
          },
        });
      },
    );

    type SelectionParams = { Params: { id: string; selectionId: string } };
    const selectionPage = async (
      request: FastifyRequest<SelectionParams>,
      reply: FastifyReply,
      extra: Record<string, unknown> = {},
    ) => {
      const assembly = await officerAssembly(request);
      const selection = await panels.getSelection(
        request.actor,
        place(request),
        assembly,
        uuid(request.params.selectionId),
      );
      return reply.page(`${V}/run.njk`, {
        title: 'The selection',
        assembly,
        selection,
        self: `${base(request)}/${assembly.id}/selection/${selection.id}`,
        base: `${base(request)}/${assembly.id}`,
        values: {},
        ...extra,
      });
    };

    scope.get<SelectionParams>('/assemblies/:id/selection/:selectionId', async (request, reply) =>
      selectionPage(request, reply),
    );

    // Read by the progress script to update the bar without reloading the page.
    scope.get<SelectionParams>('/assemblies/:id/selection/:selectionId/progress', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const s = await panels.getSelection(
        request.actor,
        place(request),
        assembly,
        uuid(request.params.selectionId),
      );
      return reply.header('cache-control', 'no-store').send({
        status: s.status,
        statusText: s.statusText,
        stepsDone: s.stepsDone,
        stepsTotal: s.stepsTotal,
        percent: s.percent,
        progressText: s.progressText,
        finished: !s.active,
      });
    });

    const selectionAction =
      (act: (request: FastifyRequest<SelectionParams>, assembly: Assembly, id: string) => Promise<string>) =>
      async (request: FastifyRequest<SelectionParams>, reply: FastifyReply) => {
        const assembly = await officerAssembly(request);
        const id = uuid(request.params.selectionId);
        try {
          await flash(request, await act(request, assembly, id));
          return reply.redirect(`${base(request)}/${assembly.id}/selection/${id}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const values = { ...((request.body as Record<string, unknown>) ?? {}) };
          delete values._csrf;
          return selectionPage(request, reply.code(400), { errors: validationErrors(error), values });
        }
      };

    scope.post<SelectionParams>(
      '/assemblies/:id/selection/:selectionId/cancel',
      selectionAction(async (request, assembly, id) => {
        await panels.cancel(request.actor, place(request), assembly, id);
        return 'The selection has been cancelled.';
      }),
    );

    scope.post<SelectionParams>(
      '/assemblies/:id/selection/:selectionId/publish',
      selectionAction(async (request, assembly, id) => {
        await panels.publish(request.actor, place(request), assembly, id);
        return 'The distribution has been published and is now fixed. Enter the seed when it is known.';
      }),
    );

    scope.post<SelectionParams>(
      '/assemblies/:id/selection/:selectionId/draw',
      selectionAction(async (request, assembly, id) => {
        const parsed = parseForm(seedSchema, request.body);
        if (!parsed.ok) throw new ValidationError('seed', parsed.errors.summary[0]!.text);
        const members = await panels.draw(request.actor, place(request), assembly, id, parsed.data.seed);
        return `The panel of ${members.length} members has been drawn.`;
      }),
    );

    // Replacements.
    type MembersParams = { Params: { id: string }; Querystring: { page?: string } };
    const membersContext = async (request: FastifyRequest<MembersParams>, assembly: Assembly) => {
      // Every member is a checkbox of the form; only the replacements drawn so far are paged.
      const page = pageRequest(request.query.page);
      const members = await panels.members(request.actor, place(request), assembly, page);
      const posted = ([] as unknown[]).concat(
        (request.body as Record<string, unknown> | undefined)?.dropped ?? [],
      );
      const path = `${base(request)}/${assembly.id}/members`;
      return {
        title: 'Members and replacements',
        assembly,
        rows: members.rows,
        replacements: members.replacements.rows,
        pagination: paginationLinks(path, {}, page, members.replacements.total),
        firstPage: path,
        memberItems: members.rows
          .filter((r) => r.status === 'selected')
          .map((r) => ({
            value: r.pseudonym,
            text: `${r.pseudonym}: ${r.name}${r.replacement ? ' (replacement)' : ''}`,
            checked: posted.includes(r.pseudonym),
          })),
        action: path,
      };
    };

    scope.get<MembersParams>('/assemblies/:id/members', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return reply.page(`${V}/members.njk`, { ...(await membersContext(request, assembly)), values: {} });
    });

    scope.post<MembersParams>('/assemblies/:id/members', async (request, reply) => {
      const assembly = await officerAssembly(request);
      return handleForm(reply, {
        schema: replacementSchema,
        body: request.body,
        template: `${V}/members.njk`,
        context: () => membersContext(request, assembly),
        action: async (data) => {
          const chosen = await panels.replace(request.actor, place(request), assembly, data);
          await flash(request, `Replacements drawn: ${chosen.join(', ')}.`);
          return reply.redirect(`${base(request)}/${assembly.id}/members`, 303);
        },
      });
    });

    // The assembly at work: sessions, documents, recommendations and the official responses.
    scope.get<WorkListParams>('/assemblies/:id/work', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const pages = workPages(request.query);
      const work = await services.assemblyWork.workPage(request.actor, place(request), assembly, pages);
      const path = `${base(request)}/${assembly.id}/work`;
      return reply.page(`${V}/work.njk`, {
        title: 'The assembly at work',
        assembly,
        ...work,
        path,
        pagination: workPagination(path, request.query, pages, workTotals(work)),
      });
    });

    const workForm = <S extends z.ZodType>(
      name: 'session' | 'document' | 'recommendation',
      title: string,
      schema: S,
      act: (request: FastifyRequest, assembly: Assembly, data: z.output<S>) => Promise<string>,
    ) => {
      const path = `/assemblies/:id/work/${name}s/new`;
      const context = (request: FastifyRequest, assembly: Assembly) => ({
        title,
        assembly,
        action: `${base(request)}/${assembly.id}/work/${name}s/new`,
        back: `${base(request)}/${assembly.id}/work`,
      });
      scope.get<{ Params: { id: string } }>(path, async (request, reply) => {
        const assembly = await officerAssembly(request);
        return reply.page(`${V}/${name}-form.njk`, { ...context(request, assembly), values: {} });
      });
      scope.post<{ Params: { id: string } }>(path, async (request, reply) => {
        const assembly = await officerAssembly(request);
        return handleForm(reply, {
          schema,
          body: request.body,
          template: `${V}/${name}-form.njk`,
          context: context(request, assembly),
          action: async (data) => {
            await flash(request, await act(request, assembly, data));
            return reply.redirect(`${base(request)}/${assembly.id}/work`, 303);
          },
        });
      });
    };

    workForm('session', 'Add a session', sessionSchema, async (request, assembly, data) => {
      await services.assemblyWork.addSession(request.actor, place(request), assembly, data);
      return 'The session has been added.';
    });
    workForm('document', 'Add a document', documentSchema, async (request, assembly, data) => {
      await services.assemblyWork.addDocument(request.actor, place(request), assembly, data);
      return `The document “${data.title}” has been added.`;
    });
    workForm(
      'recommendation',
      'Publish a recommendation',
      recommendationSchema,
      async (request, assembly, data) => {
        await services.assemblyWork.publishRecommendation(request.actor, place(request), assembly, data);
        return `The recommendation “${data.title}” has been published. Give the official response next.`;
      },
    );

    // Changing and deleting what the assembly at work has published; each delete asks first.
    type ItemParams = { Params: { id: string; itemId: string } };
    const workPath = (request: FastifyRequest, assembly: Assembly) => `${base(request)}/${assembly.id}/work`;
    const itemPath = (request: FastifyRequest<ItemParams>, assembly: Assembly, kind: string) =>
      `${workPath(request, assembly)}/${kind}/${uuid(request.params.itemId)}`;
    const work = services.assemblyWork;

    const sessionContext = (request: FastifyRequest<ItemParams>, assembly: Assembly) => ({
      title: 'Change the session',
      assembly,
      action: `${itemPath(request, assembly, 'sessions')}/edit`,
      back: workPath(request, assembly),
      submitText: 'Save the session',
    });

    scope.get<ItemParams>('/assemblies/:id/work/sessions/:itemId/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const s = await work.session(request.actor, place(request), assembly, uuid(request.params.itemId));
      return reply.page(`${V}/session-form.njk`, {
        ...sessionContext(request, assembly),
        values: { heldOn: s.held_on, location: s.location, agenda: s.agenda },
      });
    });

    scope.post<ItemParams>('/assemblies/:id/work/sessions/:itemId/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const s = await work.session(request.actor, place(request), assembly, uuid(request.params.itemId));
      return handleForm(reply, {
        schema: sessionSchema,
        body: request.body,
        template: `${V}/session-form.njk`,
        context: sessionContext(request, assembly),
        action: async (data) => {
          await work.changeSession(request.actor, place(request), assembly, s.id, data);
          await flash(request, 'The session has been changed.');
          return reply.redirect(workPath(request, assembly), 303);
        },
      });
    });

    registerDeletion<ItemParams['Params']>(app, scope, {
      path: '/assemblies/:id/work/sessions/:itemId/delete',
      async confirm(request) {
        const assembly = await officerAssembly(request);
        const s = await work.session(request.actor, place(request), assembly, uuid(request.params.itemId));
        return {
          title: 'Delete this session?',
          caption: assembly.title,
          detail: { date: s.held_on, text: `${s.location}: ${s.agenda}` },
          warning: 'It is taken off the assembly’s public page. This cannot be undone.',
          action: `${itemPath(request, assembly, 'sessions')}/delete`,
          backLink: workPath(request, assembly),
        };
      },
      buttonText: 'Delete the session',
      async remove(request) {
        const assembly = await officerAssembly(request);
        await work.deleteSession(request.actor, place(request), assembly, uuid(request.params.itemId));
        return workPath(request, assembly);
      },
      done: 'The session has been deleted.',
    });

    const documentContext = (
      request: FastifyRequest<ItemParams>,
      assembly: Assembly,
      document: { filename: string | null; hasFile: boolean },
    ) => ({
      title: 'Change the document',
      assembly,
      document,
      action: `${itemPath(request, assembly, 'documents')}/edit`,
      back: workPath(request, assembly),
      submitText: 'Save the document',
    });

    scope.get<ItemParams>('/assemblies/:id/work/documents/:itemId/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const d = await work.document(request.actor, place(request), assembly, uuid(request.params.itemId));
      return reply.page(`${V}/document-form.njk`, {
        ...documentContext(request, assembly, d),
        values: { title: d.title, url: d.url ?? '' },
      });
    });

    scope.post<ItemParams>('/assemblies/:id/work/documents/:itemId/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const d = await work.document(request.actor, place(request), assembly, uuid(request.params.itemId));
      return handleForm(reply, {
        schema: documentChangeSchema,
        body: request.body,
        template: `${V}/document-form.njk`,
        context: documentContext(request, assembly, d),
        action: async (data) => {
          await work.changeDocument(request.actor, place(request), assembly, d.id, data);
          await flash(request, `The document “${data.title}” has been changed.`);
          return reply.redirect(workPath(request, assembly), 303);
        },
      });
    });

    registerDeletion<ItemParams['Params']>(app, scope, {
      path: '/assemblies/:id/work/documents/:itemId/delete',
      async confirm(request) {
        const assembly = await officerAssembly(request);
        const d = await work.document(request.actor, place(request), assembly, uuid(request.params.itemId));
        return {
          title: `Delete “${d.title}”?`,
          caption: assembly.title,
          warning: d.hasFile
            ? 'It is taken off the assembly’s public page and the uploaded PDF is deleted. This cannot be undone.'
            : 'It is taken off the assembly’s public page. This cannot be undone.',
          action: `${itemPath(request, assembly, 'documents')}/delete`,
          backLink: workPath(request, assembly),
        };
      },
      buttonText: 'Delete the document',
      async remove(request) {
        const assembly = await officerAssembly(request);
        await work.deleteDocument(request.actor, place(request), assembly, uuid(request.params.itemId));
        return workPath(request, assembly);
      },
      done: 'The document has been deleted.',
    });

    const recommendationContext = (request: FastifyRequest<ItemParams>, assembly: Assembly) => ({
      title: 'Change the recommendation',
      assembly,
      action: `${itemPath(request, assembly, 'recommendations')}/edit`,
      back: workPath(request, assembly),
      submitText: 'Save the recommendation',
      changing: true,
    });

    scope.get<ItemParams>('/assemblies/:id/work/recommendations/:itemId/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const r = await work.recommendation(
        request.actor,
        place(request),
        assembly,
        uuid(request.params.itemId),
      );
      return reply.page(`${V}/recommendation-form.njk`, {
        ...recommendationContext(request, assembly),
        values: { title: r.title, body: r.body },
      });
    });

    scope.post<ItemParams>('/assemblies/:id/work/recommendations/:itemId/edit', async (request, reply) => {
      const assembly = await officerAssembly(request);
      const r = await work.recommendation(
        request.actor,
        place(request),
        assembly,
        uuid(request.params.itemId),
      );
      return handleForm(reply, {
        schema: recommendationSchema,
        body: request.body,
        template: `${V}/recommendation-form.njk`,
        context: recommendationContext(request, assembly),
        action: async (data) => {
          await work.changeRecommendation(request.actor, place(request), assembly, r.id, data);
          await flash(request, `The recommendation “${data.title}” has been changed.`);
          return reply.redirect(workPath(request, assembly), 303);
        },
      });
    });

    registerDeletion<ItemParams['Params']>(app, scope, {
      path: '/assemblies/:id/work/recommendations/:itemId/delete',
      async confirm(request) {
        const assembly = await officerAssembly(request);
        const r = await work.recommendation(
          request.actor,
          place(request),
          assembly,
          uuid(request.params.itemId),
        );
        const decision = r.response === 'accepted' || r.response === 'partly';
        return {
          title: `Delete “${r.title}”?`,
          caption: assembly.title,
          warning: r.response
            ? `Its official response (${RESPONSE_LABELS[r.response].toLocaleLowerCase('en')}) is deleted with it${decision ? ', and so is the decision kept for it (unless its result already has progress updates: then it cannot be deleted)' : ''}. This cannot be undone.`
            : 'It is taken off the assembly’s public page. This cannot be undone.',
          action: `${itemPath(request, assembly, 'recommendations')}/delete`,
          backLink: workPath(request, assembly),
        };
      },
      buttonText: 'Delete the recommendation',
      async remove(request) {
        const assembly = await officerAssembly(request);
        const gone = await work.deleteRecommendation(
          request.actor,
          place(request),
          assembly,
          uuid(request.params.itemId),
        );
        return {
          next: workPath(request, assembly),
          done: gone.decisionRemoved
            ? `The recommendation “${gone.title}” and the decision kept for it have been deleted.`
            : `The recommendation “${gone.title}” has been deleted.`,
        };
      },
    });

    type ResponseParams = { Params: { id: string; recommendationId: string } };
    const responseContext = async (request: FastifyRequest<ResponseParams>, assembly: Assembly) => {
      const recommendation = await services.assemblyWork.recommendation(
        request.actor,
        place(request),
        assembly,
        uuid(request.params.recommendationId),
      );
      return {
        title: 'Respond to the recommendation',
        assembly,
        recommendation,
        responseLabels: RESPONSE_LABELS,
        action: `${base(request)}/${assembly.id}/work/recommendations/${recommendation.id}/response`,
        back: `${base(request)}/${assembly.id}/work`,
      };
    };

    scope.get<ResponseParams>(
      '/assemblies/:id/work/recommendations/:recommendationId/response',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        const context = await responseContext(request, assembly);
        return reply.page(`${V}/response-form.njk`, {
          ...context,
          values: {
            response: context.recommendation.response ?? undefined,
            reason: context.recommendation.response_reason ?? undefined,
          },
        });
      },
    );

    scope.post<ResponseParams>(
      '/assemblies/:id/work/recommendations/:recommendationId/response',
      async (request, reply) => {
        const assembly = await officerAssembly(request);
        const context = await responseContext(request, assembly);
        return handleForm(reply, {
          schema: responseSchema,
          body: request.body,
          template: `${V}/response-form.njk`,
          context,
          action: async (data) => {
            await services.assemblyWork.respond(
              request.actor,
              place(request),
              assembly,
              context.recommendation.id,
              data,
            );
            await flash(
              request,
              data.response === 'not_accepted'
                ? `The response to “${context.recommendation.title}” has been published.`
                : `The response to “${context.recommendation.title}” has been published. It is now a decision to be tracked to completion.`,
            );
            return reply.redirect(`${base(request)}/${assembly.id}/work`, 303);
          },
        });
      },
    );

    scope.get<{ Params: { id: string; documentId: string } }>(
      '/assemblies/:id/documents/:documentId',
      async (request, reply) => {
        const { assembly } = await assemblies.viewAssembly(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        const file = await services.assemblyWork.documentFile(
          place(request),
          assembly,
          uuid(request.params.documentId),
        );
        return reply
          .type('application/pdf')
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `attachment; filename="${file.filename.replace(/[^\w.-]/g, '_')}"`)
          .send(file.content);
      },
    );

    // The report: public once published.
    scope.get<{ Params: { id: string }; Querystring: { selection?: string } }>(
      '/assemblies/:id/report',
      async (request, reply) => {
        const { assembly } = await assemblies.viewAssembly(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        const selectionId = request.query.selection ? uuid(request.query.selection) : undefined;
        const report = await panels.report(request.actor, place(request), assembly, selectionId);
        const features = [...new Set(report.quotas.map((q) => q.feature))].map((name, i) => {
          const rows = report.quotas.filter((q) => q.feature === name);
          return {
            name,
            id: `feature-chart-${i + 1}`,
            rows,
            chart: barChart(
              rows.map((q) => ({ label: q.value, value: q.selected, valueText: String(q.selected) })),
              ['member', 'members'],
            ),
          };
        });
        const pct = (p: number) => `${(p * 100).toFixed(2)}%`;
        return reply.page(`${V}/report.njk`, {
          title: `Selection report: ${assembly.title}`,
          assembly,
          report,
          features,
          stats: { min: pct(report.stats.min), median: pct(report.stats.median), max: pct(report.stats.max) },
          selectionQuery: selectionId ? `?selection=${selectionId}` : '',
          registerPath: `${base(request)}/${assembly.id}`,
        });
      },
    );

    scope.get<{ Params: { id: string; file: string }; Querystring: { selection?: string } }>(
      '/assemblies/:id/report/:file',
      async (request, reply) => {
        const { assembly } = await assemblies.viewAssembly(
          request.actor,
          place(request),
          uuid(request.params.id),
        );
        const selectionId = request.query.selection ? uuid(request.query.selection) : undefined;
        const report = await panels.report(request.actor, place(request), assembly, selectionId);
        const files = selectionFiles(report.inputs);
        const body =
          request.params.file === 'probabilities.csv'
            ? probabilitiesCsv(report.probabilities)
            : request.params.file === 'categories.csv'
              ? files.categories
              : request.params.file === 'respondents.csv'
                ? files.respondents
                : null;
        // The pseudonymous answers reproduce the draw but are personal data: officers only.
        if (body === null || (request.params.file === 'respondents.csv' && !report.officer))
          return reply.callNotFound();
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${request.params.file}"`)
          .send(body);
      },
    );
  });
}

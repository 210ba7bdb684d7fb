import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, RefusalError } from './errors.ts';

interface ErrorPage {
  status: number;
  code: string;
  title: string;
  paragraphs: string[];
  showReference: boolean;
  qualifyLink?: { href: string; text: string } | undefined;
}

function describe(error: FastifyError | AppError, production: boolean): ErrorPage {
  if (error instanceof AppError) {
    const page: ErrorPage = {
      status: error.status,
      code: error.code,
      title: error.message,
      paragraphs: [],
      showReference: false,
    };
    if (error instanceof RefusalError) {
      page.title = 'You cannot do this yet';
      page.paragraphs = [error.message, error.howToQualify];
      page.qualifyLink = error.qualifyLink;
    } else if (error.status === 404) {
      page.title = 'Page not found';
      page.paragraphs = [
        'If you typed the web address, check it is correct.',
        'If you pasted the web address, check you copied the entire address.',
      ];
    } else if (error.status === 403) {
      page.title = 'You do not have permission to see this page';
      page.paragraphs = [
        error.message,
        'If you think you should have access, ask an administrator of this place to give you the right role.',
      ];
      page.showReference = true;
    }
    return page;
  }
  const code = error.code ?? '';
  if (code.startsWith('FST_CSRF')) {
    return {
      status: 403,
      code: 'csrf',
      title: 'This form has expired',
      paragraphs: [
        'For your security, forms can only be sent from a page that Commonweal has just shown you.',
        'Go back, reload the page, and try again. Nothing you sent has been saved.',
      ],
      showReference: true,
    };
  }
  if (error.statusCode === 429) {
    return {
      status: 429,
      code: 'rate_limited',
      title: 'Too many attempts',
      paragraphs: [error.message || 'You have made too many requests. Wait a minute and try again.'],
      showReference: false,
    };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      status: error.statusCode,
      code: 'bad_request',
      title: 'Sorry, we could not understand that request',
      paragraphs: ['Go back and try again.', ...(production ? [] : [error.message])],
      showReference: true,
    };
  }
  return {
    status: 500,
    code: 'internal',
    title: 'Sorry, there is a problem with the service',
    paragraphs: ['Try again later. Nothing you sent has been saved.'],
    showReference: true,
  };
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || (request.headers.accept ?? '').startsWith('application/json');
}

/** One place that turns every error into a page (or JSON) with a status, a stable code and a reference id. */
export function registerErrorPages(app: FastifyInstance, production: boolean): void {
  async function render(request: FastifyRequest, reply: FastifyReply, page: ErrorPage) {
    reply.code(page.status);
    if (wantsJson(request) || !request.actor) {
      return reply.send({ error: page.code, message: page.title, reference: request.id });
    }
    return reply.page('platform/views/pages/error.njk', { ...page });
  }

  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    if (
      error instanceof AppError &&
      error.status === 403 &&
      request.actor &&
      !request.actor.user &&
      request.method === 'GET'
    ) {
      return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`);
    }
    const page = describe(error, production);
    if (page.status >= 500) request.log.error({ err: error, reference: request.id }, 'request failed');
    else request.log.info({ code: page.code, reference: request.id }, error.message);
    try {
      return await render(request, reply, page);
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed to render');
      return reply.code(page.status).type('text/plain').send(`${page.title}. Reference: ${request.id}`);
    }
  });

  app.setNotFoundHandler(async (request, reply) =>
    render(request, reply, describe(new AppError(404, 'not_found', 'Page not found'), production)),
  );
}

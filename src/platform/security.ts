import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Security headers with a strict Content-Security-Policy: scripts and styles
 * only from our own origin, never inline; no framing; forms post only to us.
 * The headers are the same on every response: helmet works them out once, here, and each response
 * is sent them.
 */
export async function registerSecurityHeaders(app: FastifyInstance, production: boolean): Promise<void> {
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  const headers = headersSetBy(securityHeaders);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}

/**
 * The headers a Connect middleware that only sets headers sets, recorded from one run against a
 * response that keeps them. Anything else it asked of the request or response would throw here, at start.
 */
function headersSetBy(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('The security headers middleware did not finish at once');
  return headers;
}

/**
 * CSRF protection on every unsafe request: a secret in an httpOnly cookie and
 * a token in each form (`_csrf`) or the `x-csrf-token` header. Routes that
 * must accept cross-site posts opt out with `config: { csrf: false }`.
 */
export async function registerCsrf(app: FastifyInstance, secureCookies: boolean): Promise<void> {
  await app.register(fastifyCsrf, {
    cookieKey: 'cw_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body === 'object' ? body._csrf : undefined;
      return typeof fromBody === 'string'
        ? fromBody
        : (request.headers['x-csrf-token'] as string | undefined);
    },
  });
  app.addHook('preHandler', (request, reply, done) => {
    const routeConfig = request.routeOptions.config;
    if (!UNSAFE_METHODS.has(request.method) || routeConfig?.csrf === false) return done();
    app.csrfProtection(request, reply, done);
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** False only where a route proves the request another way (see registerCsrf). */
    csrf?: boolean;
  }
}

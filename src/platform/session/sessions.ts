import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.ts';
import { anonymousActor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import * as sessions from './session.repository.ts';
import type { FlashMessage } from './session.table.ts';
import { hashSecret, newSecret } from './tokens.ts';

export const SESSION_COOKIE = 'cw_session';
const SESSION_DAYS = 14;
const TOUCH_AFTER_MS = 5 * 60 * 1000;
/** Health probes, static files and the open data API never read or touch a session. */
const BARE_PATHS = /^\/(ping|health|info)(\?|$)|^\/assets\/|^\/api\/(openreferral|places|docs)(\/|\?|$)/;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** The stored (hashed) id of the current session, if signed in. */
    sessionId: string | undefined;
    flash: FlashMessage[];
  }
}

/** A live session with the actor who holds it. */
export interface LoadedSession {
  lastSeenAt: Date;
  flash: FlashMessage[];
  actor: Actor;
}

/**
 * Reads a live session (by its stored id) with the actor who holds it, or undefined when the session
 * has expired or the account no longer exists.
 */
export type SessionLoader = (sessionId: string, requestId: string) => Promise<LoadedSession | undefined>;

function expiry(): Date {
  return new Date(Date.now() + SESSION_DAYS * 24 * 60 * 60 * 1000);
}

/**
 * Server-side sessions: the cookie holds a random secret, the database holds
 * its hash, the user and the expiry. Signing out anywhere deletes rows, so
 * revocation is immediate.
 */
export function registerSessions(
  app: FastifyInstance,
  deps: { db: Database; loadSession: SessionLoader; secureCookies: boolean },
): void {
  const { db, loadSession, secureCookies } = deps;
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('sessionId', undefined);
  app.decorateRequest('flash', null as unknown as FlashMessage[]);

  app.addHook('onRequest', async (request, reply) => {
    request.actor = anonymousActor(request.id);
    request.flash = [];
    if (BARE_PATHS.test(request.url)) return;
    const secret = request.cookies[SESSION_COOKIE];
    if (!secret) return;
    const id = hashSecret(secret);
    const session = await loadSession(id, request.id);
    if (!session) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    request.actor = session.actor;
    request.sessionId = id;
    if (session.flash.length > 0 && request.method === 'GET') {
      request.flash = session.flash;
      await sessions.setFlash(db, id, []);
    }
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await sessions.touchSession(db, id, expiry());
    }
  });

  function setCookie(reply: FastifyReply, secret: string) {
    reply.setCookie(SESSION_COOKIE, secret, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      maxAge: SESSION_DAYS * 24 * 60 * 60,
    });
  }

  app.decorate('sessions', {
    /** Starts a fresh session for the user, always with a new id: the old one (if any) is destroyed. */
    async start(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
      if (request.sessionId) await sessions.deleteSession(db, request.sessionId);
      const secret = newSecret();
      const id = hashSecret(secret);
      await sessions.insertSession(db, {
        id,
        userId,
        expiresAt: expiry(),
        userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
      });
      request.sessionId = id;
      setCookie(reply, secret);
    },
    async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (request.sessionId) await sessions.deleteSession(db, request.sessionId);
      request.sessionId = undefined;
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
    async flash(request: FastifyRequest, message: FlashMessage): Promise<void> {
      if (!request.sessionId) return;
      const current = await sessions.findLiveSession(db, request.sessionId);
      await sessions.setFlash(db, request.sessionId, [...(current?.flash ?? []), message]);
    },
  });
}

export interface SessionControls {
  start(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void>;
  end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  flash(request: FastifyRequest, message: FlashMessage): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionControls;
  }
}

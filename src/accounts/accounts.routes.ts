import type { FastifyInstance } from 'fastify';
import { requireUser } from '../platform/auth/require-user.ts';
import { ValidationError } from '../platform/errors.ts';
import { handleForm } from '../platform/forms.ts';
import {
  changeEmailSchema,
  changeNameSchema,
  changePasswordSchema,
  deleteAccountSchema,
  emailOnlySchema,
  registerSchema,
  resetPasswordSchema,
  safeNext,
  signInSchema,
} from './accounts.schema.ts';
import { type AccountsService, SignInRefused, TooManyRequests } from './accounts.service.ts';

const V = 'accounts/views';
/** Per client address, on top of the per-account backoff in the service. */
const SIGN_IN_RATE_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } };
const EMAIL_RATE_LIMIT = { rateLimit: { max: 5, timeWindow: '1 minute' } };

type Params<T extends string> = { Params: Record<T, string> };
type Query<T extends string> = { Querystring: Partial<Record<T, string>> };

export function accountsRoutes(app: FastifyInstance, accounts: AccountsService): void {
  // Registration and email verification
  app.get('/register', async (_request, reply) =>
    reply.page(`${V}/register.njk`, { title: 'Create an account' }),
  );

  app.post('/register', { config: EMAIL_RATE_LIMIT }, async (request, reply) =>
    handleForm(reply, {
      schema: registerSchema,
      body: request.body,
      template: `${V}/register.njk`,
      context: { title: 'Create an account' },
      action: async (data) => {
        await accounts.register(request.actor, data);
        return reply.redirect(`/register/check-email?email=${encodeURIComponent(data.email)}`, 303);
      },
    }),
  );

  app.get<Query<'email'>>('/register/check-email', async (request, reply) =>
    reply.page(`${V}/check-email.njk`, {
      title: 'Check your email',
      email: request.query.email,
      purpose: 'confirm your email address and finish creating your account',
    }),
  );

  app.get<Params<'token'>>('/verify-email/:token', async (request, reply) => {
    const verified = await accounts.verifyEmail(request.actor, request.params.token);
    return reply.code(verified ? 200 : 400).page(`${V}/verified.njk`, {
      title: verified ? 'Email address confirmed' : 'This link has expired or has been used',
      verified,
    });
  });

  // Sign in and out
  app.get<Query<'next'>>('/sign-in', async (request, reply) => {
    if (request.actor.user) return reply.redirect(safeNext(request.query.next));
    return reply.page(`${V}/sign-in.njk`, { title: 'Sign in', next: safeNext(request.query.next) });
  });

  app.post<Query<'next'>>('/sign-in', { config: SIGN_IN_RATE_LIMIT }, async (request, reply) => {
    const next = safeNext((request.body as Record<string, unknown> | undefined)?.next);
    return handleForm(reply, {
      schema: signInSchema,
      body: request.body,
      template: `${V}/sign-in.njk`,
      context: { title: 'Sign in', next },
      action: async (data) => {
        try {
          const userId = await accounts.signIn(request.actor, data.email, data.password);
          await app.sessions.start(request, reply, userId);
          return reply.redirect(next, 303);
        } catch (error) {
          if (error instanceof SignInRefused) {
            throw new ValidationError('email', error.message);
          }
          throw error;
        }
      },
    });
  });

  app.post('/sign-out', async (request, reply) => {
    await accounts.recordSignOut(request.actor, false);
    await app.sessions.end(request, reply);
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', async (_request, reply) =>
    reply.page(`${V}/signed-out.njk`, { title: 'You have signed out' }),
  );

  app.post('/account/sign-out-everywhere', async (request, reply) => {
    requireUser(request);
    await accounts.recordSignOut(request.actor, true);
    await app.sessions.end(request, reply);
    return reply.redirect('/signed-out?everywhere=1', 303);
  });

  // Sign in by emailed link
  app.get('/sign-in/link', async (_request, reply) =>
    reply.page(`${V}/magic-link-request.njk`, { title: 'Sign in with a link sent by email' }),
  );

  app.post('/sign-in/link', { config: EMAIL_RATE_LIMIT }, async (request, reply) =>
    handleForm(reply, {
      schema: emailOnlySchema,
      body: request.body,
      template: `${V}/magic-link-request.njk`,
      context: { title: 'Sign in with a link sent by email' },
      action: async (data) => {
        await sendOrExplain(() => accounts.requestMagicLink(request.actor, data.email));
        return reply.redirect(`/sign-in/link/sent?email=${encodeURIComponent(data.email)}`, 303);
      },
    }),
  );

  app.get<Query<'email'>>('/sign-in/link/sent', async (request, reply) =>
    reply.page(`${V}/check-email.njk`, {
      title: 'Check your email',
      email: request.query.email,
      purpose: 'sign in. The link works once, for 15 minutes',
      ifAccount: true,
    }),
  );

  // A GET only shows a button: mail scanners follow links, and must not use up a single-use link.
  app.get<Params<'token'>>('/sign-in/link/:token', async (request, reply) => {
    const live = await accounts.magicLinkIsLive(request.params.token);
    return reply.code(live ? 200 : 400).page(`${V}/magic-link-confirm.njk`, {
      title: live ? 'Sign in to Commonweal' : 'This link has expired or has been used',
      live,
      token: request.params.token,
    });
  });

  app.post<Params<'token'>>(
    '/sign-in/link/:token',
    { config: SIGN_IN_RATE_LIMIT },
    async (request, reply) => {
      const userId = await accounts.signInWithMagicLink(request.actor, request.params.token);
      if (!userId) {
        return reply.code(400).page(`${V}/magic-link-confirm.njk`, {
          title: 'This link has expired or has been used',
          live: false,
        });
      }
      await app.sessions.start(request, reply, userId);
      return reply.redirect('/account', 303);
    },
  );

  // Forgotten password
  app.get('/forgot-password', async (_request, reply) =>
    reply.page(`${V}/forgot-password.njk`, { title: 'Reset your password' }),
  );

  app.post('/forgot-password', { config: EMAIL_RATE_LIMIT }, async (request, reply) =>
    handleForm(reply, {
      schema: emailOnlySchema,
      body: request.body,
      template: `${V}/forgot-password.njk`,
      context: { title: 'Reset your password' },
      action: async (data) => {
        await sendOrExplain(() => accounts.requestPasswordReset(request.actor, data.email));
        return reply.redirect(`/forgot-password/sent?email=${encodeURIComponent(data.email)}`, 303);
      },
    }),
  );

  app.get<Query<'email'>>('/forgot-password/sent', async (request, reply) =>
    reply.page(`${V}/check-email.njk`, {
      title: 'Check your email',
      email: request.query.email,
      purpose: 'choose a new password. The link works once, for one hour',
      ifAccount: true,
    }),
  );

  app.get<Params<'token'>>('/reset-password/:token', async (request, reply) => {
    const live = await accounts.resetTokenIsLive(request.params.token);
    return reply.code(live ? 200 : 400).page(`${V}/reset-password.njk`, {
      title: live ? 'Choose a new password' : 'This link has expired or has been used',
      live,
    });
  });

  app.post<Params<'token'>>(
    '/reset-password/:token',
    { config: SIGN_IN_RATE_LIMIT },
    async (request, reply) =>
      handleForm(reply, {
        schema: resetPasswordSchema,
        body: request.body,
        template: `${V}/reset-password.njk`,
        context: { title: 'Choose a new password', live: true },
        action: async (data) => {
          const userId = await accounts.resetPassword(request.actor, request.params.token, data.password);
          if (!userId) {
            return reply.code(400).page(`${V}/reset-password.njk`, {
              title: 'This link has expired or has been used',
              live: false,
            });
          }
          await app.sessions.start(request, reply, userId);
          await app.sessions.flash(request, {
            kind: 'success',
            text: 'Your password has been changed. You are signed in.',
          });
          return reply.redirect('/account', 303);
        },
      }),
  );

  // The account page
  app.get('/account', async (request, reply) => {
    const user = requireUser(request);
    const [sessions, roles] = await Promise.all([
      accounts.listSessions(request.actor),
      accountsRolesOf(request),
    ]);
    return reply.page(`${V}/account.njk`, {
      title: 'Your account',
      account: user,
      sessions: sessions.map((s) => ({ ...s, current: s.id === request.sessionId })),
      roles,
    });
  });

  async function accountsRolesOf(request: { actor: { user: { id: string } | null } }) {
    return request.actor.user ? await accounts.roleHoldings(request.actor.user.id) : [];
  }

  app.get('/account/name', async (request, reply) => {
    const user = requireUser(request);
    return reply.page(`${V}/change-name.njk`, { title: 'Change your name', values: { name: user.name } });
  });

  app.post('/account/name', async (request, reply) => {
    requireUser(request);
    return handleForm(reply, {
      schema: changeNameSchema,
      body: request.body,
      template: `${V}/change-name.njk`,
      context: { title: 'Change your name' },
      action: async (data) => {
        await accounts.changeName(request.actor, data.name);
        await app.sessions.flash(request, { kind: 'success', text: 'Your name has been changed.' });
        return reply.redirect('/account', 303);
      },
    });
  });

  app.get('/account/email', async (request, reply) => {
    const user = requireUser(request);
    return reply.page(`${V}/change-email.njk`, {
      title: 'Change your email address',
      currentEmail: user.email,
    });
  });

  app.post('/account/email', { config: EMAIL_RATE_LIMIT }, async (request, reply) => {
    const user = requireUser(request);
    return handleForm(reply, {
      schema: changeEmailSchema,
      body: request.body,
      template: `${V}/change-email.njk`,
      context: { title: 'Change your email address', currentEmail: user.email },
      action: async (data) => {
        await accounts.requestEmailChange(request.actor, data.email, data.password);
        await app.sessions.flash(request, {
          kind: 'info',
          heading: 'Check your email',
          text: `We have sent a link to ${data.email}. Your email address will change when you follow it.`,
        });
        return reply.redirect('/account', 303);
      },
    });
  });

  app.get<Params<'token'>>('/account/email/confirm/:token', async (request, reply) => {
    let changed = false;
    try {
      changed = await accounts.confirmEmailChange(request.actor, request.params.token);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
    }
    return reply.code(changed ? 200 : 400).page(`${V}/email-changed.njk`, {
      title: changed ? 'Email address changed' : 'This link has expired or has been used',
      changed,
    });
  });

  app.get('/account/password', async (request, reply) => {
    requireUser(request);
    return reply.page(`${V}/change-password.njk`, { title: 'Change your password' });
  });

  app.post('/account/password', { config: SIGN_IN_RATE_LIMIT }, async (request, reply) => {
    const user = requireUser(request);
    return handleForm(reply, {
      schema: changePasswordSchema,
      body: request.body,
      template: `${V}/change-password.njk`,
      context: { title: 'Change your password' },
      action: async (data) => {
        await accounts.changePassword(request.actor, data.currentPassword, data.newPassword);
        // Every session was ended, this one too: start a fresh one with a new id.
        request.sessionId = undefined;
        await app.sessions.start(request, reply, user.id);
        await app.sessions.flash(request, {
          kind: 'success',
          text: 'Your password has been changed. You have been signed out on every other device.',
        });
        return reply.redirect('/account', 303);
      },
    });
  });

  app.get('/account/data', async (request, reply) => {
    requireUser(request);
    const data = await accounts.exportData(request.actor);
    return reply
      .header('content-disposition', 'attachment; filename="commonweal-my-data.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.get('/account/delete', async (request, reply) => {
    requireUser(request);
    return reply.page(`${V}/delete-account.njk`, { title: 'Delete your account' });
  });

  app.post('/account/delete', async (request, reply) => {
    requireUser(request);
    return handleForm(reply, {
      schema: deleteAccountSchema,
      body: request.body,
      template: `${V}/delete-account.njk`,
      context: { title: 'Delete your account' },
      action: async (data) => {
        await accounts.deleteAccount(request.actor, data.password);
        await app.sessions.end(request, reply);
        return reply.redirect('/account/deleted', 303);
      },
    });
  });

  app.get('/account/deleted', async (_request, reply) =>
    reply.page(`${V}/account-deleted.njk`, { title: 'Your account has been deleted' }),
  );
}

/** Emailed-link requests over their allowance are reported as a field error. */
async function sendOrExplain(send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (error instanceof TooManyRequests) throw new ValidationError('email', error.message);
    throw error;
  }
}

import { type AuditRecord, recordAudit } from '../platform/audit/audit.service.ts';
import type { Actor, SignedInUser } from '../platform/auth/actor.ts';
import type { PlaceRole } from '../platform/auth/roles.ts';
import type { Database } from '../platform/db/database.ts';
import { ValidationError } from '../platform/errors.ts';
import type { Mailer } from '../platform/mail/mailer.ts';
import * as sessions from '../platform/session/session.repository.ts';
import type { LoadedSession } from '../platform/session/sessions.ts';
import { hashSecret, newSecret } from '../platform/session/tokens.ts';
import * as repo from './accounts.repository.ts';
import type { TokenPurpose, UserRow } from './accounts.table.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

const MINUTE = 60 * 1000;
const TOKEN_LIFETIME: Record<TokenPurpose, number> = {
  verify_email: 48 * 60 * MINUTE,
  change_email: 48 * 60 * MINUTE,
  reset_password: 60 * MINUTE,
  magic_link: 15 * MINUTE,
};
/** Failed sign-ins allowed before the account's backoff starts. */
export const FREE_SIGN_IN_FAILURES = 5;
const MAX_LOCK_MINUTES = 60;
/** Emailed links (reset, sign-in) one address may be sent in a quarter of an hour. */
const LINKS_PER_WINDOW = 3;
const LINK_WINDOW_MINUTES = 15;

export interface RoleHoldingLookup {
  rolesOfUser(
    userId: string,
  ): Promise<{ placeId: string; placeSlug: string; placeName: string; role: PlaceRole; grantedAt: Date }[]>;
}

export class SignInRefused extends Error {
  override name = 'SignInRefused';
  readonly reason: 'wrong_credentials' | 'locked' | 'unverified';
  constructor(reason: 'wrong_credentials' | 'locked' | 'unverified', message: string) {
    super(message);
    this.reason = reason;
  }
}

export class TooManyRequests extends Error {
  override name = 'TooManyRequests';
}

function minutesFromNow(date: Date): number {
  return Math.max(1, Math.ceil((date.getTime() - Date.now()) / MINUTE));
}

function toSignedInUser(
  row: Pick<UserRow, 'id' | 'name' | 'email' | 'email_verified_at' | 'is_instance_admin'>,
): SignedInUser {
  return {
    id: row.id,
    name: row.name,
    email: row.email ?? '',
    emailVerified: row.email_verified_at !== null,
    isInstanceAdmin: row.is_instance_admin,
  };
}

function rolesByPlace(held: readonly { placeId: string; role: PlaceRole }[]): Map<string, Set<PlaceRole>> {
  const byPlace = new Map<string, Set<PlaceRole>>();
  for (const h of held) {
    if (!byPlace.has(h.placeId)) byPlace.set(h.placeId, new Set());
    byPlace.get(h.placeId)!.add(h.role);
  }
  return byPlace;
}

export type AccountsService = ReturnType<typeof createAccountsService>;

export function createAccountsService(deps: {
  db: Database;
  mailer: Mailer;
  baseUrl: string;
  roles: RoleHoldingLookup;
  /** What other features hold about the person, added to their data download under each key. */
  personalData?: Record<string, (userId: string) => Promise<unknown>>;
}) {
  const { db, mailer, baseUrl, roles } = deps;

  /** A new single-use link secret; with an audit entry, both in one transaction. */
  async function issueToken(
    userId: string,
    purpose: TokenPurpose,
    audit?: { actor: Actor; record: AuditRecord },
    newEmail?: string,
  ): Promise<string> {
    const secret = newSecret();
    await db.transaction().execute(async (tx) => {
      await repo.insertToken(tx, {
        userId,
        purpose,
        tokenHash: hashSecret(secret),
        expiresAt: new Date(Date.now() + TOKEN_LIFETIME[purpose]),
        ...(newEmail ? { newEmail } : {}),
      });
      if (audit) await recordAudit(tx, audit.actor, audit.record);
    });
    return secret;
  }

  /** Limits how many emailed links one address can be sent, whether or not it has an account. */
  async function takeLinkAllowance(kind: string, email: string): Promise<void> {
    const key = `${kind}:${email.toLowerCase()}`;
    const { used, windowEnds } = await repo.takeAllowance(
      db,
      key,
      new Date(Date.now() + LINK_WINDOW_MINUTES * MINUTE),
    );
    if (used > LINKS_PER_WINDOW) {
      throw new TooManyRequests(
        `Too many emails have been sent to this address. Try again in ${minutesFromNow(windowEnds)} minutes.`,
      );
    }
  }

  // Checked against when no account matches, so that a wrong address takes as long as a wrong password.
  let dummyHash: Promise<string> | undefined;
  function hashForTiming(): Promise<string> {
    dummyHash ??= hashPassword(newSecret());
    return dummyHash;
  }

  async function sendVerification(user: { id: string; email: string; name: string }): Promise<void> {
    const secret = await issueToken(user.id, 'verify_email');
    await mailer.send({
      to: user.email,
      subject: 'Confirm your email address for Commonweal',
      text: `Hello ${user.name},\n\nConfirm your email address to finish creating your Commonweal account:\n\n${baseUrl}/verify-email/${secret}\n\nThe link works for 48 hours. If you did not create an account, you can ignore this email.\n`,
    });
  }

  return {
    async loadActor(userId: string, requestId: string): Promise<Actor | undefined> {
      const row = await repo.findUserById(db, userId);
      if (!row) return undefined;
      const held = await roles.rolesOfUser(userId);
      return { user: toSignedInUser(row), roles: rolesByPlace(held), requestId };
    },

    /** The session and who holds it, for a request: one query. */
    async loadSession(sessionId: string, requestId: string): Promise<LoadedSession | undefined> {
      const row = await repo.findSessionUser(db, sessionId);
      if (!row) return undefined;
      const held = row.roles.map((r) => ({ placeId: r.place_id, role: r.role as PlaceRole }));
      return {
        lastSeenAt: row.session_last_seen_at,
        flash: row.session_flash,
        actor: { user: toSignedInUser(row), roles: rolesByPlace(held), requestId },
      };
    },

    roleHoldings(userId: string) {
      return roles.rolesOfUser(userId);
    },

    async findActiveAccountByEmail(email: string) {
      const row = await repo.findUserByEmail(db, email);
      return row && { id: row.id, name: row.name };
    },

    async register(actor: Actor, input: { name: string; email: string; password: string }): Promise<void> {
      const problem = passwordProblem(input.password, input);
      if (problem) throw new ValidationError('password', problem);
      // Hashed before looking the address up, so that both answers take as long.
      const passwordHash = await hashPassword(input.password);
      const existing = await repo.findUserByEmail(db, input.email);
      if (existing) {
        // Say the same to the browser either way, so the form does not reveal who has an account.
        await mailer.send({
          to: input.email,
          subject: 'You already have a Commonweal account',
          text: `Hello,\n\nSomeone tried to create a Commonweal account with this email address, but you already have one.\n\nSign in: ${baseUrl}/sign-in\nForgotten your password? ${baseUrl}/forgot-password\n\nIf this was not you, you can ignore this email.\n`,
        });
        return;
      }
      const user = await db.transaction().execute(async (tx) => {
        const row = await repo.insertUser(tx, {
          email: input.email,
          name: input.name,
          passwordHash,
          verified: false,
        });
        await recordAudit(tx, actor, {
          action: 'account.registered',
          subjectType: 'user',
          subjectId: row.id,
          actorId: row.id,
        });
        return row;
      });
      await sendVerification({ id: user.id, email: input.email, name: input.name });
    },

    async verifyEmail(actor: Actor, secret: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const token = await repo.consumeToken(tx, 'verify_email', hashSecret(secret));
        if (!token) return false;
        await repo.updateUser(tx, token.userId, { email_verified_at: new Date() });
        await recordAudit(tx, actor, {
          action: 'account.email_verified',
          subjectType: 'user',
          subjectId: token.userId,
          actorId: token.userId,
        });
        return true;
      });
    },

    /** Checks a password with per-account backoff. Returns the user id to start a session for. */
    async signIn(actor: Actor, email: string, password: string): Promise<string> {
      const key = `sign_in:${email.toLowerCase()}`;
      const lockedMessage = (until: Date) =>
        `There have been too many failed attempts to sign in to this account. Try again in ${minutesFromNow(until)} minutes, or reset your password.`;
      // The attempt is counted before the password is checked, so parallel guesses are counted too.
      const attempt = await repo.countAttempt(db, key);
      if (attempt.lockedUntil && attempt.lockedUntil.getTime() > Date.now()) {
        throw new SignInRefused('locked', lockedMessage(attempt.lockedUntil));
      }
      const lockFor = (failures: number) =>
        new Date(
          Date.now() +
            Math.min(2 ** Math.max(0, failures - FREE_SIGN_IN_FAILURES), MAX_LOCK_MINUTES) * MINUTE,
        );
      if (attempt.failures > FREE_SIGN_IN_FAILURES) {
        const until = lockFor(attempt.failures);
        await repo.lockKey(db, key, until);
        throw new SignInRefused('locked', lockedMessage(until));
      }
      const user = await repo.findUserByEmail(db, email);
      const ok = await verifyPassword(user?.password_hash ?? (await hashForTiming()), password);
      if (!user?.password_hash || !ok) {
        const locked = attempt.failures >= FREE_SIGN_IN_FAILURES ? lockFor(attempt.failures) : undefined;
        await db.transaction().execute(async (tx) => {
          if (locked) await repo.lockKey(tx, key, locked);
          if (user) {
            await recordAudit(tx, actor, {
              action: 'account.sign_in_failed',
              subjectType: 'user',
              subjectId: user.id,
              actorId: null,
              details: { failures: attempt.failures },
            });
          }
        });
        if (locked) throw new SignInRefused('locked', lockedMessage(locked));
        throw new SignInRefused('wrong_credentials', 'Enter a correct email address and password');
      }
      if (!user.email_verified_at) {
        await sendVerification({ id: user.id, email: user.email!, name: user.name });
        throw new SignInRefused(
          'unverified',
          'You need to confirm your email address before you can sign in. We have sent you a new link.',
        );
      }
      await db.transaction().execute(async (tx) => {
        await repo.clearThrottle(tx, key);
        await recordAudit(tx, actor, {
          action: 'account.signed_in',
          subjectType: 'user',
          subjectId: user.id,
          actorId: user.id,
        });
      });
      return user.id;
    },

    async requestPasswordReset(actor: Actor, email: string): Promise<void> {
      await takeLinkAllowance('reset', email);
      const user = await repo.findUserByEmail(db, email);
      if (!user) return;
      const secret = await issueToken(user.id, 'reset_password', {
        actor,
        record: {
          action: 'account.password_reset_requested',
          subjectType: 'user',
          subjectId: user.id,
          actorId: null,
        },
      });
      await mailer.send({
        to: user.email!,
        subject: 'Reset your Commonweal password',
        text: `Hello ${user.name},\n\nUse this link to choose a new password:\n\n${baseUrl}/reset-password/${secret}\n\nThe link works once, for one hour. If you did not ask for this, you can ignore this email: your password has not changed.\n`,
      });
    },

    async resetTokenIsLive(secret: string): Promise<boolean> {
      return repo.tokenIsLive(db, 'reset_password', hashSecret(secret));
    },

    /** Sets a new password from an emailed link and signs the account out everywhere. */
    async resetPassword(actor: Actor, secret: string, password: string): Promise<string | undefined> {
      const tokenHash = hashSecret(secret);
      if (!(await repo.tokenIsLive(db, 'reset_password', tokenHash))) return undefined;
      return db.transaction().execute(async (tx) => {
        const token = await repo.consumeToken(tx, 'reset_password', tokenHash);
        if (!token) return undefined;
        const user = await repo.findUserById(tx, token.userId);
        if (!user) return undefined;
        const problem = passwordProblem(password, { email: user.email ?? '', name: user.name });
        if (problem) throw new ValidationError('password', problem);
        await repo.updateUser(tx, user.id, {
          password_hash: await hashPassword(password),
          // Receiving the link proves the address.
          ...(user.email_verified_at ? {} : { email_verified_at: new Date() }),
        });
        await sessions.deleteSessionsOfUser(tx, user.id);
        await repo.clearThrottle(tx, `sign_in:${user.email!.toLowerCase()}`);
        await recordAudit(tx, actor, {
          action: 'account.password_reset',
          subjectType: 'user',
          subjectId: user.id,
          actorId: user.id,
        });
        return user.id;
      });
    },

    async requestMagicLink(actor: Actor, email: string): Promise<void> {
      await takeLinkAllowance('magic_link', email);
      const user = await repo.findUserByEmail(db, email);
      if (!user) return;
      const secret = await issueToken(user.id, 'magic_link', {
        actor,
        record: {
          action: 'account.magic_link_requested',
          subjectType: 'user',
          subjectId: user.id,
          actorId: null,
        },
      });
      await mailer.send({
        to: user.email!,
        subject: 'Your link to sign in to Commonweal',
        text: `Hello ${user.name},\n\nUse this link to sign in to Commonweal:\n\n${baseUrl}/sign-in/link/${secret}\n\nThe link works once, for 15 minutes. If you did not ask for it, you can ignore this email.\n`,
      });
    },

    magicLinkIsLive(secret: string): Promise<boolean> {
      return repo.tokenIsLive(db, 'magic_link', hashSecret(secret));
    },

    /** Uses a single-use sign-in link. Returns the user id to start a session for. */
    async signInWithMagicLink(actor: Actor, secret: string): Promise<string | undefined> {
      return db.transaction().execute(async (tx) => {
        const token = await repo.consumeToken(tx, 'magic_link', hashSecret(secret));
        if (!token) return undefined;
        const user = await repo.findUserById(tx, token.userId);
        if (!user) return undefined;
        if (!user.email_verified_at) await repo.updateUser(tx, user.id, { email_verified_at: new Date() });
        await recordAudit(tx, actor, {
          action: 'account.signed_in_by_link',
          subjectType: 'user',
          subjectId: user.id,
          actorId: user.id,
        });
        return user.id;
      });
    },

    async recordSignOut(actor: Actor, everywhere: boolean): Promise<number> {
      if (!actor.user) return 0;
      const userId = actor.user.id;
      return db.transaction().execute(async (tx) => {
        const ended = everywhere ? await sessions.deleteSessionsOfUser(tx, userId) : 0;
        await recordAudit(tx, actor, {
          action: everywhere ? 'account.signed_out_everywhere' : 'account.signed_out',
          subjectType: 'user',
          subjectId: userId,
          ...(everywhere ? { details: { sessionsEnded: ended } } : {}),
        });
        return ended;
      });
    },

    async changeName(actor: Actor, name: string): Promise<void> {
      const user = actor.user!;
      await db.transaction().execute(async (tx) => {
        await repo.updateUser(tx, user.id, { name });
        await recordAudit(tx, actor, {
          action: 'account.name_changed',
          subjectType: 'user',
          subjectId: user.id,
        });
      });
    },

    /** Sends a confirmation link to the new address; the change takes effect when it is followed. */
    async requestEmailChange(actor: Actor, newEmail: string, password: string): Promise<void> {
      const user = await repo.findUserById(db, actor.user!.id);
      if (!user?.password_hash || !(await verifyPassword(user.password_hash, password))) {
        throw new ValidationError('password', 'Your password is not correct');
      }
      if (newEmail.toLowerCase() === user.email?.toLowerCase()) {
        throw new ValidationError('email', 'This is already your email address');
      }
      if (await repo.emailIsTaken(db, newEmail, user.id)) {
        throw new ValidationError('email', 'Another account already uses this email address');
      }
      const secret = await issueToken(
        user.id,
        'change_email',
        {
          actor,
          record: { action: 'account.email_change_requested', subjectType: 'user', subjectId: user.id },
        },
        newEmail,
      );
      await mailer.send({
        to: newEmail,
        subject: 'Confirm your new email address for Commonweal',
        text: `Hello ${user.name},\n\nConfirm that you want to use this address for your Commonweal account:\n\n${baseUrl}/account/email/confirm/${secret}\n\nThe link works for 48 hours. Until then your account keeps its old address.\n`,
      });
    },

    async confirmEmailChange(actor: Actor, secret: string): Promise<boolean> {
      const result = await db.transaction().execute(async (tx) => {
        const token = await repo.consumeToken(tx, 'change_email', hashSecret(secret));
        if (!token?.newEmail) return undefined;
        const user = await repo.findUserById(tx, token.userId);
        if (!user) return undefined;
        if (await repo.emailIsTaken(tx, token.newEmail, user.id)) {
          throw new ValidationError('email', 'Another account already uses this email address');
        }
        await repo.updateUser(tx, user.id, { email: token.newEmail, email_verified_at: new Date() });
        await recordAudit(tx, actor, {
          action: 'account.email_changed',
          subjectType: 'user',
          subjectId: user.id,
          actorId: user.id,
        });
        return { oldEmail: user.email, name: user.name };
      });
      if (!result) return false;
      if (result.oldEmail) {
        await mailer.send({
          to: result.oldEmail,
          subject: 'Your Commonweal email address has changed',
          text: `Hello ${result.name},\n\nThe email address for your Commonweal account has been changed. If you did not do this, reset your password at ${baseUrl}/forgot-password and contact the place that runs your account.\n`,
        });
      }
      return true;
    },

    /** Changes the password and ends every other session; the caller starts a fresh one. */
    async changePassword(actor: Actor, current: string, next: string): Promise<void> {
      const user = await repo.findUserById(db, actor.user!.id);
      if (!user?.password_hash || !(await verifyPassword(user.password_hash, current))) {
        throw new ValidationError('currentPassword', 'Your current password is not correct');
      }
      const problem = passwordProblem(next, { email: user.email ?? '', name: user.name });
      if (problem) throw new ValidationError('newPassword', problem);
      const passwordHash = await hashPassword(next);
      await db.transaction().execute(async (tx) => {
        await repo.updateUser(tx, user.id, { password_hash: passwordHash });
        await sessions.deleteSessionsOfUser(tx, user.id);
        await recordAudit(tx, actor, {
          action: 'account.password_changed',
          subjectType: 'user',
          subjectId: user.id,
        });
      });
    },

    async listSessions(actor: Actor) {
      return sessions.listSessionsOfUser(db, actor.user!.id);
    },

    /** Everything Commonweal holds about the person, as they would want to take it away. */
    async exportData(actor: Actor): Promise<Record<string, unknown>> {
      const user = await repo.findUserById(db, actor.user!.id);
      if (!user) throw new ValidationError('account', 'Account not found');
      const [held, activeSessions, activity, records] = await Promise.all([
        roles.rolesOfUser(user.id),
        sessions.listSessionsOfUser(db, user.id),
        repo.findAuditOfActor(db, user.id),
        repo.personalRecords(db, user.id),
      ]);
      const extra: Record<string, unknown> = {};
      for (const [key, collect] of Object.entries(deps.personalData ?? {}))
        extra[key] = await collect(user.id);
      await recordAudit(db, actor, {
        action: 'account.data_exported',
        subjectType: 'user',
        subjectId: user.id,
      });
      return {
        exportedAt: new Date().toISOString(),
        account: {
          id: user.id,
          name: user.name,
          email: user.email,
          emailVerifiedAt: user.email_verified_at,
          createdAt: user.created_at,
          instanceAdmin: user.is_instance_admin,
        },
        roles: held.map((h) => ({
          place: h.placeSlug,
          placeName: h.placeName,
          role: h.role,
          grantedAt: h.grantedAt,
        })),
        sessions: activeSessions.map((s) => ({
          startedAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          expiresAt: s.expiresAt,
          device: s.userAgent,
        })),
        residentVerifications: records.verifications,
        proposals: records.proposals,
        comments: records.comments,
        supports: records.supports,
        follows: records.follows,
        notifications: records.notifications,
        activity: activity.map((a) => ({
          at: a.occurred_at,
          action: a.action,
          subjectType: a.subject_type,
          subjectId: a.subject_id,
          placeId: a.place_id,
        })),
        ...extra,
      };
    },

    async deleteAccount(actor: Actor, password: string): Promise<void> {
      const user = await repo.findUserById(db, actor.user!.id);
      if (!user?.password_hash || !(await verifyPassword(user.password_hash, password))) {
        throw new ValidationError('password', 'Your password is not correct');
      }
      await db.transaction().execute(async (tx) => {
        await sessions.deleteSessionsOfUser(tx, user.id);
        await repo.tombstoneUser(tx, user.id);
        await recordAudit(tx, actor, { action: 'account.deleted', subjectType: 'user', subjectId: user.id });
      });
    },

    /** Housekeeping: sessions past their expiry and throttle entries no longer in force. */
    async purgeExpired(now = new Date()): Promise<void> {
      await sessions.deleteExpiredSessions(db);
      await repo.purgeStaleThrottles(db, new Date(now.getTime() - 24 * 60 * MINUTE));
    },

    /** For demo data and first-run setup: an account that is already verified. */
    async createVerifiedAccount(input: {
      email: string;
      name: string;
      password: string;
      instanceAdmin?: boolean;
    }): Promise<string> {
      const row = await repo.insertUser(db, {
        email: input.email,
        name: input.name,
        passwordHash: await hashPassword(input.password),
        verified: true,
        instanceAdmin: input.instanceAdmin ?? false,
      });
      return row.id;
    },
  };
}

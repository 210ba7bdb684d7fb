import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

// OWASP's recommended argon2id parameters (19 MiB, 2 passes, 1 lane).
const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, so spelled out */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  (dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()),
);

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * Why a new password would be refused, or undefined if it is acceptable:
 * long enough, not a commonly used password, and not built from the person's
 * own email address or name.
 */
export function passwordProblem(
  password: string,
  person: { email?: string; name?: string } = {},
): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `Password must be ${MIN_PASSWORD_LENGTH} characters or more`;
  if (password.length > MAX_PASSWORD_LENGTH)
    return `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/.test(password)) {
    return 'Password is too common: choose one that other people are unlikely to use, such as three random words';
  }
  const local = person.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local))
    return 'Password must not contain your email address';
  const name = person.name?.trim().toLowerCase();
  if (name && name.length >= 4 && lower.includes(name)) return 'Password must not contain your name';
  if (lower.includes('commonweal')) return 'Password must not contain the name of this service';
  return undefined;
}

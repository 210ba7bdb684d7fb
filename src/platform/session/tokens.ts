import { createHash, randomBytes } from 'node:crypto';

/** A random secret for a cookie or an emailed link, and the hash we store instead of it. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

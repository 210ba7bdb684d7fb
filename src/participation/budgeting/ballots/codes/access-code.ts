import { createHash, randomInt } from 'node:crypto';

/**
 * Single-use voting codes, printed on letters. Crockford's base-32 alphabet leaves out I, L, O and U,
 * so nothing printed can be misread; when typed, O is read as 0 and I or L as 1, and case, spaces and
 * dashes do not matter. Twelve characters of 32 give 60 bits: guessing a live code is hopeless even
 * without the rate limit.
 */

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 12;

/** Picks a whole number from 0 up to (not including) max. */
export type RandomIndex = (max: number) => number;

/** A new code in its printed form, like K7PX-9QMR-3HTW. */
export function newCode(random: RandomIndex = randomInt): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i += 1) code += CODE_ALPHABET[random(CODE_ALPHABET.length)];
  return formatCode(code);
}

/** Groups of four joined by dashes. */
export function formatCode(normalised: string): string {
  return normalised.match(/.{1,4}/g)!.join('-');
}

/** The code as typed, in the one form that is hashed; undefined when it cannot be a code. */
export function normaliseCode(typed: string): string | undefined {
  const code = typed
    .toUpperCase()
    .replace(/[\s\-–—_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== CODE_LENGTH) return undefined;
  for (const char of code) if (!CODE_ALPHABET.includes(char)) return undefined;
  return code;
}

/** What is stored: the SHA-256 of the normalised code, as hex. */
export function hashCode(normalised: string): string {
  return createHash('sha256').update(normalised).digest('hex');
}

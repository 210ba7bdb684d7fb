/**
 * Exact rationals on bigint. Values are always normalised: the denominator is positive and
 * shares no factor with the numerator, so two equal values have equal fields.
 */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const abs = (a: bigint): bigint => (a < 0n ? -a : a);

export function gcd(a: bigint, b: bigint): bigint {
  let x = abs(a);
  let y = abs(b);
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('Denominator must not be zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

export function fromInteger(n: bigint | number): Rational {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new RangeError(`Not a safe integer: ${n}`);
  return { num: BigInt(n), den: 1n };
}

const DECIMAL = /^([+-])?(\d*)(?:[.,](\d*))?$/;

/**
 * Reads decimals as written in .pb files ("100000.0", "2532645.83", "1,5" with a decimal comma as pabutools
 * accepts it) exactly; exponents and other float syntax are refused rather than rounded.
 */
export function fromDecimal(text: string): Rational {
  const trimmed = text.trim();
  const match = DECIMAL.exec(trimmed);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole.length + fraction.length === 0)
    throw new SyntaxError(`Not a decimal number: "${text}"`);
  const sign = match[1] === '-' ? -1n : 1n;
  const num = BigInt(whole + fraction || '0') * sign;
  return rational(num, 10n ** BigInt(fraction.length));
}

/** Reads "a/b" or an integer, as EXPECTED.json and pabutools print fractions. */
export function parseFraction(text: string): Rational {
  const [a, b, extra] = text.trim().split('/');
  if (a === undefined || extra !== undefined || !/^-?\d+$/.test(a) || (b !== undefined && !/^\d+$/.test(b))) {
    throw new SyntaxError(`Not a fraction: "${text}"`);
  }
  return rational(BigInt(a), b === undefined ? 1n : BigInt(b));
}

export function add(a: Rational, b: Rational): Rational {
  if (a.den === b.den) return rational(a.num + b.num, a.den);
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, neg(b));
}

export function neg(a: Rational): Rational {
  return { num: -a.num, den: a.den };
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function div(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new RangeError('Division by zero');
  return rational(a.num * b.den, a.den * b.num);
}

/** -1, 0 or 1. Cross-multiplies, which is exact because denominators are positive. */
export function compare(a: Rational, b: Rational): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const equals = (a: Rational, b: Rational): boolean => a.num === b.num && a.den === b.den;

export function sum(values: Iterable<Rational>): Rational {
  let total = ZERO;
  for (const v of values) total = add(total, v);
  return total;
}

/** "a/b", or "a" for integers: the notation of EXPECTED.json and Python's Fraction. */
export function toFractionString(a: Rational): string {
  return a.den === 1n ? a.num.toString() : `${a.num}/${a.den}`;
}

/** Lossy, for display only; counts never use it. */
export function toNumber(a: Rational): number {
  return Number(a.num) / Number(a.den);
}

/** The smallest integer s such that a·s is an integer for every a: used to count in whole units. */
export function commonDenominator(values: Iterable<Rational>): bigint {
  let l = 1n;
  for (const v of values) l = (l / gcd(l, v.den)) * v.den;
  return l;
}

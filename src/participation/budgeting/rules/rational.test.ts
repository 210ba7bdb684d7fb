import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  add,
  commonDenominator,
  compare,
  div,
  equals,
  fromDecimal,
  fromInteger,
  gcd,
  mul,
  parseFraction,
  type Rational,
  rational,
  sub,
  toFractionString,
  ZERO,
} from './rational.ts';

const arbRational = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 20n }))
  .map(([n, d]) => rational(n, d));
const arbNonZero = arbRational.filter((r) => r.num !== 0n);

const isNormal = (r: Rational): boolean => r.den > 0n && gcd(r.num, r.den) === 1n;

describe('rational', () => {
  it('normalises sign and common factors', () => {
    assert.deepEqual(rational(6n, -4n), { num: -3n, den: 2n });
    assert.deepEqual(rational(0n, -7n), { num: 0n, den: 1n });
    assert.throws(() => rational(1n, 0n), RangeError);
  });

  it('reads decimals as written in .pb files exactly', () => {
    assert.deepEqual(fromDecimal('100000.0'), fromInteger(100000));
    assert.deepEqual(fromDecimal('2532645.83'), rational(253264583n, 100n));
    assert.deepEqual(fromDecimal('1,5'), rational(3n, 2n));
    assert.deepEqual(fromDecimal('-0.25'), rational(-1n, 4n));
    assert.deepEqual(fromDecimal('.5'), rational(1n, 2n));
    // 0.1 + 0.2 is exactly 0.3 here, unlike in floating point.
    assert.ok(equals(add(fromDecimal('0.1'), fromDecimal('0.2')), fromDecimal('0.3')));
    for (const bad of ['', '.', '1e5', '1.2.3', 'abc', '12 000', 'NaN']) {
      assert.throws(() => fromDecimal(bad), SyntaxError, bad);
    }
  });

  it('prints and reads fractions as EXPECTED.json writes them', () => {
    assert.equal(toFractionString(rational(42703n, 21n)), '42703/21');
    assert.equal(toFractionString(rational(10n, 5n)), '2');
    assert.deepEqual(parseFraction('84/6'), rational(14n));
    assert.throws(() => parseFraction('1/2/3'), SyntaxError);
  });

  it('gives normalised results that obey the field laws', () => {
    fc.assert(
      fc.property(arbRational, arbRational, arbRational, (a, b, c) => {
        for (const r of [add(a, b), sub(a, b), mul(a, b)]) assert.ok(isNormal(r));
        assert.deepEqual(add(a, b), add(b, a));
        assert.deepEqual(add(add(a, b), c), add(a, add(b, c)));
        assert.deepEqual(mul(a, add(b, c)), add(mul(a, b), mul(a, c)));
        assert.deepEqual(sub(add(a, b), b), a);
        assert.deepEqual(sub(a, a), ZERO);
      }),
    );
  });

  it('divides exactly', () => {
    fc.assert(
      fc.property(arbRational, arbNonZero, (a, b) => {
        const q = div(a, b);
        assert.ok(isNormal(q));
        assert.deepEqual(mul(q, b), a);
      }),
    );
    assert.throws(() => div(fromInteger(1), ZERO), RangeError);
  });

  it('compares consistently with the sign of the difference', () => {
    fc.assert(
      fc.property(arbRational, arbRational, (a, b) => {
        const d = sub(a, b);
        assert.equal(compare(a, b), d.num < 0n ? -1 : d.num > 0n ? 1 : 0);
        assert.equal(compare(b, a), -compare(a, b) || 0);
      }),
    );
  });

  it('round-trips decimal text', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 25n }),
        fc.integer({ min: 0, max: 12 }),
        (digits, places) => {
          const text = digits.toString().padStart(places + 1, '0');
          const decimal = places === 0 ? text : `${text.slice(0, -places)}.${text.slice(-places)}`;
          assert.deepEqual(fromDecimal(decimal), rational(digits, 10n ** BigInt(places)));
        },
      ),
    );
  });

  it('finds the least common denominator', () => {
    assert.equal(commonDenominator([rational(1n, 4n), rational(5n, 6n), fromInteger(3)]), 12n);
  });
});

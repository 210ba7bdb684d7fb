import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareForReview, flags, flagsFor, type IndicatorRule, rank, valueProblem } from './indicators.ts';

const rules: IndicatorRule[] = [
  {
    domain: 'attendance',
    columnName: 'attendance_pct',
    label: 'Low attendance',
    direction: 'below',
    threshold: 90,
  },
  {
    domain: 'wellbeing',
    columnName: 'wellbeing_score',
    label: 'Low wellbeing',
    direction: 'below',
    threshold: 5,
  },
  {
    domain: 'wellbeing',
    columnName: 'wellbeing_belonging',
    label: 'Low belonging',
    direction: 'below',
    threshold: 3,
  },
  {
    domain: 'economic_disadvantage',
    columnName: 'fsm',
    label: 'Free school meals',
    direction: 'yes',
    threshold: null,
  },
  {
    domain: 'exclusions',
    columnName: 'exclusions',
    label: 'Any suspension',
    direction: 'above',
    threshold: 0,
  },
];

describe('flags', () => {
  it('flags below, above and yes, and never an empty value', () => {
    assert.equal(flags(rules[0]!, '89.9'), true);
    assert.equal(flags(rules[0]!, '90'), false);
    assert.equal(flags(rules[4]!, '1'), true);
    assert.equal(flags(rules[4]!, '0'), false);
    assert.equal(flags(rules[3]!, 'YES'), true);
    assert.equal(flags(rules[3]!, 'no'), false);
    assert.equal(flags(rules[0]!, ''), false);
    assert.equal(flags(rules[0]!, undefined), false);
  });
});

describe('flagsFor', () => {
  it('counts one flag per domain however many of its indicators trip', () => {
    const result = flagsFor(rules, {
      attendance_pct: '80',
      wellbeing_score: '2',
      wellbeing_belonging: '1',
      fsm: 'no',
      exclusions: '0',
    });
    assert.deepEqual(result, { domains: ['attendance', 'wellbeing'], count: 2 });
  });

  it('never counts more than the domains configured, nor less than zero', () => {
    fc.assert(
      fc.property(
        fc.record({
          attendance_pct: fc.float({ min: 0, max: 100, noNaN: true }).map(String),
          wellbeing_score: fc.integer({ min: 0, max: 10 }).map(String),
          wellbeing_belonging: fc.integer({ min: 1, max: 5 }).map(String),
          fsm: fc.constantFrom('yes', 'no', ''),
          exclusions: fc.integer({ min: 0, max: 5 }).map(String),
        }),
        (measures) => {
          const { domains, count } = flagsFor(rules, measures);
          assert.equal(count, domains.length);
          assert.equal(new Set(domains).size, domains.length);
          assert.ok(count <= 4);
        },
      ),
    );
  });
});

describe('rank', () => {
  it('puts the most flags first and breaks ties by reference', () => {
    const ranked = rank([
      { reference: 'B', flagCount: 1 },
      { reference: 'C', flagCount: 3 },
      { reference: 'A', flagCount: 1 },
    ]);
    assert.deepEqual(
      ranked.map((r) => r.reference),
      ['C', 'A', 'B'],
    );
  });

  it('is a total order that never puts fewer flags above more', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ reference: fc.string({ maxLength: 6 }), flagCount: fc.integer({ min: 0, max: 6 }) }),
        ),
        (children) => {
          const ranked = rank(children);
          for (let i = 1; i < ranked.length; i++)
            assert.ok(compareForReview(ranked[i - 1]!, ranked[i]!) <= 0);
        },
      ),
    );
  });
});

describe('valueProblem', () => {
  it('names the column and the bad value', () => {
    assert.equal(valueProblem(rules[3]!, 'maybe'), 'fsm must be yes or no, not "maybe"');
    assert.equal(valueProblem(rules[0]!, 'ninety'), 'attendance_pct must be a number, not "ninety"');
    assert.equal(valueProblem(rules[0]!, '101'), 'attendance_pct must be between 0 and 100, not 101');
    assert.equal(valueProblem(rules[0]!, ''), undefined);
  });
});

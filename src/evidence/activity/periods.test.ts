import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { granularityFor, periodLabel, periodStart, periodsBetween } from './periods.ts';

describe('periods', () => {
  it('shows processes of up to 12 weeks by week, longer ones and open-ended ones by month', () => {
    assert.equal(granularityFor('2027-03-01', '2027-05-24'), 'week');
    assert.equal(granularityFor('2027-03-01', '2027-05-25'), 'month');
    assert.equal(granularityFor(null, null), 'month');
  });

  it('starts weeks on Monday and months on the first', () => {
    assert.equal(periodStart('2027-03-07', 'week'), '2027-03-01'); // a Sunday
    assert.equal(periodStart('2027-03-01', 'week'), '2027-03-01'); // a Monday
    assert.equal(periodStart('2027-01-02', 'week'), '2026-12-28');
    assert.equal(periodStart('2027-03-31', 'month'), '2027-03-01');
  });

  it('lists every period between two days, across a year end', () => {
    assert.deepEqual(periodsBetween('2026-11-15', '2027-02-01', 'month'), [
      '2026-11-01',
      '2026-12-01',
      '2027-01-01',
      '2027-02-01',
    ]);
    assert.deepEqual(periodsBetween('2026-12-30', '2027-01-12', 'week'), [
      '2026-12-28',
      '2027-01-04',
      '2027-01-11',
    ]);
    assert.equal(periodLabel('2027-03-01', 'month'), 'March 2027');
    assert.equal(periodLabel('2027-03-01', 'week'), 'Week of 1 March 2027');
  });

  it('puts every day in exactly one listed week', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 200 }), (a, span) => {
        const day = (n: number) => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
        const list = periodsBetween(day(a), day(a + span), 'week');
        for (let n = a; n <= a + span; n++) {
          const start = periodStart(day(n), 'week');
          assert.equal(list.filter((p) => p === start).length, 1);
        }
      }),
    );
  });
});

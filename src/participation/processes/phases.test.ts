import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, today } from './phases.ts';

describe('today (UK dates)', () => {
  it('is the date in London, in winter and in summer time', () => {
    assert.equal(today(new Date('2026-01-15T23:59:00Z')), '2026-01-15');
    assert.equal(today(new Date('2026-01-16T00:00:00Z')), '2026-01-16');
    assert.equal(today(new Date('2026-06-30T22:59:59Z')), '2026-06-30');
    assert.equal(today(new Date('2026-06-30T23:00:00Z')), '2026-07-01');
  });

  it('changes on the hour the clocks change, asked many times in the same hours', () => {
    // Clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October 2026.
    for (const minute of ['00', '15', '59']) {
      assert.equal(today(new Date(`2026-03-28T23:${minute}:00Z`)), '2026-03-28');
      assert.equal(today(new Date(`2026-03-29T00:${minute}:00Z`)), '2026-03-29');
      assert.equal(today(new Date(`2026-10-24T22:${minute}:00Z`)), '2026-10-24');
      assert.equal(today(new Date(`2026-10-24T23:${minute}:00Z`)), '2026-10-25');
      assert.equal(today(new Date(`2026-10-25T23:${minute}:00Z`)), '2026-10-25');
    }
  });

  it('adds days across a month end', () => {
    assert.equal(addDays('2026-02-27', 2), '2026-03-01');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  });
});

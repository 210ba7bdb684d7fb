import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareDimension, representationIndex } from './representation-index.ts';
import { cellText } from './suppression.ts';

describe('representationIndex', () => {
  it('is 100 for a group that takes part in proportion to its size', () => {
    // 20 of 80 answers = 25 %; 25 % of the population.
    assert.equal(representationIndex(20, 80, 0.25), 100);
  });

  it('works through hand-counted examples', () => {
    // 10 of 80 = 12.5 % against 25 % → 50.
    assert.equal(representationIndex(10, 80, 0.25), 50);
    // 30 of 60 = 50 % against 20 % → 250.
    assert.equal(representationIndex(30, 60, 0.2), 250);
    // 7 of 90 = 7.777… % against 12 % → 64.81… → 65.
    assert.equal(representationIndex(7, 90, 0.12), 65);
    // 1 of 8 = 12.5 % against 10 % → 125 exactly; halves round up: 1 of 6 against 1/3 → 50.
    assert.equal(representationIndex(1, 8, 0.1), 125);
    assert.equal(representationIndex(1, 200, 0.4), 1);
  });

  it('is undefined without answers or without a population share', () => {
    assert.equal(representationIndex(0, 0, 0.5), null);
    assert.equal(representationIndex(3, 10, 0), null);
  });

  it('averages to 100 when weighted by population share', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 2, maxLength: 8 }), (counts) => {
        const answered = counts.reduce((s, c) => s + c, 0);
        const share = 1 / counts.length;
        // Σ share × index / 100 = Σ participant shares = 1, up to the rounding of each index.
        const sum = counts.reduce((s, c) => s + share * representationIndex(c, answered, share)!, 0);
        assert.ok(Math.abs(sum - 100) <= 0.5 + 1e-9, String(sum));
      }),
    );
  });
});

describe('compareDimension', () => {
  const population = [
    { category: '16–34', populationShare: 0.3 },
    { category: '35–64', populationShare: 0.5 },
    { category: '65 and over', populationShare: 0.2 },
  ];
  const withCounts = (counts: number[]) => population.map((p, i) => ({ ...p, participants: counts[i]! }));

  it('shows counts, shares and indexes when every count is 5 or more', () => {
    // 10 + 25 + 15 = 50 answered; 6 preferred not to say; 9 did not answer.
    const c = compareDimension(withCounts([10, 25, 15]), 6, 9);
    assert.equal(cellText(c.answered), '50');
    assert.deepEqual(
      c.categories.map((r) => [cellText(r.participants), r.participantShare, r.index]),
      [
        ['10', 0.2, 67], // 20 % ÷ 30 % = 66.7
        ['25', 0.5, 100],
        ['15', 0.3, 150],
      ],
    );
  });

  it('hides a small category, withholds another, and gives no share or index for either', () => {
    const c = compareDimension(withCounts([3, 25, 15]), 6, 9);
    assert.deepEqual(
      c.categories.map((r) => [cellText(r.participants), r.participantShare, r.index]),
      [
        ['fewer than 5', null, null],
        ['25', 25 / 43, 116],
        ['not shown', null, null],
      ],
    );
  });

  it('hides every category when the number who answered cannot be shown', () => {
    const c = compareDimension(withCounts([2, 1, 1]), 30, 40);
    assert.notEqual(c.answered.kind, 'shown');
    assert.ok(c.categories.every((r) => r.participants.kind !== 'shown' && r.index === null));
  });
});

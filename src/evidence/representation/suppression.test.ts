import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Cell, cellText, smallCount, suppressGroup } from './suppression.ts';

const text = (cells: Cell[]) => cells.map(cellText);

/** Every way of splitting `total` into `parts` counts. */
function* compositions(total: number, parts: number): Generator<number[]> {
  if (parts === 1) {
    yield [total];
    return;
  }
  for (let first = 0; first <= total; first++) {
    for (const rest of compositions(total - first, parts - 1)) yield [first, ...rest];
  }
}

describe('suppressGroup', () => {
  it('shows every count when none is under 5', () => {
    assert.deepEqual(text(suppressGroup([5, 12, 40])), ['5', '12', '40']);
  });

  it('hides 0–4 as "fewer than 5" and withholds the next smallest so the total cannot give it away', () => {
    // 3 alone hidden: 60 − 12 − 45 = 3. Withholding the 12 leaves 3 + 12 = 15, and the 3 could be 0–4.
    assert.deepEqual(text(suppressGroup([3, 12, 45])), ['fewer than 5', 'not shown', '45']);
  });

  it('does not stop at two hidden counts when their sum still pins them', () => {
    // 0 and 0 alone add up to 0, which gives both away; with the 6 withheld (at least 5), the hidden
    // counts add up to 6 and each small one could be 0 or 1.
    assert.deepEqual(text(suppressGroup([0, 0, 6, 30])), ['fewer than 5', 'fewer than 5', 'not shown', '30']);
  });

  it('keeps two small counts alone when they can each still be several values', () => {
    // Hidden sum 5 = 1 + 4: each of them could be 1–4.
    assert.deepEqual(text(suppressGroup([1, 4, 20])), ['fewer than 5', 'fewer than 5', '20']);
  });

  it('withholds everything when nothing less would do', () => {
    assert.deepEqual(text(suppressGroup([0, 5])), ['not shown', 'not shown']);
    assert.deepEqual(text(suppressGroup([0, 0, 5])), ['not shown', 'not shown', 'not shown']);
  });

  it('never withholds a count it must keep, withholding the others instead', () => {
    assert.deepEqual(text(suppressGroup([11, 0, 0], { keep: [0] })), ['11', 'not shown', 'not shown']);
    assert.deepEqual(text(suppressGroup([11, 3, 20], { keep: [0] })), ['11', 'fewer than 5', 'not shown']);
    assert.deepEqual(text(suppressGroup([3, 0, 20], { keep: [0] })), ['fewer than 5', 'fewer than 5', '20']);
  });

  it('refuses what is not a count', () => {
    assert.throws(() => suppressGroup([1.5, 3]), RangeError);
    assert.throws(() => suppressGroup([-1, 3]), RangeError);
  });

  it('never lets a hidden count be worked out from the total: every group of up to 5 counts, totals to 20', () => {
    // What an onlooker knows: the total, the shown counts, that each "fewer than 5" is 0–4 and that each
    // "not shown" is at least 5 (or, when the whole group is withheld, anything). Each hidden count must
    // still be able to take two values.
    for (let parts = 2; parts <= 5; parts++) {
      for (let total = 1; total <= 20; total++) {
        for (const counts of compositions(total, parts)) {
          const cells = suppressGroup(counts);
          const blanket = cells.every((c) => c.kind === 'withheld');
          const hidden = cells.flatMap((c, i) => (c.kind === 'shown' ? [] : [{ c, i }]));
          const hiddenTotal = hidden.reduce((s, h) => s + counts[h.i]!, 0);
          const bounds = hidden.map((h) =>
            blanket ? [0, hiddenTotal] : h.c.kind === 'small' ? [0, 4] : [5, hiddenTotal],
          );
          const lows = bounds.reduce((s, b) => s + b[0]!, 0);
          const highs = bounds.reduce((s, b) => s + b[1]!, 0);
          bounds.forEach(([low, high], k) => {
            const from = Math.max(low!, hiddenTotal - (highs - high!));
            const to = Math.min(high!, hiddenTotal - (lows - low!));
            assert.ok(to > from, `${JSON.stringify(counts)} gives away cell ${hidden[k]!.i}`);
          });
        }
      }
    }
  });

  it('never shows a count under 5, and hides none or at least two', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(60), { minLength: 1, maxLength: 12 }), (counts) => {
        const cells = suppressGroup(counts);
        const hidden = cells.filter((c) => c.kind !== 'shown').length;
        assert.ok(hidden === 0 || hidden >= 2 || counts.length === 1);
        cells.forEach((c, i) => {
          if (c.kind === 'shown') assert.ok(c.value >= 5 && c.value === counts[i]);
          if (counts[i]! < 5) assert.notEqual(c.kind, 'shown');
        });
      }),
    );
  });
});

describe('smallCount', () => {
  it('shows 5 and more, hides 0–4', () => {
    assert.equal(cellText(smallCount(5)), '5');
    assert.equal(cellText(smallCount(4)), 'fewer than 5');
    assert.equal(cellText(smallCount(0)), 'fewer than 5');
  });
});

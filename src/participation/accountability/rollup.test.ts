import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RollupNode, rollUp, wouldCycle } from './rollup.ts';

function node(
  id: string,
  parentId: string | null,
  progress: number,
  budgeted: number | null = null,
  status: RollupNode['status'] = 'in_progress',
): RollupNode {
  return { id, parentId, progress, budgeted: budgeted === null ? null : BigInt(budgeted * 100), status };
}

describe('rollUp', () => {
  it('keeps the own progress of a result without parts', () => {
    assert.equal(rollUp([node('a', null, 35)]).get('a'), 35);
  });

  it('weights parts by their money when every part has a budget', () => {
    // £1,000 at 40% and £3,000 at 100%: (1000×40 + 3000×100) / 4000 = 340000 / 4000 = 85.
    const r = rollUp([node('p', null, 0), node('a', 'p', 40, 1000), node('b', 'p', 100, 3000)]);
    assert.equal(r.get('p'), 85);
  });

  it('takes the plain mean when any part has no budget', () => {
    // 40% (£1,000), 100% (no budget), 10% (£500): (40 + 100 + 10) / 3 = 50.
    const r = rollUp([
      node('p', null, 0),
      node('a', 'p', 40, 1000),
      node('b', 'p', 100),
      node('c', 'p', 10, 500),
    ]);
    assert.equal(r.get('p'), 50);
  });

  it('leaves dropped parts out, and keeps the own figure when every part is dropped', () => {
    // 20% and 80% counted, the dropped 0% part ignored: (20 + 80) / 2 = 50.
    const r = rollUp([
      node('p', null, 0),
      node('a', 'p', 20),
      node('b', 'p', 80),
      node('c', 'p', 0, null, 'dropped'),
      node('q', null, 30),
      node('d', 'q', 90, null, 'dropped'),
    ]);
    assert.equal(r.get('p'), 50);
    assert.equal(r.get('q'), 30);
  });

  it('rolls up through levels and rounds once at the end', () => {
    // p = (33 + 34) / 2 = 33.5 (shown as 34); c has a zero budget, which counts as "not costed", so g is
    // the plain mean (33.5 + 0) / 2 = 16.75 → 17. x = (12 + 13) / 2 = 12.5 (shown as 13); h = (12.5 + 12) / 2
    // = 12.25 → 12, where rounding x first would have given (13 + 12) / 2 = 12.5 → 13.
    const r = rollUp([
      node('g', null, 0),
      node('p', 'g', 0),
      node('a', 'p', 33),
      node('b', 'p', 34),
      node('c', 'g', 0, 0),
      node('h', null, 0),
      node('x', 'h', 0),
      node('x1', 'x', 12),
      node('x2', 'x', 13),
      node('y', 'h', 12),
    ]);
    assert.equal(r.get('p'), 34);
    assert.equal(r.get('g'), 17);
    assert.equal(r.get('x'), 13);
    assert.equal(r.get('h'), 12);
  });

  it('survives a cycle by using the own figures', () => {
    const r = rollUp([node('a', 'b', 10), node('b', 'a', 50)]);
    assert.equal(r.size, 2);
    assert.ok([10, 30, 50].includes(r.get('a')!));
  });
});

describe('wouldCycle', () => {
  const nodes = [
    { id: 'g', parentId: null },
    { id: 'p', parentId: 'g' },
    { id: 'a', parentId: 'p' },
  ];
  it('refuses a result as its own parent or under its own part', () => {
    assert.equal(wouldCycle(nodes, 'g', 'g'), true);
    assert.equal(wouldCycle(nodes, 'g', 'a'), true);
  });
  it('allows a parent outside the result', () => {
    assert.equal(wouldCycle(nodes, 'a', 'g'), false);
  });
});

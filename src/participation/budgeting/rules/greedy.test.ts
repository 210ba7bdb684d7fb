import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { greedyByPoints, greedyByVotes, greedyFill } from './greedy.ts';
import type { CountingInput } from './profile.ts';
import { add, compare, fromInteger } from './rational.ts';

const input = (budget: number, costs: Record<string, number>, ballots: string[][]): CountingInput => ({
  budget: fromInteger(budget),
  projects: Object.entries(costs).map(([id, cost]) => ({ id, cost: fromInteger(cost) })),
  ballots: ballots.map((projects) => ({ projects })),
});

describe('greedy by votes', () => {
  it('skips what does not fit and carries on down the list', () => {
    const r = greedyByVotes(input(10, { a: 6, b: 5, c: 4 }, [['a', 'b', 'c'], ['a', 'b'], ['a']]));
    assert.deepEqual(r.winners, ['a', 'c']);
    assert.deepEqual(
      r.steps.map((s) => [s.projectId, s.score, s.funded]),
      [
        ['a', 3n, true],
        ['b', 2n, false],
        ['c', 1n, true],
      ],
    );
    assert.equal(r.firstSkipped, 1);
    assert.deepEqual(r.spent, fromInteger(10));
  });

  it('breaks equal votes by lower cost, then by id in code-point order', () => {
    // "10" sorts before "9" as strings, as in Python.
    const r = greedyByVotes(input(10, { '9': 5, '10': 5, x: 4 }, [['9', '10', 'x']]));
    assert.deepEqual(
      r.steps.map((s) => s.projectId),
      ['x', '10', '9'],
    );
    assert.deepEqual(r.winners, ['x', '10']);
    // All three have one vote: x goes first on cost; then "10" and "9" cost the same and have the same
    // votes, so the id decides.
    assert.deepEqual(r.ties, [
      { step: 1, tied: ['x', '10', '9'], chosen: 'x', decidedBy: 'cost' },
      { step: 2, tied: ['10', '9'], chosen: '10', decidedBy: 'project_id' },
    ]);
  });

  it('reports no tie when every score differs, and a tie decided by votes under greedy by points', () => {
    assert.deepEqual(
      greedyByVotes(input(10, { a: 6, b: 5, c: 4 }, [['a', 'b', 'c'], ['a', 'b'], ['a']])).ties,
      [],
    );
    // p and q both get 3 points and cost the same; q has two supporters to p's one, so q goes first.
    const r = greedyByPoints({
      budget: fromInteger(5),
      projects: [
        { id: 'p', cost: fromInteger(5) },
        { id: 'q', cost: fromInteger(5) },
      ],
      ballots: [
        { projects: ['p'], points: [3n] },
        { projects: ['q'], points: [2n] },
        { projects: ['q'], points: [1n] },
      ],
    });
    assert.deepEqual(r.winners, ['q']);
    assert.deepEqual(r.ties, [{ step: 1, tied: ['q', 'p'], chosen: 'q', decidedBy: 'votes' }]);
  });

  it('funds zero-cost and zero-vote projects that still fit, last', () => {
    const r = greedyByVotes(input(5, { a: 4, free: 0, lonely: 1 }, [['a']]));
    assert.deepEqual(r.winners, ['a', 'free', 'lonely']);
  });

  it('counts an empty ballot without effect on the order', () => {
    const r = greedyByVotes(input(5, { a: 4, b: 4 }, [['b'], []]));
    assert.deepEqual(r.winners, ['b']);
  });
});

describe('greedy by points', () => {
  it('orders by total points, not by supporters', () => {
    const i: CountingInput = {
      budget: fromInteger(5),
      projects: [
        { id: 'a', cost: fromInteger(3) },
        { id: 'b', cost: fromInteger(3) },
      ],
      ballots: [
        { projects: ['a', 'b'], points: [1n, 9n] },
        { projects: ['a'], points: [2n] },
      ],
    };
    assert.deepEqual(greedyByPoints(i).winners, ['b']);
    assert.deepEqual(greedyByVotes(i).winners, ['a']);
  });
});

describe('greedy fill', () => {
  it('spends only what is left, on projects not yet funded', () => {
    const r = greedyFill(input(10, { a: 6, b: 3, c: 2 }, [['a', 'b'], ['b'], ['c']]), ['a']);
    assert.deepEqual(r.winners, ['b']);
    assert.deepEqual(r.spent, fromInteger(9));
  });
});

const arbInput = fc
  .record({
    costs: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 }),
    ballots: fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 5 }), { maxLength: 12 }),
    budget: fc.integer({ min: 0, max: 100 }),
  })
  .map(({ costs, ballots, budget }) =>
    input(
      budget,
      Object.fromEntries(costs.map((c, i) => [`p${i}`, c])),
      ballots.map((b) => [...new Set(b.filter((p) => p < costs.length).map((p) => `p${p}`))]),
    ),
  );

describe('greedy invariants', () => {
  it('never exceeds the budget, goes in order, and leaves out only what did not fit', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = greedyByVotes(i);
        assert.ok(compare(r.spent, i.budget) <= 0);
        for (let k = 1; k < r.steps.length; k++) assert.ok(r.steps[k - 1]!.score >= r.steps[k]!.score);
        for (const s of r.steps) {
          // A skipped project would have overspent what was committed before it.
          if (!s.funded) assert.ok(compare(add(s.spent, s.cost), i.budget) > 0);
        }
        assert.deepEqual(
          r.winners,
          r.steps.filter((s) => s.funded).map((s) => s.projectId),
        );
      }),
    );
  });
});

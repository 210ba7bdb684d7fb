import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type CompletionVariant,
  equalShares,
  equalSharesAddOne,
  equalSharesPayments,
  type Utility,
} from './equal-shares.ts';
import { type CountingInput, compareIds } from './profile.ts';
import {
  add,
  compare,
  div,
  fromInteger,
  mul,
  type Rational,
  rational,
  sub,
  sum,
  toFractionString,
  ZERO,
} from './rational.ts';

const input = (budget: number, costs: Record<string, number>, ballots: string[][]): CountingInput => ({
  budget: fromInteger(budget),
  projects: Object.entries(costs).map(([id, cost]) => ({ id, cost: fromInteger(cost) })),
  ballots: ballots.map((projects) => ({ projects })),
});

const ids = (r: { winners: readonly { projectId: string }[] }): string[] => r.winners.map((w) => w.projectId);
const text = (r: Rational | null | undefined): string | undefined => (r ? toFractionString(r) : undefined);

describe('Equal Shares, hand-worked', () => {
  // Three voters with 3 each. q (cost 2) is wanted by v1 only; p (cost 6) by everyone.
  const qp = input(9, { q: 2, p: 6 }, [['q', 'p'], ['p'], ['p']]);

  it('with cost utilities prefers the project that is cheapest per unit of utility', () => {
    // ρ(p) = 2/6 beats ρ(q) = 2/2; afterwards v1 holds 1 and cannot pay 2 for q.
    const r = equalShares(qp, { utility: 'cost' });
    assert.deepEqual(ids(r), ['p']);
    assert.equal(text(r.winners[0]?.rho), '1/3');
    assert.equal(text(r.winners[0]?.pricePerSupporter), '2');
    assert.equal(text(r.budgetPerVoter), '3');
  });

  it('with approval utilities breaks an exact tie by lower cost, then lets a poor supporter pay all they have', () => {
    // ρ(q) = ρ(p) = 2: q is cheaper, so it goes first and leaves v1 with 1. For p, v1 pays 1 and the
    // other two pay (6 − 1) / 2 = 5/2 each.
    const r = equalShares(qp, { utility: 'approval' });
    assert.deepEqual(ids(r), ['q', 'p']);
    assert.deepEqual(
      r.winners.map((w) => [text(w.rho), text(w.pricePerSupporter)]),
      [
        ['2', '2'],
        ['5/2', '5/2'],
      ],
    );
    assert.equal(text(r.spent), '8');
    assert.deepEqual(r.ties, [{ step: 1, tied: ['q', 'p'], chosen: 'q', decidedBy: 'cost' }]);
  });

  it('reports what each voter paid, as the count charged it', () => {
    // As above: v1 pays 2 for q, then all of their last 1 for p; v2 and v3 pay 5/2 each for p. The two
    // identical ballots ['p'] are one group of two voters.
    const r = equalSharesPayments(qp, { utility: 'approval' });
    assert.deepEqual(ids(r), ['q', 'p']);
    assert.deepEqual(
      r.ballots.map((g) => [
        g.voters,
        g.supports,
        g.points,
        g.paid.map((x) => [x.projectId, text(x.amount)]),
      ]),
      [
        [
          1n,
          ['q', 'p'],
          null,
          [
            ['q', '2'],
            ['p', '1'],
          ],
        ],
        [2n, ['p'], null, [['p', '5/2']]],
      ],
    );
    // With points, each pays ρ times their points: 1 and 3 for x at ρ = 1, below.
    const points = equalSharesPayments(
      {
        budget: fromInteger(10),
        projects: [{ id: 'x', cost: fromInteger(4) }],
        ballots: [
          { projects: ['x'], points: [1n] },
          { projects: ['x'], points: [3n] },
        ],
      },
      { utility: 'points' },
    );
    assert.deepEqual(
      points.ballots.map((g) => [g.points, g.paid.map((x) => text(x.amount))]),
      [
        [[1n], ['1']],
        [[3n], ['3']],
      ],
    );
  });

  it('breaks ties of equal cost by votes, then by id', () => {
    // Same ρ and cost: b has more supporters, so it wins although "a" sorts first.
    const byVotes = equalShares(input(4, { a: 1, b: 2 }, [['a', 'b'], ['b'], []]), { utility: 'cost' });
    assert.deepEqual(ids(byVotes), ['b']);
    const byId = equalShares(
      input(2, { '9': 1, '10': 1 }, [
        ['9', '10'],
        ['9', '10'],
      ]),
      { utility: 'approval' },
    );
    assert.deepEqual(ids(byId), ['10', '9']);
    // After "10" each voter holds 1/2, so "9" is bought at ρ = 1/2 with nothing level with it.
    assert.deepEqual(byId.ties, [{ step: 1, tied: ['10', '9'], chosen: '10', decidedBy: 'project_id' }]);
    assert.deepEqual(byVotes.ties, []);
  });

  it('reports a three-way tie, then what is left of it, as the reference does', () => {
    // Six voters with 1 each, approval utilities. x (cost 1), y (2) and z (3) are each wanted by a
    // disjoint set of supporters with exactly their cost between them, so ρ = 1 for all three at first and
    // nobody's payment for one touches another: x goes on cost, then y and z are still level.
    const r = equalShares(input(6, { x: 1, y: 2, z: 3 }, [['x'], ['y'], ['y'], ['z'], ['z'], ['z']]), {
      utility: 'approval',
    });
    assert.deepEqual(ids(r), ['x', 'y', 'z']);
    assert.deepEqual(r.ties, [
      { step: 1, tied: ['x', 'y', 'z'], chosen: 'x', decidedBy: 'cost' },
      { step: 2, tied: ['y', 'z'], chosen: 'y', decidedBy: 'cost' },
    ]);
  });

  it('with points charges in proportion to points', () => {
    const i: CountingInput = {
      budget: fromInteger(10),
      projects: [
        { id: 'x', cost: fromInteger(4) },
        { id: 'y', cost: fromInteger(4) },
      ],
      ballots: [
        { projects: ['x'], points: [1n] },
        { projects: ['x', 'y'], points: [3n, 2n] },
      ],
    };
    // x: ρ·1 + ρ·3 = 4, ρ = 1; y: ρ·2 = 4, ρ = 2. After x, v2 holds 2 and cannot afford y.
    const r = equalShares(i, { utility: 'points' });
    assert.deepEqual(ids(r), ['x']);
    assert.equal(text(r.winners[0]?.rho), '1');
    assert.equal(r.winners[0]?.pricePerSupporter, null);
  });

  it('selects supported free projects only with approval or points utilities, and never unsupported ones', () => {
    const i = input(2, { free: 0, lonely: 1 }, [['free'], []]);
    assert.deepEqual(ids(equalShares(i, { utility: 'approval' })), ['free']);
    assert.deepEqual(ids(equalShares(i, { utility: 'cost' })), []);
  });

  it('accepts a fractional budget and costs exactly', () => {
    const i: CountingInput = {
      budget: rational(7n, 2n),
      projects: [{ id: 'a', cost: rational(7n, 4n) }],
      ballots: [{ projects: ['a'] }, { projects: [] }],
    };
    const r = equalShares(i, { utility: 'cost' });
    assert.deepEqual(ids(r), ['a']);
    assert.equal(text(r.winners[0]?.pricePerSupporter), '7/4');
    assert.equal(text(r.budgetPerVoter), '7/4');
  });
});

describe('Equal Shares with a supporter who has nothing left', () => {
  // Eight voters with 66/8 = 33/4 each. p3 (13) is bought first at ρ = 19/8, v3 paying all 33/4. For p5 (12)
  // v3 has nothing left, so v2 (3 points) pays all 33/4 and v4 (1 point) the remaining 15/4: ρ = 15/4.
  // A zero budget adds nothing to the money of the too-poor, and must still take their weight out.
  it('finds the price from the others, so the cost is collected in full', () => {
    const r = equalShares(
      {
        budget: fromInteger(66),
        projects: [
          { id: 'p3', cost: fromInteger(13) },
          { id: 'p5', cost: fromInteger(12) },
        ],
        ballots: [
          { projects: ['p3'], points: [1n] },
          { projects: [], points: [] },
          { projects: ['p5'], points: [3n] },
          { projects: ['p5', 'p3'], points: [1n, 4n] },
          { projects: ['p5'], points: [1n] },
          { projects: [], points: [] },
          { projects: [], points: [] },
          { projects: ['p3'], points: [1n] },
        ],
      },
      { utility: 'points' },
    );
    assert.deepEqual(
      r.winners.map((w) => [w.projectId, text(w.rho)]),
      [
        ['p3', '19/8'],
        ['p5', '15/4'],
      ],
    );
    assert.equal(text(r.spent), '25');
  });
});

describe('Equal Shares completions, hand-worked', () => {
  // v1 wants a (6), v2 wants b (5) and c (3); everyone starts with 5, then 6, 7, …
  const abc = input(10, { a: 6, b: 5, c: 3 }, [['a'], ['b', 'c']]);

  it('stops at the first exhaustive outcome', () => {
    // b = 5: only c (a needs 6 from v1 alone). b = 6: c, then a; 1 left, so nothing else fits.
    const r = equalSharesAddOne(abc, { utility: 'cost', variant: 'exhaustive' });
    assert.deepEqual(ids(r).sort(), ['a', 'c']);
    assert.equal(r.iterations, 2);
    assert.equal(text(r.budgetPerVoter), '6');
    assert.equal(r.stoppedBecause, 'exhaustive');
  });

  it('keeps raising while the outcome fits, then returns the last one that did', () => {
    // b = 7 still gives {a, c}; b = 8 lets v2 pay for b too and overspends (14 > 10).
    const r = equalSharesAddOne(abc, { utility: 'cost', variant: 'raise' });
    assert.deepEqual(ids(r).sort(), ['a', 'c']);
    assert.equal(r.iterations, 4);
    assert.equal(text(r.budgetPerVoter), '7');
    assert.equal(r.stoppedBecause, 'next_infeasible');
  });

  it('stops once every supported project is in', () => {
    const r = equalSharesAddOne(input(10, { a: 6, b: 3 }, [['a'], ['b']]), {
      utility: 'cost',
      variant: 'raise',
    });
    assert.deepEqual(ids(r).sort(), ['a', 'b']);
    assert.equal(r.iterations, 2);
    assert.equal(r.stoppedBecause, 'all_supported_projects_selected');
  });
});

/**
 * A deliberately plain transcription of the rule: one rational budget per voter, supporters sorted by
 * budget per utility as the definition describes, no merging, no shared denominators, no lazy evaluation.
 */
function naiveEqualShares(i: CountingInput, utility: Utility, b: Rational): { id: string; rho: Rational }[] {
  const budgets = i.ballots.map(() => b);
  const cost = new Map(i.projects.map((p) => [p.id, p.cost]));
  const u = (v: number, p: string): Rational => {
    const ballot = i.ballots[v]!;
    const k = ballot.projects.indexOf(p);
    if (k < 0) return ZERO;
    const pts = ballot.points?.[k] ?? 1n;
    if (pts <= 0n) return ZERO;
    return utility === 'cost' ? cost.get(p)! : utility === 'points' ? fromInteger(pts) : fromInteger(1);
  };
  const votes = (p: string): number =>
    i.ballots.filter((ballot) => {
      const k = ballot.projects.indexOf(p);
      return k >= 0 && (ballot.points?.[k] ?? 1n) > 0n;
    }).length;
  const before = (p: string, q: string): boolean => {
    const c = compare(cost.get(p)!, cost.get(q)!);
    if (c !== 0) return c < 0;
    if (votes(p) !== votes(q)) return votes(p) > votes(q);
    return compareIds(p, q) < 0;
  };
  const supporters = (p: string): number[] => i.ballots.map((_, v) => v).filter((v) => u(v, p).num > 0n);
  const out: { id: string; rho: Rational }[] = [];
  const free = i.projects.filter(
    (p) => p.cost.num === 0n && utility !== 'cost' && supporters(p.id).length > 0,
  );
  free.sort((p, q) => (before(p.id, q.id) ? -1 : 1));
  for (const p of free) out.push({ id: p.id, rho: ZERO });
  let open = i.projects.filter((p) => p.cost.num > 0n && supporters(p.id).length > 0).map((p) => p.id);
  for (;;) {
    let best: { id: string; rho: Rational } | null = null;
    for (const p of [...open]) {
      const s = supporters(p);
      const c = cost.get(p)!;
      if (compare(sum(s.map((v) => budgets[v]!)), c) < 0) {
        open = open.filter((q) => q !== p);
        continue;
      }
      s.sort((v, w) => compare(div(budgets[v]!, u(v, p)), div(budgets[w]!, u(w, p))));
      let paid = ZERO;
      let rho: Rational | null = null;
      for (let k = 0; k < s.length; k++) {
        const rest = sum(s.slice(k).map((v) => u(v, p)));
        const candidate = div(sub(c, paid), rest);
        if (compare(mul(candidate, u(s[k]!, p)), budgets[s[k]!]!) <= 0) {
          rho = candidate;
          break;
        }
        paid = add(paid, budgets[s[k]!]!);
      }
      if (rho === null) throw new Error('affordable project without a ρ');
      if (
        best === null ||
        compare(rho, best.rho) < 0 ||
        (compare(rho, best.rho) === 0 && before(p, best.id))
      ) {
        best = { id: p, rho };
      }
    }
    if (best === null) return out;
    for (const v of supporters(best.id)) {
      const due = mul(best.rho, u(v, best.id));
      budgets[v] = compare(due, budgets[v]!) >= 0 ? ZERO : sub(budgets[v]!, due);
    }
    out.push(best);
    open = open.filter((q) => q !== best.id);
  }
}

const arbCase = fc
  .record({
    costs: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 7 }),
    ballots: fc.array(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5 })), { maxLength: 5 }),
      { minLength: 1, maxLength: 9 },
    ),
    budget: fc.integer({ min: 1, max: 120 }),
    utility: fc.constantFrom<Utility>('cost', 'approval', 'points'),
  })
  .map(({ costs, ballots, budget, utility }) => {
    const i: CountingInput = {
      budget: fromInteger(budget),
      projects: costs.map((c, k) => ({ id: `p${k}`, cost: fromInteger(c) })),
      ballots: ballots.map((entries) => {
        const seen = new Map<string, bigint>();
        for (const [p, pts] of entries) if (p < costs.length) seen.set(`p${p}`, BigInt(pts));
        return { projects: [...seen.keys()], points: [...seen.values()] };
      }),
    };
    return { i, utility };
  });

/** A fixed pseudo-random election, big enough that budgets split into thousands of distinct classes. */
function bigElection(voters: number, projects: number, seed: number, share: number): CountingInput {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const costs = Array.from({ length: projects }, (_, k) => 30 + 7 * k);
  return {
    budget: fromInteger(Math.floor(voters * share)),
    projects: costs.map((c, k) => ({ id: `p${k}`, cost: fromInteger(c) })),
    ballots: Array.from({ length: voters }, () => ({
      projects: costs.flatMap((_, k) => (next() < 0.45 ? [`p${k}`] : [])),
    })),
  };
}

describe('Equal Shares at scale', () => {
  it('gives the same count whether supporters are gathered by budget class or one ballot at a time', () => {
    // Approval utilities gather supporters with equal budgets into classes; points utilities with every
    // point 1 are the same rule counted ballot by ballot. These elections make thousands of classes, so
    // the class tables are outgrown during the count: once, a class moved while they grew was sent to a
    // stale successor, which these elections catch.
    for (const seed of [1, 2]) {
      const i = bigElection(4000, 20, seed, 0.3);
      const ones: CountingInput = {
        ...i,
        ballots: i.ballots.map((b) => ({ ...b, points: b.projects.map(() => 1n) })),
      };
      const byClass = equalShares(i, { utility: 'approval' });
      const byBallot = equalShares(ones, { utility: 'points' });
      assert.ok(byClass.winners.length > 10);
      assert.deepEqual(
        byClass.winners.map((w) => [w.projectId, text(w.rho)]),
        byBallot.winners.map((w) => [w.projectId, text(w.rho)]),
      );
    }
  });

  it('agrees with the plain transcription on a few hundred voters', () => {
    const i = bigElection(300, 8, 11, 0.3);
    for (const utility of ['cost', 'approval'] as const) {
      const r = equalShares(i, { utility });
      assert.deepEqual(
        r.winners.map((w) => [w.projectId, text(w.rho)]),
        naiveEqualShares(i, utility, r.budgetPerVoter).map((w) => [w.id, text(w.rho)]),
      );
    }
  });
});

describe('Equal Shares invariants', () => {
  it('agrees with a plain transcription of the definition, winner by winner and ρ by ρ', () => {
    fc.assert(
      fc.property(arbCase, ({ i, utility }) => {
        const r = equalShares(i, { utility });
        const expected = naiveEqualShares(i, utility, r.budgetPerVoter);
        assert.deepEqual(
          r.winners.map((w) => [w.projectId, text(w.rho)]),
          expected.map((w) => [w.id, text(w.rho)]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never charges a voter more than they hold, collects each cost exactly and stays within budget', () => {
    fc.assert(
      fc.property(arbCase, ({ i, utility }) => {
        const r = equalShares(i, { utility });
        assert.ok(compare(r.spent, i.budget) <= 0);
        const budgets = i.ballots.map(() => r.budgetPerVoter);
        for (const w of r.winners) {
          let collected = ZERO;
          let most = ZERO;
          i.ballots.forEach((ballot, v) => {
            const k = ballot.projects.indexOf(w.projectId);
            if (k < 0) return;
            const points = ballot.points?.[k] ?? 1n;
            const asked = utility === 'points' ? mul(w.rho, fromInteger(points)) : w.pricePerSupporter!;
            const paid = compare(asked, budgets[v]!) <= 0 ? asked : budgets[v]!;
            budgets[v] = sub(budgets[v]!, paid);
            assert.ok(budgets[v]!.num >= 0n);
            collected = add(collected, paid);
            if (compare(paid, most) > 0) most = paid;
          });
          assert.deepEqual(collected, w.cost);
          assert.deepEqual(w.highestPayment, most);
          if (w.pricePerSupporter && w.cost.num > 0n) assert.deepEqual(w.highestPayment, w.pricePerSupporter);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('completions return the outcome of a raised budget that fits, as a plain scan finds it', () => {
    fc.assert(
      fc.property(
        arbCase,
        fc.constantFrom<CompletionVariant>('exhaustive', 'raise'),
        ({ i, utility }, variant) => {
          if (utility === 'points') return;
          const r = equalSharesAddOne(i, { utility, variant });
          assert.ok(compare(r.spent, i.budget) <= 0);
          // Counting every run in full (for the tie census) must not change anything else.
          const full = equalSharesAddOne(i, { utility, variant, tieCensus: true });
          assert.deepEqual(
            [ids(full), full.iterations, full.stoppedBecause, text(full.budgetPerVoter)],
            [ids(r), r.iterations, r.stoppedBecause, text(r.budgetPerVoter)],
          );
          assert.equal(r.tiesInAnyRun, undefined);
          assert.equal(typeof full.tiesInAnyRun, 'number');
          const n = BigInt(i.ballots.length);
          const b0 = rational(i.budget.num, i.budget.den * n);
          const costOf = (w: { id: string }[]): Rational =>
            sum(w.map((x) => i.projects.find((p) => p.id === x.id)!.cost));
          const supported = i.projects.filter(
            (p) => p.cost.num > 0n && i.ballots.some((b) => b.projects.includes(p.id)),
          );
          let previous: { id: string }[] = [];
          for (let k = 0; ; k++) {
            const w = naiveEqualShares(i, utility, add(b0, fromInteger(k)));
            const spent = costOf(w);
            const chosen = new Set(w.map((x) => x.id));
            const stop =
              compare(spent, i.budget) > 0
                ? { winners: previous, k: k - 1 }
                : variant === 'exhaustive' &&
                    !supported.some((p) => !chosen.has(p.id) && compare(add(spent, p.cost), i.budget) <= 0)
                  ? { winners: w, k }
                  : supported.every((p) => chosen.has(p.id))
                    ? { winners: w, k }
                    : null;
            if (stop) {
              assert.deepEqual(
                ids(r),
                stop.winners.map((x) => x.id),
              );
              assert.deepEqual(r.budgetPerVoter, add(b0, fromInteger(stop.k)));
              assert.equal(r.iterations, k + 1);
              return;
            }
            previous = w;
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

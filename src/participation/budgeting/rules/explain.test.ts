import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { type PbElection, parsePb } from '../pabulib.ts';
import type { RuleName } from '../tally.ts';
import { equalShares, type Utility } from './equal-shares.ts';
import { explainOutcome, formatAmount, lastPassing, type ProjectExplanation } from './explain.ts';
import { greedyByPoints, greedyByVotes } from './greedy.ts';
import type { CountingBallot, CountingInput } from './profile.ts';
import { add, compare, fromInteger, type Rational, rational, toFractionString } from './rational.ts';

const election = (
  budget: number,
  costs: Record<string, number>,
  ballots: string[][],
  points?: bigint[][],
): PbElection => ({
  meta: { currency: 'GBP' },
  voteType: points ? 'cumulative' : 'approval',
  budget: fromInteger(budget),
  projects: Object.entries(costs).map(([id, cost]) => ({
    id,
    cost: fromInteger(cost),
    name: id,
    selected: null,
    fields: {},
  })),
  ballots: ballots.map((projects, v) => ({ voterId: `${v + 1}`, projects, points: points?.[v] ?? null })),
});

const byId = (projects: ProjectExplanation[]) => new Map(projects.map((p) => [p.projectId, p]));
const text = (r: Rational | null) => (r ? toFractionString(r) : null);

describe('explanations, hand-worked', () => {
  // Budget 10. a (6) has 3 votes, b (5) has 2, c (3) has 1. Greedy funds a (6 spent), skips b (11 > 10),
  // funds c (9 spent).
  const abc = election(10, { a: 6, b: 5, c: 3 }, [['a', 'b', 'c'], ['a', 'b'], ['a']]);

  it('greedy: a loser needed to cost no more than the money left when it was reached', () => {
    const { outcome, projects } = explainOutcome('greedy_votes', abc);
    assert.deepEqual(outcome.winners, ['a', 'c']);
    const b = byId(projects).get('b')!;
    assert.equal(b.selected, false);
    assert.equal(b.support, 2n);
    assert.equal(b.pricePerSupporter, null);
    // When greedy reached b, 10 − 6 = 4 was left: at 4.00 it fits exactly, at 4.01 it does not.
    assert.equal(text(b.costNeeded), '4');
    // One more vote gives b 3, level with a; the tie goes to the lower cost, b (5 < 6), which is then
    // funded first. So one supporter is enough, although it only draws level.
    assert.equal(b.moreSupportersNeeded, 1);
    assert.equal(
      b.sentence,
      'Not funded: it would have needed to cost 4.00 GBP or less, or 1 more supporter',
    );
    const a = byId(projects).get('a')!;
    assert.deepEqual([a.selected, a.costNeeded, a.moreSupportersNeeded], [true, null, null]);
    assert.match(a.sentence, /^Funded: its 3 votes put it high enough/);
  });

  it('Equal Shares: a winner shows the most a supporter paid; a loser what it lacked', () => {
    // Three voters with 3 each; q (2) is wanted by v1 only, p (6) by all. Cost utilities: ρ(p) = 1/3
    // (each pays 2), ρ(q) = 1 (v1 alone pays all of it), so p goes first and v1 is left with 1 < 2.
    const e = election(9, { q: 2, p: 6 }, [['q', 'p'], ['p'], ['p']]);
    const { outcome, projects } = explainOutcome('mes_cost', e);
    assert.deepEqual(outcome.winners, ['p']);
    const p = byId(projects).get('p')!;
    assert.equal(text(p.pricePerSupporter), '2');
    assert.equal(p.sentence, 'Funded: each of its 3 supporters paid at most 2.00 GBP');
    const q = byId(projects).get('q')!;
    // ρ(q) stays 1 whatever it costs, so it never goes before p; afterwards v1 has 1 left. So q needed to
    // cost 1.00 or less (at 1.01 v1 cannot pay).
    assert.equal(text(q.costNeeded), '1');
    // One new voter, backing q only and holding 3 like everyone else: ρ(q) = 1/2 > 1/3, so p still goes
    // first; then v1 (1 left) and the newcomer pay 1 each at ρ = 1/2, which v1 can just afford.
    assert.equal(q.moreSupportersNeeded, 1);
    assert.equal(
      q.sentence,
      'Not funded: it would have needed to cost 1.00 GBP or less, or 1 more supporter',
    );
  });

  it('an add-one completion is explained at the budget per voter it ended on, tie-break included', () => {
    // v1 wants a (6); v2 wants b (5) and c (3). The completion ends at 6 each (see equal-shares.test.ts):
    // at ρ = 1 c and a tie, c goes first on cost and leaves v2 with 3, short of b's 5.
    const e = election(10, { a: 6, b: 5, c: 3 }, [['a'], ['b', 'c']]);
    const { outcome, projects } = explainOutcome('mes_cost_add1', e);
    assert.equal(text(outcome.budgetPerVoter ?? null), '6');
    assert.deepEqual([...outcome.winners].sort(), ['a', 'c']);
    const b = byId(projects).get('b')!;
    // With cost utilities ρ(b) = 1 at any cost v2 can pay, level with a and c. At 3.00 b ties c on cost
    // and on votes (1 each), and "b" < "c" puts b first, leaving v2 3 for c: b wins. At 3.01 c goes first
    // and v2 has 3 < 3.01 left. So 3.00.
    assert.equal(text(b.costNeeded), '3');
    // One newcomer holding 6: b costs each of its two supporters 5/2, ρ = 1/2, first of all.
    assert.equal(b.moreSupportersNeeded, 1);
    assert.equal(text(byId(projects).get('c')!.pricePerSupporter), '3');
    assert.equal(text(byId(projects).get('a')!.pricePerSupporter), '6');
  });

  it('says when nothing would have helped, and counts points for cumulative ballots', () => {
    // Budget 4 and x costs 5: greedy cannot fund it even at the top of the list, and a cost of 4 would
    // still leave y (3 points, cost 3) first, taking 3 of the 4.
    const e = election(4, { x: 5, y: 3 }, [['x'], ['y']], [[2n], [3n]]);
    const { projects } = explainOutcome('greedy_points', e);
    const x = byId(projects).get('x')!;
    assert.equal(x.support, 2n);
    // Points decide the order whatever x costs: y (3 points) goes first and takes 3 of the 4, so x
    // needed to cost 1.00 or less.
    assert.equal(text(x.costNeeded), '1');
    // The usual points (the median entry) are 2 here and 3: the lower median, 2. One newcomer with 2
    // points puts x at 4 > 3, first, but 5 > 4 does not fit; beyond the top nothing changes.
    assert.equal(x.moreSupportersNeeded, null);
    assert.equal(x.sentence, 'Not funded: it would have needed to cost 1.00 GBP or less');
    const nobody = explainOutcome('mes_cost', election(4, { x: 5, z: 1 }, [['x'], ['x']]));
    const z = byId(nobody.projects).get('z')!;
    assert.equal(z.costNeeded, null);
    // With no supporter at all Equal Shares never funds it; one newcomer with 2 pays its 1.
    assert.equal(z.moreSupportersNeeded, 1);
  });

  it('formats amounts with two decimals and thousands separators, rounded the way the sentence reads', () => {
    assert.equal(formatAmount(rational(1840000n, 100n), 'down'), '18,400.00');
    assert.equal(formatAmount(rational(1n, 3n), 'up'), '0.34');
    assert.equal(formatAmount(rational(1n, 3n), 'down'), '0.33');
    assert.equal(formatAmount(fromInteger(1234567), 'down'), '1,234,567.00');
  });

  it('finds the last passing value from an estimate on either side, or none', () => {
    for (const estimate of [0n, 1n, 5n, 37n, 38n, 100n, 1000n]) {
      let tests = 0;
      const found = lastPassing(
        (k) => {
          tests++;
          return k <= 37n;
        },
        500n,
        estimate,
      );
      assert.equal(found, 37n);
      if (estimate === 37n) assert.equal(tests, 2);
    }
    assert.equal(
      lastPassing(() => false, 50n, 10n),
      null,
    );
    assert.equal(
      lastPassing(() => true, 50n, 10n),
      50n,
    );
  });
});

/** A small election and the rules that apply to it, for the property test. */
const arbElection = fc
  .record({
    costs: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 2, maxLength: 6 }),
    ballots: fc.array(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 4 })), { maxLength: 4 }),
      { minLength: 1, maxLength: 7 },
    ),
    budget: fc.integer({ min: 5, max: 80 }),
    cumulative: fc.boolean(),
  })
  .map(({ costs, ballots, budget, cumulative }) => {
    const ids = costs.map((_, k) => `p${k}`);
    const entries = ballots.map((b) => {
      const seen = new Map<string, bigint>();
      for (const [p, pts] of b) if (p < costs.length) seen.set(ids[p]!, BigInt(pts));
      return seen;
    });
    return election(
      budget,
      Object.fromEntries(ids.map((id, k) => [id, costs[k]!])),
      entries.map((m) => [...m.keys()]),
      cumulative ? entries.map((m) => [...m.values()]) : undefined,
    );
  });

const RULES_TO_CHECK: readonly RuleName[] = [
  'greedy_votes',
  'mes_cost',
  'mes_approval',
  'mes_cost_add1',
  'mes_approval_add1_noexh',
];
const POINT_RULES: readonly RuleName[] = ['greedy_points', 'mes_points'];

/**
 * Re-counts independently of explain.ts, through the public rule functions: whether `id` is selected when
 * its cost is `cost` and `extra` new ballots support only it (with `points` each, for point rules).
 */
function selectedWith(
  rule: RuleName,
  e: PbElection,
  budgetPerVoter: Rational | undefined,
  id: string,
  cost: Rational,
  extra: number,
  points: bigint,
): boolean {
  const byPoints = rule === 'greedy_points' || rule === 'mes_points';
  const ballots: CountingBallot[] = e.ballots.map((b) =>
    byPoints
      ? { projects: b.projects, points: b.points }
      : { projects: b.points ? b.projects.filter((_, k) => (b.points?.[k] ?? 0n) > 0n) : b.projects },
  );
  for (let k = 0; k < extra; k++)
    ballots.push(byPoints ? { projects: [id], points: [points] } : { projects: [id] });
  const input: CountingInput = {
    budget: e.budget,
    projects: e.projects.map((p) => (p.id === id ? { id, cost } : { id: p.id, cost: p.cost })),
    ballots,
  };
  if (rule === 'greedy_votes') return greedyByVotes(input).winners.includes(id);
  if (rule === 'greedy_points') return greedyByPoints(input).winners.includes(id);
  const utility: Utility =
    rule === 'mes_points' ? 'points' : rule.startsWith('mes_cost') ? 'cost' : 'approval';
  // Selected, with it and everything selected before it within the budget.
  const winners = equalShares(input, { utility, budgetPerVoter }).winners;
  const at = winners.findIndex((w) => w.projectId === id);
  if (at < 0) return false;
  let committed: Rational = fromInteger(0);
  for (const w of winners.slice(0, at + 1)) committed = add(committed, w.cost);
  return compare(committed, e.budget) <= 0;
}

/** The lower median of every positive points entry: the points a newcomer gives. */
function usual(e: PbElection): bigint {
  const all = e.ballots
    .flatMap((b) => (b.points ?? []).filter((x) => x > 0n))
    .sort((a, b) => (a < b ? -1 : 1));
  return all.length === 0 ? 1n : all[Math.floor((all.length - 1) / 2)]!;
}

describe('explanations, checked by counting again', () => {
  it('costNeeded wins and a cent more loses; moreSupportersNeeded wins and one fewer loses', () => {
    const cent = rational(1n, 100n);
    fc.assert(
      fc.property(arbElection, (e) => {
        const rules = e.voteType === 'cumulative' ? [...RULES_TO_CHECK, ...POINT_RULES] : RULES_TO_CHECK;
        for (const rule of rules) {
          const { outcome, projects } = explainOutcome(rule, e);
          const b = rule.startsWith('mes') ? outcome.budgetPerVoter : undefined;
          const points = rule === 'greedy_points' || rule === 'mes_points' ? usual(e) : 1n;
          for (const x of projects) {
            const cost = e.projects.find((p) => p.id === x.projectId)!.cost;
            const wins = (c: Rational, extra: number) =>
              selectedWith(rule, e, b, x.projectId, c, extra, points);
            assert.equal(wins(cost, 0), x.selected, `${rule} ${x.projectId}: selected`);
            if (x.selected) {
              assert.equal(x.costNeeded, null);
              assert.equal(x.moreSupportersNeeded, null);
              assert.equal(x.pricePerSupporter === null, rule.startsWith('greedy'));
              continue;
            }
            if (x.costNeeded) {
              assert.ok(wins(x.costNeeded, 0), `${rule} ${x.projectId}: wins at ${text(x.costNeeded)}`);
              assert.ok(!wins(add(x.costNeeded, cent), 0), `${rule} ${x.projectId}: a cent more loses`);
            } else {
              assert.ok(!wins(cent, 0), `${rule} ${x.projectId}: not even a cent wins`);
            }
            if (x.moreSupportersNeeded !== null) {
              assert.ok(wins(cost, x.moreSupportersNeeded), `${rule} ${x.projectId}: enough supporters`);
              assert.ok(!wins(cost, x.moreSupportersNeeded - 1), `${rule} ${x.projectId}: one fewer`);
            } else if (rule.startsWith('mes')) {
              // The bound is as many newcomers as there were voters.
              assert.ok(
                !wins(cost, e.ballots.length),
                `${rule} ${x.projectId}: no supporters within the bound`,
              );
            } else if (rule === 'greedy_votes') {
              // Enough votes to top the list, beyond which more change nothing.
              const votes = (id: string) => e.ballots.filter((v) => v.projects.includes(id)).length;
              const top = Math.max(...e.projects.map((p) => votes(p.id)));
              assert.ok(
                !wins(cost, top - votes(x.projectId) + 1),
                `${rule} ${x.projectId}: not even at the top`,
              );
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('explains a real election consistently (Assen 2024, Equal Shares with add-one)', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
    const file = join(root, '..', 'shared', 'pabulib', 'Netherlands_Assen_2024.pb');
    const e = parsePb(readFileSync(file, 'utf8'));
    const { outcome, projects } = explainOutcome('mes_cost_add1', e);
    assert.equal(projects.length, e.projects.length);
    assert.deepEqual(
      projects
        .filter((p) => p.selected)
        .map((p) => p.projectId)
        .sort(),
      [...outcome.winners].sort(),
    );
    const cent = rational(1n, 100n);
    for (const x of projects) {
      if (x.selected) {
        assert.ok(x.pricePerSupporter);
        assert.match(x.sentence, /^Funded: each of its [\d,]+ supporters paid at most [\d,]+\.\d\d EUR$/);
        continue;
      }
      assert.match(x.sentence, /^Not funded: it would have needed /);
      const wins = (c: Rational, extra: number) =>
        selectedWith('mes_cost_add1', e, outcome.budgetPerVoter, x.projectId, c, extra, 1n);
      assert.ok(x.costNeeded && wins(x.costNeeded, 0) && !wins(add(x.costNeeded, cent), 0));
      assert.ok(x.moreSupportersNeeded !== null);
      assert.ok(wins(e.projects.find((p) => p.id === x.projectId)!.cost, x.moreSupportersNeeded));
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { PbBallot, PbElection } from '../pabulib.ts';
import { RULES, type RuleName, type TallyOutcome, tally } from '../tally.ts';
import { equalSharesPayments, type Utility } from './equal-shares.ts';
import { approvalInput, pointsInput } from './projections.ts';
import { add, compare, mul, type Rational, rational, sub, sum, ZERO } from './rational.ts';

/**
 * Properties every counting rule must keep, checked through tally() on generated elections: within the
 * budget, blind to the order in which voters appear, and (for Equal Shares and its completions) nobody
 * charged more than their share while every winner's cost is met exactly. Seeds are random on purpose; a
 * failure prints the seed and the shrunk election to replay it.
 */

const APPROVAL_RULES = RULES.filter((r) => r !== 'greedy_points' && r !== 'mes_points');
const MES_RULES = RULES.filter((r): r is Exclude<RuleName, 'greedy_votes' | 'greedy_points'> =>
  r.startsWith('mes_'),
);

/** Ids chosen so that the last tie-break key, code-point order, disagrees with numeric order ("10" < "9"). */
const IDS = ['9', '10', '2', '11', 'b', 'A', '1'];

/**
 * Small elections with what real ones rarely combine: empty ballots, projects nobody supports, many equal
 * costs (a handful of values), projects dearer than the whole budget, free projects, budgets with fractions
 * and costs in cents. Cumulative ballots may give a project 0 points, which counts as no support.
 */
const arbElection = (voteType: 'approval' | 'cumulative'): fc.Arbitrary<PbElection> =>
  fc
    .record({
      costs: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(10, 20, 30) },
          { weight: 3, arbitrary: fc.integer({ min: 1, max: 150 }) },
          { weight: 1, arbitrary: fc.constant(0) },
        ),
        { minLength: 1, maxLength: IDS.length },
      ),
      // Money in units of 1/unit: whole currency, or cents.
      unit: fc.constantFrom(1n, 1n, 100n),
      // The budget in half-units, so that it is often not a whole number of units.
      budgetHalves: fc.integer({ min: 1, max: 240 }),
      ballots: fc.array(
        fc.array(
          fc.tuple(
            fc.nat({ max: IDS.length - 1 }),
            fc.oneof(
              { weight: 6, arbitrary: fc.integer({ min: 1, max: 5 }) },
              { weight: 1, arbitrary: fc.constant(0) },
            ),
          ),
          { maxLength: 5 },
        ),
        { minLength: 1, maxLength: 10 },
      ),
    })
    .map(({ costs, unit, budgetHalves, ballots }) => ({
      meta: {},
      voteType,
      budget: rational(BigInt(budgetHalves), 2n * unit),
      projects: costs.map((c, k) => ({
        id: IDS[k]!,
        cost: rational(BigInt(c), unit),
        name: `Project ${IDS[k]}`,
        selected: null,
        fields: {},
      })),
      ballots: ballots.map((entries, v): PbBallot => {
        const given = new Map<string, bigint>();
        for (const [p, points] of entries) if (p < costs.length) given.set(IDS[p]!, BigInt(points));
        if (voteType === 'approval') {
          return {
            voterId: `${v + 1}`,
            projects: [...given].filter(([, x]) => x > 0n).map(([id]) => id),
            points: null,
          };
        }
        return { voterId: `${v + 1}`, projects: [...given.keys()], points: [...given.values()] };
      }),
    }));

const arbAny = fc.oneof(arbElection('approval'), arbElection('cumulative'));

const rulesFor = (e: PbElection): readonly RuleName[] =>
  e.voteType === 'cumulative' ? RULES : APPROVAL_RULES;

const costOf = (e: PbElection, id: string): Rational => e.projects.find((p) => p.id === id)!.cost;

/** The same election with its voters in another order and numbered afresh. */
const arbReordered = arbAny.chain((e) =>
  fc
    .shuffledSubarray([...e.ballots], { minLength: e.ballots.length, maxLength: e.ballots.length })
    .map((ballots): [PbElection, PbElection] => [
      e,
      { ...e, ballots: ballots.map((b, v) => ({ ...b, voterId: `r${ballots.length - v}` })) },
    ]),
);

describe('every rule, on generated elections', () => {
  it('covers all nine rules of tally()', () => {
    assert.deepEqual(
      [...new Set([...APPROVAL_RULES, 'greedy_points', 'mes_points'])].sort(),
      [...RULES].sort(),
    );
    assert.equal(RULES.length, 9);
    assert.equal(MES_RULES.length, 7);
  });

  it('never spends more than the budget, and spends exactly what its winners cost', () => {
    fc.assert(
      fc.property(arbAny, (e) => {
        for (const rule of rulesFor(e)) {
          const r = tally(rule, e);
          assert.equal(new Set(r.winners).size, r.winners.length, `${rule}: a project won twice`);
          assert.deepEqual(r.spent, sum(r.winners.map((id) => costOf(e, id))), rule);
          assert.ok(compare(r.spent, e.budget) <= 0, `${rule} spent ${r.spent.num}/${r.spent.den}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same winners in the same order, and the same ties, whatever order the voters come in', () => {
    fc.assert(
      fc.property(arbReordered, ([e, shuffled]) => {
        for (const rule of rulesFor(e)) {
          const a: TallyOutcome = tally(rule, e);
          const b: TallyOutcome = tally(rule, shuffled);
          assert.deepEqual(b.winners, a.winners, rule);
          assert.deepEqual(b.ties, a.ties, rule);
          // Everything else too: money spent, budget per voter, runs of a completion, the reasons given.
          assert.deepEqual(b, a, rule);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reorders voters where ties are certain: equal costs, equal support, ids deciding', () => {
    // Every project costs 10 and has two supporters; the budget buys three. Under every rule the ids decide
    // ("10" before "11" before "2" before "9"), whatever the order of voters.
    const base: PbElection = {
      meta: {},
      voteType: 'cumulative',
      budget: rational(30n),
      projects: ['9', '10', '2', '11'].map((id) => ({
        id,
        cost: rational(10n),
        name: id,
        selected: null,
        fields: {},
      })),
      ballots: [['9', '10'], ['2', '11'], ['9', '2'], ['10', '11'], []].map((projects, v) => ({
        voterId: `${v + 1}`,
        projects,
        points: projects.map(() => 2n),
      })),
    };
    const reversed = { ...base, ballots: [...base.ballots].reverse() };
    for (const rule of RULES) {
      const a = tally(rule, base);
      assert.deepEqual(tally(rule, reversed), a, rule);
      assert.ok(a.ties.length > 0, `${rule} had a tie to break`);
      assert.ok(
        a.ties.some((t) => t.decidedBy === 'project_id'),
        rule,
      );
    }
  });
});

/** The utility and input Equal Shares counted for a rule, as tally() does. */
function equalSharesInput(
  rule: RuleName,
  e: PbElection,
): { utility: Utility; input: ReturnType<typeof approvalInput> } {
  if (rule === 'mes_points') return { utility: 'points', input: pointsInput(e) };
  return { utility: rule.startsWith('mes_cost') ? 'cost' : 'approval', input: approvalInput(e) };
}

describe('Equal Shares and its completions', () => {
  it('charge nobody more than their share, and collect each winner’s cost exactly', () => {
    fc.assert(
      fc.property(arbAny, (e) => {
        for (const rule of rulesFor(e).filter((r) => r.startsWith('mes_'))) {
          const outcome = tally(rule, e);
          const share = outcome.budgetPerVoter!;
          // Completions end on a raised share; the plain rules on B / n.
          if (!rule.includes('add1')) {
            assert.deepEqual(share, rational(e.budget.num, e.budget.den * BigInt(e.ballots.length)), rule);
          }
          const { utility, input } = equalSharesInput(rule, e);
          const run = equalSharesPayments(input, { utility, budgetPerVoter: share });
          // The run whose payments are read is the outcome tally() returned.
          assert.deepEqual(
            run.winners.map((w) => w.projectId),
            outcome.winners,
            rule,
          );
          assert.equal(
            run.ballots.reduce((n, g) => n + g.voters, 0n),
            BigInt(e.ballots.length),
          );
          // Each group stands for exactly the voters whose ballot supports those projects (with those points).
          const key = (projects: readonly string[], points: readonly (bigint | undefined)[] | null) =>
            JSON.stringify(projects.map((id, k) => [id, String(points?.[k] ?? 1n)]).sort());
          for (const g of run.ballots) {
            const same = input.ballots.filter((b) => {
              const kept = b.projects.filter((_, k) => (utility === 'points' ? b.points![k]! > 0n : true));
              const pts = utility === 'points' ? b.points!.filter((x) => x > 0n) : null;
              return key(kept, pts) === key(g.supports, g.points);
            });
            assert.equal(BigInt(same.length), g.voters, rule);
          }
          const collected = new Map(run.winners.map((w) => [w.projectId, ZERO]));
          for (const g of run.ballots) {
            let left = share;
            for (const { projectId, amount } of g.paid) {
              const w = run.winners.find((x) => x.projectId === projectId);
              assert.ok(w, `${rule}: paid for ${projectId}, which did not win`);
              const k = g.supports.indexOf(projectId);
              assert.ok(k >= 0, `${rule}: paid for ${projectId} without supporting it`);
              // What the rule asks of each supporter: the price (ρ times their points, for points), or all
              // they have left when that is less.
              const asked = utility === 'points' ? mul(w.rho, rational(g.points![k]!)) : w.pricePerSupporter!;
              assert.deepEqual(amount, compare(asked, left) <= 0 ? asked : left, `${rule}: ${projectId}`);
              assert.ok(amount.num >= 0n && compare(amount, w.highestPayment) <= 0, rule);
              left = sub(left, amount);
              collected.set(projectId, add(collected.get(projectId)!, mul(amount, rational(g.voters))));
            }
            // Nobody pays more than their share over the whole count, nor twice for one project.
            assert.ok(compare(sum(g.paid.map((x) => x.amount)), share) <= 0, `${rule}: more than the share`);
            assert.equal(new Set(g.paid.map((x) => x.projectId)).size, g.paid.length, rule);
            // Every supporter of a winner that cost something was asked to pay for it.
            for (const w of run.winners) {
              if (g.supports.includes(w.projectId) && w.cost.num > 0n) {
                assert.ok(
                  g.paid.some((x) => x.projectId === w.projectId),
                  `${rule}: ${w.projectId} unpaid`,
                );
              }
            }
          }
          for (const w of run.winners) {
            assert.deepEqual(collected.get(w.projectId), w.cost, `${rule}: ${w.projectId} collected`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

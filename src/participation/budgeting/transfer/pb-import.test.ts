import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPb } from '../pabulib.ts';
import { rational } from '../rules/rational.ts';
import { pbFileName } from './pb-export.ts';
import { currencyOf, moneyText, pbDate, planImport, ruleOf } from './pb-import.ts';

function file(meta: Record<string, string>, projects: string[], votes: string[]): string {
  const base: Record<string, string> = {
    description: 'Riverside green budget',
    country: 'Poland',
    unit: 'Riverside',
    instance: '2024',
    num_projects: '2',
    num_votes: '2',
    budget: '1000',
    vote_type: 'approval',
    rule: 'greedy',
    date_begin: '18.09.2023',
    date_end: '25.09.2023',
  };
  const all = { ...base, ...meta };
  const lines = Object.entries(all)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k};${v}`);
  return ['META', 'key;value', ...lines, 'PROJECTS', ...projects, 'VOTES', ...votes].join('\n');
}

function plan(text: string) {
  const checked = checkPb(text);
  assert.deepEqual(checked.problems, []);
  return planImport(checked.election!, checked.lines!, '2026-12-01');
}

const PROJECTS = ['project_id;cost;name;description;selected', 'c1;100.5;Trees;Twenty trees;1', 'c2;250;;;0'];

describe('planning an import', () => {
  it('maps META, projects and ballots onto a budget', () => {
    const result = plan(
      file({ min_length: '1', max_length: '2', max_sum_cost: '1000', currency: 'eur' }, PROJECTS, [
        'voter_id;vote;age',
        '9;c2,c1;34',
        '4;;',
      ]),
    );
    assert.ok(result.plan);
    const { budget, projects, ballots } = result.plan;
    assert.deepEqual(budget, {
      title: 'Riverside green budget',
      currency: 'EUR',
      totalAmount: '1000.00',
      votingOpensOn: '2023-09-18',
      votingClosesOn: '2023-09-25',
      rule: 'greedy_votes',
      ballotKind: 'approval',
      minProjects: 1,
      maxProjects: 2,
      basket: true,
      pointsTotal: null,
      maxPointsPerProject: null,
      rankLimit: null,
      pbMeta: budget.pbMeta,
    });
    assert.equal(budget.pbMeta.max_sum_cost, '1000');
    assert.deepEqual(
      projects.map((p) => [p.pbId, p.title, p.description, p.estimatedCost]),
      [
        ['c1', 'Trees', 'Twenty trees', '100.50'],
        ['c2', 'c2', '', '250.00'],
      ],
    );
    assert.deepEqual(projects[0]?.pbFields, {
      project_id: 'c1',
      cost: '100.5',
      name: 'Trees',
      description: 'Twenty trees',
      selected: '1',
    });
    // The voter id is not kept: only the further columns.
    assert.deepEqual(ballots, [
      { pbFields: { age: '34' }, projects: [1, 0], points: null },
      { pbFields: { age: '' }, projects: [], points: null },
    ]);
  });

  it('reads cumulative and ordinal limits, and falls back to the day before the import for unreadable dates', () => {
    const cumulative = plan(
      file(
        {
          vote_type: 'cumulative',
          max_sum_points: '10',
          max_points: '5',
          date_begin: 'unknown',
          date_end: 'unknown',
        },
        PROJECTS,
        ['voter_id;vote;points', '1;c1,c2;3,7'],
      ),
    );
    assert.equal(cumulative.plan?.budget.rule, 'greedy_points');
    assert.equal(cumulative.plan?.budget.pointsTotal, 10);
    assert.equal(cumulative.plan?.budget.maxPointsPerProject, 5);
    assert.equal(cumulative.plan?.budget.votingOpensOn, '2026-11-30');
    assert.equal(cumulative.plan?.budget.votingClosesOn, '2026-11-30');
    assert.deepEqual(cumulative.plan?.ballots[0]?.points, [3, 7]);
    const ordinal = plan(
      file({ vote_type: 'ordinal', rule: 'equalshares/add1', min_length: '0', max_length: '3' }, PROJECTS, [
        'voter_id;vote',
        '1;c2,c1',
      ]),
    );
    assert.equal(ordinal.plan?.budget.rankLimit, 3);
    assert.equal(ordinal.plan?.budget.minProjects, null);
    assert.equal(ordinal.plan?.budget.rule, 'mes_cost_add1');
  });

  it('names the line of everything our tables cannot hold', () => {
    const checked = checkPb(
      file(
        { vote_type: 'scoring', budget: '1000.505', min_length: '3', max_length: '2' },
        ['project_id;cost', 'c1;0.001', 'c2;0'],
        ['voter_id;vote;points', '1;c1;-2', '2;c2;1'],
      ),
    );
    const result = planImport(checked.election!, checked.lines!, '2026-12-01');
    assert.equal(result.plan, null);
    assert.deepEqual(
      result.problems.map((p) => p.line),
      [9, 15, 18, 19, 22],
    );
    assert.match(result.problems[4]!.message, /negative scores/);
  });

  it('maps rules, dates, currencies and amounts', () => {
    assert.equal(ruleOf({ rule: 'equalshares/add1-comparison' }, 'approval'), 'mes_cost_add1_noexh');
    assert.equal(ruleOf({ rule: 'greedy-threshold' }, 'cumulative'), 'greedy_points');
    assert.equal(ruleOf({ rule: 'unknown' }, 'approval'), 'mes_cost_add1');
    assert.equal(pbDate('2020', false), '2020-01-01');
    assert.equal(pbDate('2020', true), '2020-12-31');
    assert.equal(pbDate('2023-09-18', true), '2023-09-18');
    assert.equal(pbDate('31.02.2023', true), undefined);
    assert.equal(currencyOf({ country: 'Switzerland' }), 'CHF');
    assert.equal(currencyOf({ currency: 'usd', country: 'Poland' }), 'USD');
    assert.equal(currencyOf({}), 'PLN');
    assert.equal(moneyText(rational(253264583n, 100n)), '2532645.83');
    assert.equal(moneyText(rational(1n, 3n)), undefined);
    assert.equal(moneyText(rational(10n ** 12n)), undefined);
  });

  it('names export files in plain ASCII', () => {
    assert.equal(
      pbFileName('riverside', 'Łódź budget 2022', 'The whole area'),
      'riverside_lodz-budget-2022_the-whole-area.pb',
    );
    assert.equal(pbFileName('', '!!!'), 'election.pb');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { barChart } from '../../../platform/views/bar-chart.ts';
import type { Section } from '../ballots/ballot-rules.ts';
import type { StoredBallot } from '../ballots/ballots.repository.ts';
import type { Channel } from '../ballots/ballots.table.ts';
import { sectionElection } from '../ballots/election.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import { rational } from '../rules/rational.ts';
import { type CountResult, countRule, ruleApplies, rulesToCount, sectionTotals, toMoney } from './count.ts';
import type { StepReply, StepRequest } from './count.worker.ts';
import { formatAmount, localiseSentence, resultsView } from './results.view.ts';

/**
 * A small election worked out by hand. £1,000, ten voters, approval ballots:
 *   voters 1–6 choose A (£500); voters 1–5 also choose B (£450); voters 7–10 choose C (£400).
 * Votes: A 6, B 5, C 4.
 * Greedy by votes: A (spent £500), B (£950), C does not fit (£1,350) → A, B.
 * Equal Shares by cost, £100 a voter: A costs its six supporters £83.33 each (ρ = 1/6), B £90 each
 * (ρ = 1/5), C £100 each (ρ = 1/4). A is chosen; voters 1–5 have £16.67 each left, £83.33 together,
 * too little for B; C is chosen → A, C, £900 spent. B would have won at a cost of £250/3 or less.
 */
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const budget: Budget = {
  id: '00000000-0000-4000-8000-000000000001',
  processId: '00000000-0000-4000-8000-000000000002',
  title: 'Riverside budget',
  currency: 'GBP',
  totalAmount: '1000.00',
  votingOpensOn: '2026-01-01',
  votingClosesOn: '2026-01-31',
  rule: 'mes_cost',
  ballot: {
    kind: 'approval',
    minProjects: null,
    maxProjects: null,
    basket: false,
    pointsTotal: null,
    maxPointsPerProject: null,
    rankLimit: null,
  },
  pbMeta: null,
  districts: [],
};

const projects = [
  { id: A, pbId: null, title: 'Park benches', cost: 50000n, districtId: null, pbFields: null },
  { id: B, pbId: null, title: 'Library books', cost: 45000n, districtId: null, pbFields: null },
  { id: C, pbId: null, title: 'Street lights', cost: 40000n, districtId: null, pbFields: null },
];

const section: Section = {
  districtId: null,
  name: 'The whole area',
  amount: 100000n,
  projects: projects.map((p) => ({ id: p.id, title: p.title, cost: p.cost })),
};

// Voter n: [channel, choices]
const voters: [Channel, string[]][] = [
  ['online', [A, B]],
  ['online', [A, B]],
  ['online', [A, B]],
  ['paper', [A, B]],
  ['paper', [A, B]],
  ['code', [A]],
  ['imported', [C]],
  ['imported', [C]],
  ['online', [C]],
  ['paper', [C]],
];

const ballots: StoredBallot[] = voters.map(([channel, choices], i) => ({
  seq: i + 1,
  channel,
  districtId: null,
  pbFields: null,
  items: choices.map((projectId) => ({ projectId, points: null, rank: null })),
}));

const election = sectionElection(budget, 'Riverside', section, projects, ballots);

describe('counting one section', () => {
  it('counts ballots and support per channel, and their sums', () => {
    const totals = sectionTotals(election);
    assert.equal(totals.amount, '1000.00');
    assert.deepEqual(totals.ballots, { total: 10, byChannel: { online: 4, code: 1, paper: 3, imported: 2 } });
    const byId = new Map(totals.projects.map((p) => [p.id, p]));
    assert.deepEqual(byId.get(A)?.votesByChannel, { online: 3, code: 1, paper: 2, imported: 0 });
    assert.equal(byId.get(A)?.votes, 6);
    assert.deepEqual(byId.get(B)?.votesByChannel, { online: 3, code: 0, paper: 2, imported: 0 });
    assert.equal(byId.get(B)?.votes, 5);
    assert.deepEqual(byId.get(C)?.votesByChannel, { online: 1, code: 0, paper: 1, imported: 2 });
    assert.equal(byId.get(C)?.votes, 4);
    assert.equal(byId.get(A)?.cost, '500.00');
    assert.equal(byId.get(A)?.title, 'Park benches');
    assert.equal(byId.get(A)?.points, null);
  });

  it('funds A and B under greedy by votes, with C below the line', () => {
    const r = countRule(election, 'greedy_votes');
    assert.deepEqual(r.winners, [A, B]);
    assert.equal(r.spent, '950.00');
    assert.equal(r.left, '50.00');
    assert.equal(r.projects[C]?.selected, false);
    assert.equal(r.projects[A]?.support, '6');
    // C fits only if it costs no more than the £50 left after A and B.
    assert.equal(r.projects[C]?.costNeeded?.decimal, '50.00');
    assert.equal(r.projects[C]?.costReductionNeeded?.decimal, '350.00');
    assert.equal(r.projects[C]?.moreSupportersNeeded, 1);
    assert.ok(r.projects[C]?.sentence);
  });

  it('funds A and C under Equal Shares, with the price each supporter paid', () => {
    const r = countRule(election, 'mes_cost');
    assert.deepEqual(r.winners, [A, C]);
    assert.equal(r.spent, '900.00');
    // At most £250/3 each, written rounded up to the penny as "at most" needs.
    assert.deepEqual(r.projects[A]?.pricePerSupporter, { decimal: '83.34', exact: '250/3' });
    assert.deepEqual(r.projects[C]?.pricePerSupporter, { decimal: '100.00', exact: null });
    assert.equal(r.projects[B]?.selected, false);
    // B wins at £250/3 or less: £83.33 in whole pence.
    assert.deepEqual(r.projects[B]?.costNeeded, { decimal: '83.33', exact: null });
    assert.equal(r.projects[B]?.moreSupportersNeeded, 1);
    assert.match(
      r.projects[B]?.sentence ?? '',
      /^Not funded: it would have needed to cost 83.33 GBP or less/,
    );
    assert.match(r.projects[A]?.sentence ?? '', /^Funded: each of its 6 supporters paid at most 83.34 GBP/);
    assert.equal(r.projects[B]?.costReductionNeeded?.decimal, '366.67');
    assert.equal(r.projects[B]?.pricePerSupporter, null);
    assert.deepEqual(r.ties, []);
  });

  it('completes Equal Shares without changing an outcome that is already exhaustive', () => {
    const r = countRule(election, 'mes_cost_add1');
    assert.deepEqual(r.winners, [A, C]);
    assert.deepEqual(r.budgetPerVoter, { decimal: '100.00', exact: null });
    assert.ok(r.stoppedBecause);
  });
});

describe('the counting thread', () => {
  it('counts a section sent to it exactly as this thread does, under each rule, and lets it go when told', async () => {
    const worker = new Worker(new URL('./count.worker.ts', import.meta.url));
    const replies: StepReply[] = [];
    let waiting: (() => void) | undefined;
    worker.on('message', (reply: StepReply) => {
      replies.push(reply);
      waiting?.();
    });
    const ask = (request: StepRequest) =>
      new Promise<StepReply>((resolve) => {
        waiting = () => resolve(replies.at(-1)!);
        worker.postMessage(request);
      });
    try {
      const rules = rulesToCount('approval', 'mes_cost');
      for (const [i, rule] of rules.entries()) {
        // The section crosses once; later rules count the one the thread holds.
        const reply = await ask({ kind: 'count', id: i + 1, rule, election: i === 0 ? election : null });
        assert.deepEqual(reply, { id: i + 1, ok: true, result: countRule(election, rule) });
      }
      worker.postMessage({ kind: 'forget' } satisfies StepRequest);
      const forgotten = await ask({ kind: 'count', id: 99, rule: 'mes_cost', election: null });
      assert.equal(forgotten.ok, false);
      assert.equal(forgotten.ok === false && forgotten.error, 'No section was sent to count');
    } finally {
      await worker.terminate();
    }
  });
});

describe('ties', () => {
  // Two voters choose X (£300), two choose Y (£200), £1,000: level on votes, Y goes first as it costs less.
  const X = '00000000-0000-4000-8000-0000000000f1';
  const Y = '00000000-0000-4000-8000-0000000000f2';
  const tied = [
    { id: X, pbId: null, title: 'Xylophones', cost: 30000n, districtId: null, pbFields: null },
    { id: Y, pbId: null, title: 'Yurts', cost: 20000n, districtId: null, pbFields: null },
  ];
  const tiedSection: Section = {
    ...section,
    projects: tied.map((p) => ({ id: p.id, title: p.title, cost: p.cost })),
  };
  const tiedBallots: StoredBallot[] = [[X], [X], [Y], [Y]].map((choices, i) => ({
    seq: i + 1,
    channel: 'online',
    districtId: null,
    pbFields: null,
    items: choices.map((projectId) => ({ projectId, points: null, rank: null })),
  }));
  const tiedElection = sectionElection(budget, 'Riverside', tiedSection, tied, tiedBallots);

  it('records which projects were level, which went first and why, and says so on the page', () => {
    const r = countRule(tiedElection, 'greedy_votes');
    assert.deepEqual(r.winners, [Y, X]);
    assert.deepEqual(r.ties, [{ tied: [Y, X], chosen: Y, decidedBy: 'cost' }]);
    const result: CountResult = {
      version: 1,
      fingerprint: 'f',
      ballotKind: 'approval',
      ownRule: 'greedy_votes',
      rules: ['greedy_votes'],
      sections: [{ ...sectionTotals(tiedElection), rules: { greedy_votes: r } }],
    };
    const view = resultsView({ ...budget, rule: 'greedy_votes' }, result);
    assert.deepEqual(view.sections[0]?.ties, [
      'Yurts was level with Xylophones. Yurts went first because it costs less.',
    ]);
    assert.deepEqual(
      view.sections[0]?.winners.map((w) => [w.position, w.title, w.cost, w.support]),
      [
        [1, 'Yurts', '£200.00', '2 votes'],
        [2, 'Xylophones', '£300.00', '2 votes'],
      ],
    );
    assert.deepEqual(view.sections[0]?.others, []);
    assert.equal(view.ballotsCounted, '4');
  });
});

describe('which rules count which ballots', () => {
  it('uses the point-based rules for cumulative ballots only, and none for scoring', () => {
    assert.equal(ruleApplies('greedy_points', 'cumulative'), true);
    assert.equal(ruleApplies('greedy_points', 'approval'), false);
    assert.equal(ruleApplies('mes_cost', 'ordinal'), true);
    assert.equal(ruleApplies('mes_cost', 'scoring'), false);
    assert.deepEqual(rulesToCount('approval', 'mes_cost'), [
      'mes_cost',
      'mes_cost_add1',
      'greedy_votes',
      'mes_cost_add1_noexh',
      'mes_approval',
      'mes_approval_add1',
      'mes_approval_add1_noexh',
    ]);
    assert.equal(rulesToCount('cumulative', 'greedy_points').length, 9);
    assert.equal(rulesToCount('cumulative', 'greedy_points')[0], 'greedy_points');
    assert.deepEqual(rulesToCount('approval', 'mes_points'), []);
    assert.deepEqual(rulesToCount('scoring', 'greedy_votes'), []);
  });
});

describe('money', () => {
  it('writes fractions to the nearest penny, or down, with the exact fraction when pence cannot say it', () => {
    assert.deepEqual(toMoney(rational(250n, 3n)), { decimal: '83.33', exact: '250/3' });
    assert.deepEqual(toMoney(rational(500n, 3n)), { decimal: '166.67', exact: '500/3' });
    assert.deepEqual(toMoney(rational(500n, 3n), 'down'), { decimal: '166.66', exact: '500/3' });
    assert.deepEqual(toMoney(rational(250n, 3n), 'up'), { decimal: '83.34', exact: '250/3' });
    assert.deepEqual(toMoney(rational(100n), 'up'), { decimal: '100.00', exact: null });
    assert.deepEqual(toMoney(rational(1n, 200n)), { decimal: '0.01', exact: '1/200' });
    assert.deepEqual(toMoney(rational(1234567n, 100n)), { decimal: '12345.67', exact: null });
    assert.deepEqual(toMoney(rational(-1n, 3n), 'down'), { decimal: '-0.34', exact: '-1/3' });
  });

  it('formats amounts exactly, with the currency symbol', () => {
    assert.equal(formatAmount('1234567.50', 'GBP'), '£1,234,567.50');
    assert.equal(formatAmount('0.05', 'EUR'), '€0.05');
    assert.equal(formatAmount('12.00', 'PLN'), 'PLN\u00a012.00');
    assert.equal(formatAmount('-3.10', 'GBP'), '-£3.10');
    assert.equal(formatAmount('9007199254740993.01', 'GBP'), '£9,007,199,254,740,993.01');
  });

  it('writes the engine’s amounts in the sentences as the pages do', () => {
    assert.equal(
      localiseSentence(
        'Not funded: it would have needed to cost 1,083.33 GBP or less, or 2 more supporters',
        'GBP',
      ),
      'Not funded: it would have needed to cost £1,083.33 or less, or 2 more supporters',
    );
    assert.equal(localiseSentence('Funded: paid at most 4.20 EUR', 'GBP'), 'Funded: paid at most 4.20 EUR');
  });
});

describe('the shared bar chart', () => {
  it('hatches and names marked bars, and scales big values without floats', () => {
    const chart = barChart(
      [
        {
          label: 'Park benches',
          value: 9007199254740993n,
          valueText: '9,007,199,254,740,993 votes',
          marked: true,
        },
        { label: 'Street lights', value: 1n, valueText: '1 vote' },
      ],
      ['vote', 'votes'],
      { markedText: 'funded' },
    );
    assert.equal(chart.bars[0]?.width, 260);
    assert.equal(chart.bars[1]?.width, 2);
    assert.equal(chart.bars[0]?.marked, true);
    assert.equal(chart.bars[0]?.valueText, '9,007,199,254,740,993 votes (funded)');
    assert.equal(
      chart.description,
      'Park benches: 9,007,199,254,740,993 votes (funded); Street lights: 1 vote.',
    );
  });
});

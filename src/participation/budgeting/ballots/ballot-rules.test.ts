import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BallotSettings } from '../budgets/budgets.service.ts';
import { minorToText } from '../money.ts';
import {
  type Choice,
  checkBallot,
  checkSection,
  limitsText,
  type Section,
  sectionField,
} from './ballot-rules.ts';

function settings(overrides: Partial<BallotSettings> = {}): BallotSettings {
  return {
    kind: 'approval',
    minProjects: null,
    maxProjects: null,
    basket: false,
    pointsTotal: null,
    maxPointsPerProject: null,
    rankLimit: null,
    ...overrides,
  };
}

const area: Section = {
  districtId: null,
  name: 'The whole area',
  amount: 100_000n,
  projects: [
    { id: 'p1', title: 'Trees', cost: 40_000n },
    { id: 'p2', title: 'Benches', cost: 35_000n },
    { id: 'p3', title: 'Lights', cost: 25_000n },
    { id: 'p4', title: 'Bins', cost: 1n },
  ],
};

const north: Section = {
  districtId: 'd-north',
  name: 'Northbank',
  amount: 50_000n,
  projects: [
    { id: 'n1', title: 'North park', cost: 30_000n },
    { id: 'n2', title: 'North path', cost: 30_000n },
  ],
};

const pick = (...ids: string[]): Choice[] => ids.map((projectId) => ({ projectId }));
const messages = (problems: readonly { message: string }[]) => problems.map((p) => p.message);

describe('minorToText', () => {
  it('writes pence as pounds with thousands separators, negatives included', () => {
    assert.equal(minorToText(0n), '0.00');
    assert.equal(minorToText(5n), '0.05');
    assert.equal(minorToText(123_456_789n), '1,234,567.89');
    assert.equal(minorToText(-50_050n), '-500.50');
  });
});

describe('limitsText', () => {
  it('explains each limit in plain English', () => {
    assert.deepEqual(limitsText(settings(), area, 'GBP'), []);
    assert.deepEqual(limitsText(settings({ minProjects: 2, maxProjects: 2 }), area, 'GBP'), [
      'Choose exactly 2 projects.',
    ]);
    assert.deepEqual(limitsText(settings({ minProjects: 1, maxProjects: 3 }), area, 'GBP'), [
      'Choose between 1 and 3 projects.',
    ]);
    assert.deepEqual(limitsText(settings({ minProjects: 1 }), area, 'GBP'), ['Choose at least 1 project.']);
    assert.deepEqual(limitsText(settings({ maxProjects: 4, basket: true }), north, 'GBP'), [
      'Choose up to 4 projects.',
      'The projects you choose can cost up to £500.00 together, the money for Northbank.',
    ]);
    assert.deepEqual(
      limitsText(settings({ kind: 'cumulative', pointsTotal: 10, maxPointsPerProject: 4 }), area, 'GBP'),
      ['Spread up to 10 points across the projects you support, at most 4 on any one project.'],
    );
    assert.deepEqual(limitsText(settings({ kind: 'cumulative', pointsTotal: 1 }), area, 'GBP'), [
      'Spread up to 1 point across the projects you support.',
    ]);
    assert.deepEqual(limitsText(settings({ kind: 'ordinal', rankLimit: 3 }), area, 'GBP'), [
      'Number the projects you support in order of preference, 1 for your first choice, up to 3. Each number can be used once.',
    ]);
    assert.deepEqual(limitsText(settings({ kind: 'choose-1' }), area, 'GBP'), ['Choose 1 project.']);
  });
});

describe('checkSection: counts and money', () => {
  it('sums the chosen projects and what is left, with no problem within the limits', () => {
    const summary = checkSection(
      settings({ minProjects: 1, maxProjects: 3, basket: true }),
      area,
      pick('p1', 'p3'),
      'GBP',
    );
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.chosen, 2);
    assert.equal(summary.cost, 65_000n);
    assert.equal(summary.remaining, 35_000n);
    assert.equal(summary.pointsLeft, null);
  });

  it('refuses more projects than the maximum', () => {
    const summary = checkSection(settings({ maxProjects: 2 }), area, pick('p1', 'p2', 'p3'), 'GBP');
    assert.deepEqual(messages(summary.problems), [
      'Choose no more than 2 projects for The whole area: you chose 3',
    ]);
    assert.equal(summary.problems[0]!.field, 'section-area');
  });

  it('refuses fewer projects than the minimum, but lets a section be left empty', () => {
    const few = checkSection(settings({ minProjects: 2 }), area, pick('p1'), 'GBP');
    assert.deepEqual(messages(few.problems), ['Choose at least 2 projects for The whole area']);
    assert.deepEqual(checkSection(settings({ minProjects: 2 }), area, [], 'GBP').problems, []);
  });

  it('keeps to the basket to the penny', () => {
    const exact = checkSection(settings({ basket: true }), area, pick('p1', 'p2', 'p3'), 'GBP');
    assert.equal(exact.cost, 100_000n);
    assert.deepEqual(exact.problems, []);
    const over = checkSection(settings({ basket: true }), area, pick('p1', 'p2', 'p3', 'p4'), 'GBP');
    assert.equal(over.remaining, -1n);
    assert.deepEqual(messages(over.problems), [
      'The projects you chose for The whole area cost £1,000.01 together, more than the £1,000.00 available: remove a project',
    ]);
    // Without a basket, going over the money is allowed: the count decides what fits.
    assert.deepEqual(checkSection(settings(), area, pick('p1', 'p2', 'p3', 'p4'), 'GBP').problems, []);
  });

  it('refuses tampered project ids and a project chosen twice', () => {
    const stray = checkSection(settings(), area, pick('p1', 'n1'), 'GBP');
    assert.deepEqual(messages(stray.problems), ['Choose projects from the list for The whole area']);
    assert.equal(stray.chosen, 1);
    assert.equal(stray.cost, 40_000n);
    const twice = checkSection(settings(), area, pick('p1', 'p1'), 'GBP');
    assert.deepEqual(messages(twice.problems), ['Choose projects from the list for The whole area']);
    assert.equal(twice.cost, 40_000n);
  });

  it('refuses more than one project on a choose-1 ballot', () => {
    assert.deepEqual(checkSection(settings({ kind: 'choose-1' }), area, pick('p1'), 'GBP').problems, []);
    assert.deepEqual(
      messages(checkSection(settings({ kind: 'choose-1' }), area, pick('p1', 'p2'), 'GBP').problems),
      ['Choose only 1 project for The whole area'],
    );
  });
});

describe('checkSection: points', () => {
  const cumulative = settings({ kind: 'cumulative', pointsTotal: 10, maxPointsPerProject: 6 });

  it('counts the points used and left', () => {
    const summary = checkSection(
      cumulative,
      area,
      [
        { projectId: 'p1', points: 6 },
        { projectId: 'p2', points: 3 },
      ],
      'GBP',
    );
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.pointsUsed, 9);
    assert.equal(summary.pointsLeft, 1);
  });

  it('refuses more points than the voter has, and more than the most on one project', () => {
    const summary = checkSection(
      cumulative,
      area,
      [
        { projectId: 'p1', points: 7 },
        { projectId: 'p2', points: 5 },
      ],
      'GBP',
    );
    assert.deepEqual(messages(summary.problems), [
      'You can give Trees at most 6 points',
      'You gave 12 points for The whole area, more than the 10 you have',
    ]);
    assert.deepEqual(
      summary.problems.map((p) => p.field),
      ['points-p1', 'section-area'],
    );
    assert.equal(summary.pointsLeft, -2);
  });

  it('refuses points that are not whole numbers of 1 or more, without counting them', () => {
    for (const points of [0, -1, 2.5, Number.NaN, null]) {
      const summary = checkSection(
        cumulative,
        area,
        [
          { projectId: 'p1', points },
          { projectId: 'p2', points: 2 },
        ],
        'GBP',
      );
      assert.deepEqual(
        messages(summary.problems),
        ['Points for Trees must be a whole number, 1 or more'],
        String(points),
      );
      assert.equal(summary.problems[0]!.field, 'points-p1');
      assert.equal(summary.pointsUsed, 2);
    }
  });
});

describe('checkSection: ranks', () => {
  const ordinal = settings({ kind: 'ordinal', rankLimit: 3 });

  it('accepts 1, 2, 3 in any order of projects', () => {
    const summary = checkSection(
      ordinal,
      area,
      [
        { projectId: 'p3', rank: 2 },
        { projectId: 'p1', rank: 3 },
        { projectId: 'p2', rank: 1 },
      ],
      'GBP',
    );
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.chosen, 3);
  });

  it('refuses the same number twice', () => {
    const summary = checkSection(
      ordinal,
      area,
      [
        { projectId: 'p1', rank: 1 },
        { projectId: 'p2', rank: 1 },
      ],
      'GBP',
    );
    assert.deepEqual(messages(summary.problems), [
      'You gave Benches and Trees the same number, 1: give each project a different number',
    ]);
    assert.equal(summary.problems[0]!.field, 'rank-p2');
  });

  it('refuses gaps', () => {
    const summary = checkSection(
      ordinal,
      area,
      [
        { projectId: 'p1', rank: 1 },
        { projectId: 'p2', rank: 3 },
      ],
      'GBP',
    );
    assert.deepEqual(messages(summary.problems), ['Number your choices 1 to 2 without gaps: 2 is missing']);
    const noFirst = checkSection(ordinal, area, [{ projectId: 'p1', rank: 2 }], 'GBP');
    assert.deepEqual(messages(noFirst.problems), ['Number your choices 1 to 1 without gaps: 1 is missing']);
  });

  it('refuses numbers out of range: beyond the rank limit, or the number of projects without one', () => {
    assert.deepEqual(messages(checkSection(ordinal, area, [{ projectId: 'p1', rank: 4 }], 'GBP').problems), [
      'The number for Trees must be between 1 and 3',
    ]);
    assert.deepEqual(messages(checkSection(ordinal, area, [{ projectId: 'p1', rank: 0 }], 'GBP').problems), [
      'The number for Trees must be between 1 and 3',
    ]);
    const unlimited = settings({ kind: 'ordinal' });
    assert.deepEqual(checkSection(unlimited, area, [{ projectId: 'p4', rank: 1 }], 'GBP').problems, []);
    assert.deepEqual(
      messages(checkSection(unlimited, area, [{ projectId: 'p1', rank: 5 }], 'GBP').problems),
      ['The number for Trees must be between 1 and 4'],
    );
  });
});

describe('checkBallot: several sections', () => {
  const basket = settings({ basket: true, minProjects: 1, maxProjects: 1 });

  it('checks each section on its own money and limits', () => {
    const good = checkBallot(basket, [north, area], pick('n1', 'p1'), 'GBP');
    assert.deepEqual(good.problems, []);
    assert.deepEqual(
      good.sections.map((s) => [s.name, s.chosen, s.cost, s.remaining]),
      [
        ['Northbank', 1, 30_000n, 20_000n],
        ['The whole area', 1, 40_000n, 60_000n],
      ],
    );
    const bad = checkBallot(basket, [north, area], pick('n1', 'n2', 'p1', 'p2'), 'GBP');
    assert.deepEqual(messages(bad.problems), [
      'Choose no more than 1 project for Northbank: you chose 2',
      'The projects you chose for Northbank cost £600.00 together, more than the £500.00 available: remove a project',
      'Choose no more than 1 project for The whole area: you chose 2',
    ]);
    assert.deepEqual(
      bad.problems.map((p) => p.field),
      ['section-d-north', 'section-d-north', 'section-area'],
    );
  });

  it('lets a voter leave one section empty, but not the whole ballot', () => {
    assert.deepEqual(checkBallot(basket, [north, area], pick('p1'), 'GBP').problems, []);
    assert.deepEqual(messages(checkBallot(basket, [north, area], [], 'GBP').problems), [
      'Choose at least one project',
    ]);
  });

  it('refuses projects that are on no section of this voter’s ballot', () => {
    const result = checkBallot(settings(), [north, area], pick('n1', 'south-1'), 'GBP');
    assert.deepEqual(messages(result.problems), ['Choose projects from the list']);
    assert.equal(result.problems[0]!.field, sectionField(north));
    assert.equal(result.sections[0]!.chosen, 1);
  });
});

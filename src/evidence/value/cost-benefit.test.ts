import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minorToDecimal } from '../../participation/budgeting/money.ts';
import {
  adjustBenefit,
  benefitCostRatio,
  costBenefit,
  costPer,
  divideRounded,
  formatPounds,
  parsePence,
  parsePercent,
  paybackMonths,
  paybackText,
  percentText,
} from './cost-benefit.ts';

const none = { deadweight: 0n, displacement: 0n, attribution: 10_000n, optimismBias: 0n };

describe('money and percentages', () => {
  it('reads amounts into whole pence and writes them back exactly', () => {
    assert.equal(parsePence('1,250.5'), 125050n);
    assert.equal(parsePence('£0.07'), 7n);
    assert.equal(parsePence('12.345'), undefined);
    assert.equal(parsePence('ten'), undefined);
    assert.equal(minorToDecimal(125050n), '1250.50');
    assert.equal(formatPounds(123456789n), '£1,234,567.89');
  });

  it('reads percentages into hundredths of a per cent and refuses more than 100', () => {
    assert.equal(parsePercent('12.5'), 1250n);
    assert.equal(parsePercent('100%'), 10_000n);
    assert.equal(parsePercent('100.01'), undefined);
    assert.equal(parsePercent('-5'), undefined);
    assert.equal(percentText(1250n), '12.5%');
    assert.equal(percentText(3333n), '33.33%');
  });

  it('rounds halves away from zero', () => {
    assert.equal(divideRounded(5n, 2n), 3n);
    assert.equal(divideRounded(-5n, 2n), -3n);
    assert.equal(divideRounded(7n, 3n), 2n);
  });
});

describe('cost per participant and per outcome', () => {
  it('divides £120,000 by 37 children who improved: £3,243.24 each (3,243.2432… rounded down)', () => {
    assert.equal(costPer(12_000_000n, 37), 324_324n);
  });

  it('rounds a half penny up: £200 over 3 outcomes is £66.67', () => {
    assert.equal(costPer(20_000n, 3), 6_667n);
    assert.equal(costPer(100_000n, 3), 33_333n);
  });

  it('has no cost per outcome when nothing was achieved', () => {
    assert.equal(costPer(100_000n, 0), null);
  });
});

describe('benefits with each adjustment in turn', () => {
  // 40 children crossed the threshold; each is worth £2,500.00 a year to the public purse; the programme
  // cost £30,000.00.
  const cost = 3_000_000n;
  const unit = 250_000n;

  it('counts the gross benefit as outcomes × unit value: BCR 100,000 / 30,000 = 3.33', () => {
    const steps = adjustBenefit(40, unit, none);
    assert.equal(steps.gross, 10_000_000n);
    assert.equal(steps.afterOptimismBias, 10_000_000n);
    assert.equal(benefitCostRatio(steps.afterOptimismBias, cost), '3.33');
  });

  it('takes off 25% deadweight: £75,000.00, BCR 2.50', () => {
    const steps = adjustBenefit(40, unit, { ...none, deadweight: 2_500n });
    assert.equal(steps.afterDeadweight, 7_500_000n);
    assert.equal(benefitCostRatio(steps.afterOptimismBias, cost), '2.50');
  });

  it('credits 80% attribution: £80,000.00, BCR 2.67 (2.666… rounded up)', () => {
    const steps = adjustBenefit(40, unit, { ...none, attribution: 8_000n });
    assert.equal(steps.afterAttribution, 8_000_000n);
    assert.equal(benefitCostRatio(steps.afterOptimismBias, cost), '2.67');
  });

  it('takes off 15% optimism bias: £85,000.00, BCR 2.83', () => {
    const steps = adjustBenefit(40, unit, { ...none, optimismBias: 1_500n });
    assert.equal(steps.afterOptimismBias, 8_500_000n);
    assert.equal(benefitCostRatio(steps.afterOptimismBias, cost), '2.83');
  });

  it('applies them all in order: 100,000 → 75,000 → 67,500 → 54,000 → 45,900, BCR 1.53, payback 8 months', () => {
    const steps = adjustBenefit(40, unit, {
      deadweight: 2_500n,
      displacement: 1_000n,
      attribution: 8_000n,
      optimismBias: 1_500n,
    });
    assert.deepEqual(steps, {
      gross: 10_000_000n,
      afterDeadweight: 7_500_000n,
      afterDisplacement: 6_750_000n,
      afterAttribution: 5_400_000n,
      afterOptimismBias: 4_590_000n,
    });
    assert.equal(benefitCostRatio(steps.afterOptimismBias, cost), '1.53');
    // 30,000 ÷ (45,900 ÷ 12) = 7.84 months, so the eighth month.
    assert.equal(paybackMonths(cost, steps.afterOptimismBias), 8);
  });

  it('rounds each step to the penny before the next: 7 × £333.33 less 33.33% is £1,555.62', () => {
    const steps = adjustBenefit(7, 33_333n, { ...none, deadweight: 3_333n });
    assert.equal(steps.gross, 233_331n);
    // 233,331 × 66.67% = 155,561.78 pence → 155,562.
    assert.equal(steps.afterDeadweight, 155_562n);
    assert.equal(steps.afterOptimismBias, 155_562n);
  });
});

describe('the cost-benefit summary', () => {
  it('adds lines per kind of value, gives a ratio per kind and pays back on fiscal benefits', () => {
    const summary = costBenefit(3_000_000n, [
      {
        label: 'School attendance',
        outcomes: 40,
        unitValues: { fiscal: 250_000n, economic: 100_000n, social: null },
        adjustments: { deadweight: 2_500n, displacement: 1_000n, attribution: 8_000n, optimismBias: 1_500n },
      },
      {
        label: 'Wellbeing',
        outcomes: 10,
        unitValues: { fiscal: null, economic: null, social: 300_000n },
        adjustments: none,
      },
      {
        label: 'Suppressed',
        outcomes: null,
        unitValues: { fiscal: 999_999n, economic: 999_999n, social: 999_999n },
        adjustments: none,
      },
    ]);
    assert.equal(summary.totals.fiscal.afterOptimismBias, 4_590_000n);
    // 40 × £1,000 = £40,000 → 30,000 → 27,000 → 21,600 → 18,360.
    assert.equal(summary.totals.economic.afterOptimismBias, 1_836_000n);
    assert.equal(summary.totals.social.afterOptimismBias, 3_000_000n);
    assert.equal(summary.publicValue.afterOptimismBias, 9_426_000n);
    assert.deepEqual(summary.ratios, {
      fiscal: '1.53',
      economic: '0.61',
      social: '1.00',
      publicValue: '3.14',
    });
    assert.equal(summary.paybackMonths, 8);
    assert.equal(summary.lines[2]!.steps.fiscal.gross, 0n);
  });

  it('has no ratio when nothing was spent and no payback when nothing was saved', () => {
    assert.equal(benefitCostRatio(100n, 0n), null);
    assert.equal(paybackMonths(100n, 0n), null);
    assert.equal(paybackText(null), 'Not within the benefits counted');
    assert.equal(paybackText(8), '8 months');
    assert.equal(paybackText(25), '2 years 1 month');
  });
});

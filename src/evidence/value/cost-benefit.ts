import { minorToDecimal, moneyText } from '../../participation/budgeting/money.ts';
/**
 * Value for money, as pure arithmetic on whole pence (bigint) and hundredths of a per cent (basis points,
 * bigint), so that no figure drifts the way binary floating point would.
 *
 * Rounding: every division rounds to the nearest whole penny, halves away from zero, and every step of the
 * benefit adjustments is rounded before the next step starts. So each figure shown is exactly the figure
 * the next step works from, and the columns of a table add up as printed. Ratios are rounded the same way
 * to two decimal places; payback periods are rounded up to whole months (a payback is not reached until
 * the month it is reached in).
 *
 * Order of adjustments (HM Treasury Green Book and the GMCA cost-benefit model):
 *   gross = outcomes achieved × unit value
 *   after deadweight   = gross × (100% − deadweight)      what would have happened anyway
 *   after displacement = … × (100% − displacement)        what merely moved from elsewhere
 *   after attribution  = … × attribution                  the share credited to this programme
 *   after optimism bias = … × (100% − optimism bias)      a correction for over-confident evidence
 */

export type ValueKind = 'fiscal' | 'economic' | 'social';
export const VALUE_KINDS: readonly ValueKind[] = ['fiscal', 'economic', 'social'];

const HUNDRED_PER_CENT = 10_000n;

/** "1250.5" or "1,250.50" → 125050n; undefined if it is not an amount of money (at most 2 decimals). */
export function parsePence(value: string): bigint | undefined {
  const cleaned = value.trim().replace(/[,£\s]/g, '');
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return undefined;
  const pence = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -pence : pence;
}

/** 125050n → "£1,250.50", for pages: the platform's one money formatter, in pounds. */
export const formatPounds = (pence: bigint): string => moneyText(pence, 'GBP');

/** "12.5" → 1250n basis points; undefined unless it is a percentage from 0 to 100 with at most 2 decimals. */
export function parsePercent(value: string): bigint | undefined {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(value.trim().replace(/%$/, '').trim());
  if (!match) return undefined;
  const bp = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  return bp <= HUNDRED_PER_CENT ? bp : undefined;
}

/** 1250n → "12.5%". */
export function percentText(bp: bigint): string {
  const whole = bp / 100n;
  const fraction = bp % 100n;
  if (fraction === 0n) return `${whole}%`;
  return `${whole}.${String(fraction).padStart(2, '0').replace(/0$/, '')}%`;
}

/** numerator ÷ denominator to the nearest whole number, halves away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

/** A share of an amount, rounded to the penny: 10000n at 2500 bp → 2500n. */
export function share(pence: bigint, bp: bigint): bigint {
  return divideRounded(pence * bp, HUNDRED_PER_CENT);
}

/** Cost per participant or per outcome, to the penny; null when there is nobody to divide by. */
export function costPer(totalPence: bigint, count: number): bigint | null {
  if (count <= 0) return null;
  return divideRounded(totalPence, BigInt(count));
}

export interface Adjustments {
  deadweight: bigint;
  displacement: bigint;
  attribution: bigint;
  optimismBias: bigint;
}

/** The benefit at each step, in pence. */
export interface BenefitSteps {
  gross: bigint;
  afterDeadweight: bigint;
  afterDisplacement: bigint;
  afterAttribution: bigint;
  afterOptimismBias: bigint;
}

export const STEP_KEYS: readonly (keyof BenefitSteps)[] = [
  'gross',
  'afterDeadweight',
  'afterDisplacement',
  'afterAttribution',
  'afterOptimismBias',
];

/** Outcomes × unit value, then each adjustment in turn, each step rounded to the penny. */
export function adjustBenefit(outcomes: number, unitValue: bigint, a: Adjustments): BenefitSteps {
  const gross = BigInt(outcomes) * unitValue;
  const afterDeadweight = share(gross, HUNDRED_PER_CENT - a.deadweight);
  const afterDisplacement = share(afterDeadweight, HUNDRED_PER_CENT - a.displacement);
  const afterAttribution = share(afterDisplacement, a.attribution);
  const afterOptimismBias = share(afterAttribution, HUNDRED_PER_CENT - a.optimismBias);
  return { gross, afterDeadweight, afterDisplacement, afterAttribution, afterOptimismBias };
}

export function addSteps(a: BenefitSteps, b: BenefitSteps): BenefitSteps {
  return {
    gross: a.gross + b.gross,
    afterDeadweight: a.afterDeadweight + b.afterDeadweight,
    afterDisplacement: a.afterDisplacement + b.afterDisplacement,
    afterAttribution: a.afterAttribution + b.afterAttribution,
    afterOptimismBias: a.afterOptimismBias + b.afterOptimismBias,
  };
}

export const NO_BENEFIT: BenefitSteps = {
  gross: 0n,
  afterDeadweight: 0n,
  afterDisplacement: 0n,
  afterAttribution: 0n,
  afterOptimismBias: 0n,
};

/** Benefit ÷ cost to two decimal places, as a decimal string ("2.35"); null when nothing was spent. */
export function benefitCostRatio(benefitPence: bigint, costPence: bigint): string | null {
  if (costPence <= 0n) return null;
  return minorToDecimal(divideRounded(benefitPence * 100n, costPence));
}

/**
 * Months until a year's benefit pays back the cost: cost ÷ (annual benefit ÷ 12), rounded up. Null when the
 * benefit is nothing (it never pays back) or nothing was spent.
 */
export function paybackMonths(costPence: bigint, annualBenefitPence: bigint): number | null {
  if (annualBenefitPence <= 0n || costPence <= 0n) return null;
  const numerator = costPence * 12n;
  return Number((numerator + annualBenefitPence - 1n) / annualBenefitPence);
}

export function paybackText(months: number | null): string {
  if (months === null) return 'Not within the benefits counted';
  const years = Math.floor(months / 12);
  const rest = months % 12;
  const parts = [];
  if (years > 0) parts.push(`${years} ${years === 1 ? 'year' : 'years'}`);
  if (rest > 0 || years === 0) parts.push(`${rest} ${rest === 1 ? 'month' : 'months'}`);
  return parts.join(' ');
}

export interface BenefitInput {
  label: string;
  /** Outcomes achieved; null when the count is suppressed and so not valued. */
  outcomes: number | null;
  unitValues: Record<ValueKind, bigint | null>;
  adjustments: Adjustments;
}

export interface BenefitLine extends BenefitInput {
  steps: Record<ValueKind, BenefitSteps>;
}

export interface CostBenefit {
  costPence: bigint;
  lines: BenefitLine[];
  totals: Record<ValueKind, BenefitSteps>;
  /** Fiscal, economic and social benefits together. */
  publicValue: BenefitSteps;
  ratios: Record<ValueKind | 'publicValue', string | null>;
  /** Payback on fiscal benefits: the cashable savings that could repay the cost. */
  paybackMonths: number | null;
}

/**
 * The cost-benefit summary: each line's benefits at every step, totals per kind of value, a benefit-cost
 * ratio per kind (after every adjustment) and the payback period. Unit values are a year's value per
 * outcome (as in the GMCA unit cost database), so the benefits counted are one year's.
 */
export function costBenefit(costPence: bigint, inputs: readonly BenefitInput[]): CostBenefit {
  const totals: Record<ValueKind, BenefitSteps> = {
    fiscal: NO_BENEFIT,
    economic: NO_BENEFIT,
    social: NO_BENEFIT,
  };
  const lines = inputs.map((input) => {
    const steps = {} as Record<ValueKind, BenefitSteps>;
    for (const kind of VALUE_KINDS) {
      const unit = input.unitValues[kind];
      steps[kind] =
        input.outcomes === null || unit === null
          ? NO_BENEFIT
          : adjustBenefit(input.outcomes, unit, input.adjustments);
      totals[kind] = addSteps(totals[kind], steps[kind]);
    }
    return { ...input, steps };
  });
  const publicValue = addSteps(addSteps(totals.fiscal, totals.economic), totals.social);
  return {
    costPence,
    lines,
    totals,
    publicValue,
    ratios: {
      fiscal: benefitCostRatio(totals.fiscal.afterOptimismBias, costPence),
      economic: benefitCostRatio(totals.economic.afterOptimismBias, costPence),
      social: benefitCostRatio(totals.social.afterOptimismBias, costPence),
      publicValue: benefitCostRatio(publicValue.afterOptimismBias, costPence),
    },
    paybackMonths: paybackMonths(costPence, totals.fiscal.afterOptimismBias),
  };
}

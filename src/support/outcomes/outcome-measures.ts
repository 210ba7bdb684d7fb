import type { OutcomeDirection } from './outcomes.table.ts';

export interface OutcomeScale {
  direction: OutcomeDirection;
  threshold: number;
}

/** Whether a value is on the right side of the threshold: at or above it when higher is better, at or below when lower is. */
export function meetsThreshold(value: number, scale: OutcomeScale): boolean {
  return scale.direction === 'higher' ? value >= scale.threshold : value <= scale.threshold;
}

/** Improved: the exit value is better than the baseline in the indicator's direction (equal is not improved). */
export function improved(baseline: number, exit: number, scale: Pick<OutcomeScale, 'direction'>): boolean {
  return scale.direction === 'higher' ? exit > baseline : exit < baseline;
}

/** Crossed the threshold: the baseline was on the wrong side of it and the exit value is on the right side. */
export function crossedThreshold(baseline: number, exit: number, scale: OutcomeScale): boolean {
  return !meetsThreshold(baseline, scale) && meetsThreshold(exit, scale);
}

export interface ChildOutcome {
  baseline: number | null;
  exit: number | null;
}

export interface IndicatorSummary {
  withBaseline: number;
  withBaselineAndExit: number;
  improved: number;
  crossedThreshold: number;
}

/** The dashboard's counts for one indicator over every child's baseline and exit. */
export function summarise(children: readonly ChildOutcome[], scale: OutcomeScale): IndicatorSummary {
  const summary: IndicatorSummary = {
    withBaseline: 0,
    withBaselineAndExit: 0,
    improved: 0,
    crossedThreshold: 0,
  };
  for (const child of children) {
    if (child.baseline === null) continue;
    summary.withBaseline++;
    if (child.exit === null) continue;
    summary.withBaselineAndExit++;
    if (improved(child.baseline, child.exit, scale)) summary.improved++;
    if (crossedThreshold(child.baseline, child.exit, scale)) summary.crossedThreshold++;
  }
  return summary;
}

import type { IndicatorDirection, IndicatorDomain } from '../support.table.ts';

/** The domains in the order pages list them. */
export const DOMAINS: readonly IndicatorDomain[] = [
  'attendance',
  'attainment',
  'wellbeing',
  'economic_disadvantage',
  'exclusions',
  'other',
];

export const DOMAIN_LABELS: Record<IndicatorDomain, string> = {
  attendance: 'Attendance',
  attainment: 'Attainment',
  wellbeing: 'Wellbeing',
  economic_disadvantage: 'Economic disadvantage',
  exclusions: 'Exclusions',
  other: 'Other',
};

export const DIRECTION_LABELS: Record<IndicatorDirection, string> = {
  below: 'Flag when the value is below the threshold',
  above: 'Flag when the value is above the threshold',
  yes: "Flag when the value is 'yes'",
};

export interface IndicatorRule {
  domain: IndicatorDomain;
  columnName: string;
  label: string;
  direction: IndicatorDirection;
  /** Null for yes/no indicators. */
  threshold: number | null;
}

export interface Flags {
  /** Each domain flagged by at least one of its indicators, in DOMAINS order. */
  domains: IndicatorDomain[];
  /** The number of domains flagged: a child with two wellbeing flags counts one for wellbeing. */
  count: number;
}

/**
 * Whether one value trips one indicator. An empty value means "not known" and never flags: a missing
 * measure must not push a child up the list.
 */
export function flags(rule: IndicatorRule, value: string | undefined): boolean {
  const text = (value ?? '').trim();
  if (text === '') return false;
  if (rule.direction === 'yes') return text.toLowerCase() === 'yes';
  const number = Number(text);
  if (!Number.isFinite(number) || rule.threshold === null) return false;
  return rule.direction === 'below' ? number < rule.threshold : number > rule.threshold;
}

/** The domains a child's measures flag under a programme's indicators. */
export function flagsFor(rules: readonly IndicatorRule[], measures: Readonly<Record<string, string>>): Flags {
  const flagged = new Set<IndicatorDomain>();
  for (const rule of rules) if (flags(rule, measures[rule.columnName])) flagged.add(rule.domain);
  const domains = DOMAINS.filter((d) => flagged.has(d));
  return { domains, count: domains.length };
}

export interface Rankable {
  reference: string;
  flagCount: number;
}

/**
 * The review order: most domains flagged first; ties by the school's reference, so the order is stable and
 * says nothing beyond the flags. The repository's ORDER BY is the same (tested against this).
 */
export function compareForReview(a: Rankable, b: Rankable): number {
  if (a.flagCount !== b.flagCount) return b.flagCount - a.flagCount;
  return a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0;
}

export function rank<T extends Rankable>(children: readonly T[]): T[] {
  return [...children].sort(compareForReview);
}

/** Problems with a value for an indicator, or undefined when it can be read. */
export function valueProblem(rule: IndicatorRule, value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (rule.direction === 'yes') {
    return /^(yes|no)$/i.test(text) ? undefined : `${rule.columnName} must be yes or no, not "${text}"`;
  }
  if (!/^[-+]?\d+(\.\d+)?$/.test(text)) return `${rule.columnName} must be a number, not "${text}"`;
  if (rule.columnName === 'attendance_pct' && (Number(text) < 0 || Number(text) > 100)) {
    return `attendance_pct must be between 0 and 100, not ${text}`;
  }
  return undefined;
}

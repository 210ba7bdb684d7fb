import type { Answers } from '../assemblies.table.ts';
import type { Categories, Respondent } from '../selection/selection-csv.ts';

/**
 * Between the assembly's features as officers keep them and the selection engine's input. Pure: no I/O.
 */

export interface FeatureValue {
  id: string;
  name: string;
  min: number;
  max: number;
  minFlex: number | null;
  maxFlex: number | null;
}

export interface AssemblyFeature {
  id: string;
  name: string;
  question: string;
  specialCategory: boolean;
  values: FeatureValue[];
}

export interface PoolMember {
  pseudonym: string;
  answers: Answers;
  household: string | null;
}

/**
 * A feature constrains selection only when one of its values has a binding quota; a feature whose every
 * value allows 0 to k members is left out of the selection, so a missing answer to it excludes nobody.
 */
export function hasQuotas(feature: AssemblyFeature, k: number): boolean {
  return feature.values.some((v) => v.min > 0 || v.max < k);
}

export function quotaFeatures(features: readonly AssemblyFeature[], k: number): AssemblyFeature[] {
  return features.filter((f) => f.values.length > 0 && hasQuotas(f, k));
}

export function categoriesOf(features: readonly AssemblyFeature[]): Categories {
  return {
    features: features.map((f) => ({
      name: f.name,
      values: f.values.map((v) => ({
        name: v.name,
        min: v.min,
        max: v.max,
        ...(v.minFlex === null ? {} : { minFlex: v.minFlex }),
        ...(v.maxFlex === null ? {} : { maxFlex: v.maxFlex }),
      })),
    })),
  };
}

export interface Excluded {
  pseudonym: string;
  /** The features without an answer. */
  missing: string[];
}

/**
 * The engine's respondents (id = the pseudonym) from registrants' answers. A registrant with no answer
 * to a feature that has quotas cannot be placed against them and is left out — notably someone who did
 * not consent to special-category data when such a feature has quotas.
 */
export function respondentsOf(
  features: readonly AssemblyFeature[],
  members: readonly PoolMember[],
): { respondents: Respondent[]; excluded: Excluded[] } {
  const respondents: Respondent[] = [];
  const excluded: Excluded[] = [];
  for (const m of members) {
    const missing: string[] = [];
    const values = features.map((f) => {
      const index = f.values.findIndex((v) => v.id === m.answers[f.id]);
      if (index < 0) missing.push(f.name);
      return index;
    });
    if (missing.length > 0) excluded.push({ pseudonym: m.pseudonym, missing });
    else respondents.push({ id: m.pseudonym, values, household: m.household });
  }
  return { respondents, excluded };
}

/** The household key of an address, as the engine's readers fold address cells. */
export function householdOf(parts: readonly string[]): string | null {
  const folded = parts.map((p) => p.trim().toLocaleLowerCase('en').replace(/\s+/g, ' '));
  return folded.every((p) => p === '') ? null : folded.join('\u001f');
}

/** `R0001`, `R0002` … */
export const pseudonymOf = (n: number): string => `R${String(n).padStart(4, '0')}`;

/**
 * Reads a feature's values as typed by officers, one a line: `value, min, max[, min_flex, max_flex]`.
 * Returns the values or the problems, each naming its line.
 */
export function parseValueLines(
  text: string,
): { ok: true; values: Omit<FeatureValue, 'id'>[] } | { ok: false; problems: string[] } {
  const values: Omit<FeatureValue, 'id'>[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(',').map((c) => c.trim());
    const n = i + 1;
    if (cells.length !== 3 && cells.length !== 5) {
      problems.push(`Line ${n}: write the value, its minimum and maximum, like “Female, 11, 12”`);
      return;
    }
    const [name, ...numbers] = cells as [string, ...string[]];
    if (name === '') {
      problems.push(`Line ${n}: the value has no name`);
      return;
    }
    if (!numbers.every((c) => /^\d+$/.test(c))) {
      problems.push(`Line ${n}: the minimum and maximum must be whole numbers of people, 0 or more`);
      return;
    }
    const [min, max, minFlex, maxFlex] = numbers.map(Number) as [number, number, number?, number?];
    if (min > max) problems.push(`Line ${n}: the minimum ${min} is above the maximum ${max}`);
    else if (minFlex !== undefined && minFlex > min) {
      problems.push(`Line ${n}: the flexible minimum ${minFlex} is above the minimum ${min}`);
    } else if (maxFlex !== undefined && maxFlex < max) {
      problems.push(`Line ${n}: the flexible maximum ${maxFlex} is below the maximum ${max}`);
    } else if (seen.has(name.toLocaleLowerCase('en'))) problems.push(`Line ${n}: “${name}” is listed twice`);
    else {
      seen.add(name.toLocaleLowerCase('en'));
      values.push({ name, min, max, minFlex: minFlex ?? null, maxFlex: maxFlex ?? null });
    }
  });
  if (problems.length === 0 && values.length < 2) problems.push('Give at least two values, one a line');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** The lines parseValueLines reads, for editing. */
export function valueLines(values: readonly Omit<FeatureValue, 'id'>[]): string {
  return values
    .map((v) =>
      [
        v.name,
        v.min,
        v.max,
        ...(v.minFlex !== null || v.maxFlex !== null ? [v.minFlex ?? 0, v.maxFlex ?? v.max] : []),
      ].join(', '),
    )
    .join('\n');
}

import type { Categories, Respondent } from './selection-csv.ts';

/**
 * Respondents who are interchangeable for selection, solved as one variable.
 *
 * WHY THE TYPE REDUCTION IS EXACT (proof sketch). Put respondents in the same type when they have the same
 * value on every feature and either both live alone (no housemate in the pool) or both live in the same
 * household. Let G be the group of permutations of respondents that only move people within their type.
 * (1) G preserves validity: swapping two people of one type keeps every feature count, and keeps "at most
 * one per household" because either neither has a housemate or they share one household. So for a
 * distribution D over valid panels and g in G, g·D is a distribution over valid panels, and the selection
 * probabilities of g·D are those of D permuted by g.
 * (2) MAXIMIN: the average D' = (1/|G|) Σ g·D is valid and gives every member of a type the average of
 * its members' probabilities under D; the minimum of averages is at least the average of minima, so D'
 * is optimal whenever D is. LEXIMIN: the leximin-optimal probability vector over a convex set is unique,
 * and every g·D is leximin-optimal too, so that vector is invariant under G — equal within each type.
 * (3) So it is enough to search distributions whose probabilities are equal within types. A panel then
 * only matters through its count vector c (c_t members of type t, 0 ≤ c_t ≤ |t|, quotas on sums of c,
 * Σ_{t in household h} c_t ≤ 1), and any distribution over count vectors is realised by a distribution
 * over panels that, given c, picks the c_t members of each type uniformly: each member of t is then
 * selected with probability Σ_c p_c · c_t / |t|. The LPs and ILPs below therefore have one variable per
 * type, not per person, and lose nothing.
 * People in multi-person households stay in types of their own household (usually of size 1); the
 * household constraint is a row over those types — exact, with no approximation of the rule.
 */
export interface PoolType {
  /** Member ids in canonical order (JavaScript string order: UTF-16 code units). */
  readonly members: readonly string[];
  /** Value index per feature, as in Respondent.values. */
  readonly values: readonly number[];
  /** The household for types from a multi-person household, else null. */
  readonly household: string | null;
}

export interface Pool {
  readonly categories: Categories;
  readonly respondents: readonly Respondent[];
  /** Types in canonical order: by their first member id. */
  readonly types: readonly PoolType[];
  /** Type indices of each multi-person household (at most one of them may sit on a panel). */
  readonly households: readonly (readonly number[])[];
  /** Type index of each respondent id. */
  readonly typeOf: ReadonlyMap<string, number>;
}

export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildPool(categories: Categories, respondents: readonly Respondent[]): Pool {
  const householdSize = new Map<string, number>();
  for (const r of respondents) {
    if (r.household !== null) householdSize.set(r.household, (householdSize.get(r.household) ?? 0) + 1);
  }
  const groups = new Map<
    string,
    { members: string[]; values: readonly number[]; household: string | null }
  >();
  for (const r of respondents) {
    const household = r.household !== null && householdSize.get(r.household)! > 1 ? r.household : null;
    const key = `${household ?? ''}\u001e${r.values.join(',')}`;
    let group = groups.get(key);
    if (!group) {
      group = { members: [], values: r.values, household };
      groups.set(key, group);
    }
    group.members.push(r.id);
  }
  const types = [...groups.values()]
    .map((g) => ({ ...g, members: g.members.sort(compareIds) }))
    .sort((a, b) => compareIds(a.members[0]!, b.members[0]!));
  const typeOf = new Map<string, number>();
  const byHousehold = new Map<string, number[]>();
  types.forEach((t, i) => {
    for (const id of t.members) typeOf.set(id, i);
    if (t.household !== null) {
      const list = byHousehold.get(t.household) ?? [];
      list.push(i);
      byHousehold.set(t.household, list);
    }
  });
  return { categories, respondents, types, households: [...byHousehold.values()], typeOf };
}

/** A panel as counts per type (index = type index). */
export type Panel = readonly number[];

/** Problems with a panel (empty when it has k members, meets every quota and the household rule). */
export function panelProblems(pool: Pool, panel: Panel, k: number): string[] {
  const problems: string[] = [];
  const size = panel.reduce((s, c) => s + c, 0);
  if (size !== k) problems.push(`${size} members, not ${k}`);
  panel.forEach((c, t) => {
    if (!Number.isInteger(c) || c < 0 || c > pool.types[t]!.members.length) problems.push(`type ${t}: ${c}`);
  });
  pool.categories.features.forEach((feature, f) => {
    feature.values.forEach((value, v) => {
      let n = 0;
      panel.forEach((c, t) => {
        if (pool.types[t]!.values[f] === v) n += c;
      });
      if (n < value.min || n > value.max) {
        problems.push(`${feature.name}/${value.name}: ${n} not in ${value.min}–${value.max}`);
      }
    });
  });
  for (const household of pool.households) {
    if (household.reduce((s, t) => s + panel[t]!, 0) > 1) problems.push('two members of one household');
  }
  return problems;
}

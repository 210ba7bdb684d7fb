import { createHash } from 'node:crypto';
import type { Algorithm, Distribution } from '../selection/distribution.ts';
import type { Pool } from '../selection/pool.ts';
import type { Categories, Respondent } from '../selection/selection-csv.ts';
import type { ComputedLottery } from './selection.worker.ts';

/** What a selection is computed from, fixed when it is asked for. */
export interface SelectionInputs {
  categories: Categories;
  respondents: Respondent[];
  k: number;
  algorithm: Algorithm;
  addressColumns: string[];
}

export interface StoredLottery extends ComputedLottery {
  probabilities: Record<string, number>;
  /** For the uniform lottery over m panels: the m panels, fixed when the distribution is published. */
  uniform?: { panels: string[][]; maxDeviation: number };
}

/** The engine's Pool and Distribution again, from what was stored. */
export function restore(
  inputs: SelectionInputs,
  lottery: ComputedLottery,
): { pool: Pool; distribution: Distribution } {
  const typeOf = new Map<string, number>();
  lottery.types.forEach((members, t) => {
    for (const m of members) typeOf.set(m, t);
  });
  const byId = new Map(inputs.respondents.map((r) => [r.id, r]));
  const pool: Pool = {
    categories: inputs.categories,
    respondents: inputs.respondents,
    types: lottery.types.map((members) => ({
      members,
      values: byId.get(members[0]!)!.values,
      household: null,
    })),
    households: [],
    typeOf,
  };
  const distribution: Distribution = {
    algorithm: inputs.algorithm,
    k: inputs.k,
    panels: lottery.panels,
    typeProbabilities: lottery.typeProbabilities,
    minimum: lottery.minimum,
    neverSelectable: lottery.neverSelectable,
    stats: { pricing: 0, levels: 0, seconds: 0 },
  };
  return { pool, distribution };
}

/**
 * SHA-256 (hex) of the published distribution: the JSON text of {"types":[[ids…]…],"panels":[[counts…,
 * probability]…]} — with the seed, everything needed to redo the draw.
 */
export function distributionHash(lottery: ComputedLottery): string {
  const text = JSON.stringify({
    types: lottery.types,
    panels: lottery.panels.map((p) => [p.panel, p.probability]),
  });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface QuotaRow {
  feature: string;
  value: string;
  min: number;
  max: number;
  selected: number;
  met: boolean;
}

/** Each quota against the panel's members (ids as in the inputs). */
export function quotaRows(inputs: SelectionInputs, members: readonly string[]): QuotaRow[] {
  const byId = new Map(inputs.respondents.map((r) => [r.id, r]));
  const rows: QuotaRow[] = [];
  inputs.categories.features.forEach((feature, f) => {
    feature.values.forEach((value, v) => {
      const selected = members.filter((id) => byId.get(id)?.values[f] === v).length;
      rows.push({
        feature: feature.name,
        value: value.name,
        min: value.min,
        max: value.max,
        selected,
        met: selected >= value.min && selected <= value.max,
      });
    });
  });
  return rows;
}

export function probabilityStats(probabilities: Record<string, number>) {
  const values = Object.values(probabilities).sort((a, b) => a - b);
  if (values.length === 0) return { min: 0, median: 0, max: 0, count: 0 };
  const mid = Math.floor(values.length / 2);
  const median = values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return { min: values[0]!, median, max: values[values.length - 1]!, count: values.length };
}

/** pseudonym,probability — one line each, in pseudonym order. */
export function probabilitiesCsv(probabilities: Record<string, number>): string {
  const ids = Object.keys(probabilities).sort();
  return `id,probability\n${ids.map((id) => `${id},${probabilities[id]!.toFixed(6)}`).join('\n')}\n`;
}

/**
 * The inputs as the two files `npm run select` reads; with `--address-columns household` it finds the same
 * input hash, since households are already pseudonymous (h1, h2 …) in the inputs.
 */
export function selectionFiles(inputs: SelectionInputs): { categories: string; respondents: string } {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const categories = [
    'feature,value,min,max,min_flex,max_flex',
    ...inputs.categories.features.flatMap((f) =>
      f.values.map((v) =>
        [f.name, v.name, v.min, v.max, v.minFlex ?? '', v.maxFlex ?? '']
          .map((x) => cell(String(x)))
          .join(','),
      ),
    ),
  ].join('\n');
  const respondents = [
    ['id', ...inputs.categories.features.map((f) => f.name), 'household'].map(cell).join(','),
    ...inputs.respondents.map((r) =>
      [r.id, ...r.values.map((v, f) => inputs.categories.features[f]!.values[v]!.name), r.household ?? '']
        .map(cell)
        .join(','),
    ),
  ].join('\n');
  return { categories: `${categories}\n`, respondents: `${respondents}\n` };
}

/** Households replaced by h1, h2 … in order of first appearance, so inputs can be published. */
export function pseudonymousHouseholds(respondents: readonly Respondent[]): Respondent[] {
  const names = new Map<string, string>();
  return respondents.map((r) => {
    if (r.household === null) return r;
    if (!names.has(r.household)) names.set(r.household, `h${names.size + 1}`);
    return { ...r, household: names.get(r.household)! };
  });
}

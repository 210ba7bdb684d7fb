import {
  type Algorithm,
  type Distribution,
  type DistributionOptions,
  findDistribution,
} from './distribution.ts';
import { type DrawnPanel, drawPanel, inputHash } from './draw.ts';
import { buildPool, type Pool } from './pool.ts';
import { type Categories, type Respondent, readCategories, readRespondents } from './selection-csv.ts';

export interface SelectionInput {
  readonly categories: Categories;
  readonly respondents: readonly Respondent[];
  readonly k: number;
  readonly algorithm: Algorithm;
  /** Named only so the input hash records them; the households are already in the respondents. */
  readonly addressColumns: readonly string[];
  readonly seed?: string;
}

export interface Selection {
  readonly pool: Pool;
  readonly distribution: Distribution;
  /** Each respondent's selection probability, in file order. */
  readonly probabilities: ReadonlyMap<string, number>;
  readonly minimum: number;
  readonly inputHash: string;
  readonly drawn: DrawnPanel | null;
}

/** The engine's entry point: the lottery, each respondent's probability and, given a seed, the panel. */
export async function runSelection(
  input: SelectionInput,
  options: DistributionOptions = {},
): Promise<Selection> {
  if (!Number.isInteger(input.k) || input.k < 1) throw new RangeError('k must be a whole number ≥ 1');
  const pool = buildPool(input.categories, input.respondents);
  const distribution = await findDistribution(pool, input.k, input.algorithm, options);
  const probabilities = new Map(
    input.respondents.map((r) => [r.id, distribution.typeProbabilities[pool.typeOf.get(r.id)!]!]),
  );
  return {
    pool,
    distribution,
    probabilities,
    minimum: distribution.minimum,
    inputHash: inputHash(input),
    drawn: input.seed === undefined ? null : drawPanel(pool, distribution, input.seed),
  };
}

/** Reads both files and runs the selection (what `npm run select` does). */
export async function runSelectionFromCsv(
  files: { readonly categories: string; readonly respondents: string },
  settings: Omit<SelectionInput, 'categories' | 'respondents'>,
  options: DistributionOptions = {},
): Promise<Selection> {
  const categories = readCategories(files.categories);
  const respondents = readRespondents(files.respondents, categories, {
    addressColumns: settings.addressColumns,
  });
  return runSelection({ ...settings, categories, respondents }, options);
}

import { type Distribution, type DistributionOptions, findDistribution } from './distribution.ts';
import { type DrawnPanel, drawPanel } from './draw.ts';
import { buildPool, type Pool } from './pool.ts';
import type { Categories, Respondent } from './selection-csv.ts';

export interface Replacements {
  /** The quotas still to fill: the original ones minus what the remaining members already hold. */
  readonly quotas: Categories;
  /** Who may replace: not on the panel and from no household that had a member on it. */
  readonly pool: Pool;
  readonly distribution: Distribution;
  readonly drawn: DrawnPanel | null;
}

/**
 * Replacements for members who dropped out, chosen by MAXIMIN over the rest of the pool against the
 * unfilled quotas, so the least-likely candidate is as likely as possible. A household with anyone on the
 * panel as selected — including someone who dropped out — is excluded: the rule is about the households
 * that were selected, and a housemate stepping in for a dropout would bend it. Infeasible unfilled quotas
 * throw InfeasibleQuotasError with the smallest relaxation.
 */
export async function findReplacements(
  categories: Categories,
  respondents: readonly Respondent[],
  selected: readonly string[],
  droppedOut: readonly string[],
  options: DistributionOptions & { readonly seed?: string } = {},
): Promise<Replacements> {
  const byId = new Map(respondents.map((r) => [r.id, r]));
  const chosen = new Set(selected);
  for (const id of selected) if (!byId.has(id)) throw new RangeError(`selected id ${id} is not a respondent`);
  for (const id of droppedOut) {
    if (!chosen.has(id)) throw new RangeError(`id ${id} dropped out but was not selected`);
  }
  if (droppedOut.length === 0) throw new RangeError('nobody dropped out');
  const gone = new Set(droppedOut);
  const remaining = selected.filter((id) => !gone.has(id)).map((id) => byId.get(id)!);

  const quotas: Categories = {
    features: categories.features.map((feature, f) => ({
      name: feature.name,
      values: feature.values.map((value, v) => {
        const held = remaining.filter((r) => r.values[f] === v).length;
        if (held > value.max) {
          throw new RangeError(
            `the remaining members hold ${held} of ${feature.name}/${value.name}, above its max`,
          );
        }
        return {
          name: value.name,
          min: Math.max(0, value.min - held),
          max: value.max - held,
          ...(value.minFlex === undefined ? {} : { minFlex: Math.max(0, value.minFlex - held) }),
          ...(value.maxFlex === undefined ? {} : { maxFlex: value.maxFlex - held }),
        };
      }),
    })),
  };
  const takenHouseholds = new Set(
    selected.map((id) => byId.get(id)!.household).filter((h): h is string => h !== null),
  );
  const candidates = respondents.filter(
    (r) => !chosen.has(r.id) && (r.household === null || !takenHouseholds.has(r.household)),
  );
  if (candidates.length === 0) throw new RangeError('nobody is left in the pool');
  const pool = buildPool(quotas, candidates);
  const distribution = await findDistribution(pool, droppedOut.length, 'maximin', options);
  const drawn = options.seed === undefined ? null : drawPanel(pool, distribution, options.seed);
  return { quotas, pool, distribution, drawn };
}

import { addPanelRows, addTypeColumns, loadSolver } from './panel-model.ts';
import type { Panel, Pool } from './pool.ts';

/** One quota loosened by the smallest relaxation. */
export interface QuotaChange {
  readonly feature: string;
  readonly value: string;
  readonly min: { readonly from: number; readonly to: number } | null;
  readonly max: { readonly from: number; readonly to: number } | null;
}

export type Feasibility =
  | { readonly feasible: true; readonly panel: Panel }
  /** relaxation is null when no loosening within the flexible bounds helps (e.g. too few households). */
  | { readonly feasible: false; readonly relaxation: readonly QuotaChange[] | null };

/** "Gender/Female: min 11 → 9", one line per changed bound. */
export function describeChange(change: QuotaChange): string {
  const parts = [
    change.min ? `min ${change.min.from} → ${change.min.to}` : null,
    change.max ? `max ${change.max.from} → ${change.max.to}` : null,
  ].filter((p) => p !== null);
  return `${change.feature}/${change.value}: ${parts.join(', ')}`;
}

export class InfeasibleQuotasError extends Error {
  constructor(
    readonly k: number,
    readonly relaxation: readonly QuotaChange[] | null,
  ) {
    super(
      relaxation === null
        ? `no panel of ${k} can be drawn from this pool, even with every quota loosened as far as its flexible bounds allow`
        : `no panel of ${k} meets the quotas; the smallest relaxation that makes one possible is: ${relaxation.map(describeChange).join('; ')}`,
    );
    this.name = 'InfeasibleQuotasError';
  }
}

/**
 * Is there any valid panel of k? When not, the smallest relaxation: an ILP over the type counts plus, for
 * every quota value, a slack below its min (at most min − min_flex, or min when no flex is given) and one
 * above its max (up to max_flex, or k), minimising the total slack. The answer is exact: any panel meeting
 * the loosened quotas shows the loosening suffices, and the ILP finds the least total.
 */
export async function checkFeasibility(pool: Pool, k: number): Promise<Feasibility> {
  const highs = await loadSolver();
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false });
    addTypeColumns(highs, model, pool);
    addPanelRows(highs, model, pool, k);
    model.run();
    if (model.getModelStatus() === highs.constants.modelStatus.optimal) {
      return { feasible: true, panel: Array.from(model.getSolution().colValue, (x) => Math.round(x)) };
    }
  } finally {
    model.dispose();
  }
  return { feasible: false, relaxation: await smallestRelaxation(pool, k) };
}

async function smallestRelaxation(pool: Pool, k: number): Promise<QuotaChange[] | null> {
  const highs = await loadSolver();
  const model = highs.createModel();
  try {
    model.options.set({ output_flag: false });
    addTypeColumns(highs, model, pool);
    const types = pool.types.map((_, t) => t);
    model.addRow(k, k, { indices: types, values: types.map(() => 1) });
    for (const household of pool.households) {
      model.addRow(-highs.infinity, 1, { indices: household, values: household.map(() => 1) });
    }
    const slacks: {
      feature: string;
      value: string;
      min: number;
      max: number;
      below: number;
      above: number;
    }[] = [];
    let col = types.length;
    pool.categories.features.forEach((feature, f) => {
      feature.values.forEach((value, v) => {
        const having = types.filter((t) => pool.types[t]!.values[f] === v);
        const below = col++;
        const above = col++;
        model.addCol(1, 0, value.min - (value.minFlex ?? 0), { indices: [], values: [] });
        model.addCol(1, 0, Math.max(0, (value.maxFlex ?? k) - value.max), { indices: [], values: [] });
        model.changeColIntegrality(below, highs.constants.variableType.integer);
        model.changeColIntegrality(above, highs.constants.variableType.integer);
        model.addRow(value.min, highs.infinity, {
          indices: [...having, below],
          values: [...having.map(() => 1), 1],
        });
        model.addRow(-highs.infinity, value.max, {
          indices: [...having, above],
          values: [...having.map(() => 1), -1],
        });
        slacks.push({
          feature: feature.name,
          value: value.name,
          min: value.min,
          max: value.max,
          below,
          above,
        });
      });
    });
    model.run();
    if (model.getModelStatus() !== highs.constants.modelStatus.optimal) return null;
    const x = model.getSolution().colValue;
    return slacks
      .map((s) => {
        const down = Math.round(x[s.below]!);
        const up = Math.round(x[s.above]!);
        return {
          feature: s.feature,
          value: s.value,
          min: down > 0 ? { from: s.min, to: s.min - down } : null,
          max: up > 0 ? { from: s.max, to: s.max + up } : null,
        };
      })
      .filter((c) => c.min !== null || c.max !== null);
  } finally {
    model.dispose();
  }
}

import highsModule, { type Highs, type Model } from 'highs';
import type { Panel, Pool } from './pool.ts';

// The package ships CommonJS typings for an ES module: TypeScript sees the loader as `.default` of the
// default import while Node's ESM build exports it directly, so accept either shape.
const highsLoader = ((highsModule as unknown as { default?: unknown }).default ??
  highsModule) as unknown as typeof highsModule.default;

let loading: Promise<Highs> | undefined;

/** HiGHS compiled to WebAssembly, loaded once per process (loading compiles the module: ~100 ms). */
export function loadSolver(): Promise<Highs> {
  loading ??= highsLoader();
  return loading as Promise<Highs>;
}

/** Rows a panel must satisfy: size k, every quota, at most one per multi-person household. */
export function addPanelRows(highs: Highs, model: Model, pool: Pool, k: number): void {
  const types = pool.types.map((_, t) => t);
  model.addRow(k, k, { indices: types, values: types.map(() => 1) });
  pool.categories.features.forEach((feature, f) => {
    feature.values.forEach((value, v) => {
      const having = types.filter((t) => pool.types[t]!.values[f] === v);
      model.addRow(value.min, value.max, { indices: having, values: having.map(() => 1) });
    });
  });
  for (const household of pool.households) {
    model.addRow(-highs.infinity, 1, { indices: household, values: household.map(() => 1) });
  }
}

export function addTypeColumns(highs: Highs, model: Model, pool: Pool): void {
  pool.types.forEach((type, t) => {
    model.addCol(0, 0, type.members.length, { indices: [], values: [] });
    model.changeColIntegrality(t, highs.constants.variableType.integer);
  });
}

/**
 * The pricing problem of column generation: a valid panel maximising Σ_t weight_t · c_t. One HiGHS model
 * is kept and only its objective changes between calls, so the model is built once per run.
 */
export class PanelOracle {
  private readonly model: Model;

  private constructor(private readonly highs: Highs) {
    this.model = highs.createModel();
  }

  static async create(pool: Pool, k: number): Promise<PanelOracle> {
    const highs = await loadSolver();
    const oracle = new PanelOracle(highs);
    const m = oracle.model;
    m.options.set({ output_flag: false, mip_rel_gap: 1e-7, mip_abs_gap: 1e-10 });
    m.changeObjectiveSense(highs.constants.objectiveSense.maximize);
    addTypeColumns(highs, m, pool);
    addPanelRows(highs, m, pool, k);
    return oracle;
  }

  /** The best panel for these per-member weights (one per type), or null when no panel is valid. */
  best(weights: readonly number[]): { panel: Panel; value: number } | null {
    this.model.changeColsCost({ kind: 'range', from: 0, to: weights.length - 1 }, Float64Array.from(weights));
    this.model.run();
    if (this.model.getModelStatus() !== this.highs.constants.modelStatus.optimal) return null;
    const panel = Array.from(this.model.getSolution().colValue, (x) => Math.round(x));
    const value = panel.reduce((s, c, t) => s + c * weights[t]!, 0);
    return { panel, value };
  }

  dispose(): void {
    this.model.dispose();
  }
}

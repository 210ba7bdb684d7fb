import type { Model } from 'highs';
import { checkFeasibility, InfeasibleQuotasError } from './feasibility.ts';
import { loadSolver, PanelOracle } from './panel-model.ts';
import type { Panel, Pool } from './pool.ts';

export type Algorithm = 'maximin' | 'leximin';
export const ALGORITHMS: readonly Algorithm[] = ['maximin', 'leximin'];

/** A lottery over panels: panels (type counts) in canonical order with their probabilities. */
export interface Distribution {
  readonly algorithm: Algorithm;
  readonly k: number;
  readonly panels: readonly { readonly panel: Panel; readonly probability: number }[];
  /** Selection probability of each member of each type (the same for every member: see pool.ts). */
  readonly typeProbabilities: readonly number[];
  /** The smallest selection probability of any respondent. */
  readonly minimum: number;
  /** Types that no valid panel can include (their members' probability is 0 under any lottery). */
  readonly neverSelectable: readonly number[];
  /** Pricing problems solved and, for LEXIMIN, levels fixed — for progress and the benchmark. */
  readonly stats: { readonly pricing: number; readonly levels: number; readonly seconds: number };
}

export interface DistributionOptions {
  /** Stop a level when no panel improves its objective by more than this (the reference uses 5e-4). */
  readonly tolerance?: number;
  /** Checked between solves, so a background job can cancel. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { pricing: number; levels: number; fixed: number; types: number }) => void;
}

/** Panels with less probability than this are rounding noise of the LP and are dropped. */
const NEGLIGIBLE = 1e-9;
/** A type's dual weight above this means it is tight at the level's optimum (see fixing below). */
const TIGHT = 1e-6;
/** Fixed levels are imposed this much below their value, so solver round-off cannot make the LP infeasible. */
const FIX_SLACK = 1e-7;

export const compareCounts = (a: Panel, b: Panel): number => {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
};

/**
 * MAXIMIN or LEXIMIN selection probabilities by column generation over panels of types (pool.ts).
 *
 * Master LP over the panels P found so far, with x_P their probabilities and π_t = Σ_P x_P · c_t(P)/|t|:
 *   maximise z  subject to  π_t − z ≥ 0 for unfixed types,  π_t ≥ f_t for fixed ones,  Σ_P x_P = 1.
 * Its duals are weights w_t ≥ 0 (Σ over unfixed types = 1) and ŷ for the last row; a panel outside P
 * would improve the LP only if Σ_t c_t · w_t/|t| > ŷ, which the pricing ILP (PanelOracle) maximises. The
 * best such value is an upper bound on the level's optimum, so stopping when it exceeds ŷ by at most
 * `tolerance` bounds the error of z by it.
 * MAXIMIN is the first level. LEXIMIN then fixes every type with positive dual weight at z — by
 * complementary slackness those types are at z in every optimal lottery — and maximises the minimum over
 * the rest, until every type is fixed. Since whole types are fixed at once, there are few levels.
 */
export async function findDistribution(
  pool: Pool,
  k: number,
  algorithm: Algorithm,
  options: DistributionOptions = {},
): Promise<Distribution> {
  const started = performance.now();
  const tolerance = options.tolerance ?? 5e-4;
  const feasibility = await checkFeasibility(pool, k);
  if (!feasibility.feasible) throw new InfeasibleQuotasError(k, feasibility.relaxation);

  const highs = await loadSolver();
  const oracle = await PanelOracle.create(pool, k);
  const master = highs.createModel();
  try {
    const T = pool.types.length;
    const sizes = pool.types.map((t) => t.members.length);
    const panels: Panel[] = [];
    const seen = new Set<string>();
    let pricing = 0;
    const check = (): void => {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('selection cancelled');
    };

    // Rows 0..T−1: one per type; row T: Σ x = 1. Column 0: z.
    master.options.set({ output_flag: false });
    master.changeObjectiveSense(highs.constants.objectiveSense.maximize);
    master.addCol(1, -highs.infinity, highs.infinity, { indices: [], values: [] });
    for (let t = 0; t < T; t++) master.addRow(0, highs.infinity, { indices: [0], values: [-1] });
    master.addRow(1, 1, { indices: [], values: [] });

    const addPanel = (panel: Panel): boolean => {
      const key = panel.join(',');
      if (seen.has(key)) return false;
      seen.add(key);
      panels.push(panel);
      const indices: number[] = [];
      const values: number[] = [];
      panel.forEach((c, t) => {
        if (c > 0) {
          indices.push(t);
          values.push(c / sizes[t]!);
        }
      });
      indices.push(T);
      values.push(1);
      master.addCol(0, 0, highs.infinity, { indices, values });
      return true;
    };

    // Start from panels that between them include every type that any panel can include: a big weight on
    // one uncovered type forces it in when possible, small weights on the others cover many per ILP.
    addPanel(feasibility.panel);
    const covered = sizes.map(() => false);
    feasibility.panel.forEach((c, t) => {
      if (c > 0) covered[t] = true;
    });
    const neverSelectable: number[] = [];
    for (let t = 0; t < T; t++) {
      if (covered[t]) continue;
      check();
      const weights = sizes.map((n, u) => (covered[u] ? 0 : 1 / n) + (u === t ? T : 0));
      const found = oracle.best(weights);
      pricing++;
      if (!found || found.panel[t] === 0) {
        neverSelectable.push(t);
        covered[t] = true;
        continue;
      }
      addPanel(found.panel);
      found.panel.forEach((c, u) => {
        if (c > 0) covered[u] = true;
      });
    }
    const fixed: (number | null)[] = sizes.map(() => null);
    for (const t of neverSelectable) fix(master, t, 0, highs.infinity);

    let levels = 0;
    let z = 0;
    for (;;) {
      levels++;
      // Column generation for this level.
      for (;;) {
        check();
        master.run();
        if (master.getModelStatus() !== highs.constants.modelStatus.optimal) {
          throw new Error(`the master LP ended with status ${master.getModelStatus()}`);
        }
        const solution = master.getSolution();
        z = solution.colValue[0]!;
        const duals = solution.rowDual;
        const weights = sizes.map((n, t) => Math.max(0, -duals[t]!) / n);
        const bound = duals[T]!;
        const found = oracle.best(weights);
        pricing++;
        options.onProgress?.({ pricing, levels, fixed: fixed.filter((f) => f !== null).length, types: T });
        if (!found || found.value <= bound + tolerance) break;
        // A repeated panel with a positive reduced cost is solver round-off: the level is as good as it gets.
        if (!addPanel(found.panel)) break;
      }
      if (algorithm === 'maximin') break;

      const duals = master.getSolution().rowDual;
      const open = sizes.map((_, t) => t).filter((t) => fixed[t] === null && !neverSelectable.includes(t));
      let tight = open.filter((t) => -duals[t]! > TIGHT);
      if (tight.length === 0) tight = [open.reduce((a, b) => (-duals[b]! > -duals[a]! ? b : a))];
      for (const t of tight) {
        fixed[t] = z;
        fix(master, t, z - FIX_SLACK, highs.infinity);
      }
      if (tight.length === open.length) break;
    }

    if (algorithm === 'leximin') {
      // Every type is fixed. Lift them all as far as the slack allows, so that the lottery meets each fixed
      // value exactly rather than FIX_SLACK below it.
      master.changeColBounds(0, 0, FIX_SLACK);
      for (let t = 0; t < T; t++) {
        if (fixed[t] !== null) master.changeCoefficient(t, 0, -1);
      }
      master.run();
      if (master.getModelStatus() !== highs.constants.modelStatus.optimal) {
        throw new Error(`the final LEXIMIN LP ended with status ${master.getModelStatus()}`);
      }
    }

    const x = master.getSolution().colValue;
    let total = 0;
    const chosen: { panel: Panel; probability: number }[] = [];
    panels.forEach((panel, i) => {
      const p = x[i + 1]!;
      if (p > NEGLIGIBLE) {
        chosen.push({ panel, probability: p });
        total += p;
      }
    });
    const lottery = chosen
      .map((c) => ({ panel: c.panel, probability: c.probability / total }))
      .sort((a, b) => compareCounts(a.panel, b.panel));
    const typeProbabilities = probabilitiesOf(lottery, sizes);
    return {
      algorithm,
      k,
      panels: lottery,
      typeProbabilities,
      minimum: Math.min(...typeProbabilities),
      neverSelectable,
      stats: { pricing, levels, seconds: (performance.now() - started) / 1000 },
    };
  } finally {
    master.dispose();
    oracle.dispose();
  }
}

/** A type's row no longer involves z: its probability must stay at least `lower`. */
function fix(master: Model, t: number, lower: number, infinity: number): void {
  master.changeCoefficient(t, 0, 0);
  master.changeRowBounds(t, lower, infinity);
}

/** Each member's selection probability per type, from a lottery over type panels. */
export function probabilitiesOf(
  lottery: readonly { readonly panel: Panel; readonly probability: number }[],
  sizes: readonly number[],
): number[] {
  const result = sizes.map(() => 0);
  for (const { panel, probability } of lottery) {
    panel.forEach((c, t) => {
      if (c > 0) result[t]! += (probability * c) / sizes[t]!;
    });
  }
  return result;
}

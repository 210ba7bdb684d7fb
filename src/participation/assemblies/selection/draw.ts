import { createHash } from 'node:crypto';
import type { Algorithm, Distribution } from './distribution.ts';
import { loadSolver } from './panel-model.ts';
import { compareIds, type Panel, type Pool } from './pool.ts';
import type { Categories, Respondent } from './selection-csv.ts';

/**
 * Uniform numbers from a published seed, reproducible by anyone with a SHA-256 implementation:
 * the j-th number (j = 0, 1, 2, …) is u_j = ⌊D_j / 2^203⌋ / 2^53, where D_j is the digest
 * SHA-256(UTF-8(seed) ‖ j as 8-byte big-endian unsigned integer) read as a 256-bit big-endian integer —
 * that is, its first 53 bits as a fraction in [0, 1).
 */
export class SeededStream {
  private counter = 0n;
  private readonly seed: Buffer;

  constructor(seed: string) {
    this.seed = Buffer.from(seed, 'utf8');
  }

  next(): number {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(this.counter++);
    const digest = createHash('sha256').update(this.seed).update(counter).digest();
    const high = BigInt(digest.readUInt32BE(0)) << 21n; // first 32 bits, shifted to the top of 53
    const low = BigInt(digest.readUInt32BE(4) >>> 11); // next 21 bits
    return Number(high | low) / 2 ** 53;
  }

  /** An integer in [0, n): ⌊u · n⌋ (the bias is below n / 2^53, far below anything observable). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * Shuffles ids (given in canonical order) by Fisher–Yates from the last position down: for i = n−1 … 1,
 * swap position i with position ⌊u · (i+1)⌋, u the next number of the stream.
 */
export function seededShuffle(ids: readonly string[], stream: SeededStream): string[] {
  const a = [...ids];
  for (let i = a.length - 1; i > 0; i--) {
    const j = stream.below(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export interface DrawnPanel {
  /** Index of the panel in the distribution's canonical order. */
  readonly panelIndex: number;
  /** Member ids in canonical order. */
  readonly members: readonly string[];
}

/**
 * THE DRAW. With the stream of the seed: u_0 picks the panel — the first in canonical order (panels
 * compared by their count vectors over types in canonical order) whose cumulative probability exceeds
 * u_0 — then, type by type in canonical order, the type's members (canonical order) are shuffled as in
 * seededShuffle and the first c_t taken. So the published distribution, type lists and seed fix the panel.
 */
export function drawPanel(pool: Pool, distribution: Distribution, seed: string): DrawnPanel {
  const stream = new SeededStream(seed);
  const u = stream.next();
  let cumulative = 0;
  let panelIndex = distribution.panels.length - 1;
  for (let i = 0; i < distribution.panels.length; i++) {
    cumulative += distribution.panels[i]!.probability;
    if (u < cumulative) {
      panelIndex = i;
      break;
    }
  }
  return { panelIndex, members: membersOf(pool, distribution.panels[panelIndex]!.panel, stream) };
}

function membersOf(pool: Pool, panel: Panel, stream: SeededStream): string[] {
  const members: string[] = [];
  panel.forEach((c, t) => {
    if (c > 0) members.push(...seededShuffle(pool.types[t]!.members, stream).slice(0, c));
  });
  return members.sort(compareIds);
}

export interface UniformLottery {
  /** m panels of member ids, each to be drawn with probability 1/m. */
  readonly panels: readonly (readonly string[])[];
  /** Each respondent's probability under the uniform lottery (panels holding them / m). */
  readonly probabilities: ReadonlyMap<string, number>;
  /** The largest |lottery probability − optimal probability| over respondents. */
  readonly maxDeviation: number;
  /** The rounding ILP's overshoot D: every probability is within (1 + D)/m of the optimum. */
  readonly overshoot: number;
}

/**
 * Rounds a distribution to m equally likely panels (after Flanigan et al., "Fair sortition made
 * transparent", 2021), so that the final draw is one uniform pick anyone can watch.
 * 1. Copies per panel: x_P ∈ {⌊m·p_P⌋, ⌈m·p_P⌉} with Σ x_P = m, chosen by an ILP so that every type's
 *    total seats S_t = Σ_P x_P·c_t(P) stays within [|t|·⌊m·π_t⌋, |t|·⌈m·π_t⌉] (the ILP minimises the
 *    largest overshoot D, in seats per member, within `timeLimit` seconds). Quotas can make D = 0
 *    impossible — the seats of a panel move together — so D is reported: on the 150-person library
 *    fixture it is 1 at every m tried (10 … 1,000).
 * 2. Members: for each type, the m panels in order take their c_t members cyclically from the type's
 *    members in canonical order, starting at an offset drawn from the seed; each member then sits on
 *    ⌊S_t/|t|⌋ or ⌈S_t/|t|⌉ panels, so every probability is within (1 + D)/m of the optimum, 1/m when
 *    D = 0 (as on example_small_20).
 * Draw the final panel with `new SeededStream(seed)` … `below(m)` on a fresh seed, or any public lottery.
 */
export async function uniformLottery(
  pool: Pool,
  distribution: Distribution,
  m: number,
  seed: string,
  timeLimit = 5,
): Promise<UniformLottery> {
  if (!Number.isInteger(m) || m < 1) throw new RangeError('m must be a whole number ≥ 1');
  const highs = await loadSolver();
  const model = highs.createModel();
  const sizes = pool.types.map((t) => t.members.length);
  const { panels } = distribution;
  let copies: number[];
  let overshoot: number;
  try {
    model.options.set({ output_flag: false, time_limit: timeLimit });
    panels.forEach(({ probability }, i) => {
      const mp = m * probability;
      model.addCol(0, Math.floor(mp + 1e-9), Math.max(Math.floor(mp + 1e-9), Math.ceil(mp - 1e-9)), {
        indices: [],
        values: [],
      });
      model.changeColIntegrality(i, highs.constants.variableType.integer);
    });
    const overshootCol = panels.length;
    model.addCol(1, 0, highs.infinity, { indices: [], values: [] });
    model.addRow(m, m, { indices: panels.map((_, i) => i), values: panels.map(() => 1) });
    pool.types.forEach((_, t) => {
      const holding = panels.map((p, i) => ({ i, c: p.panel[t]! })).filter((h) => h.c > 0);
      if (holding.length === 0) return;
      const target = m * distribution.typeProbabilities[t]!;
      const n = sizes[t]!;
      const indices = [...holding.map((h) => h.i), overshootCol];
      model.addRow(n * Math.floor(target + 1e-9), highs.infinity, {
        indices,
        values: [...holding.map((h) => h.c), n],
      });
      model.addRow(-highs.infinity, n * Math.ceil(target - 1e-9), {
        indices,
        values: [...holding.map((h) => h.c), -n],
      });
    });
    model.run();
    const status = model.getModelStatus();
    if (status !== highs.constants.modelStatus.optimal && status !== highs.constants.modelStatus.timeLimit) {
      throw new Error(`rounding to ${m} panels failed (status ${status})`);
    }
    const x = model.getSolution().colValue;
    copies = Array.from(x.slice(0, panels.length), (v) => Math.round(v));
    overshoot = x[overshootCol]!;
  } finally {
    model.dispose();
  }

  const expanded: Panel[] = [];
  copies.forEach((x, i) => {
    for (let j = 0; j < x; j++) expanded.push(panels[i]!.panel);
  });
  const stream = new SeededStream(seed);
  const next = sizes.map((n) => stream.below(n));
  const lotteryPanels = expanded.map((panel) => {
    const members: string[] = [];
    panel.forEach((c, t) => {
      const ids = pool.types[t]!.members;
      for (let j = 0; j < c; j++) {
        members.push(ids[next[t]!]!);
        next[t] = (next[t]! + 1) % ids.length;
      }
    });
    return members.sort(compareIds);
  });
  const seats = new Map<string, number>(pool.respondents.map((r) => [r.id, 0]));
  for (const panel of lotteryPanels) for (const id of panel) seats.set(id, seats.get(id)! + 1);
  const probabilities = new Map([...seats].map(([id, s]) => [id, s / m]));
  let maxDeviation = 0;
  for (const [id, p] of probabilities) {
    const optimum = distribution.typeProbabilities[pool.typeOf.get(id)!]!;
    maxDeviation = Math.max(maxDeviation, Math.abs(p - optimum));
  }
  return { panels: lotteryPanels, probabilities, maxDeviation, overshoot };
}

/**
 * SHA-256 (hex) of the inputs, to publish beside the seed: the JSON text of
 * {"categories":[[feature,value,min,max,min_flex|null,max_flex|null],…],
 *  "respondents":[[id,[value per feature…],household|null],…],"k":k,"algorithm":…,"addressColumns":[…]}
 * with features, values and respondents in file order, values spelt as in the categories file, and the
 * household as the folded address cells joined by U+001F.
 */
export function inputHash(input: {
  categories: Categories;
  respondents: readonly Respondent[];
  k: number;
  algorithm: Algorithm;
  addressColumns: readonly string[];
}): string {
  const { categories, respondents, k, algorithm, addressColumns } = input;
  const text = JSON.stringify({
    categories: categories.features.flatMap((f) =>
      f.values.map((v) => [f.name, v.name, v.min, v.max, v.minFlex ?? null, v.maxFlex ?? null]),
    ),
    respondents: respondents.map((r) => [
      r.id,
      r.values.map((v, f) => categories.features[f]!.values[v]!.name),
      r.household,
    ]),
    k,
    algorithm,
    addressColumns,
  });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

import type { Algorithm } from '../src/participation/assemblies/selection/distribution.ts';
import { findDistribution } from '../src/participation/assemblies/selection/distribution.ts';
import { checkFeasibility } from '../src/participation/assemblies/selection/feasibility.ts';
import { loadSolver } from '../src/participation/assemblies/selection/panel-model.ts';
import { buildPool } from '../src/participation/assemblies/selection/pool.ts';
import { readCategories, readRespondents } from '../src/participation/assemblies/selection/selection-csv.ts';
import { FIXTURES, readSortition } from '../src/participation/assemblies/selection/selection-fixtures.ts';

/**
 * Selection speed on the public pools: MAXIMIN and LEXIMIN on example_large_200 (2,000 people, k = 200)
 * and on the sortition-algorithms fixture (150 people, k = 22, household rule). Each figure is printed
 * beside two baselines measured in the same run — reading the files and forming the types, and one
 * feasibility ILP — as ratios to the ILP, so the numbers mean something on a shared, noisy machine.
 * Figures are the best of BENCH_RUNS runs (default 3; one when a run takes over 20 s). Every result is
 * checked (the known minimum, probabilities summing to k): a fast wrong answer is no success.
 *
 * Target: under 60 s for each algorithm on example_large_200 (the paper's LEXIMIN took ~1,160 s there).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_SECONDS = 60;

const INSTANCES = [
  { name: 'example_large_200', fixture: FIXTURES.large, minimum: 0.1 },
  { name: 'sortition-algorithms', fixture: FIXTURES.library, minimum: 0.0909 },
] as const;

async function best(work: () => Promise<unknown>, enough = 20): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    const s = (performance.now() - start) / 1000;
    fastest = Math.min(fastest, s);
    if (s > enough) break;
  }
  return fastest;
}

interface Figure {
  instance: string;
  what: string;
  seconds: number;
  ratio: number;
  minimum?: number;
  ok?: boolean;
}

async function main(): Promise<void> {
  await loadSolver();
  const figures: Figure[] = [];
  for (const { name, fixture, minimum } of INSTANCES) {
    const texts = {
      categories: readSortition(fixture.categories),
      respondents: readSortition(fixture.respondents),
    };
    const load = () => {
      const categories = readCategories(texts.categories);
      const respondents = readRespondents(texts.respondents, categories, {
        addressColumns: fixture.addressColumns,
      });
      return buildPool(categories, respondents);
    };
    const pool = load();
    const reading = await best(async () => load());
    const ilp = await best(() => checkFeasibility(pool, fixture.k));
    console.log(
      `\n${name}: ${pool.respondents.length} people in ${pool.types.length} types, k = ${fixture.k}; baselines: reading and typing ${reading.toFixed(4)} s, one feasibility ILP ${ilp.toFixed(4)} s`,
    );
    console.log(`${'what'.padEnd(22)}${'seconds'.padStart(10)}${'× ILP'.padStart(10)}  result`);
    const record = (figure: Figure, note: string) => {
      figures.push(figure);
      console.log(
        `${figure.what.padEnd(22)}${figure.seconds.toFixed(4).padStart(10)}${figure.ratio.toFixed(1).padStart(10)}  ${note}`,
      );
    };
    record({ instance: name, what: 'baseline: read+type', seconds: reading, ratio: reading / ilp }, '');
    record({ instance: name, what: 'baseline: feasibility', seconds: ilp, ratio: 1 }, '');
    for (const algorithm of ['maximin', 'leximin'] as Algorithm[]) {
      let found = await findDistribution(pool, fixture.k, algorithm);
      const seconds = await best(async () => {
        found = await findDistribution(pool, fixture.k, algorithm);
      });
      const total = found.typeProbabilities.reduce((s, p, t) => s + p * pool.types[t]!.members.length, 0);
      const ok = Math.abs(found.minimum - minimum) < 0.001 && Math.abs(total - fixture.k) < 1e-6;
      record(
        { instance: name, what: algorithm, seconds, ratio: seconds / ilp, minimum: found.minimum, ok },
        `minimum ${found.minimum.toFixed(6)}, ${found.panels.length} panels, ${found.stats.pricing} pricing ILPs, ${found.stats.levels} level(s)${ok ? '' : ' — WRONG'}`,
      );
    }
  }
  const large = figures.filter(
    (f) => f.instance === 'example_large_200' && (f.what === 'maximin' || f.what === 'leximin'),
  );
  const met = large.every((f) => f.seconds < TARGET_SECONDS && f.ok);
  console.log(
    `\ntarget: each algorithm under ${TARGET_SECONDS} s on example_large_200: ${met ? 'met' : 'NOT met'}`,
  );
  console.log(JSON.stringify({ target: { seconds: TARGET_SECONDS, met }, figures }));
  if (figures.some((f) => f.ok === false)) process.exitCode = 1;
}

await main();

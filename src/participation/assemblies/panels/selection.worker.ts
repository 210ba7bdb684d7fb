import { parentPort } from 'node:worker_threads';
import { type Algorithm, findDistribution } from '../selection/distribution.ts';
import { buildPool } from '../selection/pool.ts';
import type { Categories, Respondent } from '../selection/selection-csv.ts';

/**
 * Computes a selection lottery off the main thread: the solver runs for seconds on a large pool and would
 * otherwise hold up every request. Cancelling ends the thread.
 */

export interface SelectionRequest {
  categories: Categories;
  respondents: Respondent[];
  k: number;
  algorithm: Algorithm;
}

export interface ComputedLottery {
  /** Types' members (canonical order) and the panels as counts over them, with their probabilities. */
  types: string[][];
  panels: { panel: number[]; probability: number }[];
  typeProbabilities: number[];
  minimum: number;
  neverSelectable: number[];
}

export type SelectionMessage =
  | { kind: 'progress'; pricing: number; levels: number; fixed: number; types: number }
  | { kind: 'done'; lottery: ComputedLottery }
  | { kind: 'failed'; error: string; infeasible: boolean };

/** The computation itself, also run in the calling thread when a caller must wait for it (the demo seed). */
export async function computeLottery(
  request: SelectionRequest,
  onProgress?: (p: { pricing: number; levels: number; fixed: number; types: number }) => void,
): Promise<ComputedLottery> {
  const pool = buildPool(request.categories, request.respondents);
  const distribution = await findDistribution(
    pool,
    request.k,
    request.algorithm,
    onProgress ? { onProgress } : {},
  );
  return {
    types: pool.types.map((t) => [...t.members]),
    panels: distribution.panels.map((p) => ({ panel: [...p.panel], probability: p.probability })),
    typeProbabilities: [...distribution.typeProbabilities],
    minimum: distribution.minimum,
    neverSelectable: [...distribution.neverSelectable],
  };
}

parentPort?.on('message', async (request: SelectionRequest) => {
  try {
    const lottery = await computeLottery(request, (p) =>
      parentPort!.postMessage({ kind: 'progress', ...p } satisfies SelectionMessage),
    );
    parentPort!.postMessage({ kind: 'done', lottery } satisfies SelectionMessage);
  } catch (error) {
    parentPort!.postMessage({
      kind: 'failed',
      error: error instanceof Error ? error.message : String(error),
      infeasible: error instanceof Error && error.name === 'InfeasibleQuotasError',
    } satisfies SelectionMessage);
  }
});

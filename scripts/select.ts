import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ALGORITHMS, type Algorithm } from '../src/participation/assemblies/selection/distribution.ts';
import {
  describeChange,
  InfeasibleQuotasError,
} from '../src/participation/assemblies/selection/feasibility.ts';
import { runSelectionFromCsv } from '../src/participation/assemblies/selection/selection.ts';
import { SelectionInputError } from '../src/participation/assemblies/selection/selection-csv.ts';

/**
 * Anyone can check a selection: prints ONE line of JSON with every respondent's probability (by id, in file
 * order), the minimum, the input hash and — with --seed — the drawn panel and the distribution it was
 * drawn from (panels as counts over `types`, the interchangeable respondents, each in canonical order), so
 * the draw can be redone by hand from the published seed. Errors go to stderr with exit code 1.
 */
const usage = `Usage: npm run select -- --categories FILE.csv --respondents FILE.csv --k N --algorithm maximin|leximin [--address-columns a,b] [--seed S]`;

async function main(): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 1;
  }
  const k = Number(values.k);
  const algorithm = values.algorithm as Algorithm;
  const problems = [
    values.categories ? null : '--categories is required',
    values.respondents ? null : '--respondents is required',
    Number.isInteger(k) && k >= 1 ? null : '--k must be a whole number ≥ 1',
    ALGORITHMS.includes(algorithm) ? null : '--algorithm must be maximin or leximin',
  ].filter((p) => p !== null);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n${usage}`);
    return 1;
  }
  const files = { categories: '', respondents: '' };
  for (const which of ['categories', 'respondents'] as const) {
    try {
      files[which] = readFileSync(values[which]!, 'utf8');
    } catch (error) {
      console.error(`Cannot read ${values[which]}: ${(error as Error).message}`);
      return 1;
    }
  }
  const addressColumns = (values['address-columns'] ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  try {
    const result = await runSelectionFromCsv(files, {
      k,
      algorithm,
      addressColumns,
      ...(values.seed === undefined ? {} : { seed: values.seed }),
    });
    const output: Record<string, unknown> = {
      algorithm,
      k,
      n: result.probabilities.size,
      minimum: result.minimum,
      probabilities: Object.fromEntries(result.probabilities),
      inputHash: result.inputHash,
    };
    // Respondents whom no panel meeting the quotas can include: their 0 is forced, not chosen.
    const never = result.distribution.neverSelectable.flatMap((t) => result.pool.types[t]!.members);
    if (never.length > 0) output.neverSelectable = never;
    if (result.drawn) {
      output.seed = values.seed;
      output.panel = result.drawn.members;
      output.types = result.pool.types.map((t) => t.members);
      output.distribution = result.distribution.panels.map((p) => ({
        probability: p.probability,
        counts: Object.fromEntries(p.panel.flatMap((c, t) => (c > 0 ? [[t, c]] : []))),
      }));
    }
    console.log(JSON.stringify(output));
    return 0;
  } catch (error) {
    if (error instanceof InfeasibleQuotasError) {
      console.error(`Infeasible quotas: no panel of ${k} meets them.`);
      if (error.relaxation === null) console.error(error.message);
      else {
        console.error('The smallest relaxation that makes a panel possible:');
        for (const change of error.relaxation) console.error(`  ${describeChange(change)}`);
      }
      return 1;
    }
    if (error instanceof SelectionInputError || error instanceof RangeError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

function parse() {
  return parseArgs({
    options: {
      categories: { type: 'string' },
      respondents: { type: 'string' },
      k: { type: 'string' },
      algorithm: { type: 'string' },
      'address-columns': { type: 'string' },
      seed: { type: 'string' },
    },
  });
}

process.exitCode = await main();

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The public pools in the shared sortition folder that tests and the benchmark read. */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const sortitionDir = join(repoRoot, '..', 'shared', 'sortition');

export const sortitionFile = (path: string): string => join(sortitionDir, path);
export const readSortition = (path: string): string => readFileSync(sortitionFile(path), 'utf8');

export const FIXTURES = {
  small: {
    categories: 'citizensassemblies-replication/example_small_20/categories.csv',
    respondents: 'citizensassemblies-replication/example_small_20/respondents.csv',
    k: 20,
    addressColumns: [] as string[],
  },
  large: {
    categories: 'citizensassemblies-replication/example_large_200/categories.csv',
    respondents: 'citizensassemblies-replication/example_large_200/respondents.csv',
    k: 200,
    addressColumns: [] as string[],
  },
  library: {
    categories: 'sortition-algorithms/features.csv',
    respondents: 'sortition-algorithms/candidates.csv',
    k: 22,
    addressColumns: ['primary_address1', 'primary_zip'],
  },
} as const;

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../src/platform/config.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/database.ts';
import { DataDirLockedError } from '../src/platform/db/pglite-lock.ts';
import { NotFoundError } from '../src/platform/errors.ts';
import { ERASE_USAGE, parseEraseArgs } from '../src/support/records/erase-command.ts';
import { createRecordsService } from '../src/support/records/records.service.ts';

/**
 * Erasure by retention rule, by hand: the same run the server makes daily. Prints ONE line of JSON saying
 * who was erased (or, with --dry-run, who would be), per place and programme, and how many are kept by a
 * legal hold. On the embedded database, stop the server first (one process holds the data folder).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  const parsed = parseEraseArgs(process.argv.slice(2));
  if (!parsed.ok) {
    console.error(`${parsed.message}\n${ERASE_USAGE}`);
    return 1;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const config = loadConfig(process.env, version);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'db') });
  try {
    await migrateToLatest(database.db);
    const report = await createRecordsService({ db: database.db }).eraseDue({
      ...parsed.options,
      erasedBy: 'command',
    });
    console.log(JSON.stringify(report));
    return report.failed.length > 0 ? 2 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (
      error instanceof ConfigError ||
      error instanceof DataDirLockedError ||
      error instanceof NotFoundError
    ) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);

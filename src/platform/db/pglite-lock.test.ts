import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DatabaseHandle, migrateToLatest, openDatabase } from './database.ts';
import { DataDirLockedError, lockDataDir } from './pglite-lock.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let dir: string;
let handle: DatabaseHandle;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-lock-'));
  handle = await openDatabase({ dataDir: dir });
  await migrateToLatest(handle.db);
  await handle.db
    .insertInto('places')
    .values({ slug: 'kept', name: 'Kept', summary: '', contact_email: null })
    .execute();
});
after(async () => {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded database folder', () => {
  it('refuses a second process with a clear error, and the first keeps working', () => {
    const script = `
      import { openDatabase } from './src/platform/db/database.ts';
      try { await openDatabase({ dataDir: ${JSON.stringify(dir)} }); console.log('opened'); }
      catch (e) { console.log(e.name + ': ' + e.message); process.exit(3); }
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(child.status, 3, child.stdout + child.stderr);
    assert.match(
      child.stdout,
      /DataDirLockedError: The embedded database in .* is already in use by process \d+/,
    );
    assert.match(child.stdout, /set DATABASE_URL/);
  });

  it('refuses a second open in the same process', () => {
    assert.throws(() => lockDataDir(dir), DataDirLockedError);
  });

  it('keeps data across a restart and takes over a lock left by a process that died', async () => {
    await handle.close();
    writeFileSync(join(dir, 'commonweal.lock'), '999999999');
    handle = await openDatabase({ dataDir: dir });
    const row = await handle.db
      .selectFrom('places')
      .select('name')
      .where('slug', '=', 'kept')
      .executeTakeFirst();
    assert.equal(row?.name, 'Kept');
  });
});

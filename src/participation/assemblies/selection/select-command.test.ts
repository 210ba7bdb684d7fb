import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIXTURES, sortitionFile } from './selection-fixtures.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function select(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'scripts', 'select.ts'), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run select', () => {
  const dir = mkdtempSync(join(tmpdir(), 'select-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const small = ['--categories', sortitionFile(FIXTURES.small.categories)];
  const smallPool = ['--respondents', sortitionFile(FIXTURES.small.respondents)];

  it('prints one line of JSON with every probability, the minimum and, with --seed, the panel', () => {
    const { code, stdout } = select(
      ...small,
      ...smallPool,
      '--k',
      '20',
      '--algorithm',
      'leximin',
      '--seed',
      'x',
    );
    assert.equal(code, 0);
    assert.equal(stdout.trim().split('\n').length, 1);
    const output = JSON.parse(stdout);
    assert.equal(Object.keys(output.probabilities).length, 200);
    assert.ok(Math.abs(output.minimum - 0.1) < 1e-6);
    assert.equal(output.panel.length, 20);
    assert.match(output.inputHash, /^[0-9a-f]{64}$/);
    const again = JSON.parse(
      select(...small, ...smallPool, '--k', '20', '--algorithm', 'leximin', '--seed', 'x').stdout,
    );
    assert.deepEqual(again.panel, output.panel);
  });

  it('applies the household rule on --address-columns', () => {
    const f = FIXTURES.library;
    const { code, stdout } = select(
      '--categories',
      sortitionFile(f.categories),
      '--respondents',
      sortitionFile(f.respondents),
      '--k',
      '22',
      '--algorithm',
      'maximin',
      '--address-columns',
      f.addressColumns.join(','),
    );
    assert.equal(code, 0);
    assert.ok(Math.abs(JSON.parse(stdout).minimum - 0.0909) < 0.001);
  });

  it('exits 1 with a message on bad arguments, bad files and infeasible quotas', () => {
    const bad = select(...small, ...smallPool, '--k', 'ten', '--algorithm', 'fair');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--k must be a whole number/);
    assert.match(bad.stderr, /--algorithm must be maximin or leximin/);

    const missing = select(
      '--categories',
      join(dir, 'none.csv'),
      ...smallPool,
      '--k',
      '2',
      '--algorithm',
      'maximin',
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read/);

    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'category,feature,min,max\ngender,female,9,x\n');
    const unreadable = select('--categories', broken, ...smallPool, '--k', '20', '--algorithm', 'maximin');
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.stderr, /categories line 2: max must be a whole number/);

    const tight = join(dir, 'tight.csv');
    writeFileSync(tight, 'category,feature,min,max\ngender,female,15,20\ngender,male,9,20\n');
    const infeasible = select('--categories', tight, ...smallPool, '--k', '20', '--algorithm', 'maximin');
    assert.equal(infeasible.code, 1);
    assert.equal(infeasible.stdout, '');
    assert.match(infeasible.stderr, /Infeasible quotas/);
    assert.match(infeasible.stderr, /gender\/(female|male): min \d+ → \d+/);
  });
});

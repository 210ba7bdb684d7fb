import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pabulib = join(root, '..', 'shared', 'pabulib');
const expected = JSON.parse(readFileSync(join(pabulib, 'EXPECTED.json'), 'utf8')) as {
  instances: Record<string, { rules: Record<string, { winners: string[] }> }>;
};

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'tally.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('npm run tally', () => {
  it('prints the winners of each rule as one JSON array on one line, as the reference does', () => {
    const file = 'Netherlands_Assen_2024.pb';
    for (const [rule, want] of Object.entries(expected.instances[file]!.rules)) {
      const name = rule === 'greedy_votes' ? 'greedy' : rule.replaceAll('_', '-');
      const result = run(join(pabulib, file), '--rule', name);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(result.stdout.trim().split('\n'), [JSON.stringify(want.winners)], name);
    }
  });

  it('explains the count with --explain', () => {
    const result = run(join(pabulib, 'Netherlands_Assen_2024.pb'), '--rule', 'mes-cost-add1', '--explain');
    const lines = result.stdout.trim().split('\n');
    assert.ok(lines.length > 2);
    assert.match(lines[1]!, /selected at ρ = \d+\/\d+/);
    assert.ok(
      lines.some((l) => /^budget per voter raised to 42703\/21 in 845 runs; stopped because/.test(l)),
    );
    // The one tie EXPECTED.json records for this count: 2 and 11 level, 2 first on cost.
    assert.equal(lines.at(-1), 'tie at step 3: 2, 11 stood level; 2 went ahead of 11 by lower cost');
    const plain = run(join(pabulib, 'Netherlands_Assen_2024.pb'), '--rule', 'mes-cost', '--explain');
    assert.equal(plain.stdout.trim().split('\n').at(-1), 'no ties had to be broken');
  });

  it('says how to use it when the rule is unknown, and names the line of a broken file', () => {
    const unknown = run(join(pabulib, 'Netherlands_Assen_2024.pb'), '--rule', 'plurality');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /RULE is one of: greedy, mes-cost/);
    const dir = mkdtempSync(join(tmpdir(), 'cw-tally-'));
    try {
      writeFileSync(join(dir, 'broken.pb'), 'META\nkey;value\nnum_projects;1\n');
      const broken = run(join(dir, 'broken.pb'), '--rule', 'greedy');
      assert.equal(broken.status, 1);
      assert.match(broken.stderr, /^line 3: missing PROJECTS section/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

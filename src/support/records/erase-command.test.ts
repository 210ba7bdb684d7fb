import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEraseArgs } from './erase-command.ts';

describe('npm run erase arguments', () => {
  it('erases everywhere by default', () => {
    assert.deepEqual(parseEraseArgs([]), { ok: true, options: { dryRun: false } });
  });

  it('takes a dry run, a place and a day to look ahead to', () => {
    assert.deepEqual(parseEraseArgs(['--dry-run', '--place', 'riverside', '--today', '2031-09-01']), {
      ok: true,
      options: { dryRun: true, placeSlug: 'riverside', today: '2031-09-01' },
    });
  });

  it('refuses another day unless it is a dry run', () => {
    const parsed = parseEraseArgs(['--today', '2031-09-01']);
    assert.equal(parsed.ok, false);
    assert.match(!parsed.ok ? parsed.message : '', /only with --dry-run/);
  });

  it('refuses unknown options, a bad slug and a bad date', () => {
    assert.equal(parseEraseArgs(['--force']).ok, false);
    assert.equal(parseEraseArgs(['--place', 'Not A Slug']).ok, false);
    assert.equal(parseEraseArgs(['--dry-run', '--today', '31/09/2031']).ok, false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTracking } from './result-rules.ts';

describe('checkTracking', () => {
  it('needs a reason to drop a result, and keeps the progress where it stopped', () => {
    assert.deepEqual(checkTracking({ status: 'dropped', progress: 30, dropReason: '  ' }), {
      ok: false,
      field: 'dropReason',
      message: 'Say why this result was dropped',
    });
    assert.deepEqual(checkTracking({ status: 'dropped', progress: 30, dropReason: ' No site found ' }), {
      ok: true,
      tracking: { status: 'dropped', progress: 30, dropReason: 'No site found' },
    });
  });

  it('sets progress to 100 when a result is done', () => {
    const checked = checkTracking({ status: 'done', progress: 60, dropReason: '' });
    assert.deepEqual(checked, { ok: true, tracking: { status: 'done', progress: 100, dropReason: null } });
  });

  it('refuses progress on a result that has not started', () => {
    const checked = checkTracking({ status: 'not_started', progress: 10, dropReason: '' });
    assert.equal(checked.ok, false);
    assert.equal(checked.ok === false && checked.field, 'progress');
  });

  it('clears an earlier reason when work resumes', () => {
    assert.deepEqual(checkTracking({ status: 'in_progress', progress: 45, dropReason: 'old reason' }), {
      ok: true,
      tracking: { status: 'in_progress', progress: 45, dropReason: null },
    });
  });
});

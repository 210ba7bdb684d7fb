import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ParticipantStatus } from '../support.table.ts';
import { checkTransition, NEXT } from './enrolment.ts';

const STATUSES = Object.keys(NEXT) as ParticipantStatus[];
const ok = { reason: 'Moved away', hasLiveAgreement: true };

describe('checkTransition', () => {
  it('allows the path identified → approached → agreed → enrolled → active → exited', () => {
    const path: ParticipantStatus[] = ['identified', 'approached', 'agreed', 'enrolled', 'active', 'exited'];
    for (let i = 1; i < path.length; i++)
      assert.deepEqual(checkTransition(path[i - 1]!, path[i]!, ok), { ok: true });
  });

  it('allows exit from approached onwards but not from identified', () => {
    for (const from of ['approached', 'agreed', 'enrolled', 'active'] as const) {
      assert.equal(checkTransition(from, 'exited', ok).ok, true);
    }
    assert.equal(checkTransition('identified', 'exited', ok).ok, false);
  });

  it('needs a reason to exit and a live agreement to agree', () => {
    assert.deepEqual(checkTransition('active', 'exited', { ...ok, reason: ' ' }), {
      ok: false,
      field: 'reason',
      message: 'Enter the reason for the exit',
    });
    const refused = checkTransition('approached', 'agreed', { ...ok, hasLiveAgreement: false });
    assert.equal(refused.ok, false);
  });

  it('refuses every move not in the table, with a message, and nothing leaves the ends', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), fc.constantFrom(...STATUSES), (from, to) => {
        const result = checkTransition(from, to, ok);
        assert.equal(result.ok, NEXT[from].includes(to));
        if (!result.ok) assert.ok(result.message.length > 0);
      }),
    );
    assert.deepEqual(NEXT.exited, []);
    assert.deepEqual(NEXT.not_taken_forward, []);
  });
});

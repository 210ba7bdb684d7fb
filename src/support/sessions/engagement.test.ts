import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engagement } from './engagement.ts';

describe('engagement', () => {
  it('counts present and late as attended, leaves excused out of both sides', () => {
    // 5 marked: present, late, absent, excused, present → 3 attended of 4 expected = 75%.
    assert.deepEqual(engagement(['present', 'late', 'absent', 'excused', 'present']), {
      attended: 3,
      expected: 4,
      percent: 75,
    });
  });

  it('ignores sessions whose register is not taken yet', () => {
    assert.deepEqual(engagement(['expected', 'absent', 'present']), {
      attended: 1,
      expected: 2,
      percent: 50,
    });
  });

  it('looks back over the newest sessions only', () => {
    // Newest first: 3 present then 7 absent within the window of 10; the older presents fall outside.
    const statuses = [...Array(3).fill('present'), ...Array(7).fill('absent'), ...Array(5).fill('present')];
    assert.deepEqual(engagement(statuses), { attended: 3, expected: 10, percent: 30 });
    assert.deepEqual(engagement(statuses, 3), { attended: 3, expected: 3, percent: 100 });
  });

  it('has no percentage before anything was expected', () => {
    assert.deepEqual(engagement([]), { attended: 0, expected: 0, percent: null });
    assert.deepEqual(engagement(['excused']), { attended: 0, expected: 0, percent: null });
  });

  it('rounds to the nearest whole per cent', () => {
    assert.equal(engagement(['present', 'absent', 'absent']).percent, 33);
    assert.equal(engagement(['present', 'present', 'absent']).percent, 67);
  });
});

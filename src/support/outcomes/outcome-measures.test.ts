import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossedThreshold, improved, meetsThreshold, summarise } from './outcome-measures.ts';

// A wellbeing scale where higher is better (14–70, threshold 45), and a difficulties score where lower is
// better (0–40, threshold 14: 14 or less is in the expected range).
const wellbeing = { direction: 'higher' as const, threshold: 45 };
const difficulties = { direction: 'lower' as const, threshold: 14 };

describe('outcome measures', () => {
  it('higher is better: 38 → 47 improved and crossed 45; 46 → 50 improved but was already above', () => {
    assert.equal(improved(38, 47, wellbeing), true);
    assert.equal(crossedThreshold(38, 47, wellbeing), true);
    assert.equal(improved(46, 50, wellbeing), true);
    assert.equal(crossedThreshold(46, 50, wellbeing), false);
  });

  it('higher is better: 40 → 44 improved without crossing; 50 → 40 neither; 45 counts as meeting 45', () => {
    assert.equal(improved(40, 44, wellbeing), true);
    assert.equal(crossedThreshold(40, 44, wellbeing), false);
    assert.equal(improved(50, 40, wellbeing), false);
    assert.equal(crossedThreshold(50, 40, wellbeing), false);
    assert.equal(meetsThreshold(45, wellbeing), true);
    assert.equal(crossedThreshold(44, 45, wellbeing), true);
  });

  it('lower is better: 20 → 12 improved and crossed 14; 12 → 18 got worse; 20 → 20 unchanged', () => {
    assert.equal(improved(20, 12, difficulties), true);
    assert.equal(crossedThreshold(20, 12, difficulties), true);
    assert.equal(improved(12, 18, difficulties), false);
    assert.equal(crossedThreshold(12, 18, difficulties), false);
    assert.equal(improved(20, 20, difficulties), false);
    assert.equal(crossedThreshold(15, 14, difficulties), true);
  });

  it('summarises children: only those with both baseline and exit can improve or cross', () => {
    const summary = summarise(
      [
        { baseline: 38, exit: 47 }, // improved, crossed
        { baseline: 46, exit: 50 }, // improved
        { baseline: 50, exit: 40 }, // worse
        { baseline: 30, exit: null }, // baseline only
        { baseline: null, exit: 60 }, // no baseline: not counted at all
      ],
      wellbeing,
    );
    assert.deepEqual(summary, { withBaseline: 4, withBaselineAndExit: 3, improved: 2, crossedThreshold: 1 });
  });
});

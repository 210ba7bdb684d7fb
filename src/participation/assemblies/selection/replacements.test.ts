import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeChange, InfeasibleQuotasError } from './feasibility.ts';
import { panelProblems } from './pool.ts';
import { findReplacements } from './replacements.ts';
import { runSelectionFromCsv } from './selection.ts';
import { readCategories, readRespondents } from './selection-csv.ts';
import { FIXTURES, readSortition } from './selection-fixtures.ts';

describe('findReplacements', () => {
  it('fills the unfilled quotas from the rest of the pool, so the completed panel meets every quota', async () => {
    const f = FIXTURES.library;
    const files = { categories: readSortition(f.categories), respondents: readSortition(f.respondents) };
    const selection = await runSelectionFromCsv(files, {
      k: 22,
      algorithm: 'maximin',
      addressColumns: f.addressColumns,
      seed: 'first draw',
    });
    const categories = readCategories(files.categories);
    const respondents = readRespondents(files.respondents, categories, { addressColumns: f.addressColumns });
    const panel = selection.drawn!.members;
    const droppedOut = panel.slice(0, 3);
    const result = await findReplacements(categories, respondents, panel, droppedOut, {
      seed: 'replacements',
    });
    const replacements = result.drawn!.members;
    assert.equal(replacements.length, 3);
    for (const id of replacements) assert.ok(!panel.includes(id));
    // The completed panel, judged against the original quotas in the original pool.
    const completed = [...panel.filter((id) => !droppedOut.includes(id)), ...replacements];
    const counts = selection.pool.types.map(() => 0);
    for (const id of completed) counts[selection.pool.typeOf.get(id)!]!++;
    assert.deepEqual(panelProblems(selection.pool, counts, 22), []);
    const total = result.distribution.typeProbabilities.reduce(
      (s, p, t) => s + p * result.pool.types[t]!.members.length,
      0,
    );
    assert.ok(Math.abs(total - 3) < 1e-6);
  });

  it('excludes anyone from a household already on the panel', async () => {
    const categories = readCategories('feature,value,min,max\ng,x,1,1\ng,y,1,1\n');
    const respondents = readRespondents(
      'id,g,address\na,x,1 Elm\nb,y,2 Elm\nc,x,2 Elm\nd,x,3 Elm\n',
      categories,
      { addressColumns: ['address'] },
    );
    const result = await findReplacements(categories, respondents, ['a', 'b'], ['a'], { seed: 's' });
    // c lives with b, who stays on the panel; d is the only eligible x.
    assert.deepEqual(
      result.pool.types.flatMap((t) => t.members),
      ['d'],
    );
    assert.deepEqual(result.drawn!.members, ['d']);
  });

  it('reports infeasibility with the relaxation when nobody left can fill a quota', async () => {
    const categories = readCategories('feature,value,min,max\ng,x,1,1\ng,y,1,1\n');
    const respondents = readRespondents('id,g\na,x\nb,y\nc,y\n', categories);
    await assert.rejects(findReplacements(categories, respondents, ['a', 'b'], ['a']), (error: unknown) => {
      assert.ok(error instanceof InfeasibleQuotasError);
      assert.deepEqual(error.relaxation?.map(describeChange), ['g/x: min 1 → 0', 'g/y: max 0 → 1']);
      return true;
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InfeasibleQuotasError } from './feasibility.ts';
import { runSelection } from './selection.ts';
import type { Categories, Respondent } from './selection-csv.ts';

/**
 * Properties on random small pools (two features, some shared addresses), checked against brute force
 * over every k-subset: a lottery exists exactly when some subset is a valid panel; probabilities lie in
 * [0, 1] and sum to k; every panel of the lottery is valid; MAXIMIN's minimum is at least that of the
 * uniform lottery over all valid panels; LEXIMIN's minimum equals MAXIMIN's. Seeds are random on purpose;
 * a failure prints the seed and the shrunk pool.
 */
const arbInstance = fc
  .record({
    sizes: fc.tuple(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 2, max: 3 })),
    n: fc.integer({ min: 3, max: 9 }),
    k: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer(),
  })
  .chain(({ sizes, n, k }) =>
    fc.record({
      k: fc.constant(Math.min(k, n)),
      quotas: fc.tuple(
        ...sizes.map((size) =>
          fc.array(
            fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 })).map(([lo, span]) => ({
              min: lo,
              max: lo + span,
            })),
            { minLength: size, maxLength: size },
          ),
        ),
      ),
      people: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: sizes[0] - 1 }),
          fc.integer({ min: 0, max: sizes[1] - 1 }),
          fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
        ),
        { minLength: n, maxLength: n },
      ),
    }),
  );

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const walk = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i < n; i++) walk(i + 1, [...chosen, i]);
  };
  walk(0, []);
  return out;
}

describe('selection on random small pools', () => {
  it('agrees with brute force and keeps its invariants', async () => {
    await fc.assert(
      fc.asyncProperty(arbInstance, async ({ k, quotas, people }) => {
        const categories: Categories = {
          features: quotas.map((values, f) => ({
            name: `f${f}`,
            values: values.map((q, v) => ({ name: `v${v}`, ...q })),
          })),
        };
        const respondents: Respondent[] = people.map(([a, b, home], i) => ({
          id: `r${i}`,
          values: [a, b],
          household: home === null ? null : `h${home}`,
        }));
        const valid = subsets(respondents.length, k).filter((s) => {
          const homes = s.map((i) => respondents[i]!.household).filter((h) => h !== null);
          if (new Set(homes).size < homes.length) return false;
          return categories.features.every((feature, f) =>
            feature.values.every((q, v) => {
              const c = s.filter((i) => respondents[i]!.values[f] === v).length;
              return c >= q.min && c <= q.max;
            }),
          );
        });
        const input = { categories, respondents, k, addressColumns: [] };
        if (valid.length === 0) {
          await assert.rejects(runSelection({ ...input, algorithm: 'maximin' }), InfeasibleQuotasError);
          return;
        }
        const maximin = await runSelection({ ...input, algorithm: 'maximin' });
        const leximin = await runSelection({ ...input, algorithm: 'leximin' });
        const uniformMin = Math.min(
          ...respondents.map((_, i) => valid.filter((s) => s.includes(i)).length / valid.length),
        );
        assert.ok(maximin.minimum >= uniformMin - 5e-4, `${maximin.minimum} < ${uniformMin}`);
        assert.ok(Math.abs(leximin.minimum - maximin.minimum) < 1e-5);
        for (const selection of [maximin, leximin]) {
          let total = 0;
          for (const p of selection.probabilities.values()) {
            assert.ok(p >= -1e-9 && p <= 1 + 1e-9);
            total += p;
          }
          assert.ok(Math.abs(total - k) < 1e-6);
          for (const { panel } of selection.distribution.panels) {
            // Expand to people: members of a type are interchangeable, so any c_t of them will do.
            const members = panel.flatMap((c, t) => selection.pool.types[t]!.members.slice(0, c));
            const indices = members.map((id) => Number(id.slice(1))).sort((a, b) => a - b);
            assert.ok(
              valid.some((s) => s.join() === indices.join()),
              `panel ${members.join()} is not valid`,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { publishedText, suppressCount, suppressTable } from './suppression.ts';

describe('small-number suppression', () => {
  it('suppresses counts under 5 and keeps the rest as they are', () => {
    assert.equal(suppressCount(4), null);
    assert.equal(suppressCount(0), null);
    assert.equal(suppressCount(5), 5);
    assert.equal(publishedText(null), 'fewer than 5');
    assert.equal(publishedText(12), '12');
  });

  it('suppresses a second cell when a row total would give the first back', () => {
    // 3 + 9 + 12 = 24: with 3 hidden, 24 - 9 - 12 = 3. The smallest other cell (9) is hidden too.
    const t = suppressTable([[3, 9, 12]], { rowTotals: true, columnTotals: false });
    assert.deepEqual(t.cells, [[null, null, 12]]);
    assert.deepEqual(t.rowTotals, [24]);
  });

  it('needs nothing more when two cells are already hidden', () => {
    const t = suppressTable([[2, 3, 20]], { rowTotals: true, columnTotals: false });
    assert.deepEqual(t.cells, [[null, null, 20]]);
    assert.deepEqual(t.rowTotals, [25]);
  });

  it('hides a further cell when the hidden ones would add up to nothing', () => {
    // 0 + 0 + 8 + 9 = 17: two hidden zeros under a published 17 would be known to be zeros.
    const t = suppressTable([[0, 0, 8, 9]], { rowTotals: true, columnTotals: false });
    assert.deepEqual(t.cells, [[null, null, null, 9]]);
    assert.deepEqual(t.rowTotals, [17]);
  });

  it('works across rows and columns of a two-way table until every line is safe', () => {
    //            sent accepted declined | total
    // Org A        6      2       7     |  15
    // Org B        8      9       6     |  23
    // total       14     11      13     |  38
    // Primary: A/accepted (2). Row A: the smallest other cell, A/sent (6), is hidden too. Column "sent":
    // A/sent is now alone there, so B/sent (8) is hidden. Column "accepted": A/accepted alone, so
    // B/accepted (9) is hidden. Row B then has two hidden (8 + 9 = 17 > 0) and every line is safe.
    const t = suppressTable(
      [
        [6, 2, 7],
        [8, 9, 6],
      ],
      { rowTotals: true, columnTotals: true },
    );
    assert.deepEqual(t.cells, [
      [null, null, 7],
      [null, null, 6],
    ]);
    assert.deepEqual(t.rowTotals, [15, 23]);
    assert.deepEqual(t.columnTotals, [14, 11, 13]);
    assert.equal(t.grandTotal, 38);
  });

  it('keeps a table with no small counts whole', () => {
    const t = suppressTable(
      [
        [5, 6],
        [7, 8],
      ],
      { rowTotals: true, columnTotals: true },
    );
    assert.deepEqual(t.cells, [
      [5, 6],
      [7, 8],
    ]);
    assert.deepEqual(t.rowTotals, [11, 15]);
    assert.deepEqual(t.columnTotals, [12, 14]);
    assert.equal(t.grandTotal, 26);
  });

  describe('properties', () => {
    const tables = fc
      .record({ rows: fc.integer({ min: 1, max: 5 }), columns: fc.integer({ min: 1, max: 6 }) })
      .chain(({ rows, columns }) =>
        fc.record({
          cells: fc.array(
            fc.array(fc.integer({ min: 0, max: 30 }), { minLength: columns, maxLength: columns }),
            {
              minLength: rows,
              maxLength: rows,
            },
          ),
          rowTotals: fc.boolean(),
          columnTotals: fc.boolean(),
        }),
      );

    /** Every line of the published grid: its members' (true value, published value), total last. */
    function lines(input: { cells: number[][]; rowTotals: boolean; columnTotals: boolean }) {
      const t = suppressTable(input.cells, input);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const rowSums = input.cells.map(sum);
      const colSums = input.cells[0]!.map((_, c) => sum(input.cells.map((row) => row[c]!)));
      const out: [number, number | null][][] = [];
      if (input.rowTotals) {
        input.cells.forEach((row, r) => {
          out.push([
            ...row.map((v, c) => [v, t.cells[r]![c]!] as [number, number | null]),
            [rowSums[r]!, t.rowTotals![r]!],
          ]);
        });
      }
      if (input.columnTotals) {
        colSums.forEach((total, c) => {
          out.push([
            ...input.cells.map((row, r) => [row[c]!, t.cells[r]![c]!] as [number, number | null]),
            [total, t.columnTotals![c]!],
          ]);
        });
      }
      if (input.rowTotals && input.columnTotals) {
        out.push([
          ...rowSums.map((v, r) => [v, t.rowTotals![r]!] as [number, number | null]),
          [sum(rowSums), t.grandTotal],
        ]);
        out.push([
          ...colSums.map((v, c) => [v, t.columnTotals![c]!] as [number, number | null]),
          [sum(colSums), t.grandTotal],
        ]);
      }
      return { t, out };
    }

    it('never publishes a count under 5, and publishes every other count unchanged', () => {
      fc.assert(
        fc.property(tables, (input) => {
          const { out } = lines(input);
          const t = suppressTable(input.cells, input);
          input.cells.forEach((row, r) => {
            row.forEach((v, c) => {
              const p = t.cells[r]![c]!;
              assert.ok(p === null || (p === v && v >= 5));
            });
          });
          for (const line of out) for (const [v, p] of line) assert.ok(p === null || (p === v && v >= 5));
        }),
      );
    });

    it('never lets a published total give back a suppressed count', () => {
      fc.assert(
        fc.property(tables, (input) => {
          for (const line of lines(input).out) {
            const hidden = line.filter(([, p]) => p === null);
            // Never exactly one hidden member: subtraction would give it back.
            assert.notEqual(hidden.length, 1);
            const total = line[line.length - 1]!;
            // Under a published total, hidden members never add up to 0 (each would be known to be 0).
            if (hidden.length > 0 && total[1] !== null) assert.ok(hidden.reduce((a, [v]) => a + v, 0) > 0);
          }
        }),
      );
    });

    it('leaves a hidden cell under a published total with more than one possible value', () => {
      fc.assert(
        fc.property(tables, (input) => {
          for (const line of lines(input).out) {
            const total = line[line.length - 1]!;
            if (total[1] === null) continue;
            const hiddenCells = line.slice(0, -1).filter(([, p]) => p === null);
            if (hiddenCells.length === 0) continue;
            const rest = total[1] - line.slice(0, -1).reduce((a, [, p]) => a + (p ?? 0), 0);
            // Non-negative counts adding up to `rest`, at least two of them: none is pinned unless rest is 0.
            assert.ok(rest > 0 && hiddenCells.length >= 2);
          }
        }),
      );
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readIdentificationCsv } from './identification-csv.ts';
import type { IndicatorRule } from './indicators.ts';

const rules: IndicatorRule[] = [
  {
    domain: 'attendance',
    columnName: 'attendance_pct',
    label: 'Attendance',
    direction: 'below',
    threshold: 90,
  },
  { domain: 'economic_disadvantage', columnName: 'fsm', label: 'FSM', direction: 'yes', threshold: null },
];
const header = 'reference,given_name,family_name,date_of_birth,year_group,attendance_pct,fsm,notes';

describe('readIdentificationCsv', () => {
  it('reads quoted fields and keeps only the indicator columns as measures', () => {
    const { rows, problems } = readIdentificationCsv(
      `${header}\r\nR1,"Ann, Jr",Lee,2014-10-01,7,88.5,yes,"not ""kept"""\r\n`,
      rules,
      7,
    );
    assert.deepEqual(problems, []);
    assert.equal(rows[0]!.givenName, 'Ann, Jr');
    assert.deepEqual(rows[0]!.measures, { attendance_pct: '88.5', fsm: 'yes' });
  });

  it('reports each problem with its line and returns no rows', () => {
    const text = [
      header,
      'R1,Ann,Lee,2014-10-01,7,88,yes,',
      'R1,Bo,Kay,2014-02-30,7,88,no,',
      'R3,Cy,May,2014-01-01,7,x,no',
      '"R4,Dee,Fay,2014-01-01,7,90,no,',
    ].join('\n');
    const { rows, problems } = readIdentificationCsv(text, rules, 7);
    assert.deepEqual(rows, []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /never closed/);
    const second = readIdentificationCsv(text.split('\n').slice(0, 4).join('\n'), rules, 7);
    assert.deepEqual(
      second.problems.map((p) => p.line),
      [3, 4],
    );
    assert.match(second.problems[0]!.message, /reference R1 is also on line 2; date_of_birth must be a date/);
    assert.match(second.problems[1]!.message, /Expected 8 values, found 7/);
  });

  it('refuses a header without the required or indicator columns', () => {
    const { problems } = readIdentificationCsv('reference,given_name\nR1,A\n', rules, 7);
    assert.match(
      problems[0]!.message,
      /no column family_name, date_of_birth, year_group, attendance_pct, fsm/,
    );
  });
});

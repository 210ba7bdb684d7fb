import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readProfileCsv } from './profile-csv.ts';

describe('readProfileCsv', () => {
  it('reads counts and shares, turning counts into shares of their dimension', () => {
    const { rows, problems } = readProfileCsv(
      'dimension,category,count,share\nAge band,16–34,300,\nAge band,35–64,500,\nAge band,65 and over,200,\nGender,Woman,,51.5\nGender,Man,,48.5\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rows.map((r) => [r.dimension, r.category, r.population, r.share]),
      [
        ['age-band', '16–34', 300, 0.3],
        ['age-band', '35–64', 500, 0.5],
        ['age-band', '65 and over', 200, 0.2],
        ['gender', 'Woman', null, 0.515],
        ['gender', 'Man', null, 0.485],
      ],
    );
  });

  it('reports every problem with its line and keeps nothing', () => {
    const { rows, problems } = readProfileCsv(
      [
        'dimension,category,count,share',
        'Age band,16–34,lots,',
        ',35–64,5,',
        'Age band,Prefer not to say,5,',
        'Gender,Woman,,60',
        'Gender,Man,,30',
        'Area,North,3,40',
        'Area,South,,',
        'Disability,Yes,10,',
        'Disability,Yes,11,',
        'Ethnicity,A,10,',
        'Ethnicity,B,,50',
      ].join('\n'),
    );
    assert.deepEqual(rows, []);
    assert.deepEqual(problems, [
      { line: 2, message: 'The count must be a whole number of people, not “lots”' },
      { line: 3, message: 'The dimension is empty' },
      { line: 4, message: '“Prefer not to say” is offered with every question: leave it out of the file' },
      { line: 5, message: 'The shares of Gender add up to 90, not 100' },
      { line: 7, message: 'Give a count or a share, not both' },
      { line: 8, message: 'Give a count or a share' },
      { line: 10, message: '“Yes” appears twice in Disability' },
      { line: 12, message: 'Ethnicity mixes counts and shares: use one or the other' },
    ]);
  });

  it('refuses a file without the columns it needs, or with nothing after the header', () => {
    assert.deepEqual(readProfileCsv('dimension,group,count\nAge,16,1\n').problems, [
      { line: 1, message: 'The header has no column category' },
    ]);
    assert.deepEqual(readProfileCsv('dimension,category\n').problems, [
      { line: 1, message: 'The header has no column count or share' },
    ]);
    assert.deepEqual(readProfileCsv('dimension,category,count\n').problems, [
      { line: 1, message: 'The file has no lines after the header' },
    ]);
    assert.deepEqual(readProfileCsv('').problems, [{ line: 1, message: 'The file is empty' }]);
    assert.equal(readProfileCsv('dimension,category,count\n"Age,16,1\n').problems[0]?.line, 2);
  });

  it('reads the documented sample without a problem', () => {
    const text = readFileSync(
      new URL('../../../docs/samples/population-profile-sample.csv', import.meta.url),
      'utf8',
    );
    const { rows, problems } = readProfileCsv(text);
    assert.deepEqual(problems, []);
    assert.ok(new Set(rows.map((r) => r.dimension)).size >= 5);
  });
});

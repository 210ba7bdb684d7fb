import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCategories, readRespondents, SelectionInputError } from './selection-csv.ts';
import { FIXTURES, readSortition } from './selection-fixtures.ts';

const error = (file: 'categories' | 'respondents', line: number | null, pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof SelectionInputError, String(e));
  assert.equal(e.file, file);
  assert.equal(e.line, line);
  assert.match(e.message, pattern);
  return true;
};

describe('readCategories', () => {
  it('reads feature,value,min,max,min_flex,max_flex (sortition-algorithms)', () => {
    const categories = readCategories(readSortition(FIXTURES.library.categories));
    assert.deepEqual(
      categories.features.map((f) => [f.name, f.values.length]),
      [
        ['Gender', 3],
        ['age_bracket', 5],
        ['edu_level', 4],
        ['geo_bucket', 8],
      ],
    );
    assert.deepEqual(categories.features[0]!.values[0], {
      name: 'Female',
      min: 11,
      max: 12,
      minFlex: 0,
      maxFlex: 12,
    });
  });

  it('reads category,feature,min,max (the replication package: category is the feature)', () => {
    const categories = readCategories(readSortition(FIXTURES.small.categories));
    assert.deepEqual(categories.features, [
      {
        name: 'gender',
        values: [
          { name: 'female', min: 9, max: 20 },
          { name: 'male', min: 9, max: 20 },
        ],
      },
      {
        name: 'leaning',
        values: [
          { name: 'liberal', min: 9, max: 20 },
          { name: 'conservative', min: 9, max: 20 },
        ],
      },
    ]);
  });

  it('reads category,name,min,max,Notes (OpenDLP), skipping its blank and note rows', () => {
    const categories = readCategories(readSortition('opendlp-docs/Categories_csv_example.csv'));
    assert.deepEqual(
      categories.features.map((f) => f.name),
      ['gender', 'age_bucket', 'ethnicity', 'disability', 'colour_bucket'],
    );
    assert.equal(categories.features[4]!.values.length, 4);
  });

  it('names the line of each problem', () => {
    assert.throws(
      () => readCategories('feature,value,min,max\nA,x,2,1\n'),
      error('categories', 2, /min 2 is above max 1/),
    );
    assert.throws(
      () => readCategories('feature,value,min,max\nA,x,1,2\nA,X,0,1\n'),
      error('categories', 3, /twice/),
    );
    assert.throws(
      () => readCategories('feature,value,min,max\nA,x,one,2\n'),
      error('categories', 2, /whole number/),
    );
    assert.throws(
      () => readCategories('feature,value,min,max\nA,,1,2\n'),
      error('categories', 2, /value is empty/),
    );
    assert.throws(() => readCategories('a,b,c\n'), error('categories', 1, /header/));
    assert.throws(() => readCategories('feature,value,min,max\n'), error('categories', null, /no quotas/));
    assert.throws(
      () => readCategories('feature,value,min,max,min_flex,max_flex\nA,x,1,2,2,3\n'),
      error('categories', 2, /min_flex 2 is above min 1/),
    );
  });
});

describe('readRespondents', () => {
  const categories = readCategories(readSortition(FIXTURES.library.categories));

  it('takes ids from nationbuilder_id and households from the address columns', () => {
    const respondents = readRespondents(readSortition(FIXTURES.library.respondents), categories, {
      addressColumns: FIXTURES.library.addressColumns,
    });
    assert.equal(respondents.length, 150);
    assert.equal(respondents[0]!.id, 'p0');
    assert.equal(respondents[0]!.household, 'primary_address10\u001fprimary_zip0');
    assert.equal(new Set(respondents.map((r) => r.household)).size, 150);
  });

  it('matches feature columns and values ignoring case (candidates_lower.csv)', () => {
    const upper = readRespondents(readSortition(FIXTURES.library.respondents), categories);
    const lower = readRespondents(readSortition('sortition-algorithms/candidates_lower.csv'), categories);
    assert.deepEqual(lower, upper);
  });

  it('numbers rows from 1 when there is no id column, and reads unique_id (OpenDLP)', () => {
    const small = readCategories(readSortition(FIXTURES.small.categories));
    const respondents = readRespondents(readSortition(FIXTURES.small.respondents), small);
    assert.equal(respondents.length, 200);
    assert.deepEqual(
      respondents.slice(0, 2).map((r) => r.id),
      ['1', '2'],
    );
    const opendlp = readCategories(readSortition('opendlp-docs/Categories_csv_example.csv'));
    const people = readRespondents(readSortition('opendlp-docs/Respondents_csv_example.csv'), opendlp);
    assert.equal(people.length, 100);
    assert.equal(people[99]!.id, '100');
  });

  it('makes people equal on every address column after trimming and case-folding one household', () => {
    const c = readCategories('feature,value,min,max\ng,x,0,2\n');
    const r = readRespondents(
      'id,g,street,zip\na,x, 1 High St ,AB1\nb,X,1 high st,ab1\nc,x,1 high st,AB2\nd,x,,\n',
      c,
      {
        addressColumns: ['Street', 'ZIP'],
      },
    );
    assert.equal(r[0]!.household, r[1]!.household);
    assert.notEqual(r[0]!.household, r[2]!.household);
    assert.equal(r[3]!.household, null);
  });

  it('names the line of each problem', () => {
    const c = readCategories('feature,value,min,max\ng,x,0,2\ng,y,0,2\n');
    assert.throws(
      () => readRespondents('id,g\na,x\nb,z\n', c),
      error('respondents', 3, /g "z" is not one of/),
    );
    assert.throws(() => readRespondents('id,g\na,x\na,y\n', c), error('respondents', 3, /appears twice/));
    assert.throws(() => readRespondents('id,g\na,x,extra\n', c), error('respondents', 2, /3 fields/));
    assert.throws(() => readRespondents('id,h\na,x\n', c), error('respondents', 1, /no feature column "g"/));
    assert.throws(
      () => readRespondents('id,g\na,x\n', c, { addressColumns: ['street'] }),
      error('respondents', 1, /no address column "street"/),
    );
    assert.throws(() => readRespondents('id,g\n,x\n', c), error('respondents', 2, /id is empty/));
    assert.throws(() => readRespondents('id,g\n"a,x\n', c), error('respondents', 2, /never closed/));
  });
});

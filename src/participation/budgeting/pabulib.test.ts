import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { readCsv, writeCsvField } from './csv-reader.ts';
import { checkPb, type PbElection, PbParseError, parsePb, toDecimal, writePb } from './pabulib.ts';
import { fromInteger, rational } from './rules/rational.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'pabulib');

const META = [
  'META',
  'key;value',
  'description;Test',
  'country;Poland',
  'unit;Nowhere',
  'instance;2024',
  'num_projects;3',
  'num_votes;3',
  'budget;1000.50',
  'vote_type;approval',
  'rule;greedy',
  'date_begin;01.01.2024',
  'date_end;02.01.2024',
];

function pb(metaOverrides: Record<string, string>, projects: string[], votes: string[]): string {
  const meta = META.map((line) => {
    const key = line.split(';')[0] ?? '';
    return key in metaOverrides ? `${key};${metaOverrides[key]}` : line;
  });
  return [...meta, 'PROJECTS', ...projects, 'VOTES', ...votes].join('\n');
}

const PROJECTS = [
  'project_id;cost;votes;name;selected',
  'c1;100.0;2;"Park; ""green"" corner";1',
  'c2;250;1;Library;0',
  'c3;0;0;Free;0',
];

describe('pabulib parser', () => {
  it('reads meta, projects by header name, and approval votes, stripping a BOM and CRLF', () => {
    const text = `\uFEFF${pb({}, PROJECTS, ['voter_id;vote', '1;c1,c2', '', '2;c1', '3;']).replaceAll('\n', '\r\n')}`;
    const e = parsePb(text);
    assert.equal(e.meta.unit, 'Nowhere');
    assert.equal(e.voteType, 'approval');
    assert.deepEqual(e.budget, rational(2001n, 2n));
    assert.deepEqual(
      e.projects.map((p) => [p.id, p.cost, p.name, p.selected]),
      [
        ['c1', fromInteger(100), 'Park; "green" corner', 1],
        ['c2', fromInteger(250), 'Library', 0],
        ['c3', fromInteger(0), 'Free', 0],
      ],
    );
    // The empty ballot counts as a voter.
    assert.deepEqual(
      e.ballots.map((b) => [b.voterId, b.projects]),
      [
        ['1', ['c1', 'c2']],
        ['2', ['c1']],
        ['3', []],
      ],
    );
  });

  it('reads cumulative points parallel to the projects', () => {
    const e = parsePb(pb({ vote_type: 'cumulative' }, PROJECTS, ['voter_id;vote;points', '1;c2,c1;3,2']));
    assert.deepEqual(e.ballots[0]?.points, [3n, 2n]);
  });

  it('names the line of each problem', () => {
    const cases: [string, number, RegExp][] = [
      [pb({}, PROJECTS, ['voter_id;vote', '1;c9']), 21, /unknown project "c9"/],
      [pb({}, PROJECTS, ['voter_id;vote', '1;c1,c1']), 21, /twice/],
      [pb({}, PROJECTS, ['voter_id;vote', '1;c1', '1;c2']), 22, /voter "1" votes twice/],
      [pb({}, [...PROJECTS, 'c1;5;0;Again;0'], ['voter_id;vote']), 19, /project "c1" appears twice/],
      [pb({}, ['project_id;cost', 'c1;abc'], ['voter_id;vote']), 16, /cost of project "c1" is not a decimal/],
      [pb({ budget: '1e6' }, PROJECTS, ['voter_id;vote']), 9, /budget is not a decimal/],
      [pb({ vote_type: 'ranked' }, PROJECTS, ['voter_id;vote']), 10, /unknown vote_type/],
      [pb({ vote_type: 'choose-1' }, PROJECTS, ['voter_id;vote', '1;c1,c2']), 21, /choose-1 vote names 2/],
      [
        pb({ vote_type: 'cumulative' }, PROJECTS, ['voter_id;vote;points', '1;c1,c2;3']),
        21,
        /1 points for 2/,
      ],
      [pb({ vote_type: 'cumulative' }, PROJECTS, ['voter_id;vote;points', '1;c1;1.5']), 21, /whole numbers/],
      [pb({ vote_type: 'cumulative' }, PROJECTS, ['voter_id;vote;points', '1;c1;-2']), 21, /≥ 0, got "-2"/],
      [pb({}, PROJECTS, ['voter_id;vote', '1;c1;extra']), 21, /3 fields but the header has 2/],
      [pb({}, ['project_id;name', 'c1;x'], ['voter_id;vote']), 15, /lacks the "cost" column/],
      [pb({}, PROJECTS, ['voter_id;vote', '1;"c1']), 21, /never closed/],
      [pb({}, PROJECTS, ['voter_id;vote']).replace('rule;greedy\n', ''), 2, /lacks the required key "rule"/],
    ];
    for (const [text, line, message] of cases) {
      assert.throws(
        () => parsePb(text),
        (e: unknown) => e instanceof PbParseError && e.line === line && message.test(e.message),
        message.source,
      );
    }
  });

  it('round-trips quoted fields through the CSV reader', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'ż', ';', '"', ',', '\n', '\r\n', ' ', '1') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { maxLength: 6 }), (rows) => {
        const text = rows.map((r) => r.map((f) => writeCsvField(f)).join(';')).join('\n');
        assert.deepEqual(
          readCsv(text).map((r) => r.fields),
          rows,
        );
      }),
    );
  });

  it('round-trips project names through a whole .pb file', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'ł', ';', '"', ',', ' ', '\n'), maxLength: 20 });
    fc.assert(
      fc.property(name, (n) => {
        const e = parsePb(
          pb({}, ['project_id;cost;name', `p1;5;${writeCsvField(n)}`], ['voter_id;vote', '1;p1']),
        );
        assert.equal(e.projects[0]?.name, n);
      }),
    );
  });
});

describe('pabulib writer', () => {
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.pb'));

  it('finds the shared pabulib files', () => {
    assert.ok(files.length >= 18, `expected the pabulib files in ${dataDir}`);
  });

  // Each file is parsed once and its written form once: every file, kept fast enough for every run.
  for (const file of files) {
    it(`writes ${file} so that it parses back to the same election`, () => {
      const election = parsePb(readFileSync(join(dataDir, file), 'utf8'));
      assert.deepStrictEqual(parsePb(writePb(election)), election);
    });
  }

  const text = [
    'META',
    'key;value',
    'description;"Park; ""green"" budget"',
    'country;Poland',
    'unit;Nowhere',
    'instance;2024',
    'num_projects;2',
    'num_votes;3',
    'budget;1000.50',
    'vote_type;cumulative',
    'rule;greedy',
    'date_begin;01.01.2024',
    'date_end;02.01.2024',
    'PROJECTS',
    'name;cost;project_id;selected;district',
    '"Trees; and ""shade""";100.0;c1;1;North',
    ' Library ;250;c2;;',
    'VOTES',
    'voter_id;vote;points;age;sex',
    'v7;c2,c1;3,2;34;F',
    'v9;;;;',
    'v3;c1;5;71;M',
  ].join('\n');

  it('keeps the column order, the spelling of numbers and the extra voter columns', () => {
    const election = parsePb(text);
    assert.deepEqual(election.ballots[0]?.fields, { age: '34', sex: 'F' });
    assert.equal(
      writePb(election),
      [
        'META',
        'key;value',
        'description;"Park; ""green"" budget"',
        ...text.split('\n').slice(3, 13),
        'PROJECTS',
        'name;cost;project_id;selected;district',
        '"Trees; and ""shade""";100.0;c1;1;North',
        ' Library ;250;c2;"";""',
        'VOTES',
        'voter_id;vote;points;age;sex',
        'v7;c2,c1;3,2;34;F',
        'v9;"";"";"";""',
        'v3;c1;5;71;M',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the voter columns of a file that has none', () => {
    const election = parsePb(pb({}, PROJECTS, ['voter_id;vote', '1;c1']));
    assert.equal('fields' in (election.ballots[0] ?? {}), false);
    assert.match(writePb(election), /\nVOTES\nvoter_id;vote\n1;c1\n$/);
  });

  it('writes an election built in code, where parsed values win over stale text', () => {
    const built: PbElection = {
      meta: { description: 'Built', budget: '999', vote_type: 'approval' },
      voteType: 'ordinal',
      budget: rational(2001n, 2n),
      projects: [
        { id: 'p1', cost: rational(1n, 4n), name: 'First', selected: 1, fields: { cost: '7' } },
        { id: 'p2', cost: fromInteger(3), name: '', selected: null, fields: {} },
      ],
      ballots: [
        { voterId: '1', projects: ['p2', 'p1'], points: null },
        { voterId: '2', projects: [], points: null },
      ],
    };
    const written = writePb(built);
    assert.match(written, /\nbudget;1000\.5\nvote_type;ordinal\n/);
    assert.match(written, /\nPROJECTS\nproject_id;cost;name;selected\np1;0\.25;First;1\np2;3;"";""\n/);
    const back = parsePb(written.replace('META\nkey;value\n', `META\nkey;value\n${REQUIRED_EXTRA}`));
    assert.deepEqual(
      back.ballots.map((b) => b.projects),
      [['p2', 'p1'], []],
    );
    assert.deepEqual(back.projects[0]?.cost, rational(1n, 4n));
  });

  it('refuses what a .pb file cannot hold', () => {
    assert.throws(
      () =>
        writePb({
          meta: {},
          voteType: 'approval',
          budget: fromInteger(1),
          projects: [{ id: 'a,b', cost: fromInteger(1), name: '', selected: null, fields: {} }],
          ballots: [{ voterId: '1', projects: ['a,b'], points: null }],
        }),
      /cannot be written in a vote list/,
    );
    assert.throws(() => toDecimal(rational(1n, 3n)), /no exact decimal form/);
  });

  it('writes exact decimals', () => {
    assert.equal(toDecimal(fromInteger(0)), '0');
    assert.equal(toDecimal(rational(-5n, 4n)), '-1.25');
    assert.equal(toDecimal(rational(253264583n, 100n)), '2532645.83');
    assert.equal(toDecimal(rational(1n, 1024n)), '0.0009765625');
  });
});

// The required META keys that the built election above leaves out.
const REQUIRED_EXTRA =
  'country;X\nunit;X\ninstance;1\nnum_projects;2\nnum_votes;2\nrule;greedy\ndate_begin;1\ndate_end;1\n';

describe('checking a whole .pb file', () => {
  it('lists a problem in each section with its line, and parsePb still throws the first', () => {
    const text = pb(
      { budget: 'lots' },
      [...PROJECTS, 'c4;abc;0;Bad cost;0', 'c5;1;0;Short row'],
      ['voter_id;vote', '1;c1', '2;c9', '3;c2', '3;c1', '4;c1,c1'],
    );
    const checked = checkPb(text);
    assert.equal(checked.election, null);
    assert.deepEqual(
      checked.problems.map((p) => [p.line, p.problem]),
      [
        [9, 'budget is not a decimal number: "lots"'],
        [20, 'PROJECTS row has 4 fields but the header has 5'],
        [19, 'cost of project "c4" is not a decimal number: "abc"'],
        [24, 'vote names unknown project "c9"'],
        [26, 'voter "3" votes twice'],
        [27, 'vote names project "c1" twice'],
      ],
    );
    assert.throws(
      () => parsePb(text),
      (e: unknown) => e instanceof PbParseError && e.line === 9,
    );
  });

  it('stops at a broken header, and after the most problems asked for', () => {
    const broken = checkPb(pb({}, ['project_id;name', 'c1;x'], ['voter_id;vote', '1;c7', '2;c8']));
    assert.deepEqual(
      broken.problems.map((p) => [p.line, p.problem]),
      [[15, 'PROJECTS header lacks the "cost" column']],
    );
    assert.equal(broken.stoppedEarly, true);
    const many = checkPb(
      pb({}, PROJECTS, ['voter_id;vote', ...Array.from({ length: 30 }, (_, i) => `${i};x`)]),
      10,
    );
    assert.equal(many.problems.length, 10);
    assert.equal(many.stoppedEarly, true);
  });

  it('gives the election and the line of each part when there is no problem', () => {
    const checked = checkPb(pb({}, PROJECTS, ['voter_id;vote', '1;c1', '', '2;c2']));
    assert.deepEqual(checked.problems, []);
    assert.deepEqual(checked.lines?.projects, [16, 17, 18]);
    assert.deepEqual(checked.lines?.ballots, [21, 23]);
    assert.equal(checked.lines?.meta.budget, 9);
    assert.equal(checked.election?.ballots.length, 2);
  });
});

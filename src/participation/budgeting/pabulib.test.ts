import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readCsv, writeCsvField } from './csv-reader.ts';
import { PbParseError, parsePb } from './pabulib.ts';
import { fromInteger, rational } from './rules/rational.ts';

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

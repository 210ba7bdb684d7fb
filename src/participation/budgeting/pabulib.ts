import { type CsvRecord, CsvSyntaxError, readCsv, writeCsvField } from './csv-reader.ts';
import { fromDecimal, type Rational } from './rules/rational.ts';

export type VoteType = 'approval' | 'choose-1' | 'ordinal' | 'cumulative' | 'scoring';

export interface PbProject {
  readonly id: string;
  readonly cost: Rational;
  readonly name: string;
  /** The official outcome from the `selected` column (0–3), or null when the file has none. */
  readonly selected: number | null;
  /** Every column as written, including ones this parser does not interpret. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface PbBallot {
  readonly voterId: string;
  /** Project ids in the order written: for ordinal ballots the ranking, most preferred first. */
  readonly projects: readonly string[];
  /** Parallel to `projects` for cumulative and scoring ballots, otherwise null. */
  readonly points: readonly bigint[] | null;
  /**
   * Further VOTES columns as written (age, sex, voting_method…: pabulib publishes them as research data).
   * Absent when the file has no such columns.
   */
  readonly fields?: Readonly<Record<string, string>>;
}

export interface PbElection {
  readonly meta: Readonly<Record<string, string>>;
  readonly voteType: VoteType;
  readonly budget: Rational;
  readonly projects: readonly PbProject[];
  /** Every VOTES row, empty ballots included: n is their number. */
  readonly ballots: readonly PbBallot[];
}

export class PbParseError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
    this.name = 'PbParseError';
  }

  /** The problem without its "line N: " prefix. */
  get problem(): string {
    return this.message.replace(/^line \d+: /, '');
  }
}

/** Where each part of a parsed file was written, for problems found after parsing. */
export interface PbLines {
  readonly meta: Readonly<Record<string, number>>;
  /** Parallel to election.projects. */
  readonly projects: readonly number[];
  /** Parallel to election.ballots. */
  readonly ballots: readonly number[];
}

export interface PbCheck {
  /** The election, only when there were no problems. */
  readonly election: PbElection | null;
  readonly lines: PbLines | null;
  /** Every problem found, in the order found; the first is the one parsePb throws. */
  readonly problems: readonly PbParseError[];
  /** True when checking stopped early: too many problems, or one after which nothing more can be trusted. */
  readonly stoppedEarly: boolean;
}

const REQUIRED_META = [
  'description',
  'country',
  'unit',
  'instance',
  'num_projects',
  'num_votes',
  'budget',
  'vote_type',
  'rule',
  'date_begin',
  'date_end',
] as const;
const VOTE_TYPES: readonly string[] = ['approval', 'choose-1', 'ordinal', 'cumulative', 'scoring'];
const SECTIONS = ['META', 'PROJECTS', 'VOTES'] as const;
type Section = (typeof SECTIONS)[number];

/** Thrown to stop checking once a problem leaves nothing further worth reading. */
class Stop extends Error {}

/**
 * Receives each problem. Strict parsing throws the first; checking collects them, and stops after a
 * `fatal` one (a broken header or section: every later line would be reported for the same cause).
 */
type Report = (error: PbParseError, fatal?: boolean) => void;

function decimal(text: string, line: number, what: string): Rational {
  try {
    return fromDecimal(text);
  } catch {
    throw new PbParseError(line, `${what} is not a decimal number: "${text}"`);
  }
}

function splitSections(records: readonly CsvRecord[], report: Report): Map<Section, CsvRecord[]> {
  const sections = new Map<Section, CsvRecord[]>();
  let current: CsvRecord[] | null = null;
  for (const record of records) {
    const only = record.fields.length === 1 ? record.fields[0]?.trim() : undefined;
    const section = SECTIONS.find((s) => s === only);
    if (section) {
      if (sections.has(section)) report(new PbParseError(record.line, `second ${section} section`), true);
      current = [];
      sections.set(section, current);
    } else if (current === null) {
      report(new PbParseError(record.line, 'content before the META section'), true);
    } else {
      current.push(record);
    }
  }
  for (const s of SECTIONS) {
    if (!sections.has(s)) report(new PbParseError(records.at(-1)?.line ?? 1, `missing ${s} section`), true);
  }
  return sections;
}

interface Table {
  readonly headerLine: number;
  readonly columns: ReadonlyMap<string, number>;
  /** Rows with as many fields as the header; the others have been reported. */
  readonly rows: readonly CsvRecord[];
}

function table(
  name: Section,
  records: readonly CsvRecord[],
  required: readonly string[],
  report: Report,
): Table {
  const [header, ...rows] = records;
  if (!header) {
    report(new PbParseError(1, `${name} section has no header line`), true);
    throw new Stop();
  }
  const columns = new Map<string, number>();
  header.fields.forEach((f, i) => {
    const key = f.trim();
    if (columns.has(key))
      report(new PbParseError(header.line, `${name} header repeats column "${key}"`), true);
    columns.set(key, i);
  });
  for (const r of required) {
    if (!columns.has(r))
      report(new PbParseError(header.line, `${name} header lacks the "${r}" column`), true);
  }
  const good: CsvRecord[] = [];
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      report(
        new PbParseError(
          row.line,
          `${name} row has ${row.fields.length} fields but the header has ${header.fields.length}`,
        ),
      );
    } else {
      good.push(row);
    }
  }
  return { headerLine: header.line, columns, rows: good };
}

const cell = (t: Table, row: CsvRecord, column: string): string | undefined => {
  const i = t.columns.get(column);
  return i === undefined ? undefined : row.fields[i];
};

function splitList(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
}

/** Runs one row's checks; a problem is reported and the row left out, so later rows are still checked. */
function eachRow(rows: readonly CsvRecord[], report: Report, read: (row: CsvRecord) => void): void {
  for (const row of rows) {
    try {
      read(row);
    } catch (e) {
      if (!(e instanceof PbParseError)) throw e;
      report(e);
    }
  }
}

function parse(text: string, report: Report): { election: PbElection; lines: PbLines } {
  let records: CsvRecord[];
  try {
    records = readCsv(text.startsWith('\uFEFF') ? text.slice(1) : text, ';');
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    report(new PbParseError(e.line, e.message.replace(/^line \d+: /, '')), true);
    throw new Stop();
  }
  const sections = splitSections(records, report);

  const metaTable = table('META', sections.get('META') ?? [], ['key', 'value'], report);
  const meta: Record<string, string> = {};
  const metaLines: Record<string, number> = {};
  eachRow(metaTable.rows, report, (row) => {
    const key = cell(metaTable, row, 'key')?.trim() ?? '';
    if (key in meta) throw new PbParseError(row.line, `META repeats key "${key}"`);
    meta[key] = cell(metaTable, row, 'value')?.trim() ?? '';
    metaLines[key] = row.line;
  });
  for (const key of REQUIRED_META) {
    if (!(key in meta))
      report(new PbParseError(metaTable.headerLine, `META lacks the required key "${key}"`));
  }
  // A missing vote_type or budget has been reported above; only a present one is checked further.
  const voteTypeText = meta.vote_type ?? '';
  let voteType: VoteType | null = null;
  if (VOTE_TYPES.includes(voteTypeText)) voteType = voteTypeText as VoteType;
  else if ('vote_type' in meta) {
    report(new PbParseError(metaLines.vote_type ?? 1, `unknown vote_type "${voteTypeText}"`));
  }
  let budget: Rational = { num: 0n, den: 1n };
  if ('budget' in meta) {
    try {
      budget = decimal(meta.budget ?? '', metaLines.budget ?? 1, 'budget');
    } catch (e) {
      if (!(e instanceof PbParseError)) throw e;
      report(e);
    }
  }

  const projectTable = table('PROJECTS', sections.get('PROJECTS') ?? [], ['project_id', 'cost'], report);
  const headers = [...projectTable.columns.keys()];
  const projects: PbProject[] = [];
  const projectLines: number[] = [];
  const known = new Set<string>();
  eachRow(projectTable.rows, report, (row) => {
    const id = cell(projectTable, row, 'project_id')?.trim() ?? '';
    if (id === '') throw new PbParseError(row.line, 'project without a project_id');
    if (known.has(id)) throw new PbParseError(row.line, `project "${id}" appears twice`);
    known.add(id);
    const cost = decimal(cell(projectTable, row, 'cost') ?? '', row.line, `cost of project "${id}"`);
    if (cost.num < 0n) throw new PbParseError(row.line, `cost of project "${id}" is negative`);
    const selectedText = cell(projectTable, row, 'selected')?.trim();
    let selected: number | null = null;
    if (selectedText !== undefined && selectedText !== '') {
      if (!/^[0-3]$/.test(selectedText)) {
        throw new PbParseError(row.line, `selected of project "${id}" must be 0, 1, 2 or 3`);
      }
      selected = Number(selectedText);
    }
    const fields: Record<string, string> = {};
    headers.forEach((h, i) => {
      fields[h] = row.fields[i] ?? '';
    });
    projects.push({ id, cost, name: cell(projectTable, row, 'name') ?? '', selected, fields });
    projectLines.push(row.line);
  });

  const voteTable = table('VOTES', sections.get('VOTES') ?? [], ['voter_id', 'vote'], report);
  const withPoints = voteType === 'cumulative' || voteType === 'scoring';
  if (withPoints && !voteTable.columns.has('points')) {
    report(new PbParseError(voteTable.headerLine, `${voteType} votes need a "points" column`), true);
  }
  const interpreted = new Set(['voter_id', 'vote', ...(withPoints ? ['points'] : [])]);
  const extras = [...voteTable.columns].filter(([name]) => !interpreted.has(name));
  const ballots: PbBallot[] = [];
  const ballotLines: number[] = [];
  const voters = new Set<string>();
  eachRow(voteTable.rows, report, (row) => {
    const voterId = cell(voteTable, row, 'voter_id')?.trim() ?? '';
    if (voters.has(voterId)) throw new PbParseError(row.line, `voter "${voterId}" votes twice`);
    voters.add(voterId);
    const listed = splitList(cell(voteTable, row, 'vote') ?? '');
    const seen = new Set<string>();
    for (const p of listed) {
      if (!known.has(p)) throw new PbParseError(row.line, `vote names unknown project "${p}"`);
      if (seen.has(p)) throw new PbParseError(row.line, `vote names project "${p}" twice`);
      seen.add(p);
    }
    if (voteType === 'choose-1' && listed.length > 1) {
      throw new PbParseError(row.line, `choose-1 vote names ${listed.length} projects`);
    }
    let points: bigint[] | null = null;
    if (withPoints) {
      const texts = splitList(cell(voteTable, row, 'points') ?? '');
      if (texts.length !== listed.length) {
        throw new PbParseError(row.line, `${texts.length} points for ${listed.length} projects`);
      }
      points = texts.map((t) => {
        // Scores may be negative; cumulative points are shares of a pot and may not.
        const pattern = voteType === 'scoring' ? /^-?\d+$/ : /^\d+$/;
        if (!pattern.test(t)) {
          throw new PbParseError(
            row.line,
            `points must be whole numbers${voteType === 'scoring' ? '' : ' ≥ 0'}, got "${t}"`,
          );
        }
        return BigInt(t);
      });
    }
    if (extras.length > 0) {
      const fields: Record<string, string> = {};
      for (const [name, i] of extras) fields[name] = row.fields[i] ?? '';
      ballots.push({ voterId, projects: listed, points, fields });
    } else {
      ballots.push({ voterId, projects: listed, points });
    }
    ballotLines.push(row.line);
  });

  return {
    // voteType is null only after a reported problem, so no caller ever sees this election.
    election: { meta, voteType: voteType ?? 'approval', budget, projects, ballots },
    lines: { meta: metaLines, projects: projectLines, ballots: ballotLines },
  };
}

/** Parses the text of a pabulib .pb file. Throws PbParseError naming the line of the first problem. */
export function parsePb(text: string): PbElection {
  return parse(text, (error) => {
    throw error;
  }).election;
}

/**
 * Checks a .pb file and reports every problem it can, each with its line, rather than only the first.
 * Rows are independent, so a bad row is reported and checking goes on; a broken header or section stops it.
 */
export function checkPb(text: string, maxProblems = 100): PbCheck {
  const problems: PbParseError[] = [];
  let stoppedEarly = false;
  const report: Report = (error, fatal = false) => {
    problems.push(error);
    if (fatal || problems.length >= maxProblems) throw new Stop();
  };
  try {
    const { election, lines } = parse(text, report);
    if (problems.length === 0) return { election, lines, problems, stoppedEarly };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    stoppedEarly = true;
  }
  return { election: null, lines: null, problems, stoppedEarly };
}

const POINT_TYPES: readonly VoteType[] = ['cumulative', 'scoring'];

/** An exact decimal for a rational whose denominator divides a power of ten; anything else is refused. */
export function toDecimal(value: Rational): string {
  let den = value.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) {
    den /= 2n;
    twos++;
  }
  while (den % 5n === 0n) {
    den /= 5n;
    fives++;
  }
  if (den !== 1n) throw new RangeError(`${value.num}/${value.den} has no exact decimal form`);
  const places = Math.max(twos, fives);
  const scaled = (value.num < 0n ? -value.num : value.num) * (10n ** BigInt(places) / value.den);
  const digits = scaled.toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  return `${value.num < 0n ? '-' : ''}${whole}${places > 0 ? `.${fraction}` : ''}`;
}

function sameDecimal(text: string | undefined, value: Rational): boolean {
  if (text === undefined) return false;
  try {
    const read = fromDecimal(text);
    return read.num === value.num && read.den === value.den;
  } catch {
    return false;
  }
}

/** Column names in first-seen order across the rows. */
function columnsOf(rows: readonly (Readonly<Record<string, string>> | undefined)[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row ?? {})) seen.add(key);
  return [...seen];
}

/**
 * Writes an election as a .pb file: the inverse of parsePb. Text kept in `meta` and `fields` is written as it
 * was read wherever it still agrees with the parsed values (so "100000.0" stays "100000.0"), and the parsed
 * values win where it does not. PROJECTS keeps the columns in the order they were read.
 */
export function writePb(election: PbElection): string {
  const line = (fields: readonly string[]) => fields.map((f) => writeCsvField(f)).join(';');
  const out: string[] = ['META', line(['key', 'value'])];
  const meta: Record<string, string> = { ...election.meta, vote_type: election.voteType };
  if (!sameDecimal(meta.budget, election.budget)) meta.budget = toDecimal(election.budget);
  for (const [key, value] of Object.entries(meta)) out.push(line([key, value]));

  const columns = columnsOf(election.projects.map((p) => p.fields));
  const ensure = (name: string, first = false) => {
    if (!columns.includes(name)) first ? columns.unshift(name) : columns.push(name);
  };
  ensure('cost', true);
  ensure('project_id', true);
  if (election.projects.some((p) => p.name !== '')) ensure('name');
  if (election.projects.some((p) => p.selected !== null)) ensure('selected');
  out.push('PROJECTS', line(columns));
  for (const p of election.projects) {
    const { fields } = p;
    out.push(
      line(
        columns.map((c) => {
          const given = fields[c];
          switch (c) {
            case 'project_id':
              return given?.trim() === p.id ? given : p.id;
            case 'cost':
              return given !== undefined && sameDecimal(given, p.cost) ? given : toDecimal(p.cost);
            case 'name':
              return given === p.name ? given : p.name;
            case 'selected': {
              const read = given === undefined || given.trim() === '' ? null : Number(given.trim());
              return given !== undefined && read === p.selected
                ? given
                : p.selected === null
                  ? ''
                  : String(p.selected);
            }
            default:
              return given ?? '';
          }
        }),
      ),
    );
  }

  const withPoints = POINT_TYPES.includes(election.voteType);
  const reserved = new Set(['voter_id', 'vote', ...(withPoints ? ['points'] : [])]);
  const extras = columnsOf(election.ballots.map((b) => b.fields)).filter((c) => !reserved.has(c));
  out.push('VOTES', line(['voter_id', 'vote', ...(withPoints ? ['points'] : []), ...extras]));
  for (const b of election.ballots) {
    for (const id of b.projects) {
      if (id.includes(',')) throw new RangeError(`project id "${id}" cannot be written in a vote list`);
    }
    const cells = [b.voterId, b.projects.join(',')];
    if (withPoints) cells.push((b.points ?? []).map(String).join(','));
    for (const c of extras) cells.push(b.fields?.[c] ?? '');
    out.push(line(cells));
  }
  return `${out.join('\n')}\n`;
}

import { type CsvRecord, CsvSyntaxError, readCsv } from './csv-reader.ts';
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
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'PbParseError';
  }
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

function decimal(text: string, line: number, what: string): Rational {
  try {
    return fromDecimal(text);
  } catch {
    throw new PbParseError(line, `${what} is not a decimal number: "${text}"`);
  }
}

function splitSections(records: readonly CsvRecord[]): Map<Section, CsvRecord[]> {
  const sections = new Map<Section, CsvRecord[]>();
  let current: CsvRecord[] | null = null;
  for (const record of records) {
    const only = record.fields.length === 1 ? record.fields[0]?.trim() : undefined;
    const section = SECTIONS.find((s) => s === only);
    if (section) {
      if (sections.has(section)) throw new PbParseError(record.line, `second ${section} section`);
      current = [];
      sections.set(section, current);
    } else if (current === null) {
      throw new PbParseError(record.line, 'content before the META section');
    } else {
      current.push(record);
    }
  }
  for (const s of SECTIONS) {
    if (!sections.has(s)) throw new PbParseError(records.at(-1)?.line ?? 1, `missing ${s} section`);
  }
  return sections;
}

interface Table {
  readonly headerLine: number;
  readonly columns: ReadonlyMap<string, number>;
  readonly rows: readonly CsvRecord[];
}

function table(name: Section, records: readonly CsvRecord[], required: readonly string[]): Table {
  const [header, ...rows] = records;
  if (!header) throw new PbParseError(1, `${name} section has no header line`);
  const columns = new Map<string, number>();
  header.fields.forEach((f, i) => {
    const key = f.trim();
    if (columns.has(key)) throw new PbParseError(header.line, `${name} header repeats column "${key}"`);
    columns.set(key, i);
  });
  for (const r of required) {
    if (!columns.has(r)) throw new PbParseError(header.line, `${name} header lacks the "${r}" column`);
  }
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      throw new PbParseError(
        row.line,
        `${name} row has ${row.fields.length} fields but the header has ${header.fields.length}`,
      );
    }
  }
  return { headerLine: header.line, columns, rows };
}

const cell = (t: Table, row: CsvRecord, column: string): string | undefined => {
  const i = t.columns.get(column);
  return i === undefined ? undefined : row.fields[i];
};

function splitList(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
}

/** Parses the text of a pabulib .pb file. Throws PbParseError naming the line of the first problem. */
export function parsePb(text: string): PbElection {
  let records: CsvRecord[];
  try {
    records = readCsv(text.startsWith('\uFEFF') ? text.slice(1) : text, ';');
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new PbParseError(e.line, e.message.replace(/^line \d+: /, ''));
    throw e;
  }
  const sections = splitSections(records);

  const metaTable = table('META', sections.get('META') ?? [], ['key', 'value']);
  const meta: Record<string, string> = {};
  const metaLines = new Map<string, number>();
  for (const row of metaTable.rows) {
    const key = cell(metaTable, row, 'key')?.trim() ?? '';
    if (key in meta) throw new PbParseError(row.line, `META repeats key "${key}"`);
    meta[key] = cell(metaTable, row, 'value')?.trim() ?? '';
    metaLines.set(key, row.line);
  }
  for (const key of REQUIRED_META) {
    if (!(key in meta)) throw new PbParseError(metaTable.headerLine, `META lacks the required key "${key}"`);
  }
  const voteTypeText = meta.vote_type ?? '';
  if (!VOTE_TYPES.includes(voteTypeText)) {
    throw new PbParseError(metaLines.get('vote_type') ?? 1, `unknown vote_type "${voteTypeText}"`);
  }
  const voteType = voteTypeText as VoteType;
  const budget = decimal(meta.budget ?? '', metaLines.get('budget') ?? 1, 'budget');

  const projectTable = table('PROJECTS', sections.get('PROJECTS') ?? [], ['project_id', 'cost']);
  const headers = [...projectTable.columns.keys()];
  const projects: PbProject[] = [];
  const known = new Set<string>();
  for (const row of projectTable.rows) {
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
  }

  const voteTable = table('VOTES', sections.get('VOTES') ?? [], ['voter_id', 'vote']);
  const withPoints = voteType === 'cumulative' || voteType === 'scoring';
  if (withPoints && !voteTable.columns.has('points')) {
    throw new PbParseError(voteTable.headerLine, `${voteType} votes need a "points" column`);
  }
  const ballots: PbBallot[] = [];
  const voters = new Set<string>();
  for (const row of voteTable.rows) {
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
    ballots.push({ voterId, projects: listed, points });
  }

  return { meta, voteType, budget, projects, ballots };
}

import { CsvSyntaxError, readCsv } from '../../participation/budgeting/csv-reader.ts';
import { type IndicatorRule, valueProblem } from './indicators.ts';

/** Columns every file must have, whatever the programme's indicators. */
export const REQUIRED_COLUMNS = [
  'reference',
  'given_name',
  'family_name',
  'date_of_birth',
  'year_group',
] as const;

export interface ChildRow {
  line: number;
  reference: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  yearGroup: number;
  /** Only the columns the programme's indicators read: anything else in the file is not kept. */
  measures: Record<string, string>;
}

export interface Problem {
  line: number;
  message: string;
}

const MAX_PROBLEMS = 50;

function isRealDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/**
 * Reads a year group's CSV (comma-separated, RFC 4180, header row first) against a programme's indicators.
 * Every problem is reported with its line; the caller stores nothing unless there are none.
 */
export function readIdentificationCsv(
  text: string,
  rules: readonly IndicatorRule[],
  expectedYearGroup: number,
): { rows: ChildRow[]; problems: Problem[] } {
  let records: ReturnType<typeof readCsv>;
  try {
    records = readCsv(text.replace(/^\uFEFF/, ''), ',');
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      return {
        rows: [],
        problems: [{ line: error.line, message: capitalise(error.message.replace(/^line \d+: /, '')) }],
      };
    }
    throw error;
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 1, message: 'The file is empty' }] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const problems: Problem[] = [];
  const needed = [...REQUIRED_COLUMNS, ...rules.map((r) => r.columnName)];
  const missing = [...new Set(needed)].filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    problems.push({ line: header.line, message: `The header has no column ${missing.join(', ')}` });
  }
  const duplicated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (duplicated.length > 0) {
    problems.push({
      line: header.line,
      message: `The header names ${[...new Set(duplicated)].join(', ')} twice`,
    });
  }
  if (problems.length > 0) return { rows: [], problems };
  if (body.length === 0)
    return {
      rows: [],
      problems: [{ line: header.line, message: 'The file has no children after the header' }],
    };

  const at = (fields: readonly string[], column: string) => (fields[columns.indexOf(column)] ?? '').trim();
  const seen = new Map<string, number>();
  const rows: ChildRow[] = [];
  for (const record of body) {
    if (problems.length >= MAX_PROBLEMS) break;
    const { line, fields } = record;
    const lineProblems: string[] = [];
    if (fields.length !== columns.length) {
      problems.push({ line, message: `Expected ${columns.length} values, found ${fields.length}` });
      continue;
    }
    const reference = at(fields, 'reference');
    if (reference === '') lineProblems.push('reference is empty');
    else if (reference.length > 50) lineProblems.push('reference must be 50 characters or fewer');
    else if (seen.has(reference))
      lineProblems.push(`reference ${reference} is also on line ${seen.get(reference)}`);
    else seen.set(reference, line);
    for (const name of ['given_name', 'family_name'] as const) {
      const value = at(fields, name);
      if (value === '') lineProblems.push(`${name} is empty`);
      else if (value.length > 100) lineProblems.push(`${name} must be 100 characters or fewer`);
    }
    const dateOfBirth = at(fields, 'date_of_birth');
    if (!isRealDate(dateOfBirth))
      lineProblems.push(`date_of_birth must be a date like 2014-09-30, not "${dateOfBirth}"`);
    const yearText = at(fields, 'year_group');
    const yearGroup = Number(yearText);
    if (!/^-?\d{1,2}$/.test(yearText))
      lineProblems.push(`year_group must be a whole number, not "${yearText}"`);
    else if (yearGroup !== expectedYearGroup) {
      lineProblems.push(`year_group is ${yearGroup} but this cohort is year ${expectedYearGroup}`);
    }
    const measures: Record<string, string> = {};
    for (const rule of rules) {
      const value = at(fields, rule.columnName);
      const problem = valueProblem(rule, value);
      if (problem) lineProblems.push(problem);
      measures[rule.columnName] = value;
    }
    if (lineProblems.length > 0) {
      // Messages start with the column's own name, as in the file's header, so they are not capitalised.
      problems.push({ line, message: lineProblems.join('; ') });
      continue;
    }
    rows.push({
      line,
      reference,
      givenName: at(fields, 'given_name'),
      familyName: at(fields, 'family_name'),
      dateOfBirth,
      yearGroup,
      measures,
    });
  }
  return { rows: problems.length > 0 ? [] : rows, problems };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

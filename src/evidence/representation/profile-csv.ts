import { CsvSyntaxError, readCsv } from '../../participation/budgeting/csv-reader.ts';

/** One category of one dimension of a place's population. */
export interface ProfileRow {
  dimension: string;
  dimensionLabel: string;
  category: string;
  /** People, when the file gave counts; null when it gave shares. */
  population: number | null;
  /** Share of the dimension's population, 0–1. */
  share: number;
}

export interface Problem {
  line: number;
  message: string;
}

/** The answer every question offers besides the profile's categories; a category may not take its name. */
export const PREFER_NOT = 'prefer_not_to_say';
const RESERVED = new Set(['prefer not to say', PREFER_NOT]);
const MAX_PROBLEMS = 50;
const MAX_ROWS = 2000;

/** A stable key for a dimension label: "Age band" → "age-band". */
export function dimensionKey(label: string): string {
  return label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Reads a population profile: comma-separated, header first, columns dimension, category and count or
 * share (a percentage). Within a dimension every line gives a count, or every line gives a share and the
 * shares add up to 100 (± 0.5). Every problem is reported with its line; the caller stores nothing
 * unless there are none.
 */
export function readProfileCsv(text: string): { rows: ProfileRow[]; problems: Problem[] } {
  let records: ReturnType<typeof readCsv>;
  try {
    records = readCsv(text.replace(/^\uFEFF/, ''), ',');
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      const message = error.message.replace(/^line \d+: /, '');
      return {
        rows: [],
        problems: [{ line: error.line, message: message.charAt(0).toUpperCase() + message.slice(1) }],
      };
    }
    throw error;
  }
  const [header, ...body] = records.filter((r) => r.fields.some((f) => f.trim() !== ''));
  if (!header) return { rows: [], problems: [{ line: 1, message: 'The file is empty' }] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const at = (name: string) => columns.indexOf(name);
  const missing = ['dimension', 'category'].filter((c) => at(c) < 0);
  if (at('count') < 0 && at('share') < 0) missing.push('count or share');
  if (missing.length > 0) {
    return {
      rows: [],
      problems: [{ line: header.line, message: `The header has no column ${missing.join(', ')}` }],
    };
  }
  if (body.length === 0)
    return { rows: [], problems: [{ line: header.line, message: 'The file has no lines after the header' }] };
  if (body.length > MAX_ROWS) {
    return {
      rows: [],
      problems: [{ line: header.line, message: `The file has more than ${MAX_ROWS} lines` }],
    };
  }

  const problems: Problem[] = [];
  const rows: (ProfileRow & { line: number; given: 'count' | 'share' })[] = [];
  const seen = new Set<string>();
  for (const record of body) {
    const cell = (name: string) => (at(name) >= 0 ? (record.fields[at(name)] ?? '').trim() : '');
    const problem = (message: string) => problems.push({ line: record.line, message });
    const label = cell('dimension');
    const category = cell('category');
    const count = cell('count');
    const share = cell('share');
    const before = problems.length;
    if (!label) problem('The dimension is empty');
    else if (label.length > 60 || !dimensionKey(label))
      problem('The dimension must be 1 to 60 characters with a letter or digit');
    if (!category) problem('The category is empty');
    else if (category.length > 80) problem('The category must be 80 characters or fewer');
    else if (RESERVED.has(category.toLowerCase()))
      problem('“Prefer not to say” is offered with every question: leave it out of the file');
    let given: 'count' | 'share' = 'count';
    let population: number | null = null;
    let shareValue = 0;
    if (count && share) problem('Give a count or a share, not both');
    else if (count) {
      if (!/^\d{1,10}$/.test(count)) problem(`The count must be a whole number of people, not “${count}”`);
      else population = Number(count);
    } else if (share) {
      given = 'share';
      if (!/^\d{1,3}(\.\d{1,4})?$/.test(share) || Number(share) > 100) {
        problem(`The share must be a percentage from 0 to 100, not “${share}”`);
      } else shareValue = Number(share) / 100;
    } else problem('Give a count or a share');
    const key = `${dimensionKey(label)}\u0000${category.toLowerCase()}`;
    if (problems.length === before && seen.has(key)) problem(`“${category}” appears twice in ${label}`);
    seen.add(key);
    if (problems.length === before) {
      rows.push({
        line: record.line,
        given,
        dimension: dimensionKey(label),
        dimensionLabel: label,
        category,
        population,
        share: shareValue,
      });
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }

  const byDimension = new Map<string, typeof rows>();
  for (const row of rows) byDimension.set(row.dimension, [...(byDimension.get(row.dimension) ?? []), row]);
  for (const [, lines] of byDimension) {
    const first = lines[0]!;
    const mixed = lines.find((l) => l.given !== first.given);
    if (mixed) {
      problems.push({
        line: mixed.line,
        message: `${first.dimensionLabel} mixes counts and shares: use one or the other`,
      });
      continue;
    }
    if (first.given === 'count') {
      const total = lines.reduce((s, l) => s + (l.population ?? 0), 0);
      if (total === 0)
        problems.push({ line: first.line, message: `${first.dimensionLabel} has no people in it` });
      for (const l of lines) l.share = total > 0 ? (l.population ?? 0) / total : 0;
    } else {
      const sum = lines.reduce((s, l) => s + l.share * 100, 0);
      if (Math.abs(sum - 100) > 0.5) {
        problems.push({
          line: first.line,
          message: `The shares of ${first.dimensionLabel} add up to ${Math.round(sum * 100) / 100}, not 100`,
        });
      }
    }
  }
  problems.sort((a, b) => a.line - b.line);
  if (problems.length > 0) return { rows: [], problems: problems.slice(0, MAX_PROBLEMS) };
  return { rows: rows.map(({ line: _line, given: _given, ...row }) => row), problems: [] };
}

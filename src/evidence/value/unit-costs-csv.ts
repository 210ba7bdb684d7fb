import { CsvSyntaxError, readCsv } from '../../participation/budgeting/csv-reader.ts';
import { parsePence } from './cost-benefit.ts';
import type { Confidence } from './value.table.ts';

/** The columns of a unit-cost file, in the order of docs/samples/unit-costs-sample.csv. */
export const UNIT_COST_COLUMNS = [
  'item',
  'unit',
  'source',
  'year',
  'fiscal_value',
  'economic_value',
  'social_value',
  'confidence',
  'notes',
] as const;

export const MAX_UNIT_COST_ROWS = 2000;

export interface UnitCostValues {
  item: string;
  unit: string;
  source: string;
  year: number;
  /** Pence, or null when the source gives no value of this kind. */
  fiscal: bigint | null;
  economic: bigint | null;
  social: bigint | null;
  confidence: Confidence;
  notes: string;
}

export interface CsvProblem {
  line: number;
  message: string;
}

/**
 * Confidence as the GMCA unit cost database grades it: 1 to 3, where 3 is the most robust evidence, or
 * high / medium / low.
 */
export function readConfidence(value: string): Confidence | undefined {
  const v = value.trim().toLowerCase();
  if (v === '3' || v === 'high') return 'high';
  if (v === '2' || v === 'medium') return 'medium';
  if (v === '1' || v === 'low') return 'low';
  return undefined;
}

/** Checks one row's fields (from the file or the form); problems are worded for the person fixing them. */
export function checkUnitCost(fields: Record<(typeof UNIT_COST_COLUMNS)[number], string>): {
  values?: UnitCostValues;
  problems: { field: string; message: string }[];
} {
  const problems: { field: string; message: string }[] = [];
  const text = (field: keyof typeof fields, label: string, max: number, required = true) => {
    const v = fields[field].trim();
    if (required && v === '') problems.push({ field, message: `Enter the ${label}` });
    else if (v.length > max)
      problems.push({ field, message: `The ${label} must be ${max} characters or fewer` });
    return v;
  };
  const item = text('item', 'outcome or item', 200);
  const unit = text('unit', 'unit', 100);
  const source = text('source', 'source', 300);
  const notes = text('notes', 'notes', 2000, false);
  const yearText = fields.year.trim();
  const year = Number(yearText);
  if (!/^\d{4}$/.test(yearText) || year < 1990 || year > 2100)
    problems.push({ field: 'year', message: 'The year must be a year like 2024' });
  const money = (field: 'fiscal_value' | 'economic_value' | 'social_value', label: string) => {
    const v = fields[field].trim();
    if (v === '') return null;
    const pence = parsePence(v);
    if (pence === undefined || pence < 0n) {
      problems.push({ field, message: `The ${label} must be an amount in pounds, like 1250.50` });
      return null;
    }
    return pence;
  };
  const fiscal = money('fiscal_value', 'fiscal value');
  const economic = money('economic_value', 'economic value');
  const social = money('social_value', 'social value');
  if (
    fields.fiscal_value.trim() === '' &&
    fields.economic_value.trim() === '' &&
    fields.social_value.trim() === ''
  )
    problems.push({
      field: 'fiscal_value',
      message: 'Enter at least one of the fiscal, economic or social value',
    });
  const confidence = readConfidence(fields.confidence);
  if (!confidence)
    problems.push({
      field: 'confidence',
      message: 'The confidence must be 1, 2 or 3, or high, medium or low',
    });
  if (problems.length > 0 || !confidence) return { problems };
  return {
    problems,
    values: { item, unit, source, year, fiscal, economic, social, confidence, notes },
  };
}

/** The whole file, checked before anything is stored: every row's values, or every problem with its line. */
export function parseUnitCostsCsv(
  text: string,
): { ok: true; rows: UnitCostValues[] } | { ok: false; problems: CsvProblem[] } {
  let records: ReturnType<typeof readCsv>;
  try {
    records = readCsv(text.replace(/^\uFEFF/, ''), ',');
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { ok: false, problems: [{ line: error.line, message: error.message }] };
    throw error;
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, problems: [{ line: 1, message: 'The file is empty' }] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = UNIT_COST_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0)
    return {
      ok: false,
      problems: [{ line: 1, message: `The header is missing the columns ${missing.join(', ')}` }],
    };
  if (body.length === 0) return { ok: false, problems: [{ line: 2, message: 'The file has no unit costs' }] };
  if (body.length > MAX_UNIT_COST_ROWS)
    return {
      ok: false,
      problems: [{ line: 1, message: `A file may hold at most ${MAX_UNIT_COST_ROWS} unit costs` }],
    };
  const rows: UnitCostValues[] = [];
  const problems: CsvProblem[] = [];
  for (const record of body) {
    const fields = Object.fromEntries(
      UNIT_COST_COLUMNS.map((c) => [c, record.fields[names.indexOf(c)] ?? '']),
    ) as Record<(typeof UNIT_COST_COLUMNS)[number], string>;
    const checked = checkUnitCost(fields);
    for (const p of checked.problems)
      problems.push({ line: record.line, message: `${p.message} (${p.field})` });
    if (checked.values) rows.push(checked.values);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows };
}

import { type CsvRecord, CsvSyntaxError, readCsv } from '../../budgeting/csv-reader.ts';

/** One value of a feature with its quota: how many panel members must (min) and may (max) have it. */
export interface QuotaValue {
  /** The value as the categories file writes it (shown in reports). */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** How far the quota may be loosened when it cannot be met (sortition-algorithms' min_flex/max_flex). */
  readonly minFlex?: number;
  readonly maxFlex?: number;
}

export interface Feature {
  readonly name: string;
  readonly values: readonly QuotaValue[];
}

/** Features in file order, each with its values in file order. */
export interface Categories {
  readonly features: readonly Feature[];
}

export interface Respondent {
  readonly id: string;
  /** Index into the feature's values, one per feature in Categories order. */
  readonly values: readonly number[];
  /**
   * The household (address columns trimmed, case-folded, joined) or null when no address columns were
   * named or every address cell is empty: an unknown address is nobody's housemate.
   */
  readonly household: string | null;
}

/** A problem with an input file; `line` is 1-based (the header is line 1). */
export class SelectionInputError extends Error {
  constructor(
    readonly file: 'categories' | 'respondents',
    readonly line: number | null,
    message: string,
  ) {
    super(line === null ? `${file}: ${message}` : `${file} line ${line}: ${message}`);
    this.name = 'SelectionInputError';
  }
}

/** Matching of feature names, values and column names ignores case and surrounding spaces. */
export const fold = (text: string): string => text.trim().toLocaleLowerCase('en');

function records(text: string, file: 'categories' | 'respondents'): CsvRecord[] {
  try {
    // A byte-order mark from spreadsheet exports would otherwise become part of the first column's name.
    return readCsv(text.replace(/^\uFEFF/, ''), ',');
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new SelectionInputError(file, error.line, error.message);
    throw error;
  }
}

const blank = (fields: readonly string[]): boolean => fields.every((f) => f.trim() === '');

function count(text: string | undefined, line: number, column: string, optional = false): number | undefined {
  const t = (text ?? '').trim();
  if (t === '' && optional) return undefined;
  if (!/^\d+$/.test(t)) {
    throw new SelectionInputError('categories', line, `${column} must be a whole number ≥ 0, not "${t}"`);
  }
  return Number(t);
}

/**
 * Reads quotas in any of three shapes, told apart by the header:
 * `feature,value,min,max[,min_flex,max_flex]` (sortition-algorithms), `category,feature,min,max`
 * (Flanigan et al.'s replication package: there `category` is the feature and `feature` its value) and
 * `category,name,min,max,Notes` (OpenDLP). Blank rows are skipped, and so are note rows with neither a
 * feature nor bounds (OpenDLP's example ends with some); anything else that is wrong is an error naming
 * its line.
 */
export function readCategories(text: string): Categories {
  const rows = records(text, 'categories');
  const header = rows[0];
  if (!header) throw new SelectionInputError('categories', null, 'the file is empty');
  const names = header.fields.map(fold);
  const at = (name: string): number => names.indexOf(name);
  let featureCol: number;
  let valueCol: number;
  if (at('feature') >= 0 && at('value') >= 0) {
    featureCol = at('feature');
    valueCol = at('value');
  } else if (at('category') >= 0 && at('feature') >= 0) {
    featureCol = at('category');
    valueCol = at('feature');
  } else if (at('category') >= 0 && at('name') >= 0) {
    featureCol = at('category');
    valueCol = at('name');
  } else {
    throw new SelectionInputError(
      'categories',
      header.line,
      'the header must be feature,value,min,max[,min_flex,max_flex] or category,feature,min,max or category,name,min,max',
    );
  }
  const minCol = at('min');
  const maxCol = at('max');
  if (minCol < 0 || maxCol < 0) {
    throw new SelectionInputError('categories', header.line, 'the header has no min or no max column');
  }
  const minFlexCol = at('min_flex');
  const maxFlexCol = at('max_flex');

  const features: { name: string; values: QuotaValue[]; seen: Set<string> }[] = [];
  const byName = new Map<string, (typeof features)[number]>();
  for (const row of rows.slice(1)) {
    const f = row.fields;
    if (blank(f)) continue;
    const feature = (f[featureCol] ?? '').trim();
    const value = (f[valueCol] ?? '').trim();
    const minText = (f[minCol] ?? '').trim();
    const maxText = (f[maxCol] ?? '').trim();
    if (feature === '' && minText === '' && maxText === '') continue;
    if (feature === '') throw new SelectionInputError('categories', row.line, 'the feature is empty');
    if (value === '') throw new SelectionInputError('categories', row.line, 'the value is empty');
    const min = count(minText, row.line, 'min')!;
    const max = count(maxText, row.line, 'max')!;
    if (min > max) throw new SelectionInputError('categories', row.line, `min ${min} is above max ${max}`);
    const minFlex = minFlexCol >= 0 ? count(f[minFlexCol], row.line, 'min_flex', true) : undefined;
    const maxFlex = maxFlexCol >= 0 ? count(f[maxFlexCol], row.line, 'max_flex', true) : undefined;
    if (minFlex !== undefined && minFlex > min) {
      throw new SelectionInputError('categories', row.line, `min_flex ${minFlex} is above min ${min}`);
    }
    if (maxFlex !== undefined && maxFlex < max) {
      throw new SelectionInputError('categories', row.line, `max_flex ${maxFlex} is below max ${max}`);
    }
    let entry = byName.get(fold(feature));
    if (!entry) {
      entry = { name: feature, values: [], seen: new Set() };
      byName.set(fold(feature), entry);
      features.push(entry);
    }
    if (entry.seen.has(fold(value))) {
      throw new SelectionInputError('categories', row.line, `${feature}/${value} is listed twice`);
    }
    entry.seen.add(fold(value));
    entry.values.push({
      name: value,
      min,
      max,
      ...(minFlex === undefined ? {} : { minFlex }),
      ...(maxFlex === undefined ? {} : { maxFlex }),
    });
  }
  if (features.length === 0) throw new SelectionInputError('categories', null, 'no quotas are given');
  return { features: features.map(({ name, values }) => ({ name, values })) };
}

/** Id columns recognised, in order of preference; without one, the data row number (1-based) is the id. */
export const ID_COLUMNS = ['nationbuilder_id', 'unique_id', 'id'] as const;

export interface ReadRespondentsOptions {
  /** Columns that together make an address: respondents equal on all of them are one household. */
  readonly addressColumns?: readonly string[];
}

/**
 * Reads respondents: one column per feature (named as the feature, any case), values matched to the
 * quota values ignoring case; other columns are ignored. Every respondent needs a known value for every
 * feature — a respondent who cannot be placed against the quotas is a data error, not something to guess.
 */
export function readRespondents(
  text: string,
  categories: Categories,
  options: ReadRespondentsOptions = {},
): Respondent[] {
  const rows = records(text, 'respondents');
  const header = rows[0];
  if (!header) throw new SelectionInputError('respondents', null, 'the file is empty');
  const names = header.fields.map(fold);
  const column = (name: string, what: string): number => {
    const index = names.indexOf(fold(name));
    if (index < 0)
      throw new SelectionInputError('respondents', header.line, `there is no ${what} column "${name}"`);
    return index;
  };
  const featureCols = categories.features.map((f) => column(f.name, 'feature'));
  const valueIndex = categories.features.map((f) => new Map(f.values.map((v, i) => [fold(v.name), i])));
  const addressCols = (options.addressColumns ?? []).map((a) => column(a, 'address'));
  const idName = ID_COLUMNS.find((c) => names.includes(c));
  const idCol = idName === undefined ? -1 : names.indexOf(idName);

  const respondents: Respondent[] = [];
  const ids = new Set<string>();
  let number = 0;
  for (const row of rows.slice(1)) {
    if (blank(row.fields)) continue;
    number++;
    const f = row.fields;
    if (f.length !== header.fields.length) {
      throw new SelectionInputError(
        'respondents',
        row.line,
        `${f.length} fields where the header has ${header.fields.length}`,
      );
    }
    const id = idCol >= 0 ? (f[idCol] ?? '').trim() : String(number);
    if (id === '') throw new SelectionInputError('respondents', row.line, 'the id is empty');
    if (ids.has(id)) throw new SelectionInputError('respondents', row.line, `the id ${id} appears twice`);
    ids.add(id);
    const values = categories.features.map((feature, i) => {
      const raw = f[featureCols[i]!] ?? '';
      const index = valueIndex[i]!.get(fold(raw));
      if (index === undefined) {
        throw new SelectionInputError(
          'respondents',
          row.line,
          `${feature.name} "${raw.trim()}" is not one of the values in the categories (${feature.values.map((v) => v.name).join(', ')})`,
        );
      }
      return index;
    });
    const address = addressCols.map((c) => fold(f[c] ?? ''));
    const household = address.length === 0 || address.every((a) => a === '') ? null : address.join('\u001f');
    respondents.push({ id, values, household });
  }
  if (respondents.length === 0)
    throw new SelectionInputError('respondents', null, 'no respondents are given');
  return respondents;
}

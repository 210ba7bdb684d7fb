import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { CommentExportRow, ProposalExportRow } from './statistics.service.ts';

/** A column of an export: its name in the CSV header and the JSON keys, and how to read it from a row. */
export interface Column<T> {
  name: string;
  value: (row: T) => string | number | null;
}

export const PROPOSAL_COLUMNS: Column<ProposalExportRow>[] = [
  { name: 'id', value: (r) => r.id },
  { name: 'title', value: (r) => r.title },
  { name: 'body', value: (r) => r.body },
  { name: 'category', value: (r) => r.category },
  { name: 'area', value: (r) => r.area },
  { name: 'status', value: (r) => r.status },
  { name: 'answer', value: (r) => r.answer },
  { name: 'answer_reason', value: (r) => r.answerReason },
  { name: 'support_count', value: (r) => r.supportCount },
  { name: 'comment_count', value: (r) => r.commentCount },
  { name: 'created_at', value: (r) => r.createdAt.toISOString() },
];

export const COMMENT_COLUMNS: Column<CommentExportRow>[] = [
  { name: 'id', value: (r) => r.id },
  { name: 'proposal_id', value: (r) => r.proposalId },
  { name: 'parent_id', value: (r) => r.parentId },
  { name: 'stance', value: (r) => r.stance },
  { name: 'body', value: (r) => r.body },
  { name: 'agree_count', value: (r) => r.agreeCount },
  { name: 'disagree_count', value: (r) => r.disagreeCount },
  { name: 'created_at', value: (r) => r.createdAt.toISOString() },
];

/**
 * Spreadsheets run a cell that starts with = + - or @ (or a tab or carriage
 * return, which some strip first) as a formula; a leading quote makes it text.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** CSV with a header row, UTF-8 with a byte order mark (so spreadsheets read it as UTF-8), RFC 4180 quoting. */
export function csvStream<T>(rows: AsyncIterable<T>, columns: Column<T>[], onError: (error: Error) => void) {
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) yield columns.map((c) => c.value(row));
    })(),
  );
  const stringifier = stringify({
    header: true,
    columns: columns.map((c) => c.name),
    bom: true,
    record_delimiter: 'windows',
    cast: { string: (value) => neutraliseFormula(value) },
  });
  return pipeline(source, stringifier, (error) => {
    if (error) onError(error);
  });
}

/** A JSON array of objects keyed by the column names, written one row at a time. */
export function jsonStream<T>(rows: AsyncIterable<T>, columns: Column<T>[]) {
  return Readable.from(
    (async function* () {
      let first = true;
      yield '[';
      for await (const row of rows) {
        const record = Object.fromEntries(columns.map((c) => [c.name, c.value(row)]));
        yield `${first ? '\n' : ',\n'}${JSON.stringify(record)}`;
        first = false;
      }
      yield first ? ']\n' : '\n]\n';
    })(),
    { objectMode: false },
  );
}

/** A file name for a download: the place, the process title and what it holds, in plain ASCII. */
export function exportFileName(placeSlug: string, processTitle: string, what: string, extension: string) {
  const title =
    processTitle
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50)
      .replace(/-+$/, '') || 'process';
  return `${placeSlug}-${title}-${what}.${extension}`;
}

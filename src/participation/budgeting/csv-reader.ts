export interface CsvRecord {
  /** 1-based line on which the record starts, for error messages. */
  readonly line: number;
  readonly fields: readonly string[];
}

export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
    this.name = 'CsvSyntaxError';
  }
}

/**
 * RFC 4180 reading with a chosen delimiter: quoted fields may hold the delimiter, line breaks and `""` for a
 * quote. Accepts CRLF, LF and lone CR. Records made only of an empty unquoted field (blank lines) are dropped
 * because .pb files use them as padding.
 */
export function readCsv(text: string, delimiter = ';'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quotedRecord = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;

  const endRecord = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '' || quotedRecord) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quotedRecord = false;
  };

  while (i < n) {
    const ch = text[i];
    if (ch === '"' && field === '') {
      quotedRecord = true;
      const openedOn = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvSyntaxError(openedOn, 'quoted field is never closed');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (i < n && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new CsvSyntaxError(line, `unexpected character after closing quote: "${next}"`);
      }
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      // A quote inside an unquoted field is literal, as Python's csv module (pabulib's own tooling) reads it.
      // Copy the run of ordinary characters at once: per-character concatenation dominates on large files.
      let j = i + 1;
      while (j < n) {
        const c = text[j];
        if (c === delimiter || c === '\n' || c === '\r') break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || fields.length > 0 || quotedRecord) endRecord();
  return records;
}

/** Quotes a field only when it needs it, so writing then reading gives the same fields back. */
export function writeCsvField(value: string, delimiter = ';'): string {
  return /["\r\n]/.test(value) || value.includes(delimiter) || value === ''
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

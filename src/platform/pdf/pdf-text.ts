import { inflateSync } from 'node:zlib';

/**
 * Reads back what a PDF from letters.ts says, so that tests can check the printed text itself (the
 * codes on letters, say) rather than trusting the code that wrote it. It understands exactly what
 * pdfkit writes with the standard fonts: content streams, compressed or not, whose text is shown by
 * TJ arrays of hex strings in Windows-1252. It is not a general PDF reader.
 */

const decoder = new TextDecoder('windows-1252');

/** How many pages the document has. */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;
}

/** The text of each content stream (one per page, in the order written), one string per text line. */
export function pdfText(pdf: Buffer): string[][] {
  const raw = pdf.toString('latin1');
  const pages: string[][] = [];
  const header = /<<\n\/Length (\d+)\n(\/Filter \/FlateDecode\n)?>>\nstream\n/g;
  for (let match = header.exec(raw); match; match = header.exec(raw)) {
    const start = match.index + match[0].length;
    const bytes = pdf.subarray(start, start + Number(match[1]));
    const content = (match[2] ? inflateSync(bytes) : bytes).toString('latin1');
    const lines: string[] = [];
    for (const shown of content.matchAll(/\[([^\]]*)\] TJ/g)) {
      const hex = [...shown[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]).join('');
      lines.push(decoder.decode(Buffer.from(hex, 'hex')));
    }
    if (lines.length > 0) pages.push(lines);
  }
  return pages;
}

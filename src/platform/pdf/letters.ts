import PDFDocument from 'pdfkit';

/**
 * Printable letters as one PDF, each letter starting on a new A4 page: voting codes now, invitation
 * letters later. A letter is a list of plain blocks, so callers never touch pdfkit.
 *
 * The PDF uses the standard fonts every reader has (Helvetica, Courier), which cover Western European
 * text; other characters are replaced with their closest plain letter, or "?", rather than printed as
 * nonsense.
 */

export type LetterBlock =
  /** The sender, large, at the top. */
  | { kind: 'heading'; text: string }
  /** What the letter is about. */
  | { kind: 'title'; text: string }
  | { kind: 'paragraph'; text: string }
  /** An address block (an invitation's recipient, say), one line each. */
  | { kind: 'address'; lines: readonly string[] }
  /** Label and value pairs, like "Voting opens: 1 March 2027". */
  | { kind: 'details'; rows: readonly { label: string; value: string }[] }
  /** Something to type in exactly, like a web address: bold and on its own line. */
  | { kind: 'emphasis'; text: string }
  /** A code to copy, large, in a fixed-width font, in a box. */
  | { kind: 'code'; label: string; text: string }
  /** Small print. */
  | { kind: 'note'; text: string };

export interface Letter {
  readonly blocks: readonly LetterBlock[];
}

export interface LettersOptions {
  /** The document title, shown by PDF readers. */
  title: string;
  author?: string;
  /** Compression is on unless turned off, e.g. to read a document's text back. */
  compress?: boolean;
}

const MARGIN = 64;
const INK = '#0b0c0c';
const SECONDARY = '#505a5f';

/** Windows-1252 characters outside Latin-1 that the standard fonts can print. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const LOOKALIKES: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  '\u2009': ' ',
};

/** Text the standard PDF fonts can print: unknown characters become a plain look-alike or "?". */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char)) {
      out += char;
    } else if (char === '\n') {
      out += char;
    } else if (LOOKALIKES[char]) {
      out += LOOKALIKES[char];
    } else {
      const base = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += /^[\x20-\x7e]+$/.test(base) ? base : '?';
    }
  }
  return out;
}

function drawBlock(doc: PDFKit.PDFDocument, block: LetterBlock, width: number): void {
  switch (block.kind) {
    case 'heading':
      doc.font('Helvetica-Bold').fontSize(20).fillColor(INK).text(printable(block.text), { width });
      doc.moveDown(1);
      break;
    case 'title':
      doc.font('Helvetica-Bold').fontSize(15).fillColor(INK).text(printable(block.text), { width });
      doc.moveDown(0.6);
      break;
    case 'paragraph':
      doc.font('Helvetica').fontSize(11.5).fillColor(INK).text(printable(block.text), { width, lineGap: 2 });
      doc.moveDown(0.7);
      break;
    case 'address':
      doc.font('Helvetica').fontSize(11.5).fillColor(INK);
      for (const line of block.lines) doc.text(printable(line), { width });
      doc.moveDown(1.2);
      break;
    case 'details':
      for (const row of block.rows) {
        doc
          .font('Helvetica-Bold')
          .fontSize(11.5)
          .fillColor(INK)
          .text(`${printable(row.label)}: `, {
            width,
            continued: true,
          });
        doc.font('Helvetica').text(printable(row.value));
      }
      doc.moveDown(0.7);
      break;
    case 'emphasis':
      doc.font('Helvetica-Bold').fontSize(14).fillColor(INK).text(printable(block.text), { width });
      doc.moveDown(0.8);
      break;
    case 'code': {
      doc.font('Helvetica').fontSize(11.5).fillColor(INK).text(printable(block.label), { width });
      doc.moveDown(0.4);
      const top = doc.y;
      const x = doc.page.margins.left;
      doc.font('Courier-Bold').fontSize(26);
      const height = doc.currentLineHeight() + 24;
      doc.lineWidth(2).strokeColor(INK).rect(x, top, width, height).stroke();
      doc
        .fillColor(INK)
        .text(printable(block.text), x, top + 13, { width, align: 'center', characterSpacing: 2 });
      doc.x = x;
      doc.y = top + height;
      doc.moveDown(1);
      break;
    }
    case 'note':
      doc
        .font('Helvetica')
        .fontSize(10)
        .fillColor(SECONDARY)
        .text(printable(block.text), { width, lineGap: 1.5 });
      doc.moveDown(0.6);
      break;
  }
}

/** Letters drawn between pauses that let other requests run: thousands of pages take seconds. */
const LETTERS_PER_TURN = 50;

/**
 * Renders letters into one PDF, one letter per page (a letter too long for a page carries on over
 * the next). Resolves with the whole file.
 */
export async function lettersToPdf(letters: Iterable<Letter>, options: LettersOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    compress: options.compress ?? true,
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: printable(options.title),
      Author: printable(options.author ?? 'Commonweal'),
      Creator: 'Commonweal',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  let count = 0;
  for (const letter of letters) {
    if (count > 0 && count % LETTERS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    count += 1;
    doc.addPage();
    const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    for (const block of letter.blocks) drawBlock(doc, block, width);
  }
  // A PDF needs at least one page; an empty run of letters is a mistake by the caller.
  if (count === 0) throw new Error('lettersToPdf needs at least one letter');
  doc.end();
  return done;
}

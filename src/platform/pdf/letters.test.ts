import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Letter, lettersToPdf, printable } from './letters.ts';
import { pdfPageCount, pdfText } from './pdf-text.ts';

const letter = (n: number): Letter => ({
  blocks: [
    { kind: 'heading', text: 'Riverside' },
    { kind: 'address', lines: [`Resident ${n}`, '1 Mill Lane'] },
    { kind: 'title', text: 'Your invitation' },
    { kind: 'paragraph', text: 'You are invited to take part – it’s £0 to join.' },
    { kind: 'details', rows: [{ label: 'When', value: '1 March 2027' }] },
    { kind: 'emphasis', text: 'https://commonweal.test/places/riverside/vote' },
    { kind: 'code', label: 'Your code', text: `CODE-${String(n).padStart(4, '0')}` },
    { kind: 'note', text: 'Keep this letter private.' },
  ],
});

describe('lettersToPdf', () => {
  it('puts one letter on each page, with its text, compressed or not', async () => {
    for (const compress of [true, false]) {
      const pdf = await lettersToPdf([letter(1), letter(2), letter(3)], { title: 'Invitations', compress });
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.equal(pdfPageCount(pdf), 3);
      const pages = pdfText(pdf);
      assert.equal(pages.length, 3);
      pages.forEach((lines, i) => {
        assert.ok(lines.includes(`CODE-000${i + 1}`), lines.join('|'));
        assert.ok(lines.includes(`Resident ${i + 1}`));
        assert.ok(lines.includes('You are invited to take part – it’s £0 to join.'), lines.join('|'));
        assert.ok(lines.includes('https://commonweal.test/places/riverside/vote'));
      });
    }
  });

  it('compresses page content unless told not to', async () => {
    const compressed = await lettersToPdf([letter(1)], { title: 'T' });
    const plain = await lettersToPdf([letter(1)], { title: 'T', compress: false });
    assert.match(compressed.toString('latin1'), /\/FlateDecode/);
    assert.doesNotMatch(plain.toString('latin1'), /\/FlateDecode/);
  });

  it('carries a long letter over to the next page rather than losing text', async () => {
    const long: Letter = {
      blocks: Array.from({ length: 80 }, (_, i) => ({
        kind: 'paragraph' as const,
        text: `Paragraph ${i + 1}`,
      })),
    };
    const pdf = await lettersToPdf([long], { title: 'Long' });
    assert.ok(pdfPageCount(pdf) >= 2);
    assert.ok(pdfText(pdf).flat().includes('Paragraph 80'));
  });

  it('refuses to make a PDF without letters', async () => {
    await assert.rejects(lettersToPdf([], { title: 'Nothing' }), /at least one letter/);
  });
});

describe('printable', () => {
  it('keeps what the standard fonts can print and replaces the rest with a look-alike or "?"', () => {
    assert.equal(printable('Café £5 – “quoted” €'), 'Café £5 – “quoted” €');
    assert.equal(printable('Łódź Żółć'), 'Lódz Zólc');
    assert.equal(printable('北京'), '??');
  });
});

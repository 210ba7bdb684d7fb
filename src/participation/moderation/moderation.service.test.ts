import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { containsLink } from '../../platform/markdown.ts';
import { excerpt, screenText } from './moderation.service.ts';

const rules = (blockedWords: string[], holdLinksFromAccountsYoungerThanDays = 0) => ({
  blockedWords,
  holdLinksFromAccountsYoungerThanDays,
});

describe('screenText', () => {
  it('publishes text when the place has no rules', () => {
    assert.deepEqual(screenText(rules([]), 'Anything at all, even https://example.com', 0), {
      status: 'published',
    });
  });

  it('holds text containing a blocked word as a whole word, in any case, and says why', () => {
    const result = screenText(rules(['scam']), 'This is a SCAM, honestly.', 400);
    assert.equal(result.status, 'held');
    assert.match(result.reason!, /a word that moderators review/);
    assert.equal(screenText(rules(['Scam']), 'what a scam', 400).status, 'held');
    assert.equal(screenText(rules(['scam']), 'scam', 400).status, 'held');
    assert.equal(screenText(rules(['scam']), '(scam)', 400).status, 'held');
  });

  it('does not hold words that only contain a blocked word', () => {
    for (const text of ['scampi and chips', 'a scammer', 'noscam', 'scam_artist', 'scam2']) {
      assert.equal(screenText(rules(['scam']), text, 400).status, 'published', text);
    }
  });

  it('treats letters beyond English as parts of words', () => {
    assert.equal(screenText(rules(['café']), 'Meet at the CAFÉ tonight', 400).status, 'held');
    assert.equal(screenText(rules(['caf']), 'Meet at the café tonight', 400).status, 'published');
    assert.equal(screenText(rules(['ass']), 'a classé item', 400).status, 'published');
  });

  it('matches blocked phrases across any spacing, and blocked words with symbols literally', () => {
    assert.equal(screenText(rules(['free money']), 'Get FREE\n  money here', 400).status, 'held');
    assert.equal(screenText(rules(['c++']), 'I write c++ daily', 400).status, 'held');
    assert.equal(screenText(rules(['a.b']), 'axb', 400).status, 'published');
    assert.equal(screenText(rules(['', '  ']), 'anything', 400).status, 'published');
  });

  it('holds links only from accounts younger than the rule', () => {
    const linkRule = rules([], 7);
    const held = screenText(linkRule, 'See https://example.com', 2);
    assert.equal(held.status, 'held');
    assert.match(held.reason!, /contains a link and your account is new/);
    assert.equal(screenText(linkRule, 'See [this](https://example.com)', 6.9).status, 'held');
    assert.equal(screenText(linkRule, 'See https://example.com', 7).status, 'published');
    assert.equal(screenText(linkRule, 'See https://example.com', 30).status, 'published');
    assert.equal(screenText(linkRule, 'No link here', 0).status, 'published');
    assert.equal(screenText(rules([], 0), 'See https://example.com', 0).status, 'published', '0 is off');
  });

  it('always publishes text without any blocked word and without links', () => {
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    const text = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnop QRSTUV.,!?-\n'.split('')),
      maxLength: 120,
    });
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 10 }),
        text,
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 365 }),
        (words, body, age, days) => {
          fc.pre(!containsLink(body));
          fc.pre(words.every((w) => !body.toLowerCase().includes(w)));
          assert.equal(screenText(rules(words, days), body, age).status, 'published');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('always holds text in which a blocked word stands alone', () => {
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    const filler = fc.string({ unit: fc.constantFrom(...'abc xyz.,!'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(word, filler, filler, (w, before, after) => {
        assert.equal(screenText(rules([w]), `${before} ${w.toUpperCase()} ${after}`, 400).status, 'held');
      }),
    );
  });
});

describe('excerpt', () => {
  it('flattens whitespace and shortens long text on a character boundary', () => {
    assert.equal(excerpt('  one\n\ntwo   three '), 'one two three');
    assert.equal(excerpt('abcdefghij', 5), 'abcd…');
    assert.equal(excerpt('😀😀😀😀😀😀', 3), '😀😀…');
    assert.equal(excerpt('short', 5), 'short');
  });
});

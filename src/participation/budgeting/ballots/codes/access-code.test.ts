import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CODE_ALPHABET, CODE_LENGTH, formatCode, hashCode, newCode, normaliseCode } from './access-code.ts';

describe('access codes', () => {
  it('have at least 60 bits of entropy, from an alphabet without I, L, O or U', () => {
    assert.equal(new Set(CODE_ALPHABET).size, CODE_ALPHABET.length);
    assert.ok(CODE_LENGTH * Math.log2(CODE_ALPHABET.length) >= 60);
    assert.doesNotMatch(CODE_ALPHABET, /[ILOU]/);
  });

  it('are printed in three groups of four and differ each time', () => {
    const codes = Array.from({ length: 200 }, () => newCode());
    for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}$/);
    assert.equal(new Set(codes).size, codes.length);
  });

  it('draw every character from the random source given', () => {
    let i = 0;
    assert.equal(
      newCode(() => i++ % 32),
      '0123-4567-89AB',
    );
    assert.equal(
      newCode(() => 31),
      'ZZZZ-ZZZZ-ZZZZ',
    );
  });

  it('are read as meant however they are typed', () => {
    for (const typed of ['K7PX-9QMR-3HT0', 'k7px 9qmr 3ht0', 'K7PX9QMR3HTO', ' k7px–9qmr–3hto ']) {
      assert.equal(normaliseCode(typed), 'K7PX9QMR3HT0', typed);
    }
    assert.equal(normaliseCode('AIL0-0000-0000'), 'A1100000000'.padEnd(12, '0'));
    assert.equal(normaliseCode('K7PX-9QMR-3HT'), undefined);
    assert.equal(normaliseCode('K7PX-9QMR-3HTU'), undefined);
    assert.equal(normaliseCode('K7PX-9QMR-3HT!'), undefined);
    assert.equal(formatCode('K7PX9QMR3HT0'), 'K7PX-9QMR-3HT0');
  });

  it('are stored as the SHA-256 of the normalised code', () => {
    assert.equal(hashCode('K7PX9QMR3HT0'), hashCode(normaliseCode('k7px-9qmr-3hto')!));
    assert.equal(hashCode('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idParam, placeReturnTo } from './place-scope.ts';

describe('placeReturnTo', () => {
  it('keeps a page of this place with its query, and drops the fragment', () => {
    assert.equal(
      placeReturnTo('/places/north/processes/1?commentPage=2#comment-9', 'north'),
      '/places/north/processes/1?commentPage=2',
    );
  });

  it('refuses other places, other sites and trick paths', () => {
    for (const value of [
      '/places/northern/x',
      '/places/north',
      'https://evil.example/places/north/x',
      '//evil.example/places/north/',
      '/places/north/../../admin',
      '/places/north/%2e%2e/admin',
      '/places/north/a\\b',
      '/places/north//evil.example',
      '/places/north/x?next= /y',
      42,
      undefined,
    ]) {
      assert.equal(placeReturnTo(value, 'north'), undefined, String(value));
    }
  });
});

describe('idParam', () => {
  it('passes a UUID and turns anything else into a 404', () => {
    assert.equal(idParam('6f1c1d9e-3c1b-4d7e-9a2b-1e2f3a4b5c6d'), '6f1c1d9e-3c1b-4d7e-9a2b-1e2f3a4b5c6d');
    assert.throws(
      () => idParam('1 OR 1=1'),
      (error: { status?: number }) => error.status === 404,
    );
  });
});

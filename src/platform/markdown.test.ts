import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { containsLink, renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('renders the basic subset with GOV.UK classes', () => {
    const html = renderMarkdown('Hello **world**\n\n- one\n- two');
    assert.match(html, /<p class="govuk-body">Hello <strong>world<\/strong><\/p>/);
    assert.match(html, /<ul class="govuk-list govuk-list--bullet">/);
  });

  it('gives every link rel="nofollow ugc"', () => {
    const html = renderMarkdown('See [the plan](https://example.org/plan) and https://example.org/b');
    for (const link of html.match(/<a [^>]*>/g) ?? []) assert.match(link, /rel="nofollow ugc noopener"/);
    assert.equal((html.match(/<a /g) ?? []).length, 2);
  });

  it('drops scripts, event handlers, javascript: links and images', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <b onclick="x()">b</b>',
    );
    assert.doesNotMatch(html, /<script|<img|href="javascript:/i);
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) assert.doesNotMatch(tag, /\son\w+=/i);
    assert.match(html, /&lt;script&gt;/, 'raw HTML is shown as text');
  });

  it('keeps headings only in the rich flavour', () => {
    assert.match(renderMarkdown('## Title', 'rich'), /<h2 class="govuk-heading-m">Title<\/h2>/);
    assert.doesNotMatch(renderMarkdown('## Title', 'basic'), /<h2/);
  });

  it('never lets an element outside the allow-list through, whatever the input', () => {
    const allowed = new Set(['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'code']);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (source) => {
        const html = renderMarkdown(`${source}<iframe></iframe><svg onload=x>`);
        for (const [, tag] of html.matchAll(/<([a-z0-9]+)[\s>]/gi))
          assert.ok(allowed.has(tag!.toLowerCase()), tag);
        for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) assert.doesNotMatch(tag, /\son\w+=/i);
      }),
      { numRuns: 300 },
    );
  });

  it('finds links in text', () => {
    assert.equal(containsLink('visit https://spam.example now'), true);
    assert.equal(containsLink('see [this](http://x.example)'), true);
    assert.equal(containsLink('www.example.com'), true);
    assert.equal(containsLink('no links here'), false);
  });
});

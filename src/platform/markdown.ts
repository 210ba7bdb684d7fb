import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

// Raw HTML in the source is shown as text, never interpreted.
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: { html: ({ text }) => escapeHtml(text) },
});

const LINK_ATTRIBUTES = { rel: 'nofollow ugc noopener', class: 'govuk-link' };

/** What officers may use in process descriptions: the safe subset plus headings and tables. */
const RICH: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'p',
    'br',
    'strong',
    'em',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'code',
    'pre',
    'hr',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'rel', 'class'],
    th: ['scope'],
    ...Object.fromEntries(['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'table'].map((tag) => [tag, ['class']])),
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', LINK_ATTRIBUTES),
    h2: sanitizeHtml.simpleTransform('h2', { class: 'govuk-heading-m' }),
    h3: sanitizeHtml.simpleTransform('h3', { class: 'govuk-heading-s' }),
    h4: sanitizeHtml.simpleTransform('h4', { class: 'govuk-heading-s' }),
    p: sanitizeHtml.simpleTransform('p', { class: 'govuk-body' }),
    ul: sanitizeHtml.simpleTransform('ul', { class: 'govuk-list govuk-list--bullet' }),
    ol: sanitizeHtml.simpleTransform('ol', { class: 'govuk-list govuk-list--number' }),
    table: sanitizeHtml.simpleTransform('table', { class: 'govuk-table' }),
  },
};

/** What residents may use in proposals and comments: paragraphs, emphasis, lists, quotes and links. */
const BASIC: sanitizeHtml.IOptions = {
  ...RICH,
  allowedTags: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li', 'blockquote', 'code'],
  allowedAttributes: { a: ['href', 'rel', 'class'], p: ['class'], ul: ['class'], ol: ['class'] },
};

export type MarkdownFlavour = 'rich' | 'basic';

/**
 * Markdown to HTML that is safe to show: raw HTML in the source is escaped or
 * dropped, only allow-listed tags survive, and every link gets
 * rel="nofollow ugc" so that spam earns nothing.
 */
export function renderMarkdown(source: string, flavour: MarkdownFlavour = 'basic'): string {
  const html = marked.parse(source) as string;
  return sanitizeHtml(html, flavour === 'rich' ? RICH : BASIC);
}

/** Whether the text contains a link, for pre-moderation rules. */
export function containsLink(source: string): boolean {
  return /(https?:\/\/|www\.)\S+/i.test(source) || /\[[^\]]*\]\([^)]*\)/.test(source);
}

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser-like client over `app.inject`: keeps cookies, and fills in the
 * CSRF token from the form on the page it was shown, as a browser would.
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  lastPage = '';

  /** Each agent is its own client, with its own address, as rate limits see it. */
  readonly remoteAddress =
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;

  private readonly app: FastifyInstance;
  private readonly headers: Record<string, string>;
  constructor(app: FastifyInstance, headers: Record<string, string> = {}) {
    this.app = app;
    this.headers = headers;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: LightMyRequestResponse) {
    for (const cookie of response.cookies) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now());
      if (expired || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.remoteAddress,
      headers: { ...this.headers, cookie: this.cookieHeader() },
    });
    this.keep(response);
    if (response.headers['content-type']?.toString().startsWith('text/html')) this.lastPage = response.body;
    return response;
  }

  /** Posts a form as-is, with no token added. */
  async postRaw(url: string, fields: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.remoteAddress,
      headers: {
        ...this.headers,
        cookie: this.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: body.toString(),
    });
    this.keep(response);
    if (response.headers['content-type']?.toString().startsWith('text/html')) this.lastPage = response.body;
    return response;
  }

  /** Posts a multipart form (for file uploads) with the CSRF token of the page at `pageUrl`. */
  async submitMultipart(
    pageUrl: string,
    fields: Record<string, string | string[]>,
    files: Record<string, { filename: string; contentType: string; bytes: Buffer }>,
    action?: string,
  ): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const boundary = `----cw${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    const all: Record<string, string | string[]> = { _csrf: csrfTokenIn(page.body), ...fields };
    for (const [name, value] of Object.entries(all)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        parts.push(
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`),
        );
      }
    }
    for (const [name, file] of Object.entries(files)) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
        ),
        file.bytes,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    const response = await this.app.inject({
      method: 'POST',
      url: action ?? pageUrl,
      remoteAddress: this.remoteAddress,
      headers: {
        ...this.headers,
        cookie: this.cookieHeader(),
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat(parts),
    });
    this.keep(response);
    if (response.headers['content-type']?.toString().startsWith('text/html')) this.lastPage = response.body;
    return response;
  }

  /** Opens `pageUrl`, takes the CSRF token from its form, and posts `fields` to `action` (or the page itself). */
  async submit(pageUrl: string, fields: Record<string, string | string[]>, action?: string) {
    const page = await this.get(pageUrl);
    const token = csrfTokenIn(page.body);
    return this.postRaw(action ?? pageUrl, { ...fields, _csrf: token });
  }

  csrfToken(): string {
    return csrfTokenIn(this.lastPage);
  }
}

export function csrfTokenIn(html: string): string {
  const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!token) throw new Error('The page has no form with a CSRF token');
  return token;
}

/** The text of the GOV.UK error summary's list, for assertions. */
export function errorSummary(html: string): string[] {
  const summary = html.match(/<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/)?.[1] ?? '';
  return [...summary.matchAll(/<a href="[^"]*">([\s\S]*?)<\/a>/g)].map((m) => m[1]!.trim());
}

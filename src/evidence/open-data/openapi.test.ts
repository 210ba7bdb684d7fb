import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';
import { seedOpenData } from './open-data.fixtures.ts';
import { type OpenApiDocument, openApiDocument, type SchemaObject } from './openapi.ts';
import { schemaProblems } from './openapi-check.ts';

let t: TestApp;
let seed: Awaited<ReturnType<typeof seedOpenData>>;
const documented = openApiDocument('http://commonweal.test');

before(async () => {
  t = await buildTestApp();
  seed = await seedOpenData(t);
});
after(async () => {
  await t.close();
});

/** Every route of the app with its full path and methods, read from Fastify's own route tree. */
function registeredRoutes(): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = line.match(/^(.*?)(?:└── |├── )(.+?)(?: \(([A-Z, ]+)\))?$/);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? '' : stack[depth - 1]!) + match[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    if (match[3]) routes.push({ path, methods: match[3].split(', ') });
  }
  return routes;
}

const withoutSlash = (path: string) => (path.length > 1 ? path.replace(/\/$/, '') : path);
const asFastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** A real example for each path parameter; query parameters keep their documented examples. */
function exampleUrl(
  path: string,
  operationParameters: OpenApiDocument['paths'][string]['get']['parameters'],
) {
  const ids: Record<string, string> = {
    '/api/openreferral/services/{id}': seed.serviceId,
    '/api/openreferral/organizations/{id}': seed.organizationId,
  };
  let url = path;
  const query = new URLSearchParams();
  for (const p of operationParameters ?? []) {
    if (p.in === 'path') {
      const value = p.name === 'id' ? ids[path] : p.example;
      assert.ok(value !== undefined, `an example for {${p.name}} of ${path}`);
      url = url.replace(`{${p.name}}`, encodeURIComponent(String(value)));
    } else if (p.example !== undefined) {
      query.set(p.name, String(p.example));
    }
  }
  return query.size ? `${url}?${query}` : url;
}

describe('GET /api/docs/openapi.json', () => {
  it('serves the OpenAPI 3.1 document, open to every origin', async () => {
    const reply = await t.app.inject({ url: '/api/docs/openapi.json' });
    assert.equal(reply.statusCode, 200);
    assert.equal(reply.headers['access-control-allow-origin'], '*');
    const body = reply.json();
    assert.equal(body.openapi, '3.1.0');
    assert.deepEqual(Object.keys(body.paths).sort(), Object.keys(documented.paths).sort());
    assert.equal(body.servers[0].url, 'http://commonweal.test');
  });

  it('refers only to schemas it defines', () => {
    const refs = JSON.stringify(documented).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs)) {
      assert.ok(documented.components.schemas[ref.split('/').pop()!], `${ref} is defined`);
    }
  });
});

describe('every documented path', () => {
  it('answers 200 for an example, with a body of the documented shape', async () => {
    const checked: string[] = [];
    for (const [path, item] of Object.entries(documented.paths)) {
      const url = exampleUrl(path, item.get.parameters);
      const reply = await t.app.inject({ url });
      assert.equal(reply.statusCode, 200, `GET ${url}: ${reply.body.slice(0, 200)}`);
      const [type, media] = Object.entries(item.get.responses['200']!.content ?? {})[0]!;
      assert.ok(String(reply.headers['content-type']).startsWith(type), `content type of ${url}`);
      if (type !== 'application/json') continue;
      const body = reply.json();
      assert.deepEqual(
        schemaProblems(body, media.schema, documented.components.schemas),
        [],
        `shape of ${url}`,
      );
      // An empty list proves nothing about the shape of its items.
      if (Array.isArray(body.contents)) assert.ok(body.contents.length > 0, `${url} has items to check`);
      checked.push(path);
    }
    assert.ok(checked.length >= 10);
  });
});

describe('every public /api route', () => {
  it('is documented', () => {
    const paths = new Set(Object.keys(documented.paths).map((p) => withoutSlash(asFastifyPath(p))));
    const api = registeredRoutes().filter(
      (r) =>
        r.path.startsWith('/api/') &&
        r.methods.includes('GET') &&
        // Catch-alls only answer 404 or 405 in JSON; they are not routes a client calls.
        !r.path.endsWith('*'),
    );
    assert.ok(api.length >= 10, `found the API routes (${api.length})`);
    const missing = api.filter((r) => !paths.has(withoutSlash(r.path))).map((r) => r.path);
    assert.deepEqual(missing, []);
  });

  it('answers GET only: the document lists no other method', () => {
    for (const item of Object.values(documented.paths)) assert.deepEqual(Object.keys(item), ['get']);
  });
});

describe('GET /api/docs', () => {
  it('describes every path on a page of our own, without scripts from elsewhere', async () => {
    const reply = await t.app.inject({ url: '/api/docs' });
    assert.equal(reply.statusCode, 200);
    assert.match(String(reply.headers['content-type']), /^text\/html/);
    for (const path of Object.keys(documented.paths)) {
      assert.ok(reply.body.includes(`<code>${path}</code>`), `the page shows ${path}`);
    }
    assert.match(reply.body, /<code>contents\[\]\.title<\/code>|<code>sections\[\]\.winners<\/code>/);
    const scripts = reply.body.match(/<script[^>]*src="([^"]+)"/g) ?? [];
    for (const s of scripts) assert.match(s, /src="\/assets\//);
    assert.doesNotMatch(reply.body, /<script>(?!<\/script>)/);
  });
});

describe('schemaProblems', () => {
  const schemas: Record<string, SchemaObject> = documented.components.schemas;

  it('names a missing required property and a wrong type, with their paths', () => {
    const problems = schemaProblems(
      {
        total_items: '1',
        total_pages: 1,
        page_number: 1,
        size: 1,
        first_page: true,
        last_page: true,
        contents: [],
      },
      { $ref: '#/components/schemas/ProcessPage' },
      schemas,
    );
    assert.deepEqual(problems, [
      '$: missing required property empty',
      '$.total_items: expected integer, found string',
    ]);
  });

  it('checks items, nulls, enums and formats', () => {
    const problems = schemaProblems(
      [{ id: 'not-a-uuid', code: 'x', name: 'n', description: null, vocabulary: 'v', parent_id: 7 }],
      { type: 'array', items: { $ref: '#/components/schemas/OrukTaxonomyTerm' } },
      schemas,
    );
    assert.deepEqual(problems, [
      '$[0].id: not a uuid',
      '$[0].parent_id: expected string or null, found integer',
    ]);
    assert.deepEqual(schemaProblems('late', { type: 'string', enum: ['early'] }, schemas), [
      '$: "late" is not one of early',
    ]);
  });
});

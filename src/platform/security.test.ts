import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
  await t.createPlace('north', 'North');
  await t.createUser({ email: 'someone@example.test', instanceAdmin: true });
});
after(async () => {
  await t.close();
});

const PAGES = [
  '/',
  '/places',
  '/places/north',
  '/sign-in',
  '/register',
  '/forgot-password',
  '/sign-in/link',
  '/accessibility',
  '/privacy',
  '/cookies',
  '/nowhere',
];

describe('security headers and pages', () => {
  it('sends a strict Content-Security-Policy that allows no inline script or style', async () => {
    const response = await t.app.inject('/');
    const csp = response.headers['content-security-policy'] as string;
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'same-origin');
  });

  it('puts no inline script, inline style or event handler on any page', async () => {
    const agent = new Agent(t.app);
    await agent.submit('/sign-in', { email: 'someone@example.test', password: TEST_PASSWORD });
    for (const path of [
      ...PAGES,
      '/account',
      '/admin',
      '/places/north/admin/roles',
      '/places/north/admin/audit',
      '/dev/mail',
    ]) {
      const { body } = await agent.get(path);
      for (const tag of body.match(/<script\b[^>]*>/g) ?? [])
        assert.match(tag, /\ssrc="\/assets\//, `${path}: ${tag}`);
      assert.doesNotMatch(body, /\sstyle="/, path);
      assert.doesNotMatch(body, /\son[a-z]+="/, path);
    }
  });

  it('escapes what people type', async () => {
    await t.createUser({ email: 'xss@example.test', name: '<script>alert(1)</script>' });
    const agent = new Agent(t.app);
    await agent.submit('/sign-in', { email: 'xss@example.test', password: TEST_PASSWORD });
    const { body } = await agent.get('/account');
    assert.doesNotMatch(body, /<script>alert\(1\)<\/script>/);
    assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('shows a friendly 404 page with the layout', async () => {
    const response = await t.app.inject('/no/such/page');
    assert.equal(response.statusCode, 404);
    assert.match(response.body, /Page not found/);
    assert.match(response.body, /Accessibility statement/);
    // Pages no route claims carry the same headers as every other.
    assert.match(response.headers['content-security-policy'] as string, /default-src 'self'/);
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
  });

  it('shows a 403 page with a reference id for a signed-in person without permission', async () => {
    await t.createUser({ email: 'plain@example.test' });
    const agent = new Agent(t.app);
    await agent.submit('/sign-in', { email: 'plain@example.test', password: TEST_PASSWORD });
    const response = await agent.get('/places/north/admin/roles');
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /You do not have permission to see this page/);
    assert.match(response.body, /quote reference <span class="cw-code">[0-9a-f-]{36}<\/span>/);
  });

  it('answers a malformed form body with a 400 page, never a 500', async () => {
    const agent = new Agent(t.app);
    await agent.get('/sign-in');
    const response = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: {
        'content-type': 'application/json',
        cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      payload: '{not json',
    });
    assert.equal(response.statusCode, 400);
  });

  it('does not serve the development mailbox in production', async () => {
    const prod = await buildTestApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      BASE_URL: 'https://x.example',
    });
    try {
      assert.equal((await prod.app.inject('/dev/mail')).statusCode, 404);
      const cookie = (await prod.app.inject('/sign-in')).cookies.find((c) => c.name === 'cw_csrf');
      assert.equal(cookie?.secure, true, 'cookies are Secure in production');
      assert.match(
        (await prod.app.inject('/')).headers['strict-transport-security'] as string,
        /max-age=31536000/,
      );
    } finally {
      await prod.close();
    }
  });
});

describe('unexpected errors', () => {
  it('show a friendly 500 page with a reference id and no internals', async () => {
    const broken = await buildTestApp(
      { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), BASE_URL: 'https://x.example' },
      {
        beforeReady: (app) =>
          app.get('/test-only/explode', async () => {
            throw new Error('secret internal detail');
          }),
      },
    );
    try {
      const response = await broken.app.inject('/test-only/explode');
      assert.equal(response.statusCode, 500);
      assert.match(response.body, /Sorry, there is a problem with the service/);
      assert.match(response.body, /quote reference <span class="cw-code">[0-9a-f-]{36}<\/span>/);
      assert.doesNotMatch(response.body, /secret internal detail/);
      // An error page is sent with the same security headers as any other, and names its request.
      assert.match(response.headers['content-security-policy'] as string, /default-src 'self'/);
      assert.match(response.body, new RegExp(response.headers['x-request-id'] as string));
      assert.match(response.headers['strict-transport-security'] as string, /max-age=31536000/);
    } finally {
      await broken.close();
    }
  });
});

describe('client addresses behind a proxy', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy, so rate limits cannot be dodged', async () => {
    const prod = await buildTestApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      BASE_URL: 'https://x.example',
    });
    try {
      const agent = new Agent(prod.app);
      await agent.get('/sign-in');
      const token = agent.csrfToken();
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const response = await prod.app.inject({
          method: 'POST',
          url: '/sign-in',
          remoteAddress: '192.0.2.10',
          headers: {
            'x-forwarded-for': `198.51.100.${i}`,
            'content-type': 'application/x-www-form-urlencoded',
            cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          },
          payload: new URLSearchParams({
            email: `spoof${i}@example.test`,
            password: 'whatever-it-is',
            _csrf: token,
          }).toString(),
        });
        statuses.push(response.statusCode);
      }
      assert.equal(statuses[10], 429, statuses.join());
    } finally {
      await prod.close();
    }
  });
});

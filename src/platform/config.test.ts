import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has safe development defaults: port 3000, embedded database, file mail', () => {
    const config = loadConfig({});
    assert.equal(config.env, 'development');
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.baseUrl, 'http://localhost:3000');
    assert.match(config.dataDir, /data$/);
    assert.ok(config.sessionSecret.length >= 32);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgres://db.internal/commonweal',
      DATA_DIR: '/srv/commonweal',
      SESSION_SECRET: 'x'.repeat(40),
      BASE_URL: 'https://commonweal.example/',
      SMTP_URL: 'smtp://mail.internal:25',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, 'postgres://db.internal/commonweal');
    assert.equal(config.dataDir, '/srv/commonweal');
    assert.equal(config.baseUrl, 'https://commonweal.example');
    assert.equal(config.smtpUrl, 'smtp://mail.internal:25');
  });

  it('refuses to start in production without SESSION_SECRET, and says why', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', BASE_URL: 'https://x.example' }),
      (error: unknown) => error instanceof ConfigError && /SESSION_SECRET is not set/.test(error.message),
    );
  });

  it('refuses a short SESSION_SECRET in production', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', BASE_URL: 'https://x.example', SESSION_SECRET: 'short' }),
      /at least 32 characters/,
    );
  });

  it('names each invalid variable', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://nope', SMTP_URL: 'http://x' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /PORT/.test(error.message) &&
        /DATABASE_URL: must be empty or start with postgres:\/\//.test(error.message) &&
        /SMTP_URL/.test(error.message),
    );
  });
});

describe('TRUST_PROXY', () => {
  it('trusts no proxy unless told, then a number of hops or a list of addresses', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.2' }).trustProxy, '10.0.0.1, 10.0.0.2');
    assert.throws(() => loadConfig({ TRUST_PROXY: 'everyone' }), /TRUST_PROXY/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let north: { id: string };
let south: { id: string };

before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North');
  south = await t.createPlace('south', 'South');
  await t.createUser({ email: 'steward@example.test', instanceAdmin: true });
  await t.createUser({
    email: 'north-admin@example.test',
    roles: [{ placeId: north.id, role: 'place_admin' }],
  });
  await t.createUser({
    email: 'north-analyst@example.test',
    roles: [{ placeId: north.id, role: 'analyst' }],
  });
  await t.createUser({
    email: 'south-admin@example.test',
    roles: [{ placeId: south.id, role: 'place_admin' }],
  });
  await t.createUser({ email: 'someone@example.test' });
  // One role change in each place, through the service, so each trail has an entry.
  const steward = (await t.services.accounts.loadActor(
    (await t.services.accounts.findActiveAccountByEmail('steward@example.test'))!.id,
    'setup',
  ))!;
  const northPlace = await t.services.places.placeBySlug('north');
  const southPlace = await t.services.places.placeBySlug('south');
  await t.services.places.grantRole(steward, northPlace, 'someone@example.test', 'valuator');
  await t.services.places.grantRole(steward, southPlace, 'someone@example.test', 'moderator');
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

describe('the audit table', () => {
  it('cannot be updated, deleted or truncated', async () => {
    const db = t.database.db;
    await assert.rejects(sql`UPDATE audit_events SET action = 'x'`.execute(db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_events`.execute(db), /append-only/);
    await assert.rejects(sql`TRUNCATE audit_events`.execute(db), /append-only/);
  });

  it('is written in the same transaction as the change: a failed change leaves no entry', async () => {
    const steward = (await t.services.accounts.loadActor(
      (await t.services.accounts.findActiveAccountByEmail('steward@example.test'))!.id,
      'tx-test',
    ))!;
    const before = await t.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('request_id', '=', 'tx-test')
      .execute();
    await assert.rejects(
      t.services.places.createPlace(steward, { slug: 'north', name: 'Dup', summary: '', contactEmail: null }),
      /Another place already uses/,
    );
    const afterRows = await t.database.db
      .selectFrom('audit_events')
      .select('id')
      .where('request_id', '=', 'tx-test')
      .execute();
    assert.equal(afterRows.length, before.length);
  });

  it('records who, what, subject, place, request id and time', async () => {
    const row = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'role.granted')
      .where('place_id', '=', north.id)
      .executeTakeFirstOrThrow();
    assert.ok(row.actor_id);
    assert.equal(row.subject_type, 'user');
    assert.ok(row.subject_id);
    assert.equal(row.request_id, 'setup');
    assert.ok(row.occurred_at instanceof Date);
  });
});

describe('GET /places/:slug/admin/audit', () => {
  it("shows a place admin their own place's trail only", async () => {
    const agent = await signedIn('north-admin@example.test');
    const page = await agent.get('/places/north/admin/audit');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /role.granted/);
    assert.match(page.body, /\{&quot;role&quot;:&quot;valuator&quot;\}/);
    assert.doesNotMatch(page.body, /moderator/);
  });

  it('filters by action and date, with a clear error for a bad date', async () => {
    const agent = await signedIn('north-admin@example.test');
    const none = await agent.get('/places/north/admin/audit?action=place.created');
    assert.match(none.body, /No events match/);
    const today = new Date().toISOString().slice(0, 10);
    const some = await agent.get(`/places/north/admin/audit?action=role.granted&from=${today}&to=${today}`);
    assert.match(some.body, /Showing 1 to 1 of 1 events/);
    const bad = await agent.get('/places/north/admin/audit?from=2026-02-31x');
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorSummary(bad.body), ['Start date must be a real date, like 2026-03-27']);
  });

  it('refuses people who are not admins of that place', async () => {
    assert.equal(
      (await (await signedIn('north-analyst@example.test')).get('/places/north/admin/audit')).statusCode,
      403,
    );
    assert.equal(
      (await (await signedIn('south-admin@example.test')).get('/places/north/admin/audit')).statusCode,
      403,
    );
    const visitor = await new Agent(t.app).get('/places/north/admin/audit');
    assert.equal(visitor.statusCode, 302);
  });
});

describe('GET /admin/audit', () => {
  it('shows an instance admin every place, filterable by place', async () => {
    const agent = await signedIn('steward@example.test');
    const all = await agent.get('/admin/audit?action=role.granted');
    assert.match(all.body, /valuator/);
    assert.match(all.body, /moderator/);
    const southOnly = await agent.get('/admin/audit?action=role.granted&place=south');
    assert.match(southOnly.body, /moderator/);
    assert.doesNotMatch(southOnly.body, /valuator/);
  });

  it('refuses place admins', async () => {
    assert.equal((await (await signedIn('north-admin@example.test')).get('/admin/audit')).statusCode, 403);
  });
});

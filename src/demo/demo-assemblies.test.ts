import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../testing/agent.ts';
import { buildTestApp, type TestApp } from '../testing/harness.ts';
import {
  DEMO_ASSEMBLY_QUOTAS,
  DEMO_ASSEMBLY_SEED,
  DEMO_ASSEMBLY_TITLE,
  seedDemoAssemblies,
  syntheticRegistrantsCsv,
} from './demo-assemblies.ts';

describe('the demo citizens’ assembly', () => {
  let t: TestApp;

  before(async () => {
    t = await buildTestApp();
    const place = await t.createPlace('riverside', 'Riverside');
    const id = await t.createUser({
      email: 'officer@riverside.example',
      roles: [{ placeId: place.id, role: 'officer' }],
    });
    const officer = (await t.services.accounts.loadActor(id, 'test'))!;
    await seedDemoAssemblies(t.services, place, { officer });
  });
  after(() => t.close());

  it('has 150 registrants, 24 of them selected from a published distribution with its seed', async () => {
    const db = t.database.db;
    const registrants = await db.selectFrom('assembly_registrants').select(['status', 'household']).execute();
    assert.equal(registrants.length, 150);
    const selected = registrants.filter((r) => r.status === 'selected');
    assert.equal(selected.length, 24);
    assert.equal(new Set(selected.map((r) => r.household)).size, 24, 'one per household');
    const selection = await db
      .selectFrom('assembly_selections')
      .select(['status', 'seed', 'published_at'])
      .executeTakeFirstOrThrow();
    assert.equal(selection.status, 'done');
    assert.equal(selection.seed, DEMO_ASSEMBLY_SEED);
    assert.ok(selection.published_at);
  });

  it('shows the public its sessions, a document, two answered recommendations and the report', async () => {
    const visitor = new Agent(t.app);
    const list = await visitor.get('/places/riverside/assemblies');
    const id = list.body.match(
      /href="\/places\/riverside\/assemblies\/([0-9a-f-]{36})">Riverside Climate/,
    )?.[1];
    assert.ok(id, `${DEMO_ASSEMBLY_TITLE} is listed`);
    const page = await visitor.get(`/places/riverside/assemblies/${id}`);
    assert.match(page.body, /Riverside Library, Community Room/);
    assert.match(page.body, /Old Town Hall, Council Chamber/);
    assert.match(page.body, /Evidence pack/);
    assert.match(page.body, /Partly accepted/);
    assert.match(page.body, /Accepted<\/strong>/);
    const decisions = await t.database.db
      .selectFrom('decisions')
      .select('id')
      .where('source_type', '=', 'assembly_recommendation')
      .execute();
    assert.equal(decisions.length, 2);
    const report = await visitor.get(`/places/riverside/assemblies/${id}/report`);
    assert.equal(report.statusCode, 200);
    assert.doesNotMatch(report.body, /outside the quota/);
  });

  it('matches the samples in docs/samples, which are generated from the same code', () => {
    const sample = (name: string) =>
      readFileSync(new URL(`../../docs/samples/${name}`, import.meta.url), 'utf8');
    assert.equal(sample('assembly-registrants-sample.csv'), syntheticRegistrantsCsv(150));
    assert.equal(sample('assembly-quotas-sample.csv'), DEMO_ASSEMBLY_QUOTAS);
  });
});

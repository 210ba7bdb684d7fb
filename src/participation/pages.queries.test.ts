import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';
import { QueryCounter } from '../testing/query-counter.ts';

/** Every busy page sends the same number of queries for a little data as for a lot: none per row. */
const counter = new QueryCounter();
let t: TestApp;
let place: { id: string; slug: string; name: string };
let moderatorAgent: Agent;
const small = { process: '', proposal: '' };
const large = { process: '', proposal: '' };
let residents: string[];

async function fill(target: { process: string; proposal: string }, proposals: number, comments: number) {
  const db = t.database.db;
  target.process = await t.createProcess({ placeId: place.id });
  for (let i = 0; i < proposals; i++) {
    const id = await t.createProposal({
      placeId: place.id,
      processId: target.process,
      authorId: residents[i % residents.length]!,
      category: 'Parks',
    });
    if (i === 0) target.proposal = id;
    await db
      .insertInto('supports')
      .values({
        place_id: place.id,
        process_id: target.process,
        proposal_id: id,
        user_id: residents[(i + 1) % residents.length]!,
      })
      .execute();
  }
  let parent: string | null = null;
  for (let i = 0; i < comments; i++) {
    for (const proposalId of [target.proposal, null]) {
      const row = await db
        .insertInto('comments')
        .values({
          place_id: place.id,
          process_id: target.process,
          proposal_id: proposalId,
          parent_id: i % 3 && proposalId ? parent : null,
          depth: i % 3 && proposalId ? 1 : 0,
          author_id: residents[i % residents.length]!,
          body: `Comment ${i} with a [link](https://example.org)`,
          stance: 'neutral',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (proposalId && i % 3 === 0) parent = row.id;
      await db
        .insertInto('reports')
        .values({
          place_id: place.id,
          reporter_id: residents[(i + 2) % residents.length]!,
          target_type: 'comment',
          target_id: row.id,
          reason: 'spam',
          details: '',
        })
        .execute();
      await db
        .insertInto('notifications')
        .values({
          place_id: place.id,
          user_id: residents[0]!,
          kind: 'comment.created',
          title: `New comment ${i}`,
          body: '',
          link: `/places/${place.slug}`,
        })
        .execute();
    }
  }
}

before(async () => {
  t = await buildTestApp({}, { queryCounter: counter });
  place = await t.createPlace('countham', 'Countham');
  residents = [];
  for (let i = 0; i < 6; i++)
    residents.push(await t.createUser({ email: `r${i}@example.test`, name: `Resident ${i}` }));
  await t.createUser({ email: 'mod@example.test', roles: [{ placeId: place.id, role: 'moderator' }] });
  await fill(small, 3, 3);
  await fill(large, 30, 40);
  moderatorAgent = new Agent(t.app);
  assert.equal(
    (await moderatorAgent.submit('/sign-in', { email: 'mod@example.test', password: TEST_PASSWORD }))
      .statusCode,
    303,
  );
});
after(async () => {
  await t.close();
});

async function queries(agent: Agent, url: string): Promise<number> {
  await agent.get(url);
  counter.count = 0;
  const response = await agent.get(url);
  assert.equal(response.statusCode, 200, url);
  return counter.count;
}

describe('queries per page', () => {
  it('are the same for 3 or 30 proposals and 3 or 80 comments', async () => {
    const resident = new Agent(t.app);
    await resident.submit('/sign-in', { email: 'r0@example.test', password: TEST_PASSWORD });
    const pages = (d: { process: string; proposal: string }) => ({
      process: `/places/countham/processes/${d.process}`,
      list: `/places/countham/processes/${d.process}/proposals`,
      search: `/places/countham/processes/${d.process}/proposals?q=proposal&sort=supported`,
      proposal: `/places/countham/processes/${d.process}/proposals/${d.proposal}`,
      statistics: `/places/countham/processes/${d.process}/statistics`,
    });
    const a = pages(small);
    const b = pages(large);
    for (const key of Object.keys(a) as (keyof typeof a)[]) {
      const few = await queries(resident, a[key]);
      const many = await queries(resident, b[key]);
      assert.ok(few > 0, key);
      assert.equal(many, few, `${key}: ${few} queries with little data, ${many} with more`);
    }
  });

  it('are the same for the moderation queue and notifications whatever their length', async () => {
    const queue = await queries(moderatorAgent, '/places/countham/moderation');
    const queuePage2 = await queries(moderatorAgent, '/places/countham/moderation?page=2');
    assert.equal(queuePage2, queue);
    const reader = new Agent(t.app);
    await reader.submit('/sign-in', { email: 'r0@example.test', password: TEST_PASSWORD });
    const first = await queries(reader, '/notifications');
    const second = await queries(reader, '/notifications?page=3');
    assert.equal(second, first);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../../platform/auth/actor.ts';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';
import { QueryCounter } from '../../testing/query-counter.ts';
import { createProcessesService } from '../processes/processes.service.ts';
import { createDeliberationService, THREAD_PAGE_SIZE } from './deliberation.service.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let authors: string[];
let viewer: Actor;
let moderator: Actor;

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('east', 'East Reach');
  authors = [];
  for (let i = 0; i < 3; i++)
    authors.push(await t.createUser({ email: `a${i}@example.test`, name: `Author ${i}` }));
  const viewerId = await t.createUser({ email: 'viewer@example.test', name: 'Viewer' });
  const moderatorId = await t.createUser({
    email: 'mod@example.test',
    name: 'Mod',
    roles: [{ placeId: place.id, role: 'moderator' }],
  });
  viewer = (await t.services.accounts.loadActor(viewerId, 'test'))!;
  moderator = (await t.services.accounts.loadActor(moderatorId, 'test'))!;
});
after(async () => {
  await t.close();
});

/** A conversation of `topLevel` comments, each with a reply three levels deep and a reaction, inserted directly. */
async function seedConversation(processId: string, topLevel: number, start = Date.now() - 3_600_000) {
  const db = t.database.db;
  const ids: string[] = [];
  for (let i = 0; i < topLevel; i++) {
    let parentId: string | null = null;
    for (let depth = 0; depth <= 3; depth++) {
      const row: { id: string } = await db
        .insertInto('comments')
        .values({
          place_id: place.id,
          process_id: processId,
          proposal_id: null,
          parent_id: parentId,
          depth,
          author_id: authors[(i + depth) % authors.length]!,
          body: `Comment ${i} at depth ${depth}`,
          stance: 'neutral',
          edited_at: null,
          created_at: new Date(start + i * 1000 + depth * 100),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (depth === 0) ids.push(row.id);
      await db
        .insertInto('comment_reactions')
        .values({ place_id: place.id, comment_id: row.id, user_id: viewer.user!.id, value: 1 })
        .execute();
      parentId = row.id;
    }
  }
  return ids;
}

describe('thread()', () => {
  it('loads a page with the same number of queries for 5 or 50 conversations', async () => {
    const counter = new QueryCounter();
    const counted = t.database.db.withPlugin(counter);
    const service = createDeliberationService({
      db: counted,
      processes: createProcessesService({ db: counted }),
      moderation: t.services.moderation,
      notifications: t.services.notifications,
    });
    const small = await t.createProcess({ placeId: place.id, title: 'Small' });
    const large = await t.createProcess({ placeId: place.id, title: 'Large' });
    await seedConversation(small, 5);
    await seedConversation(large, 50);
    const queriesFor = async (processId: string, actor: Actor) => {
      counter.count = 0;
      const thread = await service.thread(actor, place, { processId, proposalId: null });
      return { queries: counter.count, thread };
    };
    const a = await queriesFor(small, viewer);
    const b = await queriesFor(large, viewer);
    assert.equal(a.thread.comments.length, 5);
    assert.equal(b.thread.comments.length, 50);
    assert.equal(b.thread.count, 200, 'every published comment at every level');
    assert.equal(b.thread.comments[49]!.replies[0]!.replies[0]!.replies[0]!.depth, 3);
    assert.equal(b.thread.comments[0]!.myReaction, 'agree');
    assert.ok(a.queries > 0);
    assert.equal(a.queries, b.queries, `${a.queries} queries for 5, ${b.queries} for 50`);
    const mod = await queriesFor(large, moderator);
    assert.ok(mod.queries <= b.queries + 1, 'moderators add at most the one query for report reasons');
  });

  it('pages top-level comments 50 at a time, oldest or newest first, replies always oldest first', async () => {
    const processId = await t.createProcess({ placeId: place.id, title: 'Busy' });
    const ids = await seedConversation(processId, THREAD_PAGE_SIZE + 3);
    const target = { processId, proposalId: null };
    const first = await t.services.deliberation.thread(viewer, place, target);
    assert.equal(first.pages, 2);
    assert.equal(first.topLevelTotal, 53);
    assert.equal(first.comments[0]!.id, ids[0]);
    const second = await t.services.deliberation.thread(viewer, place, target, { page: 2 });
    assert.deepEqual(
      second.comments.map((c) => c.id),
      ids.slice(50),
    );
    const newest = await t.services.deliberation.thread(viewer, place, target, { order: 'newest' });
    assert.equal(newest.comments[0]!.id, ids[52]);
    assert.equal(newest.comments[0]!.replies[0]!.depth, 1);
    const beyond = await t.services.deliberation.thread(viewer, place, target, { page: 99 });
    assert.equal(beyond.page, 2);

    const visitor = new Agent(t.app);
    const page = await visitor.get(`/places/east/processes/${processId}/comments?commentPage=2`);
    assert.match(page.body, /govuk-pagination/);
    assert.match(page.body, new RegExp(`href="/places/east/processes/${processId}/comments#comments"`));
    assert.match(page.body, new RegExp(`id="comment-${ids[52]}"`));
    assert.doesNotMatch(page.body, new RegExp(`id="comment-${ids[0]}"`));

    const permalink = await visitor.get(`/places/east/processes/${processId}/comments/${ids[51]}`);
    assert.equal(
      permalink.headers.location,
      `/places/east/processes/${processId}?commentPage=2#comment-${ids[51]}`,
    );
  });

  it('tells each viewer what they may do with each comment', async () => {
    const processId = await t.createProcess({ placeId: place.id, title: 'Actions' });
    await seedConversation(processId, 1, Date.now() - 60_000);
    const author = (await t.services.accounts.loadActor(authors[0]!, 'test'))!;
    const own = await t.services.deliberation.thread(author, place, { processId, proposalId: null });
    assert.deepEqual(own.comments[0]!.actions, {
      reply: true,
      edit: true,
      delete: true,
      react: false,
      report: false,
    });
    const other = await t.services.deliberation.thread(viewer, place, { processId, proposalId: null });
    assert.deepEqual(other.comments[0]!.actions, {
      reply: true,
      edit: false,
      delete: false,
      react: true,
      report: true,
    });
    const visitor = await t.services.deliberation.thread(
      { user: null, roles: new Map(), requestId: 'x' },
      place,
      {
        processId,
        proposalId: null,
      },
    );
    assert.equal(visitor.canComment, false);
    assert.equal(visitor.refusal?.code, 'not_signed_in');
    assert.deepEqual(visitor.comments[0]!.actions, {
      reply: false,
      edit: false,
      delete: false,
      react: false,
      report: true,
    });
  });
});

describe('commentsChangedByModeration()', () => {
  it('keeps comment_count equal to the published comments when moderation changes a status', async () => {
    const processId = await t.createProcess({ placeId: place.id });
    const proposalId = await t.createProposal({ placeId: place.id, processId, authorId: authors[0]! });
    const { id } = await t.services.deliberation.create(
      viewer,
      place,
      { processId, proposalId },
      {
        body: 'Counted',
        stance: 'in_favour',
        parentId: null,
      },
    );
    const count = async () =>
      (
        await t.database.db
          .selectFrom('proposals')
          .select('comment_count')
          .where('id', '=', proposalId)
          .executeTakeFirstOrThrow()
      ).comment_count;
    assert.equal(await count(), 1);
    await t.database.db.transaction().execute(async (tx) => {
      await tx.updateTable('comments').set({ status: 'hidden' }).where('id', '=', id).execute();
      await t.services.deliberation.commentsChangedByModeration(tx, place, [id]);
    });
    assert.equal(await count(), 0);
    await t.database.db.transaction().execute(async (tx) => {
      await tx.updateTable('comments').set({ status: 'published' }).where('id', '=', id).execute();
      await t.services.deliberation.commentsChangedByModeration(tx, place, [id]);
    });
    assert.equal(await count(), 1);
  });
});

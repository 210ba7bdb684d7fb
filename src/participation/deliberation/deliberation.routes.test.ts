import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Agent, csrfTokenIn, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { addDays, today } from '../processes/phases.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let south: { id: string; slug: string; name: string };
let processId: string;
let proposalId: string;
let residentsOnlyProcessId: string;
let closedProcessId: string;
let southProcessId: string;
const ids: Record<string, string> = {};

before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North Vale');
  south = await t.createPlace('south', 'South Vale');
  for (const name of ['alice', 'bob', 'pat', 'fay', 'dave', 'zed']) {
    ids[name] = await t.createUser({
      email: `${name}@example.test`,
      name: name[0]!.toUpperCase() + name.slice(1),
    });
  }
  ids.mo = await t.createUser({
    email: 'mo@example.test',
    name: 'Mo Moderator',
    roles: [{ placeId: north.id, role: 'moderator' }],
  });
  processId = await t.createProcess({ placeId: north.id, title: 'Parks for all' });
  proposalId = await t.createProposal({
    placeId: north.id,
    processId,
    authorId: ids.pat!,
    title: 'A new playground',
  });
  residentsOnlyProcessId = await t.createProcess({
    placeId: north.id,
    title: 'Residents only',
    eligibility: 'verified_residents',
  });
  const on = today();
  closedProcessId = await t.createProcess({
    placeId: north.id,
    title: 'Closed conversation',
    phases: [{ name: 'Voting', startsOn: addDays(on, -3), endsOn: addDays(on, 3), allows: ['vote'] }],
  });
  southProcessId = await t.createProcess({ placeId: south.id, title: 'Southern process' });
  await t.database.db
    .insertInto('user_blocks')
    .values({ place_id: north.id, user_id: ids.dave!, blocked_by: ids.mo!, reason: 'Repeated spam' })
    .execute();
});
after(async () => {
  await t.close();
});

async function signedIn(name: string) {
  const agent = new Agent(t.app);
  const response = await agent.submit('/sign-in', { email: `${name}@example.test`, password: TEST_PASSWORD });
  assert.equal(response.statusCode, 303, `sign in as ${name}`);
  return agent;
}

/** Posts a form with a fresh CSRF token, as a browser on one of the place's pages would. */
async function post(agent: Agent, url: string, fields: Record<string, string>) {
  return agent.submit('/places/north', fields, url);
}

const processPath = () => `/places/north/processes/${processId}`;
const proposalPath = () => `${processPath()}/proposals/${proposalId}`;

async function comment(id: string) {
  return t.database.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function commentIdFrom(location: string | undefined): string {
  const id = location?.match(/#comment-([0-9a-f-]{36})$/)?.[1];
  assert.ok(id, `a redirect to a comment anchor, got ${location}`);
  return id;
}

async function commentCount(id = proposalId) {
  const row = await t.database.db
    .selectFrom('proposals')
    .select('comment_count')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.comment_count;
}

async function auditRows(action: string, subjectId: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('subject_id', '=', subjectId)
    .where('place_id', '=', north.id)
    .orderBy('id')
    .execute();
}

async function countRows(table: 'comments' | 'comment_reactions' | 'notifications') {
  const row = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The HTML of one comment's article, up to the start of its replies. */
function articleOf(html: string, id: string): string {
  const start = html.indexOf(`<article id="comment-${id}"`);
  assert.ok(start >= 0, `comment ${id} is on the page`);
  const rest = html.slice(start);
  const end = rest.search(/<ol |<\/article>/);
  return rest.slice(0, end);
}

describe('POST /places/:slug/processes/:processId/comments', () => {
  it('posts a comment on the process, audited, followed, and back to the page with its anchor', async () => {
    const alice = await signedIn('alice');
    const response = await post(alice, `${processPath()}/comments`, {
      body: 'We need more **benches**.',
      stance: 'in_favour',
      returnTo: processPath(),
    });
    assert.equal(response.statusCode, 303);
    const id = commentIdFrom(response.headers.location);
    assert.equal(response.headers.location, `${processPath()}#comment-${id}`);
    const row = await comment(id);
    assert.equal(row.status, 'published');
    assert.equal(row.stance, 'in_favour');
    assert.equal(row.depth, 0);
    assert.equal(row.proposal_id, null);
    assert.equal(row.body, 'We need more **benches**.');
    const audit = await auditRows('comment.created', id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, ids.alice);
    const follows = await t.database.db
      .selectFrom('follows')
      .selectAll()
      .where('user_id', '=', ids.alice!)
      .where('target_id', '=', processId)
      .execute();
    assert.equal(follows.length, 1);
    assert.equal(follows[0]!.target_type, 'process');

    const page = await alice.get(`${processPath()}/comments`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Your comment has been posted/);
    const article = articleOf(page.body, id);
    assert.match(article, /We need more <strong>benches<\/strong>\./);
    assert.match(article, /In favour/);
    assert.match(article, />\s*Alice/);
  });

  it('posts on a proposal: counts it, follows it and notifies followers of the proposal and process once each, never the author', async () => {
    await t.services.notifications.follow(t.database.db, {
      placeId: north.id,
      userId: ids.pat!,
      targetType: 'proposal',
      targetId: proposalId,
    });
    for (const targetType of ['proposal', 'process'] as const) {
      await t.services.notifications.follow(t.database.db, {
        placeId: north.id,
        userId: ids.fay!,
        targetType,
        targetId: targetType === 'proposal' ? proposalId : processId,
      });
    }
    const before = await commentCount();
    const bob = await signedIn('bob');
    const response = await post(bob, `${proposalPath()}/comments`, {
      body: 'Where would it go?',
      stance: 'neutral',
      returnTo: proposalPath(),
    });
    assert.equal(response.statusCode, 303);
    const id = commentIdFrom(response.headers.location);
    assert.equal((await comment(id)).proposal_id, proposalId);
    assert.equal(await commentCount(), before + 1);
    const follow = await t.services.notifications.isFollowing({
      placeId: north.id,
      userId: ids.bob!,
      targetType: 'proposal',
      targetId: proposalId,
    });
    assert.equal(follow, true);
    const notes = await t.database.db
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'comment.created')
      .where('link', 'like', `%${id}`)
      .execute();
    const recipients = notes.map((n) => n.user_id).sort();
    // Alice follows the process from her own comment there.
    assert.deepEqual(recipients, [ids.alice, ids.fay, ids.pat].sort());
    assert.ok(!recipients.includes(ids.bob!), 'the author is not notified');
    assert.match(notes[0]!.title, /A new playground/);
    assert.equal(notes[0]!.link, `${proposalPath()}/comments/${id}`);
  });

  it('keeps the text and shows GOV.UK errors when the comment is empty, too long, or has no stance', async () => {
    const alice = await signedIn('alice');
    const before = await countRows('comments');
    const empty = await post(alice, `${processPath()}/comments`, { body: '   ', returnTo: processPath() });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      'Enter a comment',
      'Select whether you are in favour, against or neutral',
    ]);
    const long = 'a'.repeat(2001);
    const tooLong = await post(alice, `${processPath()}/comments`, {
      body: long,
      stance: 'against',
      returnTo: `${processPath()}?commentPage=1`,
    });
    assert.equal(tooLong.statusCode, 400);
    assert.deepEqual(errorSummary(tooLong.body), ['Comment must be 2000 characters or fewer']);
    assert.match(tooLong.body, new RegExp(`>${long}</textarea>`), 'the text is kept');
    assert.match(tooLong.body, /value="against" checked/);
    assert.match(tooLong.body, /name="returnTo" value="\/places\/north\/processes\/[^"]+\?commentPage=1"/);
    assert.match(tooLong.body, /<h1 class="govuk-heading-l">Add a comment<\/h1>/);
    // Line breaks count once, as typed.
    const exactly = await post(alice, `${processPath()}/comments`, {
      body: `${'b'.repeat(999)}\r\n${'c'.repeat(1000)}`,
      stance: 'neutral',
    });
    assert.equal(exactly.statusCode, 303);
    assert.equal(await countRows('comments'), before + 1);
  });

  it('sends visitors to sign in, and saves nothing', async () => {
    const visitor = new Agent(t.app);
    const signIn = await visitor.get('/sign-in');
    const before = await countRows('comments');
    const response = await visitor.postRaw(`${processPath()}/comments`, {
      _csrf: csrfTokenIn(signIn.body),
      body: 'Hello',
      stance: 'neutral',
      returnTo: proposalPath(),
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/sign-in?next=${encodeURIComponent(proposalPath())}`);
    assert.equal(await countRows('comments'), before);
    const form = await visitor.get(`${processPath()}/comments/new`);
    assert.equal(form.statusCode, 302);
    assert.match(String(form.headers.location), /^\/sign-in\?next=/);
    const thread = await visitor.get(`${proposalPath()}/comments`);
    assert.match(thread.body, /You need to sign in to take part/);
    assert.match(thread.body, /href="\/sign-in\?next=[^"]*proposals/);
    assert.doesNotMatch(thread.body, /Post comment/);
  });

  it('refuses people who are not eligible, saying how to qualify', async () => {
    const alice = await signedIn('alice');
    const before = await countRows('comments');
    const path = `/places/north/processes/${residentsOnlyProcessId}`;
    const response = await post(alice, `${path}/comments`, { body: 'Hi', stance: 'neutral' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /Only residents of this place can take part in this process/);
    assert.match(response.body, /Confirm that you live here/);
    assert.equal(await countRows('comments'), before);
    const thread = await alice.get(`${path}/comments`);
    assert.match(thread.body, /Only residents of this place can take part/);
    assert.doesNotMatch(thread.body, /Post comment/);
  });

  it('refuses comments when the phase does not open them', async () => {
    const alice = await signedIn('alice');
    const before = await countRows('comments');
    const response = await post(alice, `/places/north/processes/${closedProcessId}/comments`, {
      body: 'Hi',
      stance: 'neutral',
    });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /Comments are not open in the Voting phase/);
    assert.equal(await countRows('comments'), before);
  });

  it('refuses people blocked in the place, with the reason', async () => {
    const dave = await signedIn('dave');
    const before = await countRows('comments');
    const response = await post(dave, `${processPath()}/comments`, { body: 'Buy now', stance: 'neutral' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /blocked you from posting/);
    assert.match(response.body, /Repeated spam/);
    assert.equal(await countRows('comments'), before);
  });

  it('refuses comments on a withdrawn proposal', async () => {
    const withdrawn = await t.createProposal({
      placeId: north.id,
      processId,
      authorId: ids.pat!,
      title: 'Withdrawn idea',
      status: 'withdrawn',
    });
    const alice = await signedIn('alice');
    const response = await post(alice, `${processPath()}/proposals/${withdrawn}/comments`, {
      body: 'Too late?',
      stance: 'neutral',
    });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /This proposal has been withdrawn/);
    assert.equal(await commentCount(withdrawn), 0);
    assert.equal(
      (await t.database.db.selectFrom('comments').select('id').where('proposal_id', '=', withdrawn).execute())
        .length,
      0,
    );
  });

  it('does not reach a process or proposal of another place, nor a parent from another conversation', async () => {
    const alice = await signedIn('alice');
    const other = await post(alice, `/places/north/processes/${southProcessId}/comments`, {
      body: 'Wrong place',
      stance: 'neutral',
    });
    assert.equal(other.statusCode, 404);
    const crossed = await post(alice, `/places/south/processes/${processId}/comments`, {
      body: 'Wrong place',
      stance: 'neutral',
    });
    assert.equal(crossed.statusCode, 404);
    const onProcess = await post(alice, `${processPath()}/comments`, { body: 'Parent', stance: 'neutral' });
    const parentId = commentIdFrom(onProcess.headers.location);
    const mismatched = await post(alice, `${proposalPath()}/comments`, {
      body: 'Reply in the wrong thread',
      stance: 'neutral',
      parentId,
    });
    assert.equal(mismatched.statusCode, 404);
  });

  it('only goes back to pages of the same place', async () => {
    const alice = await signedIn('alice');
    for (const returnTo of [
      'https://evil.example/',
      '//evil.example/x',
      '/places/south/processes',
      '/account',
    ]) {
      const response = await post(alice, `${processPath()}/comments`, {
        body: 'Where do I land?',
        stance: 'neutral',
        returnTo,
      });
      assert.equal(response.statusCode, 303);
      const id = commentIdFrom(response.headers.location);
      assert.equal(response.headers.location, `${processPath()}#comment-${id}`, returnTo);
    }
  });
});

describe('replies', () => {
  it('nests four levels deep, and a reply to the deepest level sits beside it', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const path = `${processPath()}/comments`;
    const chain: string[] = [];
    for (let level = 0; level < 4; level++) {
      const agent = level % 2 === 0 ? alice : bob;
      const response = await post(agent, path, {
        body: `Level ${level}`,
        stance: 'neutral',
        ...(level > 0 ? { parentId: chain[level - 1]! } : {}),
      });
      assert.equal(response.statusCode, 303);
      chain.push(commentIdFrom(response.headers.location));
    }
    const depths = await Promise.all(chain.map(async (id) => (await comment(id)).depth));
    assert.deepEqual(depths, [0, 1, 2, 3]);

    const replyPage = await alice.get(`${path}/${chain[3]}/reply`);
    assert.equal(replyPage.statusCode, 200);
    assert.match(replyPage.body, /Reply to Bob/);
    assert.match(replyPage.body, /Level 3/);
    assert.match(replyPage.body, /yours will appear just after this comment/);
    const deeper = await alice.submit(
      `${path}/${chain[3]}/reply`,
      { body: 'Level 4?', stance: 'against', parentId: chain[3]!, returnTo: processPath() },
      path,
    );
    assert.equal(deeper.statusCode, 303);
    const row = await comment(commentIdFrom(deeper.headers.location));
    assert.equal(row.depth, 3);
    assert.equal(row.parent_id, chain[2]);

    const thread = await t.services.deliberation.thread(
      { user: null, roles: new Map(), requestId: 'test' },
      north,
      { processId, proposalId: null },
    );
    const top = thread.comments.find((c) => c.id === chain[0]);
    const level2 = top?.replies[0]?.replies[0];
    assert.equal(top?.replies[0]?.id, chain[1]);
    assert.equal(level2?.id, chain[2]);
    assert.deepEqual(
      level2?.replies.map((c) => c.id),
      [chain[3], row.id],
    );

    const html = (await alice.get(`${path}`)).body;
    assert.match(html, new RegExp(`<h6[^>]*id="comment-${chain[3]}-heading"`), 'the fourth level has an h6');
    assert.match(html, /aria-label="2 replies to Alice"/);
  });

  it('re-renders the reply page with the error and the typed text', async () => {
    const alice = await signedIn('alice');
    const parent = await post(alice, `${processPath()}/comments`, { body: 'Parent text', stance: 'neutral' });
    const parentId = commentIdFrom(parent.headers.location);
    const bob = await signedIn('bob');
    const response = await post(bob, `${processPath()}/comments`, {
      body: 'My half-written reply',
      parentId,
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Select whether you are in favour, against or neutral']);
    assert.match(response.body, /Reply to Alice/);
    assert.match(response.body, />My half-written reply<\/textarea>/);
    assert.match(response.body, new RegExp(`name="parentId" value="${parentId}"`));
  });
});

describe('pre-moderation', () => {
  it('holds a comment with a blocked word: shown only to its author (with the reason) and moderators, and not counted', async () => {
    await t.database.db
      .insertInto('moderation_settings')
      .values({
        place_id: north.id,
        hide_after_reports: 3,
        hold_links_from_accounts_younger_than_days: 0,
        blocked_words: ['rubbish'],
      })
      .execute();
    const before = await commentCount();
    const notesBefore = await countRows('notifications');
    const alice = await signedIn('alice');
    const response = await post(alice, `${proposalPath()}/comments`, {
      body: 'This is rubbish',
      stance: 'against',
      returnTo: proposalPath(),
    });
    assert.equal(response.statusCode, 303);
    const id = commentIdFrom(response.headers.location);
    assert.equal((await comment(id)).status, 'held');
    assert.equal(await commentCount(), before, 'held comments do not count');
    assert.equal(await countRows('notifications'), notesBefore, 'no one is told of a held comment');

    const own = await alice.get(`${proposalPath()}/comments`);
    assert.match(own.body, /Your comment is waiting for a moderator/);
    const article = articleOf(own.body, id);
    assert.match(article, /Waiting for a moderator/);
    assert.match(article, /This is rubbish/);
    assert.match(article, /because it contains a word that moderators review/);

    const moderator = await signedIn('mo');
    assert.match(articleOf((await moderator.get(`${proposalPath()}/comments`)).body, id), /This is rubbish/);
    const bob = await signedIn('bob');
    const others = (await bob.get(`${proposalPath()}/comments`)).body;
    assert.doesNotMatch(others, /This is rubbish/);
    assert.doesNotMatch(others, new RegExp(`comment-${id}`));
    assert.doesNotMatch((await new Agent(t.app).get(`${proposalPath()}/comments`)).body, /This is rubbish/);
    assert.equal((await bob.get(`${proposalPath()}/comments/${id}`)).statusCode, 404);
    await t.database.db.deleteFrom('moderation_settings').where('place_id', '=', north.id).execute();
  });
});

describe('POST …/comments/:commentId/reactions', () => {
  it('keeps one reaction per person: the other value switches it, the same again takes it back', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${processPath()}/comments`, {
      body: 'React to me',
      stance: 'neutral',
    });
    const id = commentIdFrom(created.headers.location);
    const bob = await signedIn('bob');
    const url = `${processPath()}/comments/${id}/reactions`;
    const state = async () => {
      const row = await comment(id);
      const reactions = await t.database.db
        .selectFrom('comment_reactions')
        .select(['user_id', 'value'])
        .where('comment_id', '=', id)
        .execute();
      return { agree: row.agree_count, disagree: row.disagree_count, reactions };
    };
    const agree = await post(bob, url, { value: 'agree', returnTo: processPath() });
    assert.equal(agree.statusCode, 303);
    assert.equal(agree.headers.location, `${processPath()}#comment-${id}`);
    assert.deepEqual(await state(), { agree: 1, disagree: 0, reactions: [{ user_id: ids.bob, value: 1 }] });
    await post(bob, url, { value: 'disagree' });
    assert.deepEqual(await state(), { agree: 0, disagree: 1, reactions: [{ user_id: ids.bob, value: -1 }] });
    const fay = await signedIn('fay');
    await post(fay, url, { value: 'disagree' });
    assert.equal((await state()).disagree, 2);
    await post(bob, url, { value: 'disagree' });
    assert.deepEqual(await state(), { agree: 0, disagree: 1, reactions: [{ user_id: ids.fay, value: -1 }] });
    const audit = await auditRows('comment.reacted', id);
    assert.equal(audit.length, 4);
    assert.deepEqual(audit.at(-1)!.details, { value: null, previous: 'disagree' });

    const page = await fay.get(`${processPath()}/comments`);
    assert.match(articleOf(page.body, id), /aria-pressed="true">\s*Disagree/);
  });

  it('refuses reactions to your own comment, and from visitors', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${processPath()}/comments`, { body: 'Mine', stance: 'neutral' });
    const id = commentIdFrom(created.headers.location);
    const own = await post(alice, `${processPath()}/comments/${id}/reactions`, { value: 'agree' });
    assert.equal(own.statusCode, 403);
    assert.match(own.body, /You cannot agree or disagree with your own comment/);
    assert.equal((await comment(id)).agree_count, 0);
    assert.doesNotMatch(articleOf((await alice.get(`${processPath()}/comments`)).body, id), /<button/);

    const visitor = new Agent(t.app);
    const token = csrfTokenIn((await visitor.get('/sign-in')).body);
    const response = await visitor.postRaw(`${processPath()}/comments/${id}/reactions`, {
      _csrf: token,
      value: 'agree',
    });
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/sign-in/);
    assert.equal((await comment(id)).agree_count, 0);
  });

  it('refuses reactions when the phase is closed', async () => {
    const [row] = await t.database.db
      .insertInto('comments')
      .values({
        place_id: north.id,
        process_id: closedProcessId,
        proposal_id: null,
        parent_id: null,
        depth: 0,
        author_id: ids.alice!,
        body: 'From before',
        stance: 'neutral',
        edited_at: null,
      })
      .returning('id')
      .execute();
    const bob = await signedIn('bob');
    const response = await post(
      bob,
      `/places/north/processes/${closedProcessId}/comments/${row!.id}/reactions`,
      {
        value: 'agree',
      },
    );
    assert.equal(response.statusCode, 403);
    assert.equal((await comment(row!.id)).agree_count, 0);
  });
});

describe('editing', () => {
  it('lets the author change a comment within 15 minutes, marked edited and audited', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${proposalPath()}/comments`, {
      body: 'Frist draft',
      stance: 'neutral',
    });
    const id = commentIdFrom(created.headers.location);
    const form = await alice.get(
      `${proposalPath()}/comments/${id}/edit?returnTo=${encodeURIComponent(proposalPath())}`,
    );
    assert.equal(form.statusCode, 200);
    assert.match(form.body, />Frist draft<\/textarea>/);
    const empty = await alice.submit(`${proposalPath()}/comments/${id}/edit`, {
      body: '',
      stance: 'neutral',
    });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Enter a comment']);
    const saved = await alice.submit(`${proposalPath()}/comments/${id}/edit`, {
      body: 'First draft',
      stance: 'in_favour',
      returnTo: proposalPath(),
    });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, `${proposalPath()}#comment-${id}`);
    const row = await comment(id);
    assert.equal(row.body, 'First draft');
    assert.equal(row.stance, 'in_favour');
    assert.ok(row.edited_at);
    assert.equal((await auditRows('comment.edited', id)).length, 1);
    assert.match(articleOf((await alice.get(`${proposalPath()}/comments`)).body, id), /Edited/);
  });

  it('refuses edits after the window, and by anyone but the author', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${processPath()}/comments`, { body: 'Original', stance: 'neutral' });
    const id = commentIdFrom(created.headers.location);
    const bob = await signedIn('bob');
    const notMine = await post(bob, `${processPath()}/comments/${id}/edit`, {
      body: 'Hijack',
      stance: 'neutral',
    });
    assert.equal(notMine.statusCode, 403);
    assert.equal((await comment(id)).body, 'Original');

    await sql`update comments set created_at = now() - interval '16 minutes' where id = ${id}`.execute(
      t.database.db,
    );
    const late = await post(alice, `${processPath()}/comments/${id}/edit`, {
      body: 'Too late',
      stance: 'neutral',
    });
    assert.equal(late.statusCode, 403);
    assert.match(late.body, /You can only change a comment in the 15 minutes after you post it/);
    assert.equal((await comment(id)).body, 'Original');
    assert.equal((await alice.get(`${processPath()}/comments/${id}/edit`)).statusCode, 403);
    assert.doesNotMatch(articleOf((await alice.get(`${processPath()}/comments`)).body, id), />Edit</);
  });

  it('screens an edit again: a blocked word holds it and it stops counting', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${proposalPath()}/comments`, {
      body: 'Fine words',
      stance: 'neutral',
    });
    const id = commentIdFrom(created.headers.location);
    const before = await commentCount();
    await t.database.db
      .insertInto('moderation_settings')
      .values({
        place_id: north.id,
        hide_after_reports: 3,
        hold_links_from_accounts_younger_than_days: 0,
        blocked_words: ['rubbish'],
      })
      .execute();
    const edited = await post(alice, `${proposalPath()}/comments/${id}/edit`, {
      body: 'Rubbish words',
      stance: 'neutral',
    });
    assert.equal(edited.statusCode, 303);
    assert.equal((await comment(id)).status, 'held');
    assert.equal(await commentCount(), before - 1);
    await t.database.db.deleteFrom('moderation_settings').where('place_id', '=', north.id).execute();
  });
});

describe('deleting', () => {
  it('leaves a tombstone that keeps the replies, removes the text, and stops counting', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${proposalPath()}/comments`, {
      body: 'Regrettable remark',
      stance: 'against',
    });
    const id = commentIdFrom(created.headers.location);
    const bob = await signedIn('bob');
    const replied = await post(bob, `${proposalPath()}/comments`, {
      body: 'A reply that stays',
      stance: 'neutral',
      parentId: id,
    });
    const replyId = commentIdFrom(replied.headers.location);
    await post(bob, `${proposalPath()}/comments/${id}/reactions`, { value: 'agree' });
    const before = await commentCount();

    const notYours = await post(bob, `${proposalPath()}/comments/${id}/delete`, {});
    assert.equal(notYours.statusCode, 403);

    const confirm = await alice.get(`${proposalPath()}/comments/${id}/delete`);
    assert.match(confirm.body, /Are you sure you want to delete your comment\?/);
    const deleted = await alice.submit(`${proposalPath()}/comments/${id}/delete`, {
      returnTo: proposalPath(),
    });
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, `${proposalPath()}#comment-${id}`);
    const row = await comment(id);
    assert.equal(row.status, 'deleted');
    assert.equal(row.body, '');
    assert.equal(row.agree_count, 0);
    assert.equal(await commentCount(), before - 1);
    assert.equal((await comment(replyId)).status, 'published');
    assert.equal((await auditRows('comment.deleted', id)).length, 1);

    const page = (await bob.get(`${proposalPath()}/comments`)).body;
    const tombstone = articleOf(page, id);
    assert.match(tombstone, /This comment was deleted by its author/);
    assert.doesNotMatch(page, /Regrettable remark/);
    assert.doesNotMatch(tombstone, /Alice/);
    assert.match(page, /A reply that stays/);
    assert.equal((await post(alice, `${proposalPath()}/comments/${id}/delete`, {})).statusCode, 404);
  });
});

describe('showing the thread', () => {
  it('renders only safe markdown, with rel="nofollow ugc" on links', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${processPath()}/comments`, {
      body: 'See [the plan](https://example.org/plan) <script>alert(1)</script> <img src=x onerror=alert(1)>',
      stance: 'neutral',
    });
    const id = commentIdFrom(created.headers.location);
    const article = articleOf((await alice.get(`${processPath()}/comments`)).body, id);
    assert.match(
      article,
      /<a href="https:\/\/example.org\/plan" rel="nofollow ugc noopener" class="govuk-link">the plan<\/a>/,
    );
    assert.doesNotMatch(article, /<script|<img/);
    assert.match(article, /&lt;script&gt;/);
  });

  it('shows hidden comments as hidden to everyone but moderators, who see the text and the reason; replies stay', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${processPath()}/comments`, {
      body: 'Spammy offer',
      stance: 'neutral',
    });
    const id = commentIdFrom(created.headers.location);
    const bob = await signedIn('bob');
    await post(bob, `${processPath()}/comments`, {
      body: 'Reply under hidden',
      stance: 'neutral',
      parentId: id,
    });
    await t.database.db.updateTable('comments').set({ status: 'hidden' }).where('id', '=', id).execute();
    await t.database.db
      .insertInto('reports')
      .values({
        place_id: north.id,
        reporter_id: ids.fay!,
        target_type: 'comment',
        target_id: id,
        reason: 'spam',
        details: '',
      })
      .execute();

    const seen = (await bob.get(`${processPath()}/comments`)).body;
    assert.match(articleOf(seen, id), /This comment was hidden by a moderator/);
    assert.doesNotMatch(seen, /Spammy offer/);
    assert.match(seen, /Reply under hidden/);
    const moderator = (await (await signedIn('mo')).get(`${processPath()}/comments`)).body;
    const article = articleOf(moderator, id);
    assert.match(article, /<p class="govuk-body govuk-hint">Spammy offer<\/p>/);
    assert.match(article, /Reported as spam/);
  });

  it('names deleted accounts "Deleted account"', async () => {
    const zed = await signedIn('zed');
    const created = await post(zed, `${processPath()}/comments`, { body: 'Zed was here', stance: 'neutral' });
    const id = commentIdFrom(created.headers.location);
    await t.database.db
      .updateTable('users')
      .set({ deleted_at: new Date(), email: null })
      .where('id', '=', ids.zed!)
      .execute();
    const article = articleOf((await new Agent(t.app).get(`${processPath()}/comments`)).body, id);
    assert.match(article, /Deleted account/);
    assert.doesNotMatch(article, />\s*Zed\s*</);
  });

  it('offers a report link to others, and a link to the page of the thread with the comment', async () => {
    const alice = await signedIn('alice');
    const created = await post(alice, `${processPath()}/comments`, { body: 'Report me', stance: 'neutral' });
    const id = commentIdFrom(created.headers.location);
    const bob = await signedIn('bob');
    const article = articleOf((await bob.get(`${processPath()}/comments`)).body, id);
    assert.match(article, new RegExp(`href="/places/north/reports/new\\?type=comment&amp;id=${id}"`));
    assert.doesNotMatch(articleOf((await alice.get(`${processPath()}/comments`)).body, id), /reports\/new/);
    const permalink = await bob.get(`${processPath()}/comments/${id}`);
    assert.equal(permalink.statusCode, 302);
    assert.equal(permalink.headers.location, `${processPath()}#comment-${id}`);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import { RefusalError } from '../../platform/errors.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let south: { id: string; slug: string; name: string };
let processId: string;
let southProcessId: string;
const ids: Record<string, string> = {};
const agents = new Map<string, Agent>();

before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North Vale');
  south = await t.createPlace('south', 'South Vale');
  ids.moderator = await t.createUser({
    email: 'moderator@example.test',
    name: 'Mo Derator',
    roles: [{ placeId: north.id, role: 'moderator' }],
  });
  ids.southModerator = await t.createUser({
    email: 'south-moderator@example.test',
    roles: [{ placeId: south.id, role: 'moderator' }],
  });
  ids.admin = await t.createUser({
    email: 'admin@example.test',
    roles: [{ placeId: north.id, role: 'place_admin' }],
  });
  ids.author = await t.createUser({
    email: 'author@example.test',
    name: 'Avery Author',
    roles: [{ placeId: north.id, role: 'resident' }],
  });
  for (const n of [1, 2, 3, 4]) {
    ids[`resident${n}`] = await t.createUser({
      email: `resident${n}@example.test`,
      name: `Resident ${n}`,
      roles: [{ placeId: north.id, role: 'resident' }],
    });
  }
  processId = await t.createProcess({ placeId: north.id, title: 'Parks for all' });
  southProcessId = await t.createProcess({ placeId: south.id });
});
after(async () => {
  await t.close();
});

async function as(email: string): Promise<Agent> {
  const known = agents.get(email);
  if (known) return known;
  const agent = new Agent(t.app);
  const response = await agent.submit('/sign-in', { email, password: TEST_PASSWORD });
  assert.equal(response.statusCode, 303, `sign in as ${email}`);
  agents.set(email, agent);
  return agent;
}

function proposal(options: { title?: string; body?: string; status?: 'published' | 'held' | 'hidden' } = {}) {
  return t.createProposal({ placeId: north.id, processId, authorId: ids.author!, ...options });
}

async function comment(
  options: {
    body?: string;
    status?: 'published' | 'held' | 'hidden' | 'deleted';
    authorId?: string;
    placeId?: string;
    processId?: string;
    proposalId?: string | null;
  } = {},
): Promise<string> {
  const row = await t.database.db
    .insertInto('comments')
    .values({
      place_id: options.placeId ?? north.id,
      process_id: options.processId ?? processId,
      proposal_id: options.proposalId ?? null,
      parent_id: null,
      depth: 0,
      author_id: options.authorId ?? ids.author!,
      body: options.body ?? 'A comment.',
      stance: 'neutral',
      status: options.status ?? 'published',
      edited_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function reportUrl(type: string, id: string, slug = 'north') {
  return `/places/${slug}/reports/new?type=${type}&id=${id}`;
}

async function report(
  email: string,
  type: string,
  id: string,
  fields: Record<string, string> = { reason: 'spam' },
) {
  return (await as(email)).submit(reportUrl(type, id), fields);
}

async function openReports(targetId: string) {
  return t.database.db
    .selectFrom('reports')
    .selectAll()
    .where('target_id', '=', targetId)
    .where('resolved_at', 'is', null)
    .execute();
}

async function auditRows(action: string, subjectId: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('subject_id', '=', subjectId)
    .execute();
}

async function notificationsOf(userId: string, kind: string) {
  return t.database.db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .orderBy('created_at')
    .execute();
}

async function statusOf(table: 'proposals' | 'comments', id: string) {
  const row = await t.database.db
    .selectFrom(table)
    .select('status')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.status;
}

/** Submits a bulk action from the queue page, as the moderator. */
async function act(fields: Record<string, string | string[]>, email = 'moderator@example.test') {
  return (await as(email)).submit('/places/north/moderation', fields, '/places/north/moderation/actions');
}

function actorFor(userId: string): Actor {
  return {
    user: {
      id: userId,
      name: 'Someone',
      email: 'x@example.test',
      emailVerified: true,
      isInstanceAdmin: false,
    },
    roles: new Map(),
    requestId: 'test',
  };
}

describe('GET /places/:slug/reports/new', () => {
  it('sends visitors to sign in', async () => {
    const id = await proposal();
    const response = await new Agent(t.app).get(reportUrl('proposal', id));
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `/sign-in?next=${encodeURIComponent(reportUrl('proposal', id))}`);
  });

  it('shows the proposal and every reason as radios', async () => {
    const id = await proposal({ title: 'Plant more trees' });
    const page = await (await as('resident1@example.test')).get(reportUrl('proposal', id));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Report this proposal/);
    assert.match(page.body, /Plant more trees/);
    for (const reason of ['spam', 'offensive', 'personal_information', 'off_topic', 'other']) {
      assert.match(page.body, new RegExp(`type="radio" value="${reason}"`));
    }
  });

  it('refuses your own content', async () => {
    const id = await proposal();
    const page = await (await as('author@example.test')).get(reportUrl('proposal', id));
    assert.equal(page.statusCode, 403);
    assert.match(page.body, /You cannot report your own proposal/);
  });

  it('is not found for content of another place, unknown targets and bad addresses', async () => {
    const other = await t.createProposal({
      placeId: south.id,
      processId: southProcessId,
      authorId: ids.author!,
    });
    const agent = await as('resident1@example.test');
    assert.equal((await agent.get(reportUrl('proposal', other))).statusCode, 404);
    assert.equal((await agent.get(reportUrl('comment', other))).statusCode, 404);
    assert.equal((await agent.get('/places/north/reports/new?type=proposal&id=nope')).statusCode, 404);
    assert.equal((await agent.get(`/places/north/reports/new?type=place&id=${other}`)).statusCode, 404);
  });

  it('is not found for content that is not shown', async () => {
    const held = await proposal({ status: 'held' });
    const agent = await as('resident1@example.test');
    assert.equal((await agent.get(reportUrl('proposal', held))).statusCode, 404);
  });
});

describe('POST /places/:slug/reports/new', () => {
  for (const reason of ['spam', 'offensive', 'personal_information', 'off_topic', 'other']) {
    it(`records a report for the reason ${reason}, audited, and confirms it with a link back`, async () => {
      const id = await proposal();
      const response = await report('resident1@example.test', 'proposal', id, {
        reason,
        details: reason === 'other' ? 'It copies another proposal word for word' : '',
      });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/places/north/reports/done?type=proposal&id=${id}`);
      const rows = await openReports(id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.reason, reason);
      assert.equal(rows[0]!.reporter_id, ids.resident1);
      assert.equal(rows[0]!.place_id, north.id);
      const audit = await auditRows('content.reported', id);
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor_id, ids.resident1);
      assert.equal(audit[0]!.place_id, north.id);
      assert.equal((audit[0]!.details as { reason: string }).reason, reason);
      const done = await (await as('resident1@example.test')).get(response.headers.location as string);
      assert.equal(done.statusCode, 200);
      assert.match(done.body, /Thank you for your report/);
      assert.match(done.body, new RegExp(`href="/places/north/processes/${processId}/proposals/${id}"`));
    });
  }

  it('asks for a reason, and for details when the reason is other', async () => {
    const id = await proposal();
    const none = await report('resident1@example.test', 'proposal', id, {});
    assert.equal(none.statusCode, 400);
    assert.deepEqual(errorSummary(none.body), ['Select why you are reporting this']);
    const other = await report('resident1@example.test', 'proposal', id, { reason: 'other', details: '  ' });
    assert.equal(other.statusCode, 400);
    assert.deepEqual(errorSummary(other.body), ['Enter details of why you are reporting this']);
    assert.match(other.body, /value="other" checked/);
    const long = await report('resident1@example.test', 'proposal', id, {
      reason: 'spam',
      details: 'x'.repeat(1001),
    });
    assert.deepEqual(errorSummary(long.body), ['Details must be 1000 characters or fewer']);
    assert.equal((await openReports(id)).length, 0);
  });

  it('takes one open report per person per target', async () => {
    const id = await proposal();
    assert.equal((await report('resident1@example.test', 'proposal', id)).statusCode, 303);
    const page = await (await as('resident1@example.test')).get(reportUrl('proposal', id));
    assert.match(page.body, /You have already reported this/);
    const again = await (await as('resident1@example.test')).postRaw(reportUrl('proposal', id), {
      _csrf: (await as('resident1@example.test')).csrfToken(),
      reason: 'offensive',
    });
    assert.equal(again.statusCode, 400);
    assert.deepEqual(errorSummary(again.body), ['You have already reported this']);
    assert.equal((await openReports(id)).length, 1);
    assert.equal((await auditRows('content.reported', id)).length, 1);
  });

  it('refuses reports of your own content and of yourself', async () => {
    const id = await proposal();
    const agent = await as('author@example.test');
    await agent.get('/places/north');
    const own = await agent.postRaw(reportUrl('proposal', id), { _csrf: agent.csrfToken(), reason: 'spam' });
    assert.equal(own.statusCode, 403);
    const self = await agent.get(reportUrl('user', ids.author!));
    assert.equal(self.statusCode, 403);
    assert.equal((await openReports(id)).length, 0);
  });

  it('refuses visitors', async () => {
    const id = await proposal();
    const visitor = new Agent(t.app);
    await visitor.get('/sign-in');
    const response = await visitor.postRaw(reportUrl('proposal', id), {
      _csrf: visitor.csrfToken(),
      reason: 'spam',
    });
    assert.equal(response.statusCode, 403);
    assert.equal((await openReports(id)).length, 0);
  });

  it('reports comments and people, and links back to the comment', async () => {
    const proposalId = await proposal();
    const commentId = await comment({ proposalId });
    const response = await report('resident2@example.test', 'comment', commentId, { reason: 'offensive' });
    assert.equal(response.statusCode, 303);
    const done = await (await as('resident2@example.test')).get(response.headers.location as string);
    assert.match(
      done.body,
      new RegExp(`href="/places/north/processes/${processId}/proposals/${proposalId}#comment-${commentId}"`),
    );
    const person = await report('resident2@example.test', 'user', ids.author!, { reason: 'spam' });
    assert.equal(person.statusCode, 303);
    assert.equal((await openReports(ids.author!)).length, 1);
  });

  it('lets blocked people report', async () => {
    const blocked = await t.createUser({ email: 'blocked-reporter@example.test' });
    await t.database.db
      .insertInto('user_blocks')
      .values({ place_id: north.id, user_id: blocked, blocked_by: ids.moderator!, reason: 'spam' })
      .execute();
    const id = await proposal();
    const response = await report('blocked-reporter@example.test', 'proposal', id);
    assert.equal(response.statusCode, 303);
    assert.equal((await openReports(id)).length, 1);
  });
});

describe('hiding content automatically after reports', () => {
  it('hides a proposal at the third open report, tells the author why, and audits it as the system', async () => {
    const id = await proposal({ title: 'Buy my boat' });
    await report('resident1@example.test', 'proposal', id);
    await report('resident2@example.test', 'proposal', id, { reason: 'off_topic' });
    assert.equal(await statusOf('proposals', id), 'published');
    assert.equal((await auditRows('moderation.hidden', id)).length, 0);
    await report('resident3@example.test', 'proposal', id);
    assert.equal(await statusOf('proposals', id), 'hidden');
    const audit = await auditRows('moderation.hidden', id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, null);
    assert.equal(audit[0]!.place_id, north.id);
    const notes = await notificationsOf(ids.author!, 'moderation.hidden');
    const note = notes.find((n) => n.link === `/places/north/processes/${processId}/proposals/${id}`);
    assert.ok(note, 'the author was notified');
    assert.match(note.title, /Your proposal has been hidden while a moderator reviews it/);
    assert.match(note.body, /reported your proposal as spam/);
    // A fourth report cannot be made: the proposal is no longer shown.
    const page = await (await as('resident4@example.test')).get(reportUrl('proposal', id));
    assert.equal(page.statusCode, 404);
  });

  it('uses the threshold of the place, and counts only open reports', async () => {
    await t.database.db
      .insertInto('moderation_settings')
      .values({
        place_id: south.id,
        hide_after_reports: 2,
        hold_links_from_accounts_younger_than_days: 0,
        blocked_words: [],
      })
      .execute();
    const southComment = await comment({ placeId: south.id, processId: southProcessId });
    await t.database.db
      .insertInto('reports')
      .values({
        place_id: south.id,
        reporter_id: ids.resident1!,
        target_type: 'comment',
        target_id: southComment,
        reason: 'spam',
        details: '',
        resolved_at: new Date(),
        resolved_by: ids.southModerator!,
        resolution: 'dismissed',
      })
      .execute();
    const agent = await as('resident2@example.test');
    await agent.submit(reportUrl('comment', southComment, 'south'), { reason: 'offensive' });
    assert.equal(await statusOf('comments', southComment), 'published');
    await (await as('resident3@example.test')).submit(reportUrl('comment', southComment, 'south'), {
      reason: 'offensive',
    });
    assert.equal(await statusOf('comments', southComment), 'hidden');
    const note = (await notificationsOf(ids.author!, 'moderation.hidden')).find((n) =>
      n.link.endsWith(`#comment-${southComment}`),
    );
    assert.ok(note);
    assert.match(note.body, /reported your comment as offensive/);
  });
});

describe('GET /places/:slug/moderation', () => {
  it('is for moderators of the place only', async () => {
    assert.equal(
      (await (await as('moderator@example.test')).get('/places/north/moderation')).statusCode,
      200,
    );
    assert.equal(
      (await (await as('resident1@example.test')).get('/places/north/moderation')).statusCode,
      403,
    );
    assert.equal((await (await as('admin@example.test')).get('/places/north/moderation')).statusCode, 403);
    assert.equal(
      (await (await as('south-moderator@example.test')).get('/places/north/moderation')).statusCode,
      403,
    );
    const visitor = await new Agent(t.app).get('/places/north/moderation');
    assert.equal(visitor.statusCode, 302);
  });

  it('shows Moderation in the place navigation to moderators only', async () => {
    const nav = /<a class="govuk-service-navigation__link" href="\/places\/north\/moderation"/;
    assert.match((await (await as('moderator@example.test')).get('/places/north')).body, nav);
    assert.doesNotMatch((await (await as('admin@example.test')).get('/places/north')).body, nav);
    assert.doesNotMatch((await (await as('resident1@example.test')).get('/places/north')).body, nav);
  });

  it('shows one row per reported target with its count and reasons, and held content, escaped', async () => {
    const id = await proposal({
      title: 'Grouped <b>title</b>',
      body: 'Body with <script>alert(1)</script> in it',
    });
    await report('resident1@example.test', 'proposal', id, { reason: 'spam' });
    await report('resident2@example.test', 'proposal', id, { reason: 'offensive', details: 'Rude & crude' });
    const held = await comment({
      body: 'Held comment **with** [a link](https://spam.example)',
      status: 'held',
    });
    const page = await (await as('moderator@example.test')).get('/places/north/moderation');
    assert.equal(page.statusCode, 200);
    assert.equal(page.body.split(`value="proposal:${id}"`).length - 1, 1, 'one row for the proposal');
    assert.match(page.body, /Grouped &lt;b&gt;title&lt;\/b&gt;/);
    assert.match(page.body, /Body with &lt;script&gt;alert\(1\)&lt;\/script&gt; in it/);
    assert.doesNotMatch(page.body, /<script>alert/);
    const row = page.body.slice(page.body.indexOf(`value="proposal:${id}"`)).split('</tr>')[0]!;
    assert.match(row, /<span class="govuk-!-font-weight-bold">2<\/span>/);
    assert.match(row, /Spam or advertising/);
    assert.match(row, /Offensive, abusive or hateful/);
    assert.match(row, /Rude &amp; crude/);
    assert.match(row, /Avery Author/);
    assert.match(row, new RegExp(`href="/places/north/processes/${processId}/proposals/${id}"`));
    assert.match(page.body, new RegExp(`value="comment:${held}"`));
    assert.match(page.body, new RegExp(`href="/places/north/processes/${processId}#comment-${held}"`));
  });

  it('filters by type, state and reason, and orders by most reported', async () => {
    const place = await t.createPlace('filters', 'Filter Town');
    await t.createUser({
      email: 'filters-mod@example.test',
      roles: [{ placeId: place.id, role: 'moderator' }],
    });
    const process = await t.createProcess({ placeId: place.id });
    const once = await t.createProposal({ placeId: place.id, processId: process, authorId: ids.author! });
    const twice = await t.createProposal({ placeId: place.id, processId: process, authorId: ids.author! });
    const heldProposal = await t.createProposal({
      placeId: place.id,
      processId: process,
      authorId: ids.author!,
      status: 'held',
    });
    const hiddenComment = await comment({ placeId: place.id, processId: process, status: 'hidden' });
    const reportedPerson = ids.resident4!;
    const insert = (
      type: 'proposal' | 'comment' | 'user',
      target: string,
      reporter: string,
      reason: 'spam' | 'offensive',
    ) =>
      t.database.db
        .insertInto('reports')
        .values({
          place_id: place.id,
          reporter_id: reporter,
          target_type: type,
          target_id: target,
          reason,
          details: '',
        })
        .execute();
    await insert('proposal', once, ids.resident1!, 'offensive');
    await insert('proposal', twice, ids.resident1!, 'spam');
    await insert('proposal', twice, ids.resident2!, 'spam');
    await insert('user', reportedPerson, ids.resident1!, 'spam');
    const agent = await as('filters-mod@example.test');
    const keys = async (query: string) => {
      const page = await agent.get(`/places/filters/moderation${query}`);
      assert.equal(page.statusCode, 200);
      return [...page.body.matchAll(/name="items" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]);
    };
    const all = await keys('');
    assert.deepEqual(
      new Set(all),
      new Set([
        `proposal:${once}`,
        `proposal:${twice}`,
        `proposal:${heldProposal}`,
        `user:${reportedPerson}`,
      ]),
    );
    assert.deepEqual(await keys('?type=user'), [`user:${reportedPerson}`]);
    assert.deepEqual(await keys('?state=held'), [`proposal:${heldProposal}`]);
    assert.deepEqual(await keys('?state=hidden'), [`comment:${hiddenComment}`]);
    assert.deepEqual(
      new Set(await keys('?state=reported&type=proposal')),
      new Set([`proposal:${once}`, `proposal:${twice}`]),
    );
    assert.deepEqual(await keys('?reason=offensive'), [`proposal:${once}`]);
    assert.equal((await keys('?sort=most_reported'))[0], `proposal:${twice}`);
    assert.deepEqual(await keys('?type=nonsense&state=held'), [`proposal:${heldProposal}`]);
  });

  it('shows 25 items a page with GOV.UK pagination, keeping the filters', async () => {
    const place = await t.createPlace('busy', 'Busy Town');
    await t.createUser({ email: 'busy-mod@example.test', roles: [{ placeId: place.id, role: 'moderator' }] });
    const process = await t.createProcess({ placeId: place.id });
    for (let i = 0; i < 30; i++) {
      await comment({ placeId: place.id, processId: process, status: 'held', body: `Held number ${i}` });
    }
    const agent = await as('busy-mod@example.test');
    const first = await agent.get('/places/busy/moderation?state=held');
    assert.match(first.body, /Showing 1 to 25 of 30 items/);
    assert.equal([...first.body.matchAll(/name="items" type="checkbox"/g)].length, 25);
    assert.match(first.body, /class="govuk-pagination__next"/);
    assert.match(first.body, /href="\/places\/busy\/moderation\?state=held&amp;page=2"/);
    const second = await agent.get('/places/busy/moderation?state=held&page=2');
    assert.match(second.body, /Showing 26 to 30 of 30 items/);
    assert.equal([...second.body.matchAll(/name="items" type="checkbox"/g)].length, 5);
  });
});

describe('POST /places/:slug/moderation/actions', () => {
  it('asks for at least one item, and a reason to hide or block', async () => {
    await comment({ status: 'held' });
    const none = await act({ action: 'hide', reason: 'spam' });
    assert.equal(none.statusCode, 400);
    assert.deepEqual(errorSummary(none.body), ['Select at least one item']);
    assert.match(none.body, /href="#items"/);
    const id = await comment({ status: 'held' });
    const noReason = await act({ items: `comment:${id}`, action: 'hide', reason: ' ' });
    assert.deepEqual(errorSummary(noReason.body), ['Enter a reason']);
    assert.match(noReason.body, new RegExp(`value="comment:${id}" checked`));
    const noBlockReason = await act({ items: [`comment:${id}`], action: 'block' });
    assert.deepEqual(errorSummary(noBlockReason.body), ['Enter a reason']);
    assert.equal(await statusOf('comments', id), 'held');
  });

  it('hides items, resolves their reports, audits each and tells each author why', async () => {
    const first = await comment({ body: 'First offending comment' });
    const second = await comment({ body: 'Second offending comment', authorId: ids.resident4! });
    await report('resident1@example.test', 'comment', first, { reason: 'personal_information' });
    await report('resident2@example.test', 'comment', first, { reason: 'personal_information' });
    const response = await act({
      items: [`comment:${first}`, `comment:${second}`],
      action: 'hide',
      reason: 'it shares a phone number',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/places/north/moderation');
    assert.match(
      (await (await as('moderator@example.test')).get('/places/north/moderation')).body,
      /2 items hidden/,
    );
    assert.equal(await statusOf('comments', first), 'hidden');
    assert.equal(await statusOf('comments', second), 'hidden');
    const resolved = await t.database.db
      .selectFrom('reports')
      .selectAll()
      .where('target_id', '=', first)
      .execute();
    assert.equal(resolved.length, 2);
    for (const r of resolved) {
      assert.ok(r.resolved_at);
      assert.equal(r.resolved_by, ids.moderator);
      assert.equal(r.resolution, 'hidden');
    }
    for (const id of [first, second]) {
      const audit = await auditRows('moderation.hidden', id);
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor_id, ids.moderator);
      assert.equal((audit[0]!.details as { reason: string }).reason, 'it shares a phone number');
    }
    const toAuthor = (await notificationsOf(ids.author!, 'moderation.hidden')).find((n) =>
      n.link.endsWith(`#comment-${first}`),
    );
    assert.equal(toAuthor?.body, 'Your comment was hidden because it shares a phone number');
    const toOther = await notificationsOf(ids.resident4!, 'moderation.hidden');
    assert.equal(toOther.length, 1);
  });

  it("keeps the proposal's count of shown comments true when comments are hidden, restored or auto-hidden", async () => {
    const proposalId = await proposal();
    const first = await comment({ proposalId });
    const second = await comment({ proposalId, status: 'held' });
    await t.database.db
      .updateTable('proposals')
      .set({ comment_count: 1 })
      .where('id', '=', proposalId)
      .execute();
    const count = async () =>
      (
        await t.database.db
          .selectFrom('proposals')
          .select('comment_count')
          .where('id', '=', proposalId)
          .executeTakeFirstOrThrow()
      ).comment_count;
    await act({ items: [`comment:${first}`], action: 'hide', reason: 'it is rude' });
    assert.equal(await count(), 0);
    await act({ items: [`comment:${first}`, `comment:${second}`], action: 'restore' });
    assert.equal(await count(), 2);
    await t.database.db
      .insertInto('moderation_settings')
      .values({
        place_id: north.id,
        hide_after_reports: 1,
        hold_links_from_accounts_younger_than_days: 0,
        blocked_words: [],
      })
      .onConflict((oc) => oc.column('place_id').doUpdateSet({ hide_after_reports: 1 }))
      .execute();
    await report('resident1@example.test', 'comment', second);
    assert.equal(await statusOf('comments', second), 'hidden');
    assert.equal(await count(), 1);
    await t.database.db.deleteFrom('moderation_settings').where('place_id', '=', north.id).execute();
  });

  it('restores held and hidden content, and tells the author it is shown', async () => {
    const held = await proposal({ status: 'held' });
    const hidden = await comment({ status: 'hidden' });
    const response = await act({ items: [`proposal:${held}`, `comment:${hidden}`], action: 'restore' });
    assert.equal(response.statusCode, 303);
    assert.equal(await statusOf('proposals', held), 'published');
    assert.equal(await statusOf('comments', hidden), 'published');
    assert.equal((await auditRows('moderation.restored', held)).length, 1);
    assert.equal((await auditRows('moderation.restored', hidden)).length, 1);
    const notes = await notificationsOf(ids.author!, 'moderation.restored');
    assert.ok(notes.some((n) => n.title === 'Your proposal is now shown' && n.link.endsWith(held)));
    assert.ok(
      notes.some((n) => n.title === 'Your comment is now shown' && n.link.endsWith(`#comment-${hidden}`)),
    );
  });

  it('announces held content to followers when a moderator lets it through, but not restored hidden content', async () => {
    await t.database.db
      .insertInto('follows')
      .values({ place_id: north.id, user_id: ids.resident4!, target_type: 'process', target_id: processId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const held = await proposal({ status: 'held' });
    const wasHidden = await proposal({ status: 'hidden' });
    await act({ items: [`proposal:${held}`, `proposal:${wasHidden}`], action: 'restore' });
    const notes = await notificationsOf(ids.resident4!, 'proposal.created');
    assert.ok(notes.some((n) => n.link.endsWith(`/proposals/${held}`)));
    assert.ok(!notes.some((n) => n.link.endsWith(`/proposals/${wasHidden}`)));
    assert.equal((await notificationsOf(ids.author!, 'proposal.created')).length, 0, 'not the author');
  });

  it('dismisses reports, and shows again content that the reports had hidden', async () => {
    const id = await proposal();
    for (const email of ['resident1@example.test', 'resident2@example.test', 'resident3@example.test']) {
      await report(email, 'proposal', id);
    }
    assert.equal(await statusOf('proposals', id), 'hidden');
    const other = await comment();
    await report('resident1@example.test', 'comment', other);
    const response = await act({ items: [`proposal:${id}`, `comment:${other}`], action: 'dismiss' });
    assert.equal(response.statusCode, 303);
    assert.equal(await statusOf('proposals', id), 'published');
    assert.equal(await statusOf('comments', other), 'published');
    const reports = await t.database.db
      .selectFrom('reports')
      .selectAll()
      .where('target_id', 'in', [id, other])
      .execute();
    assert.equal(reports.length, 4);
    assert.ok(reports.every((r) => r.resolution === 'dismissed' && r.resolved_by === ids.moderator));
    assert.equal((await auditRows('moderation.dismissed', id)).length, 1);
    assert.equal((await auditRows('moderation.dismissed', other)).length, 1);
    const notes = await notificationsOf(ids.author!, 'moderation.restored');
    assert.ok(notes.some((n) => n.link.endsWith(`/proposals/${id}`)));
    // Once dismissed, the same people may report it again.
    assert.equal((await report('resident1@example.test', 'proposal', id)).statusCode, 303);
  });

  it('blocks authors: audited, told why, reports resolved, and refused when they post', async () => {
    const spammer = await t.createUser({ email: 'spammer@example.test', name: 'Sam Spammer' });
    const first = await comment({ authorId: spammer, body: 'Buy now' });
    const second = await comment({ authorId: spammer, body: 'Buy again' });
    await report('resident1@example.test', 'comment', first);
    await report('resident1@example.test', 'user', spammer);
    const response = await act({
      items: [`comment:${first}`, `comment:${second}`],
      action: 'block',
      reason: 'it advertises things for sale',
    });
    assert.equal(response.statusCode, 303);
    assert.match(
      (await (await as('moderator@example.test')).get('/places/north/moderation')).body,
      /1 person blocked from posting/,
    );
    const block = await t.database.db
      .selectFrom('user_blocks')
      .selectAll()
      .where('place_id', '=', north.id)
      .where('user_id', '=', spammer)
      .executeTakeFirstOrThrow();
    assert.equal(block.reason, 'it advertises things for sale');
    assert.equal(block.blocked_by, ids.moderator);
    assert.equal(await statusOf('comments', first), 'published', 'blocking hides nothing by itself');
    const audit = await auditRows('moderation.user_blocked', spammer);
    assert.equal(audit.length, 2, 'one audit row per item');
    const notes = await notificationsOf(spammer, 'moderation.user_blocked');
    assert.equal(notes.length, 1);
    assert.equal(
      notes[0]!.body,
      'You have been blocked from posting in North Vale because it advertises things for sale',
    );
    assert.equal((await openReports(first)).length, 0);
    assert.equal((await openReports(spammer)).length, 0);
    const resolution = await t.database.db
      .selectFrom('reports')
      .select('resolution')
      .where('target_id', '=', spammer)
      .executeTakeFirstOrThrow();
    assert.equal(resolution.resolution, 'blocked');

    await assert.rejects(
      t.services.moderation.assertNotBlocked(actorFor(spammer), north),
      (error: unknown) =>
        error instanceof RefusalError && /it advertises things for sale/.test(error.message),
    );
    await t.services.moderation.assertNotBlocked(actorFor(spammer), south);
    assert.equal(await t.services.moderation.isBlocked(north.id, spammer), true);
  });

  it('ignores items of another place and counts them as not found', async () => {
    const southComment = await comment({ placeId: south.id, processId: southProcessId, status: 'held' });
    const mine = await comment({ status: 'held' });
    const response = await act({
      items: [`comment:${southComment}`, `comment:${mine}`, 'proposal:not-a-uuid'],
      action: 'hide',
      reason: 'it is off topic',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(await statusOf('comments', southComment), 'held');
    assert.equal(await statusOf('comments', mine), 'hidden');
    assert.equal((await auditRows('moderation.hidden', southComment)).length, 0);
    const page = await (await as('moderator@example.test')).get('/places/north/moderation');
    assert.match(page.body, /1 item hidden\. 2 items not found in this place\./);
  });

  it('refuses people who are not moderators of the place', async () => {
    const id = await comment({ status: 'held' });
    for (const email of ['admin@example.test', 'south-moderator@example.test', 'resident1@example.test']) {
      const agent = await as(email);
      await agent.get('/places/north');
      const response = await agent.postRaw('/places/north/moderation/actions', {
        _csrf: agent.csrfToken(),
        items: `comment:${id}`,
        action: 'restore',
      });
      assert.equal(response.statusCode, 403, email);
    }
    assert.equal(await statusOf('comments', id), 'held');
    assert.equal((await auditRows('moderation.restored', id)).length, 0);
  });
});

describe('blocked people', () => {
  it('lists blocked people, a page at a time, for moderators only', async () => {
    const person = await t.createUser({ email: 'listed@example.test', name: 'Lee Listed' });
    await t.database.db
      .insertInto('user_blocks')
      .values({ place_id: north.id, user_id: person, blocked_by: ids.moderator!, reason: 'repeated abuse' })
      .execute();
    const page = await (await as('moderator@example.test')).get('/places/north/moderation/blocked');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Lee Listed/);
    assert.match(page.body, /repeated abuse/);
    assert.match(page.body, /Showing 1 to \d+ of \d+ people/);
    assert.equal(
      (await (await as('admin@example.test')).get('/places/north/moderation/blocked')).statusCode,
      403,
    );
  });

  it('unblocks: audited, the person told, and they may post again', async () => {
    const person = await t.createUser({ email: 'forgiven@example.test', name: 'Fran Forgiven' });
    await t.database.db
      .insertInto('user_blocks')
      .values({ place_id: north.id, user_id: person, blocked_by: ids.moderator!, reason: 'spam' })
      .execute();
    await assert.rejects(t.services.moderation.assertNotBlocked(actorFor(person), north), RefusalError);
    const agent = await as('moderator@example.test');
    const response = await agent.submit(
      '/places/north/moderation/blocked',
      {},
      `/places/north/moderation/blocked/${person}/unblock`,
    );
    assert.equal(response.statusCode, 303);
    assert.match((await agent.get('/places/north/moderation/blocked')).body, /Fran Forgiven can post again/);
    await t.services.moderation.assertNotBlocked(actorFor(person), north);
    assert.equal((await auditRows('moderation.user_unblocked', person)).length, 1);
    assert.equal((await notificationsOf(person, 'moderation.user_unblocked')).length, 1);
    const again = await agent.postRaw(`/places/north/moderation/blocked/${person}/unblock`, {
      _csrf: agent.csrfToken(),
    });
    assert.equal(again.statusCode, 404);
  });

  it('refuses to unblock for anyone but a moderator of the place', async () => {
    const person = await t.createUser({ email: 'still-blocked@example.test' });
    await t.database.db
      .insertInto('user_blocks')
      .values({ place_id: north.id, user_id: person, blocked_by: null, reason: 'spam' })
      .execute();
    const agent = await as('south-moderator@example.test');
    await agent.get('/places/south/moderation');
    const response = await agent.postRaw(`/places/north/moderation/blocked/${person}/unblock`, {
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 403);
    assert.equal(await t.services.moderation.isBlocked(north.id, person), true);
  });
});

describe('GET and POST /places/:slug/moderation/settings', () => {
  it('is for moderators and place admins of the place', async () => {
    assert.equal(
      (await (await as('moderator@example.test')).get('/places/north/moderation/settings')).statusCode,
      200,
    );
    const admin = await (await as('admin@example.test')).get('/places/north/moderation/settings');
    assert.equal(admin.statusCode, 200);
    assert.match(admin.body, /id="hideAfterReports" name="hideAfterReports"[^>]*value="3"/);
    assert.equal(
      (await (await as('resident1@example.test')).get('/places/north/moderation/settings')).statusCode,
      403,
    );
    const other = await as('south-moderator@example.test');
    assert.equal((await other.get('/places/north/moderation/settings')).statusCode, 403);
    const post = await other.postRaw('/places/north/moderation/settings', {
      _csrf: other.csrfToken(),
      hideAfterReports: '1',
      holdLinksDays: '0',
    });
    assert.equal(post.statusCode, 403);
  });

  it('validates each setting', async () => {
    const agent = await as('admin@example.test');
    const submit = (fields: Record<string, string>) =>
      agent.submit('/places/north/moderation/settings', fields);
    const empty = await submit({ hideAfterReports: '', holdLinksDays: '' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), [
      'Enter how many reports hide content',
      'Enter a number of days, or 0 to turn this rule off',
    ]);
    const words = await submit({ hideAfterReports: 'three', holdLinksDays: '2.5' });
    assert.deepEqual(errorSummary(words.body), [
      'Number of reports must be a whole number, like 3',
      'Number of days must be a whole number, like 7',
    ]);
    const range = await submit({ hideAfterReports: '0', holdLinksDays: '366' });
    assert.deepEqual(errorSummary(range.body), [
      'Number of reports must be between 1 and 100',
      'Number of days must be between 0 and 365',
    ]);
    assert.deepEqual(errorSummary((await submit({ hideAfterReports: '101', holdLinksDays: '0' })).body), [
      'Number of reports must be between 1 and 100',
    ]);
    const many = Array.from({ length: 201 }, (_, i) => `word${i}`).join('\n');
    const tooMany = await submit({ hideAfterReports: '3', holdLinksDays: '0', blockedWords: many });
    assert.deepEqual(errorSummary(tooMany.body), ['Enter 200 blocked words or fewer']);
    const long = await submit({ hideAfterReports: '3', holdLinksDays: '0', blockedWords: 'x'.repeat(51) });
    assert.deepEqual(errorSummary(long.body), ['Each blocked word must be 50 characters or fewer']);
    assert.match(long.body, /x{51}<\/textarea>/);
    assert.equal(
      await t.database.db
        .selectFrom('moderation_settings')
        .select('place_id')
        .where('place_id', '=', north.id)
        .executeTakeFirst(),
      undefined,
    );
  });

  it('saves the settings, audited, and screening follows them', async () => {
    const agent = await as('moderator@example.test');
    const response = await agent.submit('/places/north/moderation/settings', {
      hideAfterReports: '5',
      holdLinksDays: '7',
      blockedWords: 'Scam\n  scam \n\nfree money\n',
    });
    assert.equal(response.statusCode, 303);
    const page = await agent.get('/places/north/moderation/settings');
    assert.match(page.body, /Moderation settings saved/);
    assert.match(page.body, /value="5"/);
    assert.match(page.body, />scam\nfree money<\/textarea>/);
    assert.deepEqual(await t.services.moderation.settingsOf(north.id), {
      hideAfterReports: 5,
      holdLinksFromAccountsYoungerThanDays: 7,
      blockedWords: ['scam', 'free money'],
    });
    const audit = await auditRows('moderation.settings_changed', north.id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, ids.moderator);

    const newcomer = await t.createUser({ email: 'newcomer@example.test' });
    const { screen } = t.services.moderation;
    assert.equal((await screen(north, newcomer, 'See https://example.com for more')).status, 'held');
    assert.equal((await screen(north, newcomer, 'No links here')).status, 'published');
    assert.equal((await screen(north, ids.author!, 'This is a SCAM!')).status, 'held');
    assert.equal((await screen(north, ids.author!, 'Scampi for everyone')).status, 'published');
    assert.equal((await screen(north, ids.author!, 'Free   Money today')).status, 'held');
    await sql`UPDATE users SET created_at = now() - interval '8 days' WHERE id = ${newcomer}`.execute(
      t.database.db,
    );
    assert.equal((await screen(north, newcomer, 'See https://example.com for more')).status, 'published');
    assert.equal(
      (await screen(south, newcomer, 'This is a scam')).status,
      'published',
      'rules are per place',
    );

    await agent.submit('/places/north/moderation/settings', {
      hideAfterReports: '3',
      holdLinksDays: '0',
      blockedWords: '',
    });
    assert.equal((await screen(north, ids.author!, 'This is a scam')).status, 'published');
  });
});

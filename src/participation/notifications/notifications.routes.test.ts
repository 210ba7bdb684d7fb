import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, csrfTokenIn, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { safeReturnTo } from './notifications.routes.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let south: { id: string; slug: string; name: string };
let northProcess: string;
let southProcess: string;
let proposal: string;
let heldProposal: string;
let ana: string;
let ben: string;
let cat: string;

before(async () => {
  t = await buildTestApp(
    {},
    {
      beforeReady: (app) => {
        // A page that includes the follow button as feature pages do.
        app.get<{ Querystring: { type: 'process' | 'proposal'; id: string } }>(
          '/places/:slug/test-follow-button',
          async (request, reply) => {
            const place = await app.services.places.placeBySlug((request.params as { slug: string }).slug);
            const follow = await app.services.notifications.followState(
              request.actor,
              place,
              request.query.type,
              request.query.id,
            );
            return reply.page('participation/notifications/views/follow-button.njk', { place, follow });
          },
        );
      },
    },
  );
  north = await t.createPlace('north', 'North Vale');
  south = await t.createPlace('south', 'South Vale');
  ana = await t.createUser({ email: 'ana@example.test', name: 'Ana Able' });
  ben = await t.createUser({ email: 'ben@example.test', name: 'Ben Baker' });
  cat = await t.createUser({ email: 'cat@example.test', name: 'Cat Carter' });
  northProcess = await t.createProcess({ placeId: north.id, title: 'Parks for all' });
  southProcess = await t.createProcess({ placeId: south.id, title: 'South roads' });
  proposal = await t.createProposal({
    placeId: north.id,
    processId: northProcess,
    authorId: ana,
    title: 'Benches',
  });
  heldProposal = await t.createProposal({
    placeId: north.id,
    processId: northProcess,
    authorId: ana,
    title: 'Held one',
    status: 'held',
  });
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  const response = await agent.submit('/sign-in', { email, password: TEST_PASSWORD });
  assert.equal(response.statusCode, 303, `sign in as ${email}`);
  return agent;
}

function follows(userId: string) {
  return t.database.db
    .selectFrom('follows')
    .select(['place_id', 'target_type', 'target_id'])
    .where('user_id', '=', userId)
    .execute();
}

function auditRows(action: string, actorId: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('actor_id', '=', actorId)
    .execute();
}

async function addNotifications(userId: string, count: number, placeId = north.id, prefix = 'Notice') {
  const base = Date.now() - count * 1000;
  await t.database.db
    .insertInto('notifications')
    .values(
      Array.from({ length: count }, (_, i) => ({
        place_id: placeId,
        user_id: userId,
        kind: 'test',
        title: `${prefix} ${i + 1}`,
        body: `Body ${i + 1}`,
        link: '/places/north',
        created_at: new Date(base + i * 1000),
      })),
    )
    .execute();
}

async function clearNotifications() {
  await t.database.db.deleteFrom('notifications').execute();
}

describe('POST /places/:slug/follows', () => {
  it('follows and stops following a proposal, audited, and goes back to the page it came from', async () => {
    const agent = await signedIn('ben@example.test');
    const returnTo = `/places/north/processes/${northProcess}/proposals/${proposal}?sort=new`;
    const followed = await agent.submit(
      '/places/north',
      {
        targetType: 'proposal',
        targetId: proposal,
        follow: 'yes',
        returnTo,
      },
      '/places/north/follows',
    );
    assert.equal(followed.statusCode, 303);
    assert.equal(followed.headers.location, returnTo);
    assert.deepEqual(await follows(ben), [
      { place_id: north.id, target_type: 'proposal', target_id: proposal },
    ]);
    assert.match((await agent.get('/places/north')).body, /You are following this proposal/);
    const audit = await auditRows('notifications.followed', ben);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.subject_id, proposal);
    assert.equal(audit[0]!.place_id, north.id);

    // Following again changes nothing and records nothing.
    await agent.submit(
      '/places/north',
      { targetType: 'proposal', targetId: proposal, follow: 'yes' },
      '/places/north/follows',
    );
    assert.equal((await follows(ben)).length, 1);
    assert.equal((await auditRows('notifications.followed', ben)).length, 1);

    const unfollowed = await agent.submit(
      '/places/north',
      {
        targetType: 'proposal',
        targetId: proposal,
        follow: 'no',
      },
      '/places/north/follows',
    );
    assert.equal(unfollowed.statusCode, 303);
    assert.equal(
      unfollowed.headers.location,
      `/places/north/processes/${northProcess}/proposals/${proposal}`,
    );
    assert.deepEqual(await follows(ben), []);
    assert.equal((await auditRows('notifications.unfollowed', ben)).length, 1);
  });

  it('follows a process', async () => {
    const agent = await signedIn('cat@example.test');
    const response = await agent.submit(
      '/places/north',
      {
        targetType: 'process',
        targetId: northProcess,
        follow: 'yes',
      },
      '/places/north/follows',
    );
    assert.equal(response.headers.location, `/places/north/processes/${northProcess}`);
    assert.deepEqual(await follows(cat), [
      { place_id: north.id, target_type: 'process', target_id: northProcess },
    ]);
    await t.database.db.deleteFrom('follows').where('user_id', '=', cat).execute();
  });

  it('never sends people back outside the place', async () => {
    const agent = await signedIn('ben@example.test');
    for (const returnTo of [
      'https://evil.example/',
      '//evil.example/x',
      '/places/south/x',
      '/places/north/../../admin',
    ]) {
      const response = await agent.submit(
        '/places/north',
        {
          targetType: 'process',
          targetId: northProcess,
          follow: 'no',
          returnTo,
        },
        '/places/north/follows',
      );
      assert.equal(response.headers.location, `/places/north/processes/${northProcess}`, returnTo);
    }
    assert.equal(safeReturnTo('/places/north/processes/1', 'north'), '/places/north/processes/1');
    assert.equal(safeReturnTo('/places/north', 'north'), undefined);
    assert.equal(safeReturnTo('/places/northern/x', 'north'), undefined);
    assert.equal(safeReturnTo('/places/north/%2e%2e/admin', 'north'), undefined);
    assert.equal(safeReturnTo('/places/north/a\\b', 'north'), undefined);
  });

  it('refuses visitors', async () => {
    const visitor = new Agent(t.app);
    const token = csrfTokenIn((await visitor.get('/sign-in')).body);
    const response = await visitor.postRaw('/places/north/follows', {
      _csrf: token,
      targetType: 'process',
      targetId: northProcess,
      follow: 'yes',
    });
    assert.equal(response.statusCode, 403);
    assert.equal(
      (
        await t.database.db
          .selectFrom('follows')
          .select('user_id')
          .where('target_id', '=', northProcess)
          .execute()
      ).length,
      0,
    );
  });

  it('refuses targets in another place, unknown targets, and held proposals of other people', async () => {
    const agent = await signedIn('ben@example.test');
    const attempts = [
      { targetType: 'process', targetId: southProcess },
      { targetType: 'proposal', targetId: northProcess },
      { targetType: 'proposal', targetId: heldProposal },
      { targetType: 'process', targetId: '00000000-0000-4000-8000-000000000000' },
    ];
    for (const fields of attempts) {
      const response = await agent.submit(
        '/places/north',
        { ...fields, follow: 'yes' },
        '/places/north/follows',
      );
      assert.equal(response.statusCode, 404, JSON.stringify(fields));
    }
    const viaSouth = await agent.submit(
      '/places/south',
      {
        targetType: 'proposal',
        targetId: proposal,
        follow: 'yes',
      },
      '/places/south/follows',
    );
    assert.equal(viaSouth.statusCode, 404);
    assert.deepEqual(await follows(ben), []);
  });

  it('lets authors follow their own held proposal', async () => {
    const agent = await signedIn('ana@example.test');
    const response = await agent.submit(
      '/places/north',
      {
        targetType: 'proposal',
        targetId: heldProposal,
        follow: 'yes',
      },
      '/places/north/follows',
    );
    assert.equal(response.statusCode, 303);
    await t.database.db.deleteFrom('follows').where('user_id', '=', ana).execute();
  });

  it('answers 400 to a malformed form', async () => {
    const agent = await signedIn('ben@example.test');
    const response = await agent.submit(
      '/places/north',
      {
        targetType: 'comment',
        targetId: 'nope',
        follow: 'maybe',
      },
      '/places/north/follows',
    );
    assert.equal(response.statusCode, 400);
  });
});

describe('the follow button partial', () => {
  it('shows signed-in people a form to follow or stop following, and visitors nothing', async () => {
    const agent = await signedIn('ben@example.test');
    const url = `/places/north/test-follow-button?type=proposal&id=${proposal}`;
    const page = (await agent.get(url)).body;
    assert.match(page, /<form method="post" action="\/places\/north\/follows"/);
    assert.match(page, /name="follow" value="yes"/);
    assert.match(page, />Follow this proposal</);
    assert.match(
      page,
      new RegExp(`name="returnTo" value="/places/north/processes/${northProcess}/proposals/${proposal}"`),
    );
    await agent.submit(
      url,
      { targetType: 'proposal', targetId: proposal, follow: 'yes' },
      '/places/north/follows',
    );
    const after = (await agent.get(url)).body;
    assert.match(after, /name="follow" value="no"/);
    assert.match(after, /Stop following/);
    const visitor = (await new Agent(t.app).get(url)).body;
    assert.doesNotMatch(visitor, /follows/);
    await t.database.db.deleteFrom('follows').execute();
  });
});

describe('notifyFollowers', () => {
  it('reaches each follower once, even when they follow both targets, and never the person who acted', async () => {
    const dan = await t.createUser({ email: 'dan@example.test', name: 'Dan Dale' });
    const db = t.database.db;
    const { notifications } = t.services;
    const f = (userId: string, targetType: 'process' | 'proposal', targetId: string, placeId = north.id) =>
      notifications.follow(db, { placeId, userId, targetType, targetId });
    await f(ana, 'proposal', proposal);
    await f(ana, 'process', northProcess);
    await f(ben, 'process', northProcess);
    await f(cat, 'proposal', proposal);
    await f(dan, 'process', southProcess, south.id);
    const ids = await db.transaction().execute((tx) =>
      notifications.notifyFollowers(
        tx,
        [
          { type: 'process', id: northProcess },
          { type: 'proposal', id: proposal },
        ],
        cat,
        { placeId: north.id, kind: 'comment', title: 'New comment', body: 'Hello', link: '/places/north' },
      ),
    );
    assert.equal(ids.length, 2);
    const rows = await db.selectFrom('notifications').select(['user_id', 'place_id', 'title']).execute();
    assert.deepEqual(rows.map((r) => r.user_id).sort(), [ana, ben].sort());
    assert.ok(rows.every((r) => r.place_id === north.id && r.title === 'New comment'));
    await db.deleteFrom('follows').execute();
    await clearNotifications();
  });

  it('notifyUser adds one notification for one person', async () => {
    const db = t.database.db;
    await db.transaction().execute((tx) =>
      t.services.notifications.notifyUser(tx, ben, {
        placeId: north.id,
        kind: 'answer',
        title: 'Your proposal was answered',
        body: '',
        link: '/places/north',
      }),
    );
    const rows = await db.selectFrom('notifications').select(['user_id']).execute();
    assert.deepEqual(rows, [{ user_id: ben }]);
    await clearNotifications();
  });
});

describe('GET /notifications', () => {
  it('sends visitors to sign in', async () => {
    const response = await new Agent(t.app).get('/notifications');
    assert.equal(response.statusCode, 302);
    assert.match(String(response.headers.location), /^\/sign-in\?next=%2Fnotifications/);
  });

  it('shows the unread count in the header of every page for signed-in people', async () => {
    await addNotifications(ben, 3);
    const agent = await signedIn('ben@example.test');
    const page = (await agent.get('/places')).body;
    assert.match(
      page,
      /href="\/notifications">Notifications \(3<span class="govuk-visually-hidden"> unread<\/span>\)<\/a>/,
    );
    const visitor = (await new Agent(t.app).get('/places')).body;
    assert.doesNotMatch(visitor, /Notifications/);
    await clearNotifications();
    assert.match((await agent.get('/places')).body, /href="\/notifications">Notifications<\/a>/);
  });

  it('lists the person’s own notifications, newest first, 25 a page, unread ones marked New', async () => {
    await addNotifications(ben, 30);
    await addNotifications(cat, 2, south.id, 'Not for Ben');
    await t.database.db
      .updateTable('notifications')
      .set({ read_at: new Date() })
      .where('title', '=', 'Notice 30')
      .execute();
    const agent = await signedIn('ben@example.test');
    const first = (await agent.get('/notifications')).body;
    const titles = [...first.matchAll(/\/open">(Notice \d+)<\/a>/g)].map((m) => m[1]);
    assert.equal(titles.length, 25);
    assert.equal(titles[0], 'Notice 30');
    assert.equal(titles[24], 'Notice 6');
    assert.match(first, /Showing 1 to 25 of 30 notifications/);
    assert.match(first, /North Vale/);
    assert.equal((first.match(/govuk-tag--blue">New</g) ?? []).length, 24);
    assert.match(first, /href="\/notifications\?page=2"/);
    const second = (await agent.get('/notifications?page=2')).body;
    const more = [...second.matchAll(/\/open">(Notice \d+)<\/a>/g)].map((m) => m[1]);
    assert.deepEqual(more, ['Notice 5', 'Notice 4', 'Notice 3', 'Notice 2', 'Notice 1']);
    assert.doesNotMatch(first + second, /Not for Ben/);
    await clearNotifications();
  });

  it('marks all of the person’s notifications read, and no one else’s', async () => {
    await addNotifications(ben, 2);
    await addNotifications(cat, 2);
    const agent = await signedIn('ben@example.test');
    const response = await agent.submit('/notifications', {}, '/notifications/read-all');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/notifications');
    const page = (await agent.get('/notifications')).body;
    assert.match(page, /All your notifications are marked as read/);
    assert.doesNotMatch(page, />New</);
    assert.doesNotMatch(page, /Mark all as read/);
    const unread = await t.database.db
      .selectFrom('notifications')
      .select('user_id')
      .where('read_at', 'is', null)
      .execute();
    assert.deepEqual(
      unread.map((r) => r.user_id),
      [cat, cat],
    );
    await clearNotifications();
  });
});

describe('GET /notifications/:id/open', () => {
  async function one(userId: string, link: string) {
    const row = await t.database.db
      .insertInto('notifications')
      .values({ place_id: north.id, user_id: userId, kind: 'test', title: 'Open me', body: '', link })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('marks the notification read and goes to its link', async () => {
    const id = await one(ben, `/places/north/processes/${northProcess}`);
    const agent = await signedIn('ben@example.test');
    const response = await agent.get(`/notifications/${id}/open`);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/places/north/processes/${northProcess}`);
    const row = await t.database.db
      .selectFrom('notifications')
      .select('read_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.ok(row.read_at);
    await clearNotifications();
  });

  it('only ever redirects to a path on this site', async () => {
    const agent = await signedIn('ben@example.test');
    for (const link of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const id = await one(ben, link);
      const response = await agent.get(`/notifications/${id}/open`);
      assert.equal(response.headers.location, '/notifications', link);
    }
    await clearNotifications();
  });

  it('is 404 for someone else’s notification, which stays unread', async () => {
    const id = await one(cat, '/places/north');
    const agent = await signedIn('ben@example.test');
    assert.equal((await agent.get(`/notifications/${id}/open`)).statusCode, 404);
    assert.equal((await agent.get('/notifications/not-an-id/open')).statusCode, 404);
    const row = await t.database.db
      .selectFrom('notifications')
      .select('read_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.read_at, null);
    await clearNotifications();
  });
});

describe('/account/notifications', () => {
  it('is linked from the account page and sends visitors to sign in', async () => {
    const agent = await signedIn('cat@example.test');
    assert.match((await agent.get('/account')).body, /href="\/account\/notifications"/);
    assert.equal((await new Agent(t.app).get('/account/notifications')).statusCode, 302);
  });

  it('shows straight away as the default, and asks for a choice', async () => {
    const agent = await signedIn('cat@example.test');
    const page = (await agent.get('/account/notifications')).body;
    assert.match(page, /value="immediate" checked/);
    for (const email of [undefined, 'weekly']) {
      const response = await agent.submit('/account/notifications', email ? { email } : {});
      assert.equal(response.statusCode, 400);
      assert.deepEqual(errorSummary(response.body), [
        'Select how often you want emails about your notifications',
      ]);
      assert.match(response.body, /href="#email"/);
    }
    const rows = await t.database.db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('user_id', '=', cat)
      .execute();
    assert.deepEqual(rows, []);
  });

  it('saves the choice with an unsubscribe token made once, audited', async () => {
    const agent = await signedIn('cat@example.test');
    const saved = await agent.submit('/account/notifications', { email: 'daily' });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/account');
    assert.match((await agent.get('/account')).body, /Your email notification settings are saved/);
    const first = await t.database.db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('user_id', '=', cat)
      .executeTakeFirstOrThrow();
    assert.equal(first.email, 'daily');
    assert.match(first.unsubscribe_token, /^[A-Za-z0-9_-]{43}$/);
    assert.match((await agent.get('/account/notifications')).body, /value="daily" checked/);

    await agent.submit('/account/notifications', { email: 'off' });
    const second = await t.database.db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('user_id', '=', cat)
      .executeTakeFirstOrThrow();
    assert.equal(second.email, 'off');
    assert.equal(second.unsubscribe_token, first.unsubscribe_token);
    const audit = await auditRows('notifications.preferences_changed', cat);
    assert.deepEqual(
      audit.map((a) => a.details),
      [
        { from: 'immediate', to: 'daily' },
        { from: 'daily', to: 'off' },
      ],
    );
    assert.ok(audit.every((a) => a.subject_id === cat));
  });
});

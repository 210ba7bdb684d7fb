import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../testing/harness.ts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const STRONG = 'plum-orbit-lantern-42';

async function countUsers(email: string) {
  const row = await t.database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditActions(subjectId: string) {
  const rows = await t.database.db
    .selectFrom('audit_events')
    .select('action')
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

async function signIn(agent: Agent, email: string, password = TEST_PASSWORD) {
  return agent.submit('/sign-in', { email, password });
}

describe('POST /register', () => {
  it('shows a GOV.UK error summary linking to each empty field, and stores nothing', async () => {
    const agent = new Agent(t.app);
    const response = await agent.submit('/register', {
      name: '',
      email: '',
      password: '',
      confirmPassword: '',
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /<title>Error: /);
    assert.deepEqual(errorSummary(response.body), [
      'Enter your name',
      'Enter your email address',
      'Enter a password',
      'Confirm your password',
    ]);
    assert.match(response.body, /href="#name"/);
  });

  it('keeps what was typed, except passwords, when passwords do not match', async () => {
    const agent = new Agent(t.app);
    const response = await agent.submit('/register', {
      name: 'Kit Marlowe',
      email: 'kit@example.test',
      password: STRONG,
      confirmPassword: 'something-else-entirely',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Passwords must match']);
    assert.match(response.body, /value="Kit Marlowe"/);
    assert.match(response.body, /value="kit@example.test"/);
    assert.doesNotMatch(response.body, new RegExp(STRONG));
    assert.equal(await countUsers('kit@example.test'), 0);
  });

  it('refuses passwords shorter than 10 characters and common passwords', async () => {
    const agent = new Agent(t.app);
    for (const [password, message] of [
      ['short-1', 'Password must be 10 characters or more'],
      ['password123', 'Password is too common'],
      ['qwertyuiop', 'Password is too common'],
    ] as const) {
      const response = await agent.submit('/register', {
        name: 'Ann Other',
        email: 'ann@example.test',
        password,
        confirmPassword: password,
      });
      assert.equal(response.statusCode, 400, password);
      assert.ok(
        errorSummary(response.body)[0]?.startsWith(message),
        `${password}: ${errorSummary(response.body)}`,
      );
    }
    assert.equal(await countUsers('ann@example.test'), 0);
  });

  it('refuses an email address in the wrong format', async () => {
    const agent = new Agent(t.app);
    const response = await agent.submit('/register', {
      name: 'Ann Other',
      email: 'not-an-email',
      password: STRONG,
      confirmPassword: STRONG,
    });
    assert.deepEqual(errorSummary(response.body), [
      'Enter an email address in the correct format, like name@example.com',
    ]);
  });

  it('refuses a post without a CSRF token and writes nothing', async () => {
    const agent = new Agent(t.app);
    await agent.get('/register');
    const response = await agent.postRaw('/register', {
      name: 'Eve Forger',
      email: 'eve@example.test',
      password: STRONG,
      confirmPassword: STRONG,
    });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /This form has expired/);
    assert.equal(await countUsers('eve@example.test'), 0);
  });

  it('refuses a post whose CSRF token came from another browser', async () => {
    const other = new Agent(t.app);
    await other.get('/register');
    const token = other.csrfToken();
    const agent = new Agent(t.app);
    await agent.get('/register');
    const response = await agent.postRaw('/register', {
      _csrf: `${token}x`,
      name: 'Eve Forger',
      email: 'eve2@example.test',
      password: STRONG,
      confirmPassword: STRONG,
    });
    assert.equal(response.statusCode, 403);
    assert.equal(await countUsers('eve2@example.test'), 0);
  });

  it('creates an unverified account, emails a link, and verifies it once', async () => {
    const agent = new Agent(t.app);
    const response = await agent.submit('/register', {
      name: 'Grace Hopper',
      email: 'grace@example.test',
      password: STRONG,
      confirmPassword: STRONG,
    });
    assert.equal(response.statusCode, 303);
    assert.match(response.headers.location as string, /^\/register\/check-email/);
    const user = await t.database.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'grace@example.test')
      .executeTakeFirstOrThrow();
    assert.equal(user.email_verified_at, null);
    assert.match(user.password_hash!, /^\$argon2id\$/);

    const refused = await signIn(agent, 'grace@example.test', STRONG);
    assert.equal(refused.statusCode, 400);
    assert.match(errorSummary(refused.body)[0]!, /confirm your email address/);

    const link = await t.linkFromLastMailTo('grace@example.test');
    assert.match(link, /^\/verify-email\//);
    const verified = await agent.get(link);
    assert.equal(verified.statusCode, 200);
    assert.match(verified.body, /Email address confirmed/);
    const again = await agent.get(link);
    assert.equal(again.statusCode, 400);

    const signedIn = await signIn(agent, 'grace@example.test', STRONG);
    assert.equal(signedIn.statusCode, 303);
    const account = await agent.get('/account');
    assert.match(account.body, /Grace Hopper/);
    assert.deepEqual((await auditActions(user.id)).slice(0, 3), [
      'account.registered',
      'account.email_verified',
      'account.signed_in',
    ]);
  });

  it('does not reveal that an address already has an account', async () => {
    await t.createUser({ email: 'taken@example.test' });
    const agent = new Agent(t.app);
    const response = await agent.submit('/register', {
      name: 'Someone',
      email: 'taken@example.test',
      password: STRONG,
      confirmPassword: STRONG,
    });
    assert.equal(response.statusCode, 303);
    assert.match(response.headers.location as string, /^\/register\/check-email/);
    assert.equal(await countUsers('taken@example.test'), 1);
    const mail = (await t.mail()).find((m) => m.to === 'taken@example.test');
    assert.equal(mail?.subject, 'You already have a Commonweal account');
  });
});

describe('POST /sign-in', () => {
  it('says the email or password is wrong without saying which', async () => {
    await t.createUser({ email: 'wrong@example.test' });
    const agent = new Agent(t.app);
    const response = await signIn(agent, 'wrong@example.test', 'not-the-password');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Enter a correct email address and password']);
    assert.match(response.body, /value="wrong@example.test"/);
    const unknown = await signIn(agent, 'nobody@example.test', 'not-the-password');
    assert.deepEqual(errorSummary(unknown.body), ['Enter a correct email address and password']);
  });

  it('sets an httpOnly, SameSite=Lax session cookie and stores only its hash', async () => {
    await t.createUser({ email: 'cookie@example.test' });
    const agent = new Agent(t.app);
    const response = await signIn(agent, 'cookie@example.test');
    const cookie = response.cookies.find((c) => c.name === 'cw_session');
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.notEqual(cookie.secure, true);
    const stored = await t.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', cookie.value)
      .execute();
    assert.equal(stored.length, 0, 'the raw cookie value must not be stored');
  });

  it('gives a new session id at every sign-in and the old one stops working', async () => {
    await t.createUser({ email: 'rotate@example.test' });
    const agent = new Agent(t.app);
    await signIn(agent, 'rotate@example.test');
    const first = agent.cookies.get('cw_session')!;
    await agent.get('/account');
    await agent.postRaw('/sign-in', {
      email: 'rotate@example.test',
      password: TEST_PASSWORD,
      _csrf: agent.csrfToken(),
    });
    const second = agent.cookies.get('cw_session')!;
    assert.ok(first && second);
    assert.notEqual(first, second);
    const stale = new Agent(t.app);
    stale.cookies.set('cw_session', first);
    const response = await stale.get('/account');
    assert.equal(response.statusCode, 302);
    assert.match(response.headers.location as string, /^\/sign-in/);
  });

  it('ignores a session id planted before sign-in (session fixation)', async () => {
    await t.createUser({ email: 'fixation@example.test' });
    const agent = new Agent(t.app);
    agent.cookies.set('cw_session', 'attacker-chosen-value');
    await signIn(agent, 'fixation@example.test');
    assert.notEqual(agent.cookies.get('cw_session'), 'attacker-chosen-value');
    assert.equal((await agent.get('/account')).statusCode, 200);
  });

  it('backs off after five failures: even the right password is refused, with a clear message', async () => {
    await t.createUser({ email: 'backoff@example.test' });
    const agent = new Agent(t.app);
    for (let i = 0; i < 4; i++) {
      const r = await signIn(agent, 'backoff@example.test', 'guess-number-one');
      assert.deepEqual(errorSummary(r.body), ['Enter a correct email address and password']);
    }
    const fifth = await signIn(agent, 'backoff@example.test', 'guess-number-five');
    assert.match(
      errorSummary(fifth.body)[0]!,
      /too many failed attempts.*Try again in 1 minutes, or reset your password/,
    );
    const right = await signIn(agent, 'backoff@example.test');
    assert.equal(right.statusCode, 400);
    assert.match(errorSummary(right.body)[0]!, /too many failed attempts/);
    assert.equal(agent.cookies.has('cw_session'), false);
  });

  it('counts parallel guesses too: twelve at once lock the account', async () => {
    await t.createUser({ email: 'parallel@example.test' });
    const agents = Array.from({ length: 12 }, () => new Agent(t.app));
    await Promise.all(agents.map((a) => a.get('/sign-in')));
    await Promise.all(
      agents.map((a) =>
        a.postRaw('/sign-in', {
          email: 'parallel@example.test',
          password: 'a-wrong-guess',
          _csrf: a.csrfToken(),
        }),
      ),
    );
    const right = await signIn(new Agent(t.app), 'parallel@example.test');
    assert.equal(right.statusCode, 400);
    assert.match(errorSummary(right.body)[0]!, /too many failed attempts/);
  });

  it('limits how often one client can try, whatever the account', async () => {
    const agent = new Agent(t.app);
    await agent.get('/sign-in');
    const token = agent.csrfToken();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await agent.postRaw('/sign-in', {
        email: `many${i}@example.test`,
        password: 'whatever-it-is',
        _csrf: token,
      });
      statuses.push(r.statusCode);
    }
    assert.ok(
      statuses.slice(0, 10).every((s) => s === 400),
      statuses.join(),
    );
    assert.equal(statuses[10], 429);
    assert.equal(statuses[11], 429);
  });

  it('refuses `next` addresses that a browser would turn into another site', async () => {
    await t.createUser({ email: 'tabnext@example.test' });
    for (const next of ['/\t/evil.example', '/\\evil.example', '/%0a/evil', '/ /evil.example']) {
      const agent = new Agent(t.app);
      await agent.get('/sign-in');
      const response = await agent.postRaw('/sign-in', {
        email: 'tabnext@example.test',
        password: TEST_PASSWORD,
        next,
        _csrf: agent.csrfToken(),
      });
      assert.equal(
        response.headers.location,
        next === '/%0a/evil' ? '/%0a/evil' : '/account',
        JSON.stringify(next),
      );
    }
  });

  it('only follows a `next` address on this site', async () => {
    await t.createUser({ email: 'next@example.test' });
    const agent = new Agent(t.app);
    await agent.get('/sign-in');
    const ok = await agent.postRaw('/sign-in', {
      email: 'next@example.test',
      password: TEST_PASSWORD,
      next: '//evil.example/phish',
      _csrf: agent.csrfToken(),
    });
    assert.equal(ok.headers.location, '/account');
  });
});

describe('signing out', () => {
  it('ends the session on POST /sign-out', async () => {
    await t.createUser({ email: 'out@example.test' });
    const agent = new Agent(t.app);
    await signIn(agent, 'out@example.test');
    const cookie = agent.cookies.get('cw_session')!;
    await agent.get('/account');
    const response = await agent.postRaw('/sign-out', { _csrf: agent.csrfToken() });
    assert.equal(response.statusCode, 303);
    const replay = new Agent(t.app);
    replay.cookies.set('cw_session', cookie);
    assert.equal((await replay.get('/account')).statusCode, 302);
  });

  it('signs out every device with "sign out everywhere"', async () => {
    await t.createUser({ email: 'everywhere@example.test' });
    const phone = new Agent(t.app);
    const laptop = new Agent(t.app);
    await signIn(phone, 'everywhere@example.test');
    await signIn(laptop, 'everywhere@example.test');
    assert.equal((await phone.get('/account')).statusCode, 200);
    await laptop.submit('/account', {}, '/account/sign-out-everywhere');
    assert.equal((await phone.get('/account')).statusCode, 302);
    assert.equal((await laptop.get('/account')).statusCode, 302);
  });
});

describe('password reset', () => {
  it('sends a single-use link, sets the new password and ends other sessions', async () => {
    const id = await t.createUser({ email: 'reset@example.test', name: 'Rita Reset' });
    const elsewhere = new Agent(t.app);
    await signIn(elsewhere, 'reset@example.test');
    const agent = new Agent(t.app);
    const sent = await agent.submit('/forgot-password', { email: 'reset@example.test' });
    assert.equal(sent.statusCode, 303);
    const link = await t.linkFromLastMailTo('reset@example.test');
    const weak = await agent.submit(link, { password: 'qwertyuiop', confirmPassword: 'qwertyuiop' });
    assert.equal(weak.statusCode, 400);
    assert.match(errorSummary(weak.body)[0]!, /too common/);
    const done = await agent.submit(link, { password: STRONG, confirmPassword: STRONG });
    assert.equal(done.statusCode, 303);
    assert.equal((await agent.get('/account')).statusCode, 200);
    assert.equal((await elsewhere.get('/account')).statusCode, 302, 'other sessions end');
    assert.equal((await new Agent(t.app).get(link)).statusCode, 400, 'the link works once');
    const fresh = new Agent(t.app);
    assert.equal((await signIn(fresh, 'reset@example.test', STRONG)).statusCode, 303);
    assert.ok((await auditActions(id)).includes('account.password_reset'));
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const before = (await t.mail()).length;
    const agent = new Agent(t.app);
    const response = await agent.submit('/forgot-password', { email: 'ghost@example.test' });
    assert.equal(response.statusCode, 303);
    assert.equal((await t.mail()).length, before);
  });

  it('sends at most three links to one address in 15 minutes', async () => {
    await t.createUser({ email: 'flood@example.test' });
    const results: number[] = [];
    for (let i = 0; i < 4; i++) {
      const agent = new Agent(t.app);
      results.push((await agent.submit('/forgot-password', { email: 'flood@example.test' })).statusCode);
      if (i === 3)
        assert.match(errorSummary(agent.lastPage)[0]!, /Too many emails have been sent to this address/);
    }
    assert.deepEqual(results, [303, 303, 303, 400]);
  });

  it('sends no more than three links even when asked many times at once', async () => {
    await t.createUser({ email: 'burst@example.test' });
    const agents = Array.from({ length: 8 }, () => new Agent(t.app));
    await Promise.all(agents.map((a) => a.get('/forgot-password')));
    await Promise.all(
      agents.map((a) => a.postRaw('/forgot-password', { email: 'burst@example.test', _csrf: a.csrfToken() })),
    );
    assert.equal((await t.mail()).filter((m) => m.to === 'burst@example.test').length, 3);
  });
});

describe('sign-in by emailed link', () => {
  it('signs in once: opening the link only shows a button, the POST uses it up', async () => {
    await t.createUser({ email: 'magic@example.test' });
    const agent = new Agent(t.app);
    await agent.submit('/sign-in/link', { email: 'magic@example.test' });
    const link = await t.linkFromLastMailTo('magic@example.test');
    assert.match(link, /^\/sign-in\/link\//);
    const scanner = new Agent(t.app);
    assert.equal((await scanner.get(link)).statusCode, 200);
    const page = await agent.get(link);
    assert.match(page.body, /Select the button to finish signing in/);
    const used = await agent.postRaw(link, { _csrf: agent.csrfToken() });
    assert.equal(used.statusCode, 303);
    assert.equal((await agent.get('/account')).statusCode, 200);
    const second = new Agent(t.app);
    await second.get(link);
    assert.match(second.lastPage, /expired or has been used/);
  });
});

describe('the account page', () => {
  it('sends visitors to sign in', async () => {
    const response = await new Agent(t.app).get('/account');
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, '/sign-in?next=%2Faccount');
  });

  it('changes the name, with an error for an empty one', async () => {
    await t.createUser({ email: 'name@example.test', name: 'Old Name' });
    const agent = new Agent(t.app);
    await signIn(agent, 'name@example.test');
    const bad = await agent.submit('/account/name', { name: '   ' });
    assert.deepEqual(errorSummary(bad.body), ['Enter your name']);
    await agent.submit('/account/name', { name: 'New Name' });
    const page = await agent.get('/account');
    assert.match(page.body, /New Name/);
    assert.match(page.body, /Your name has been changed/);
  });

  it('changes the email address only when the new one is confirmed, and tells the old one', async () => {
    await t.createUser({ email: 'old@example.test' });
    await t.createUser({ email: 'used@example.test' });
    const agent = new Agent(t.app);
    await signIn(agent, 'old@example.test');
    const wrongPassword = await agent.submit('/account/email', {
      email: 'new@example.test',
      password: 'not-my-password',
    });
    assert.deepEqual(errorSummary(wrongPassword.body), ['Your password is not correct']);
    const taken = await agent.submit('/account/email', {
      email: 'used@example.test',
      password: TEST_PASSWORD,
    });
    assert.deepEqual(errorSummary(taken.body), ['Another account already uses this email address']);
    await agent.submit('/account/email', { email: 'new@example.test', password: TEST_PASSWORD });
    assert.match((await agent.get('/account')).body, /old@example.test/);
    const link = await t.linkFromLastMailTo('new@example.test');
    assert.equal((await agent.get(link)).statusCode, 200);
    assert.match((await agent.get('/account')).body, /new@example.test/);
    const notice = (await t.mail()).find((m) => m.to === 'old@example.test');
    assert.equal(notice?.subject, 'Your Commonweal email address has changed');
  });

  it('changes the password, rotates this session and ends the others', async () => {
    await t.createUser({ email: 'pw@example.test' });
    const agent = new Agent(t.app);
    const other = new Agent(t.app);
    await signIn(agent, 'pw@example.test');
    await signIn(other, 'pw@example.test');
    const before = agent.cookies.get('cw_session');
    const wrong = await agent.submit('/account/password', {
      currentPassword: 'nope-nope-nope',
      newPassword: STRONG,
      confirmPassword: STRONG,
    });
    assert.deepEqual(errorSummary(wrong.body), ['Your current password is not correct']);
    const ok = await agent.submit('/account/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: STRONG,
      confirmPassword: STRONG,
    });
    assert.equal(ok.statusCode, 303);
    assert.notEqual(agent.cookies.get('cw_session'), before);
    assert.equal((await agent.get('/account')).statusCode, 200);
    assert.equal((await other.get('/account')).statusCode, 302);
  });

  it('downloads the account holder’s data as JSON', async () => {
    await t.createUser({ email: 'export@example.test', name: 'Ex Porter' });
    const agent = new Agent(t.app);
    await signIn(agent, 'export@example.test');
    const response = await agent.get('/account/data');
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-disposition'] as string, /attachment/);
    const data = response.json();
    assert.equal(data.account.email, 'export@example.test');
    assert.equal(data.account.name, 'Ex Porter');
    assert.equal(data.sessions.length, 1);
    assert.ok(data.activity.some((a: { action: string }) => a.action === 'account.signed_in'));
    assert.equal(JSON.stringify(data).includes('argon2'), false, 'never exports the password hash');
  });

  it('deletes the account after confirmation, keeping an anonymous tombstone and the audit trail', async () => {
    const id = await t.createUser({ email: 'leaver@example.test', name: 'Lee Leaver' });
    const agent = new Agent(t.app);
    await signIn(agent, 'leaver@example.test');
    const unconfirmed = await agent.submit('/account/delete', { password: TEST_PASSWORD });
    assert.deepEqual(errorSummary(unconfirmed.body), [
      'Confirm that you understand what deleting your account does',
    ]);
    const page = await agent.get('/account/delete');
    assert.match(page.body, /What we keep, and why/);
    const done = await agent.submit('/account/delete', { password: TEST_PASSWORD, confirm: 'yes' });
    assert.equal(done.statusCode, 303);
    const row = await t.database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.email, null);
    assert.equal(row.name, 'Deleted account');
    assert.equal(row.password_hash, null);
    assert.ok(row.deleted_at);
    assert.equal((await agent.get('/account')).statusCode, 302);
    assert.equal((await signIn(new Agent(t.app), 'leaver@example.test')).statusCode, 400);
    assert.ok((await auditActions(id)).includes('account.deleted'));
  });

  it('removes the residence check, follows, notifications and preferences of a deleted account', async () => {
    const place = await t.createPlace('leaverton', 'Leaverton');
    const id = await t.createUser({
      email: 'gone@example.test',
      roles: [{ placeId: place.id, role: 'resident' }],
    });
    const db = t.database.db;
    await db
      .insertInto('resident_verifications')
      .values({
        place_id: place.id,
        user_id: id,
        method: 'postcode',
        postcode: 'RV11AA',
        date_of_birth: '1980-01-01',
        verified_by: null,
        note: null,
      })
      .execute();
    await db
      .insertInto('follows')
      .values({ place_id: place.id, user_id: id, target_type: 'process', target_id: place.id })
      .execute();
    await db
      .insertInto('notifications')
      .values({ place_id: place.id, user_id: id, kind: 'x', title: 't', body: 'b', link: '/' })
      .execute();
    const agent = new Agent(t.app);
    await signIn(agent, 'gone@example.test');
    const exported = (await agent.get('/account/data')).json();
    assert.equal(exported.residentVerifications[0].date_of_birth, '1980-01-01');
    assert.equal(exported.follows.length, 1);
    assert.equal(exported.notifications.length, 1);
    await agent.submit('/account/delete', { password: TEST_PASSWORD, confirm: 'yes' });
    for (const table of ['resident_verifications', 'follows', 'notifications'] as const) {
      const rows = await db.selectFrom(table).select('user_id').where('user_id', '=', id).execute();
      assert.equal(rows.length, 0, table);
    }
  });
});

describe('housekeeping', () => {
  it('removes expired sessions and stale throttle entries, and keeps live ones', async () => {
    const db = t.database.db;
    const id = await t.createUser({ email: 'house@example.test' });
    await db
      .insertInto('sessions')
      .values({
        id: 'expired-session',
        user_id: id,
        expires_at: new Date(Date.now() - 1000),
        last_seen_at: new Date(),
        user_agent: null,
        flash: '[]',
      })
      .execute();
    await db
      .insertInto('sessions')
      .values({
        id: 'live-session',
        user_id: id,
        expires_at: new Date(Date.now() + 60_000),
        last_seen_at: new Date(),
        user_agent: null,
        flash: '[]',
      })
      .execute();
    await db
      .insertInto('sign_in_throttle')
      .values({
        key: 'sign_in:old@example.test',
        failures: 2,
        locked_until: null,
        updated_at: new Date(Date.now() - 3 * 86_400_000),
      })
      .execute();
    await db
      .insertInto('sign_in_throttle')
      .values({
        key: 'sign_in:locked@example.test',
        failures: 9,
        locked_until: new Date(Date.now() + 60_000),
        updated_at: new Date(Date.now() - 3 * 86_400_000),
      })
      .execute();
    await t.services.accounts.purgeExpired();
    const sessions = await db.selectFrom('sessions').select('id').where('user_id', '=', id).execute();
    assert.deepEqual(
      sessions.map((s) => s.id),
      ['live-session'],
    );
    const keys = await db
      .selectFrom('sign_in_throttle')
      .select('key')
      .where('key', 'in', ['sign_in:old@example.test', 'sign_in:locked@example.test'])
      .execute();
    assert.deepEqual(
      keys.map((k) => k.key),
      ['sign_in:locked@example.test'],
    );
  });
});

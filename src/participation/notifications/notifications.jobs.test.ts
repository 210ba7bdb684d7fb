import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';
import { startNotificationJobs } from './notifications.jobs.ts';
import { createNotificationsService } from './notifications.service.ts';
import type { EmailPreference } from './notifications.table.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let ivy: string;
let ian: string;
let dee: string;
let dov: string;
let otto: string;
let una: string;

const T0 = new Date('2030-03-01T08:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 60 * 60 * 1000);

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  ivy = await t.createUser({ email: 'ivy@example.test', name: 'Ivy Immediate' });
  ian = await t.createUser({ email: 'ian@example.test', name: 'Ian Immediate' });
  dee = await t.createUser({ email: 'dee@example.test', name: 'Dee Daily' });
  dov = await t.createUser({ email: 'dov@example.test', name: 'Dov Daily' });
  otto = await t.createUser({ email: 'otto@example.test', name: 'Otto Off' });
  una = await t.createUser({ email: 'una@example.test', name: 'Una Unconfirmed' });
  await t.database.db.updateTable('users').set({ email_verified_at: null }).where('id', '=', una).execute();
});
after(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.database.db.deleteFrom('notifications').execute();
  await t.database.db.deleteFrom('notification_preferences').execute();
});

async function prefer(userId: string, email: EmailPreference) {
  await t.database.db
    .insertInto('notification_preferences')
    .values({ user_id: userId, email, unsubscribe_token: `token-${userId}` })
    .execute();
}

async function notify(userId: string, title: string, link = '/places/riverside/processes/p1') {
  await t.database.db
    .insertInto('notifications')
    .values({ place_id: place.id, user_id: userId, kind: 'test', title, body: `About ${title}`, link })
    .execute();
}

async function unemailed() {
  const rows = await t.database.db
    .selectFrom('notifications')
    .select('title')
    .where('emailed_at', 'is', null)
    .orderBy('title')
    .execute();
  return rows.map((r) => r.title);
}

/** The emails sent after the first `count`, oldest first. */
async function mailSince(count: number) {
  const all = await t.mail();
  return all.slice(0, all.length - count).reverse();
}

describe('sendPendingEmails', () => {
  it('emails each notification on its own to people who want them straight away (the default)', async () => {
    await prefer(ivy, 'immediate');
    await notify(ivy, 'First news');
    await notify(ivy, 'Second news', 'https://elsewhere.example/x');
    await notify(ian, 'Ian news');
    const before = (await t.mail()).length;
    const result = await t.services.notifications.sendPendingEmails(T0);
    assert.deepEqual(result, { sent: 3, failed: 0 });
    const mails = await mailSince(before);
    assert.deepEqual(mails.map((m) => [m.to, m.subject]).sort(), [
      ['ian@example.test', 'Riverside: Ian news'],
      ['ivy@example.test', 'Riverside: First news'],
      ['ivy@example.test', 'Riverside: Second news'],
    ]);
    const first = mails.find((m) => m.subject.endsWith('First news'))!;
    assert.match(first.text, /About First news/);
    assert.match(first.text, /http:\/\/commonweal\.test\/places\/riverside\/processes\/p1/);
    assert.match(first.text, new RegExp(`http://commonweal\\.test/unsubscribe/token-${ivy}`));
    assert.deepEqual(first.headers, {
      'List-Unsubscribe': `<http://commonweal.test/unsubscribe/token-${ivy}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    // The notification's own link is the first in the email.
    assert.equal(
      first.text.match(/https?:\/\/\S+/)?.[0],
      'http://commonweal.test/places/riverside/processes/p1',
    );
    const second = mails.find((m) => m.subject.endsWith('Second news'))!;
    assert.doesNotMatch(second.text, /elsewhere\.example/);
    assert.match(second.text, /http:\/\/commonweal\.test\/notifications/);

    // Ian had no preferences yet: he now has a row with a fresh token, used in his email.
    const ianPrefs = await t.database.db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('user_id', '=', ian)
      .executeTakeFirstOrThrow();
    assert.equal(ianPrefs.email, 'immediate');
    const ianMail = mails.find((m) => m.to === 'ian@example.test')!;
    assert.ok(ianMail.text.includes(`/unsubscribe/${ianPrefs.unsubscribe_token}`));

    const stamped = await t.database.db.selectFrom('notifications').select('emailed_at').execute();
    assert.ok(stamped.every((r) => r.emailed_at?.getTime() === T0.getTime()));
  });

  it('is idempotent: a second run sends nothing more', async () => {
    await notify(ivy, 'Once only');
    const before = (await t.mail()).length;
    await t.services.notifications.sendPendingEmails(T0);
    const again = await t.services.notifications.sendPendingEmails(hours(1));
    assert.deepEqual(again, { sent: 0, failed: 0 });
    assert.equal((await t.mail()).length, before + 1);
  });

  it('sends nothing to people who turned emails off or never confirmed their address, and settles theirs', async () => {
    await prefer(otto, 'off');
    await notify(otto, 'Otto news');
    await notify(una, 'Una news');
    const before = (await t.mail()).length;
    const result = await t.services.notifications.sendPendingEmails(T0);
    assert.deepEqual(result, { sent: 0, failed: 0 });
    assert.equal((await t.mail()).length, before);
    assert.deepEqual(await unemailed(), []);
  });

  it('leaves daily digests alone', async () => {
    await prefer(dee, 'daily');
    await notify(dee, 'Dee news');
    const before = (await t.mail()).length;
    await t.services.notifications.sendPendingEmails(T0);
    assert.equal((await t.mail()).length, before);
    assert.deepEqual(await unemailed(), ['Dee news']);
  });

  it('puts a notification back in the queue when its email fails', async () => {
    await notify(ivy, 'Will fail');
    const failing = createNotificationsService({
      db: t.database.db,
      baseUrl: 'http://commonweal.test',
      mailer: {
        folder: undefined,
        send: async () => {
          throw new Error('mail server down');
        },
      },
    });
    assert.deepEqual(await failing.sendPendingEmails(T0), { sent: 0, failed: 1 });
    assert.deepEqual(await unemailed(), ['Will fail']);
    assert.deepEqual(await t.services.notifications.sendPendingEmails(T0), { sent: 1, failed: 0 });
    assert.deepEqual(await unemailed(), []);
  });
});

describe('sendDailyDigests', () => {
  it('sends one digest per person listing every waiting notification, then none for 24 hours', async () => {
    await prefer(dee, 'daily');
    await prefer(dov, 'daily');
    await prefer(ivy, 'immediate');
    await notify(dee, 'Dee one');
    await notify(dee, 'Dee two', '/places/riverside/processes/p2');
    await notify(dov, 'Dov one');
    await notify(ivy, 'Ivy one');
    const before = (await t.mail()).length;

    assert.deepEqual(await t.services.notifications.sendDailyDigests(T0), { sent: 2, failed: 0 });
    const mails = await mailSince(before);
    assert.deepEqual(mails.map((m) => m.to).sort(), ['dee@example.test', 'dov@example.test']);
    const deeMail = mails.find((m) => m.to === 'dee@example.test')!;
    assert.equal(deeMail.subject, 'Your daily summary: 2 new notifications');
    assert.match(deeMail.text, /1\. Dee one \(Riverside\)[\s\S]*2\. Dee two \(Riverside\)/);
    assert.match(deeMail.text, /http:\/\/commonweal\.test\/places\/riverside\/processes\/p1/);
    assert.match(deeMail.text, /http:\/\/commonweal\.test\/places\/riverside\/processes\/p2/);
    assert.match(deeMail.text, new RegExp(`http://commonweal\\.test/unsubscribe/token-${dee}`));
    assert.deepEqual(deeMail.headers, {
      'List-Unsubscribe': `<http://commonweal.test/unsubscribe/token-${dee}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    assert.deepEqual(await unemailed(), ['Ivy one']);
    const stamp = await t.database.db
      .selectFrom('notification_preferences')
      .select('last_digest_at')
      .where('user_id', '=', dee)
      .executeTakeFirstOrThrow();
    assert.equal(stamp.last_digest_at?.getTime(), T0.getTime());

    // Run again at once: nothing.
    assert.deepEqual(await t.services.notifications.sendDailyDigests(T0), { sent: 0, failed: 0 });
    // Something new, but within 24 hours: it waits.
    await notify(dee, 'Dee three');
    assert.deepEqual(await t.services.notifications.sendDailyDigests(hours(23)), { sent: 0, failed: 0 });
    assert.equal((await t.mail()).length, before + 2);
    // After 24 hours: one digest with only the new one; Dov has nothing new and gets nothing.
    assert.deepEqual(await t.services.notifications.sendDailyDigests(hours(25)), { sent: 1, failed: 0 });
    const latest = (await t.mail())[0]!;
    assert.equal(latest.to, 'dee@example.test');
    assert.equal(latest.subject, 'Your daily summary: 1 new notification');
    assert.match(latest.text, /Dee three/);
    assert.doesNotMatch(latest.text, /Dee one/);
    assert.deepEqual(await t.services.notifications.sendDailyDigests(hours(25)), { sent: 0, failed: 0 });
  });

  it('tries a failed digest again on the next run', async () => {
    await prefer(dee, 'daily');
    await notify(dee, 'Dee retry');
    const failing = createNotificationsService({
      db: t.database.db,
      baseUrl: 'http://commonweal.test',
      mailer: {
        folder: undefined,
        send: async () => {
          throw new Error('mail server down');
        },
      },
    });
    assert.deepEqual(await failing.sendDailyDigests(T0), { sent: 0, failed: 1 });
    assert.deepEqual(await unemailed(), ['Dee retry']);
    const stamp = await t.database.db
      .selectFrom('notification_preferences')
      .select('last_digest_at')
      .where('user_id', '=', dee)
      .executeTakeFirstOrThrow();
    assert.equal(stamp.last_digest_at, null);
    assert.deepEqual(await t.services.notifications.sendDailyDigests(hours(1)), { sent: 1, failed: 0 });
    assert.deepEqual(await unemailed(), []);
  });

  it('sends no digest to people who want none or whose address is unconfirmed', async () => {
    await prefer(otto, 'off');
    await prefer(una, 'daily');
    await notify(otto, 'Otto news');
    await notify(una, 'Una news');
    const before = (await t.mail()).length;
    assert.deepEqual(await t.services.notifications.sendDailyDigests(T0), { sent: 0, failed: 0 });
    assert.equal((await t.mail()).length, before);
  });
});

describe('unsubscribing from the link in an email', () => {
  async function tokenOf(userId: string) {
    const row = await t.database.db
      .selectFrom('notification_preferences')
      .select(['unsubscribe_token', 'email'])
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return row;
  }

  it('shows a button one click from the email, signed out, and changes nothing until it is pressed', async () => {
    await notify(ivy, 'Unsubscribe test');
    await t.services.notifications.sendPendingEmails(T0);
    const link = await t.linkFromLastMailTo('ivy@example.test');
    assert.equal(link, '/places/riverside/processes/p1');
    const mail = (await t.mail()).find((m) => m.to === 'ivy@example.test')!;
    const unsubscribe = mail.text.match(/http:\/\/commonweal\.test(\/unsubscribe\/\S+)/)![1]!;

    const visitor = new Agent(t.app);
    const page = await visitor.get(unsubscribe);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Unsubscribe from notification emails/);
    assert.match(page.body, new RegExp(`<form method="post" action="${unsubscribe}"`));
    assert.equal((await tokenOf(ivy)).email, 'immediate');
    const audits = () =>
      t.database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'notifications.preferences_changed')
        .where('subject_id', '=', ivy)
        .execute();
    assert.equal((await audits()).length, 0);

    const done = await visitor.submit(unsubscribe, {});
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, unsubscribe);
    assert.equal((await tokenOf(ivy)).email, 'off');
    const after = await visitor.get(unsubscribe);
    assert.match(after.body, /You are unsubscribed/);
    assert.doesNotMatch(after.body, /<form method="post" action="\/unsubscribe/);
    const audit = await audits();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, ivy);
    assert.deepEqual(audit[0]!.details, { from: 'immediate', to: 'off', via: 'unsubscribe_link' });

    // And no more emails.
    await notify(ivy, 'After unsubscribing');
    const before = (await t.mail()).length;
    await t.services.notifications.sendPendingEmails(hours(1));
    assert.equal((await t.mail()).length, before);
  });

  it('unsubscribes with the one-click POST a mail client sends (RFC 8058), without a form token', async () => {
    await prefer(ivy, 'daily');
    const token = `token-${ivy}`;
    const response = await t.app.inject({
      method: 'POST',
      url: `/unsubscribe/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    assert.equal(response.statusCode, 303);
    assert.equal((await tokenOf(ivy)).email, 'off');
  });

  it('says clearly when a link is not valid', async () => {
    const visitor = new Agent(t.app);
    for (const token of ['x'.repeat(43), 'short', 'not%20a%20token']) {
      const page = await visitor.get(`/unsubscribe/${token}`);
      assert.equal(page.statusCode, 404, token);
      assert.match(page.body, /This unsubscribe link is not valid/);
    }
    const posted = await visitor.submit('/sign-in', {}, `/unsubscribe/${'x'.repeat(43)}`);
    assert.equal(posted.statusCode, 404);
    assert.match(posted.body, /This unsubscribe link is not valid/);
  });
});

describe('startNotificationJobs', () => {
  it('runs both jobs at start and on their timers, one at a time, and stops cleanly', async () => {
    const calls: string[] = [];
    let active = 0;
    let overlapped = false;
    const job = (name: string) => async () => {
      active += 1;
      if (active > 1) overlapped = true;
      calls.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active -= 1;
      return { sent: 0, failed: 0 };
    };
    const stop = startNotificationJobs(
      { notifications: { sendPendingEmails: job('pending'), sendDailyDigests: job('digests') } },
      { intervalMs: 20, digestIntervalMs: 1000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 120));
    await stop();
    const count = calls.length;
    assert.deepEqual(calls.slice(0, 2), ['pending', 'digests']);
    assert.ok(calls.filter((c) => c === 'pending').length >= 3);
    assert.equal(overlapped, false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(calls.length, count);
  });

  it('logs a failing run and keeps going', async () => {
    const errors: string[] = [];
    let runs = 0;
    const stop = startNotificationJobs(
      {
        notifications: {
          sendPendingEmails: async () => {
            runs += 1;
            throw new Error('database gone');
          },
          sendDailyDigests: async () => ({ sent: 0, failed: 2 }),
        },
      },
      { intervalMs: 10, log: { error: (_details, message) => errors.push(message) } },
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    await stop();
    assert.ok(runs >= 2);
    assert.ok(errors.includes('Notification email job failed'));
    assert.ok(errors.includes('Some notification emails failed'));
  });
});

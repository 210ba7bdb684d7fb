import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  expectHeading,
  expectScriptsOff,
  fill,
  follow,
  pathOf,
  register,
  signIn,
  signOut,
  submit,
  textOf,
  visit,
} from './support/journeys.ts';

async function expectSignedOutRedirect(page: Page): Promise<void> {
  await visit(page, '/account', 200);
  assert.equal(pathOf(page), `/sign-in?next=${encodeURIComponent('/account')}`);
  await expectHeading(page, 'Sign in');
}

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('Accounts in the browser', { skip: browserMissing }, () => {});

describe('Accounts in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();

  describe('with JavaScript', () => {
    it('registers, confirms the email address, signs in and signs out', async () => {
      const page = await e2e.newPage();
      const person = { name: 'Grace Hopper', email: 'grace@example.org', password: TEST_PASSWORD };

      const home = await visit(page, '/', 200);
      assert.match(home.headers()['content-security-policy'] ?? '', /script-src 'self'[;\s]/);
      await register(page, person);

      assert.equal((await e2e.app.t.mail())[0]?.to, person.email);
      const link = await e2e.app.t.linkFromLastMailTo(person.email);
      assert.match(link, /^\/verify-email\//);
      await visit(page, e2e.app.url(link), 200);
      await expectHeading(page, 'Email address confirmed');

      assert.equal(await follow(page, 'Sign in', 'main'), 200);
      assert.equal(pathOf(page), '/sign-in');
      await signIn(page, person.email, person.password);
      await expectHeading(page, 'Your account');
      const details = await textOf(page.locator('.govuk-summary-list'));
      assert.match(details, /Grace Hopper/);
      assert.match(details, /grace@example\.org/);
      assert.match(await textOf(page.locator('header')), /Grace Hopper/);

      await signOut(page);
      await expectSignedOutRedirect(page);
    });

    it('shows a GOV.UK error summary linking to each field when the form is sent empty', async () => {
      const page = await e2e.newPage();
      await visit(page, '/register', 200);

      assert.equal(await submit(page, 'Create account'), 400);
      assert.match(await page.title(), /^Error: /);
      const summary = page.locator('.govuk-error-summary');
      assert.equal(await summary.count(), 1);
      assert.equal(await textOf(summary.locator('h2')), 'There is a problem');
      const links = await summary
        .locator('a')
        .evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent?.trim()]));
      assert.deepEqual(links, [
        ['#name', 'Enter your name'],
        ['#email', 'Enter your email address'],
        ['#password', 'Enter a password'],
        ['#confirmPassword', 'Confirm your password'],
      ]);
      for (const [href] of links) assert.equal(await page.locator(href!).count(), 1, `${href} exists`);
      assert.equal(await page.locator('.govuk-error-message').count(), 4);

      await summary.getByRole('link', { name: 'Enter your email address' }).click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
    });

    it('keeps the name and email address, but not the passwords, after an error', async () => {
      const page = await e2e.newPage();
      await visit(page, '/register', 200);
      await fill(page, {
        'Your name': 'Ada Lovelace',
        'Email address': 'ada@example.org',
        'Create a password': TEST_PASSWORD,
        'Confirm your password': `${TEST_PASSWORD}-typo`,
      });

      assert.equal(await submit(page, 'Create account'), 400);
      assert.equal(pathOf(page), '/register');
      const summary = page.locator('.govuk-error-summary');
      assert.match(await textOf(summary), /Passwords must match/);
      assert.equal(
        await summary.getByRole('link', { name: 'Passwords must match' }).getAttribute('href'),
        '#confirmPassword',
      );
      assert.equal(await page.getByLabel('Your name', { exact: true }).inputValue(), 'Ada Lovelace');
      assert.equal(await page.getByLabel('Email address', { exact: true }).inputValue(), 'ada@example.org');
      assert.equal(await page.getByLabel('Create a password', { exact: true }).inputValue(), '');
      assert.equal(await page.getByLabel('Confirm your password', { exact: true }).inputValue(), '');
      assert.equal((await e2e.app.t.mail()).filter((m) => m.to === 'ada@example.org').length, 0);
    });
  });

  describe('without JavaScript', () => {
    const person = { email: 'noor@example.org', name: 'Noor Haddad' };
    let page: Page;

    before(async () => {
      await e2e.app.t.createUser(person);
      page = await e2e.newPage({ javaScriptEnabled: false });
    });

    it('signs in and signs out', async () => {
      await signIn(page, person.email, TEST_PASSWORD);
      await expectScriptsOff(page);
      await expectHeading(page, 'Your account');
      assert.match(await textOf(page.locator('header')), new RegExp(person.name));
      await signOut(page);
      await expectSignedOutRedirect(page);
    });

    it('registers and confirms an email address, with an error summary on the way', async () => {
      const newcomer = { name: 'Kofi Mensah', email: 'kofi@example.org', password: TEST_PASSWORD };
      await visit(page, '/register', 200);
      await expectScriptsOff(page);
      assert.equal(await submit(page, 'Create account'), 400);
      const hrefs = await page
        .locator('.govuk-error-summary a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(hrefs, ['#name', '#email', '#password', '#confirmPassword']);

      await register(page, newcomer);
      await visit(page, e2e.app.url(await e2e.app.t.linkFromLastMailTo(newcomer.email)), 200);
      await expectHeading(page, 'Email address confirmed');
      await signIn(page, newcomer.email, newcomer.password);
      await expectHeading(page, 'Your account');
      await signOut(page);
    });
  });
});

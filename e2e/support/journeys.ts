import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Locator, Page, Response } from 'playwright-core';
import { expectAccessible } from './axe.ts';

/** Goes to a path (or a full address), checks the status if given, and checks the page with axe. */
export async function visit(page: Page, path: string, expectedStatus?: number): Promise<Response> {
  const response = await page.goto(path);
  assert.ok(response, `No response for ${path}`);
  if (expectedStatus !== undefined) {
    assert.equal(response.status(), expectedStatus, `Status of ${page.url()}`);
  }
  await expectAccessible(page);
  return response;
}

/**
 * Runs an action that makes the browser load a new page (a click on a link or
 * a submit button), waits for the final page (after any redirects), checks it
 * with axe, and returns its status.
 */
export async function navigateBy(page: Page, action: () => Promise<unknown>): Promise<number> {
  const arrived = page.waitForResponse(
    (r) =>
      r.request().isNavigationRequest() &&
      r.frame() === page.mainFrame() &&
      (r.status() < 300 || r.status() >= 400),
  );
  const [response] = await Promise.all([arrived, action()]);
  await page.waitForLoadState('load');
  await expectAccessible(page);
  return response.status();
}

/** Presses the submit button with this accessible name. */
export function submit(page: Page, buttonName: string): Promise<number> {
  return navigateBy(page, () => page.getByRole('button', { name: buttonName, exact: true }).click());
}

/** Follows the link with this accessible name, within `scope` if given (for example 'main'). */
export function follow(page: Page, linkName: string, scope?: string): Promise<number> {
  const root = scope ? page.locator(scope) : page;
  return navigateBy(page, () => root.getByRole('link', { name: linkName, exact: true }).click());
}

export async function fill(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
}

/** The text of the element, with runs of white space made single spaces. */
export async function textOf(locator: Locator): Promise<string> {
  return normalise((await locator.textContent()) ?? '');
}

export async function textsOf(locator: Locator): Promise<string[]> {
  return (await locator.allTextContents()).map(normalise);
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function heading(page: Page): Promise<string> {
  return textOf(page.locator('h1').first());
}

export async function expectHeading(page: Page, text: string): Promise<void> {
  assert.equal(await heading(page), text, `The heading of ${page.url()}`);
}

/** Asserts that the page's own scripts did not run (they mark the body with js-enabled). */
export async function expectScriptsOff(page: Page): Promise<void> {
  const classes = (await page.locator('body').getAttribute('class')) ?? '';
  assert.doesNotMatch(classes, /\bjs-enabled\b/, `scripts ran on ${page.url()}`);
}

export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** The text of the success banners on the page. */
export async function successBanners(page: Page): Promise<string[]> {
  return textsOf(page.locator('.govuk-notification-banner--success'));
}

/** The GOV.UK error summary's links as [href, text] pairs, each checked to point at an element on the page. */
export async function errorSummaryLinks(page: Page): Promise<[string, string][]> {
  const summary = page.locator('.govuk-error-summary');
  assert.equal(
    await textOf(summary.locator('h2')),
    'There is a problem',
    `An error summary on ${page.url()}`,
  );
  const links = await summary
    .locator('a')
    .evaluateAll((as) =>
      as.map((a): [string, string] => [a.getAttribute('href') ?? '', (a.textContent ?? '').trim()]),
    );
  for (const [href] of links) {
    assert.equal(
      await page.locator(href).count(),
      1,
      `The error summary's link ${href} points at one element`,
    );
  }
  return links;
}

/**
 * Runs an action that makes the browser download a file (a link with `download`, or a form answered
 * with an attachment) and returns the file's suggested name and its bytes.
 */
export async function downloadBy(
  page: Page,
  action: () => Promise<unknown>,
): Promise<{ filename: string; body: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = await download.path();
  return { filename: download.suggestedFilename(), body: await readFile(path) };
}

export async function register(
  page: Page,
  person: { name: string; email: string; password: string },
): Promise<void> {
  await visit(page, '/register', 200);
  await fill(page, {
    'Your name': person.name,
    'Email address': person.email,
    'Create a password': person.password,
    'Confirm your password': person.password,
  });
  assert.equal(await submit(page, 'Create account'), 200);
  assert.equal(pathOf(page), `/register/check-email?email=${encodeURIComponent(person.email)}`);
  await expectHeading(page, 'Check your email');
  assert.match(
    await textOf(page.locator('main')),
    new RegExp(`sent an email to ${escapeRegExp(person.email)}`),
  );
}

export async function signIn(page: Page, email: string, password: string, next = '/account'): Promise<void> {
  await visit(page, next === '/account' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`, 200);
  await expectHeading(page, 'Sign in');
  await fill(page, { 'Email address': email, Password: password });
  assert.equal(await submit(page, 'Sign in'), 200);
  assert.equal(pathOf(page), next);
}

export async function signOut(page: Page): Promise<void> {
  assert.equal(await submit(page, 'Sign out'), 200);
  assert.equal(pathOf(page), '/signed-out');
  await expectHeading(page, 'You have signed out');
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

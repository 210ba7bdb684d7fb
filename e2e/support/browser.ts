import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why the browser tests cannot run here, or false when they can. When
 * Chromium is missing the suites are reported as skipped, never as passed.
 */
export const browserMissing: string | false = existsSync(CHROMIUM_PATH)
  ? false
  : `Chromium was not found at ${CHROMIUM_PATH}: the browser tests did NOT run`;

if (browserMissing) {
  const line = '!'.repeat(78);
  console.error(
    [
      '',
      line,
      '!!! BROWSER TESTS SKIPPED',
      `!!! ${browserMissing}.`,
      '!!! Install it (apt-get install chromium) and run `npm run test:e2e` again.',
      line,
      '',
    ].join('\n'),
  );
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

const scriptlessContexts = new WeakSet<BrowserContext>();

/** A fresh context: its own cookies, so each context is a separate person. */
export async function newContext(
  browser: Browser,
  baseURL: string,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  const javaScriptEnabled = options.javaScriptEnabled ?? true;
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  if (!javaScriptEnabled) scriptlessContexts.add(context);
  return context;
}

/** Whether the page's context was opened with JavaScript turned off. */
export function scriptsDisabled(page: Page): boolean {
  return scriptlessContexts.has(page.context());
}

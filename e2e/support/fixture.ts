import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningApp, startApp } from './app.ts';
import { launchBrowser, newContext } from './browser.ts';

export interface E2e {
  /** The app, started in `before`. */
  readonly app: RunningApp;
  readonly browser: Browser;
  /** A page in a new context: a new person, with no cookies. */
  newPage(options?: { javaScriptEnabled?: boolean }): Promise<Page>;
}

/**
 * Starts the app and one browser for the enclosing suite, and closes both
 * (and every context opened through `newPage`) after it.
 */
export function useE2e(): E2e {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  });

  after(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), app?.t.close()]);
  });

  return {
    get app() {
      if (!app) throw new Error('The app has not started');
      return app;
    },
    get browser() {
      if (!browser) throw new Error('The browser has not started');
      return browser;
    },
    async newPage(options = {}) {
      const context = await newContext(this.browser, this.app.origin, options);
      contexts.push(context);
      return context.newPage();
    },
  };
}

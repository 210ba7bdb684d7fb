import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { scriptsDisabled } from './browser.ts';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

const runOptions: RunOptions = {
  runOnly: { type: 'tag', values: AXE_TAGS },
  resultTypes: ['violations'],
};

type AxeWindow = { axe?: { run(context: Document, options: RunOptions): Promise<AxeResults> } };

/**
 * When a context has JavaScript turned off, Chromium still evaluates DevTools
 * scripts but never fires their timers, and axe waits on setTimeout between
 * rules. For those pages, timers are replaced while axe runs by a virtual
 * clock driven by promises: callbacks run in order of due time, without
 * waiting. The expression evaluates to a function that puts the real timers
 * back. It is plain JavaScript in a string so that it reaches the page exactly
 * as written.
 */
const VIRTUAL_TIMERS = `(() => {
  const real = { setTimeout: window.setTimeout, clearTimeout: window.clearTimeout };
  const timers = new Map();
  let now = 0;
  let lastId = 0;
  let queued = false;
  const queue = () => {
    if (queued || timers.size === 0) return;
    queued = true;
    Promise.resolve().then(() => Promise.resolve()).then(runNext);
  };
  const runNext = () => {
    queued = false;
    let next;
    for (const entry of timers) if (!next || entry[1].due < next[1].due) next = entry;
    if (!next) return;
    timers.delete(next[0]);
    now = next[1].due;
    queue();
    next[1].callback(...next[1].args);
  };
  window.setTimeout = (callback, ms = 0, ...args) => {
    lastId += 1;
    timers.set(lastId, { due: now + Math.max(0, Number(ms) || 0), callback, args });
    queue();
    return lastId;
  };
  window.clearTimeout = (id) => {
    timers.delete(id);
  };
  return () => {
    window.setTimeout = real.setTimeout;
    window.clearTimeout = real.clearTimeout;
  };
})()`;

/**
 * Runs axe in the page and returns its violations. axe's source is evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does
 * not govern: the app's CSP stays on and no script element is added.
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as AxeWindow).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const results: AxeResults = scriptsDisabled(page)
    ? await page.evaluate(
        `(async () => {
          const restoreTimers = ${VIRTUAL_TIMERS};
          try {
            return await window.axe.run(document, ${JSON.stringify(runOptions)});
          } finally {
            restoreTimers();
          }
        })()`,
      )
    : await page.evaluate(
        (options) => (window as unknown as AxeWindow).axe!.run(document, options),
        runOptions,
      );
  return results.violations;
}

export function describeViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const summary = (n.failureSummary ?? '').replace(/\n/g, '\n        ');
          return `      - ${n.target.join(' ')}\n        ${n.html}\n        ${summary}`;
        })
        .join('\n');
      return `  * ${v.id} (${v.impact ?? 'no impact given'}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Asserts that axe finds no violations on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await axeViolations(page);
  assert.equal(
    violations.length,
    0,
    `${violations.length} accessibility violation(s) on ${page.url()}:\n${describeViolations(violations)}`,
  );
}

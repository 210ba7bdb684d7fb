import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seedDemoValue } from '../src/demo/demo-value.ts';
import { seedOpenData } from '../src/evidence/open-data/open-data.fixtures.ts';
import { addDays, today } from '../src/participation/processes/phases.ts';
import type { Actor } from '../src/platform/auth/actor.ts';
import { indicatorSchema } from '../src/support/outcomes/outcomes.schema.ts';
import { programmeSchema } from '../src/support/programmes/programmes.schema.ts';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import { expectHeading, follow, pathOf, signIn, textOf, visit } from './support/journeys.ts';

const ANALYST = { email: 'anika.analyst@example.org', name: 'Anika Bloom' };
const PROGRAMME = 'Riverside Zone';

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('Open data and value for money in the browser', { skip: browserMissing }, () => {});

describe('Open data and value for money in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();

  async function newPerson(): Promise<Page> {
    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  /** Printed, the page keeps to the paper's width and leaves out the site's navigation and footer. */
  async function expectPrintable(page: Page): Promise<void> {
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    const layout = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      footer: getComputedStyle(document.querySelector('.govuk-footer')!).display,
    }));
    assert.deepEqual(layout, { overflow: 0, footer: 'none' }, `${pathOf(page)} prints cleanly`);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  before(async () => {
    const t = e2e.app.t;
    const { place, officer } = await seedOpenData(t);
    const analystId = await t.createUser({ ...ANALYST, roles: [{ placeId: place.id, role: 'analyst' }] });
    const analyst = (await t.services.accounts.loadActor(analystId, 'e2e-seed')) as Actor;
    const start = today();
    await t.services.support.programmes.createProgramme(
      officer,
      place,
      programmeSchema.parse({
        name: PROGRAMME,
        summary: 'A two-year zone programme.',
        startsOn: start,
        endsOn: addDays(start, 730),
        retentionYears: '7',
        caseloadLimit: '20',
      }),
    );
    await t.services.supportDelivery.outcomes.createIndicator(
      officer,
      place,
      indicatorSchema.parse({
        name: 'Wellbeing',
        instrument: 'A short wellbeing questionnaire (invented)',
        scaleMin: '7',
        scaleMax: '35',
        threshold: '20',
        direction: 'higher',
        licenceNote: '',
      }),
    );
    await seedDemoValue(t.services, place, { analyst });
  });

  it('lets a visitor find the open data and read the API documentation', async () => {
    const page = await newPerson();
    await visit(page, '/places/riverside', 200);
    assert.equal(await follow(page, 'Open data', 'main'), 200);
    await expectHeading(page, 'Open data');
    await expectPrintable(page);
    const main = await textOf(page.locator('main'));
    assert.match(main, /Riverside ideas 2027/);
    assert.match(main, /Services \(JSON, Open Referral UK\)/);

    assert.equal(await follow(page, 'Budget results and ballots, budget by budget', 'main'), 200);
    await expectHeading(page, 'Open data: participatory budgets');
    await expectPrintable(page);
    assert.match(
      await textOf(page.locator('main table')),
      /Riverside budget 2026: results 1000\.00 GBP 10 2 Download the ballots \(\.pb\)/,
    );

    await visit(page, '/places/riverside/open-data', 200);
    assert.equal(await follow(page, 'API documentation', 'main'), 200);
    assert.equal(pathOf(page), '/api/docs');
    await expectHeading(page, 'Open data API');
    await expectPrintable(page);
    const docs = await textOf(page.locator('main'));
    assert.match(docs, /GET \/api\/places\/\{slug\}\/budget-results/);
    assert.match(docs, /GET \/api\/openreferral\/services/);

    const json = await page.request.get('/api/places/riverside/processes');
    assert.equal(json.status(), 200);
    assert.equal((await json.json()).total_items, 2);
  });

  it('lets an analyst read unit costs, a programme and its value-for-money summary', async () => {
    const page = await newPerson();
    await signIn(page, ANALYST.email, TEST_PASSWORD);
    await visit(page, '/places/riverside', 200);
    assert.equal(await follow(page, 'Value for money', 'main'), 200);
    await expectHeading(page, 'Value for money');

    assert.equal(await follow(page, 'The unit-cost table', 'main'), 200);
    await expectHeading(page, 'Unit costs');
    assert.match(await textOf(page.locator('main table')), /ILLUSTRATIVE/);
    await expectPrintable(page);

    await visit(page, '/places/riverside/value', 200);
    assert.equal(await follow(page, `${PROGRAMME}: costs and benefits`, 'main'), 200);
    const programme = await textOf(page.locator('main'));
    assert.match(programme, /Two link workers and a coordinator \(illustrative\)/);
    await expectPrintable(page);

    await visit(page, '/places/riverside/value', 200);
    assert.equal(await follow(page, `value-for-money summary for ${PROGRAMME}`, 'main'), 200);
    const summary = await textOf(page.locator('main'));
    assert.match(summary, /£132,300\.00/);
    assert.match(summary, /Improved emotional wellbeing/);
    await expectPrintable(page);
  });
});

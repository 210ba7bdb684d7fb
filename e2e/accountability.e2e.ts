import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  expectHeading,
  fill,
  follow,
  pathOf,
  signIn,
  submit,
  successBanners,
  textOf,
  visit,
} from './support/journeys.ts';

const OFFICER = { email: 'olu@example.org', name: 'Olu Adeyemi' };
const ROSA = { email: 'rosa@example.org', name: 'Rosa Lind' };
const TREES = 'Trees on Mill Lane';
const BENCHES = 'Benches by the river';
const PROGRAMME = 'Greener streets programme';

/** A 1×1 PNG: the smallest real picture. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('You said, we did in the browser', { skip: browserMissing }, () => {});

describe('You said, we did in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let treesId: string;

  async function newPerson(): Promise<Page> {
    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  before(async () => {
    const t = e2e.app.t;
    const place = await t.createPlace('riverside', 'Riverside');
    const processId = await t.createProcess({ placeId: place.id, title: 'Riverside ideas 2027' });
    const officerId = await t.createUser({ ...OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    const rosaId = await t.createUser({ ...ROSA, roles: [{ placeId: place.id, role: 'resident' }] });
    const officer = (await t.services.accounts.loadActor(officerId, 'e2e-seed'))!;
    const decisionIds: string[] = [];
    for (const title of [TREES, BENCHES]) {
      const proposalId = await t.createProposal({ placeId: place.id, processId, authorId: rosaId, title });
      await t.database.db
        .updateTable('proposals')
        .set({ answer: 'accepted', answer_reason: 'A good idea that we can afford this year.' })
        .where('id', '=', proposalId)
        .execute();
      const row = await t.database.db
        .insertInto('decisions')
        .values({
          place_id: place.id,
          process_id: processId,
          source_type: 'proposal',
          source_id: proposalId,
          title,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      decisionIds.push(row.id);
    }
    treesId = decisionIds[0]!;
    const programmeId = await t.services.results.createResult(officer, place, {
      title: PROGRAMME,
      summary: 'Street trees and seating across Riverside, in one programme of works.',
      parentId: null,
      startsOn: '2027-03-01',
      endsOn: '2027-12-31',
      budgeted: null,
      currency: 'GBP',
    });
    for (const [id, title] of [
      [decisionIds[0]!, TREES],
      [decisionIds[1]!, BENCHES],
    ] as const) {
      await t.services.results.editResult(officer, place, id, {
        title,
        summary: '',
        parentId: programmeId,
        startsOn: null,
        endsOn: null,
        budgeted: null,
        currency: 'GBP',
      });
    }
    await t.services.results.postUpdate(officer, place, decisionIds[1]!, {
      body: 'Six benches are in and one more is on order.',
      status: 'in_progress',
      progress: 80,
      spent: '2400',
      dropReason: '',
      photo: undefined,
    });
  });

  it('lets a visitor browse, filter and open a result with its timeline', async () => {
    const page = await newPerson();
    await visit(page, '/places/riverside', 200);
    assert.equal(await follow(page, 'You said, we did', 'main'), 200);
    await expectHeading(page, 'You said, we did');
    assert.match(await textOf(page.locator('main')), /Showing 1 to 3 of 3 results/);

    await page.getByLabel('Status', { exact: true }).selectOption('in_progress');
    assert.equal(await submit(page, 'Apply filters'), 200);
    assert.equal(pathOf(page), '/places/riverside/results?status=in_progress&source=&process=&q=');
    const filtered = await textOf(page.locator('main'));
    assert.match(filtered, /Showing 1 to 1 of 1 result/);
    assert.match(filtered, /80% done/);

    assert.equal(await follow(page, BENCHES, 'main h2'), 200);
    await expectHeading(page, BENCHES);
    const main = await textOf(page.locator('main'));
    assert.match(main, /Six benches are in and one more is on order\./);
    assert.match(main, /£2,400\.00 spent/);
    assert.match(main, new RegExp(`Part of ${PROGRAMME}`));

    assert.equal(await follow(page, PROGRAMME, 'main'), 200);
    await expectHeading(page, PROGRAMME);
    // The programme's parts: benches at 80% and trees at 0%, neither costed: (80 + 0) / 2 = 40.
    assert.match(await textOf(page.locator('main')), /40% done \(from its parts\)/);

    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.govuk-service-navigation').isVisible(), false);
    assert.equal(await page.locator('.cw-header__account').isVisible(), false);
  });

  it('lets an officer post an update with a photo', async () => {
    const page = await newPerson();
    await signIn(page, OFFICER.email, TEST_PASSWORD);
    await visit(page, `/places/riverside/results/${treesId}`, 200);
    assert.equal(await follow(page, 'Post an update', 'main'), 200);
    await expectHeading(page, 'Post an update');
    await fill(page, { 'What has happened': 'The first ten trees are planted along Mill Lane.' });
    await page.getByLabel('In progress', { exact: true }).check();
    await fill(page, { 'Progress, as a percentage': '50' });
    await page.getByLabel('Photo (optional)', { exact: true }).setInputFiles({
      name: 'trees.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await fill(page, { 'Describe the photo (needed if you add one)': 'Young trees along Mill Lane' });
    assert.equal(await submit(page, 'Post update'), 200);
    assert.equal(pathOf(page), `/places/riverside/results/${treesId}`);
    assert.deepEqual(await successBanners(page), ['Success Your update has been posted.']);
    const photo = page.getByRole('img', { name: 'Young trees along Mill Lane' });
    assert.equal(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), true);
    assert.match(await textOf(page.locator('main')), /50% done/);
  });
});

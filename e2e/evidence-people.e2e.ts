import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { expectAccessible } from './support/axe.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  errorSummaryLinks,
  expectHeading,
  follow,
  navigateBy,
  pathOf,
  signIn,
  submit,
  successBanners,
  textsOf,
  visit,
} from './support/journeys.ts';

const PLACE = '/places/riverside';
const OFFICER = 'olu@example.org';
const ANALYST = 'anan@example.org';
const RESIDENT = 'ada@example.org';
const PROFILE = readFileSync(new URL('../docs/samples/population-profile-sample.csv', import.meta.url));

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('Who takes part in the browser', { skip: browserMissing }, () => {});

describe('Who takes part in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let processId = '';

  async function newPerson(): Promise<Page> {
    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  before(async () => {
    const t = e2e.app.t;
    const place = await t.createPlace('riverside', 'Riverside');
    await t.createUser({
      email: OFFICER,
      name: 'Olu Adeyemi',
      roles: [{ placeId: place.id, role: 'officer' }],
    });
    await t.createUser({ email: ANALYST, name: 'Anan Rao', roles: [{ placeId: place.id, role: 'analyst' }] });
    const ada = await t.createUser({
      email: RESIDENT,
      name: 'Ada Lovell',
      roles: [{ placeId: place.id, role: 'resident' }],
    });
    processId = await t.createProcess({ placeId: place.id, title: 'Riverside Parks Plan' });
    const proposal = await t.createProposal({
      placeId: place.id,
      processId,
      authorId: ada,
      title: 'More benches',
    });
    // Eight neighbours support it and have answered "About you" already.
    for (let i = 0; i < 8; i++) {
      const id = await t.createUser({ email: `neighbour-${i}@example.org` });
      await t.database.db
        .insertInto('supports')
        .values({ place_id: place.id, proposal_id: proposal, user_id: id, process_id: processId })
        .execute();
    }
  });

  it('an officer uploads the population profile', async () => {
    const page = await newPerson();
    await signIn(page, OFFICER, TEST_PASSWORD);
    await visit(page, `${PLACE}/evidence/population`, 200);
    await expectHeading(page, 'Population profile');
    await expectAccessible(page);
    assert.equal(await submit(page, 'Upload profile'), 400);
    assert.deepEqual(await errorSummaryLinks(page), [['#file', 'Choose a CSV file to upload']]);
    await expectAccessible(page);
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'riverside.csv', mimeType: 'text/csv', buffer: PROFILE });
    assert.equal(await submit(page, 'Upload profile'), 200);
    assert.match(
      (await successBanners(page)).join(),
      /The population profile has been replaced: 18 categories\./,
    );
    await expectAccessible(page);
  });

  it('a resident answers "About you" from their account, after consenting, and can delete the answers', async () => {
    const page = await newPerson();
    await signIn(page, RESIDENT, TEST_PASSWORD);
    assert.equal(await follow(page, 'About you'), 200);
    await expectHeading(page, 'About you');
    await expectAccessible(page);
    assert.equal(
      await navigateBy(page, () => page.locator(`main a[href="${PLACE}/about-you"]`).click()),
      200,
    );
    assert.equal(pathOf(page), `${PLACE}/about-you`);
    await expectAccessible(page);
    await page.getByRole('group', { name: 'Age band' }).getByLabel('25–34').check();
    await page.getByRole('group', { name: 'Gender' }).getByLabel('Prefer not to say').check();
    assert.equal(await submit(page, 'Save my answers'), 400);
    assert.deepEqual(await errorSummaryLinks(page), [
      ['#consent', 'Tick the box to say you agree to your answers being used this way'],
    ]);
    await expectAccessible(page);
    assert.ok(await page.getByRole('group', { name: 'Age band' }).getByLabel('25–34').isChecked());
    await page.getByRole('checkbox').check();
    assert.equal(await submit(page, 'Save my answers'), 200);
    assert.match((await successBanners(page)).join(), /Your answers have been saved\./);
    assert.ok(await page.getByRole('group', { name: 'Age band' }).getByLabel('25–34').isChecked());
    await expectAccessible(page);
    const rows = () => e2e.app.t.database.db.selectFrom('about_you_answers').select('answer').execute();
    assert.deepEqual((await rows()).map((r) => r.answer).sort(), ['25–34', 'prefer_not_to_say']);
    assert.equal(await submit(page, 'Delete my answers'), 200);
    assert.deepEqual(await rows(), []);
    await page.getByRole('group', { name: 'Age band' }).getByLabel('25–34').check();
    await page.getByRole('checkbox').check();
    assert.equal(await submit(page, 'Save my answers'), 200);
  });

  it('an analyst sees who took part against the population, and participation over time', async () => {
    // The neighbours answer too, written directly: the resident's journey is above.
    const db = e2e.app.t.database.db;
    const place = await db
      .selectFrom('places')
      .select('id')
      .where('slug', '=', 'riverside')
      .executeTakeFirstOrThrow();
    const neighbours = await db
      .selectFrom('users')
      .select('id')
      .where('email', 'like', 'neighbour-%')
      .execute();
    for (const [i, n] of neighbours.entries()) {
      await db
        .insertInto('about_you_answers')
        .values({
          place_id: place.id,
          user_id: n.id,
          dimension: 'age-band',
          answer: i < 6 ? '65 and over' : '16–24',
          consented_at: new Date().toISOString(),
        })
        .execute();
    }
    const page = await newPerson();
    await signIn(page, ANALYST, TEST_PASSWORD);
    await visit(page, PLACE, 200);
    assert.equal(await follow(page, 'Who takes part'), 200);
    await expectHeading(page, 'Who takes part');
    await expectAccessible(page);
    assert.equal(await follow(page, 'Riverside Parks Plan'), 200);
    await expectHeading(page, 'Who took part');
    await expectAccessible(page);
    const ageRows = await textsOf(
      page.locator('table:has(caption:text("Age band: people taking part")) tbody tr'),
    );
    // 9 took part: 6 aged 65 and over (6 of 9 = 66.7 % against 2,280 of 13,000 = 17.54 % → 380), the rest fewer than 5.
    assert.ok(
      ageRows.some((r) => /65 and over\s*6\s*66\.7%\s*17\.5%\s*380/.test(r)),
      ageRows.join(' | '),
    );
    assert.ok(ageRows.some((r) => /16–24\s*fewer than 5/.test(r)));
    assert.equal(await page.locator('svg[role="img"] desc').first().count(), 1);
    assert.equal(
      await navigateBy(page, async () => {
        await page.getByLabel('Show').selectOption('paper');
        await page.getByRole('button', { name: 'Show' }).click();
      }),
      200,
    );
    assert.match((await page.locator('main').textContent()) ?? '', /were not asked about themselves/);
    await expectAccessible(page);
    assert.equal(await follow(page, 'Participation over time in this process'), 200);
    await expectHeading(page, 'Participation over time');
    await expectAccessible(page);
    assert.equal(pathOf(page), `${PLACE}/evidence/activity/${processId}`);
    await visit(page, `${PLACE}/evidence/activity`, 200);
    await expectAccessible(page);
  });
});

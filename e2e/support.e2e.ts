import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  expectHeading,
  fill,
  follow,
  navigateBy,
  signIn,
  submit,
  successBanners,
  textOf,
  visit,
} from './support/journeys.ts';

const SAMPLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'docs',
  'samples',
  'identification-sample.csv',
);
const PLACE = '/places/riverside';
const OFFICER = { email: 'olu@example.org', name: 'Olu Adeyemi' };
const LEAH = { email: 'leah@example.org', name: 'Leah Brennan' };
const ADMIN = { email: 'priya@example.org', name: 'Priya Okafor' };

if (browserMissing) it('Support programmes in the browser', { skip: browserMissing }, () => {});

describe('Support programmes in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();

  async function person(email: string): Promise<Page> {
    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, email, TEST_PASSWORD);
    return page;
  }

  async function check(page: Page, label: string) {
    await page.getByLabel(label, { exact: true }).check();
  }

  async function choose(page: Page, label: string, option: string) {
    await page.getByLabel(label, { exact: true }).selectOption({ label: option });
  }

  let childReference = '';

  it('an officer sets up a programme and imports the sample', async () => {
    const place = await e2e.app.t.createPlace('riverside', 'Riverside');
    await e2e.app.t.createUser({ ...OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    await e2e.app.t.createUser({ ...LEAH, roles: [{ placeId: place.id, role: 'link_worker' }] });
    await e2e.app.t.createUser({ ...ADMIN, roles: [{ placeId: place.id, role: 'place_admin' }] });
    const page = await person(OFFICER.email);
    await visit(page, PLACE, 200);
    assert.equal(await follow(page, 'Support programmes', 'main'), 200);
    assert.equal(await follow(page, 'Support programmes', 'main'), 200);
    assert.equal(await follow(page, 'Set up a programme'), 200);
    await fill(page, {
      Name: 'Riverside Zone',
      'Starts on': '2026-09-01',
      'Ends on': '2028-07-31',
      'Years to keep a record after exit': '7',
      'Caseload limit per link worker': '20',
    });
    assert.equal(await submit(page, 'Set up the programme'), 200);
    await expectHeading(page, 'Riverside Zone');

    assert.equal(await follow(page, 'Add a setting'), 200);
    await fill(page, { 'Name (optional when linked)': 'Northbank Academy' });
    await check(page, 'School');
    assert.equal(await submit(page, 'Add the setting'), 200);

    assert.equal(await follow(page, 'Add a cohort'), 200);
    await fill(page, { Name: 'Year 7 2026', 'Year group': '7', 'Intake year': '2026' });
    await check(page, 'Secondary');
    assert.equal(await submit(page, 'Add the cohort'), 200);

    assert.equal(await follow(page, 'Add a team'), 200);
    await fill(page, { 'Team name': 'North team' });
    await choose(page, 'Team lead', LEAH.name);
    assert.equal(await submit(page, 'Add the team'), 200);

    for (const [domain, column, label, direction, threshold] of [
      [
        'Attendance',
        'attendance_pct',
        'Attendance below 90%',
        'Flag when the value is below the threshold',
        '90',
      ],
      ['Wellbeing', 'wellbeing_score', 'Low wellbeing', 'Flag when the value is below the threshold', '5'],
      [
        'Economic disadvantage',
        'economic_disadvantage',
        'Free school meals',
        "Flag when the value is 'yes'",
        '',
      ],
    ] as const) {
      assert.equal(await follow(page, 'Add an indicator'), 200);
      await check(page, domain);
      await fill(page, {
        'CSV column': column,
        Label: label,
        'Threshold (not needed for yes/no)': threshold,
      });
      await check(page, direction);
      assert.equal(await submit(page, 'Add the indicator'), 200);
    }

    assert.equal(await follow(page, 'Import a year group’s data'), 200);
    await choose(page, 'Cohort', 'Year 7 2026');
    await choose(page, 'Setting', 'Northbank Academy');
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(SAMPLE);
    assert.equal(await submit(page, 'Import the file'), 200);
    assert.match((await successBanners(page)).join(), /Imported 40 children: 40 new/);
    assert.match(await textOf(page.locator('main table').last()), /Year 7 2026, Northbank Academy 40 40 0 0/);
  });

  it('a link worker reviews the ranked list, takes a child forward, records agreement and enrols', async () => {
    const page = await person(LEAH.email);
    await visit(page, `${PLACE}/support`, 200);
    assert.equal(await follow(page, 'Year 7 2026'), 200);
    await expectHeading(page, 'Children to review: Year 7 2026');
    const first = page.locator('main tbody tr').first();
    childReference = await textOf(first.locator('td').nth(2));
    assert.equal(await navigateBy(page, () => first.getByRole('link').click()), 200);
    assert.equal(await follow(page, 'Record a review decision'), 200);
    await check(page, 'Take forward');
    assert.equal(await submit(page, 'Record the decision'), 200);
    assert.match((await successBanners(page)).join(), /taken forward/);
    assert.match(await textOf(page.locator('main .govuk-tag').first()), /Approached/);

    assert.equal(await follow(page, 'Record agreement to the service'), 200);
    await check(page, 'A parent or carer');
    await fill(page, {
      'Their name': 'Dana Example',
      'Capacity judgement': 'Parent with parental responsibility.',
    });
    assert.equal(await submit(page, 'Record the agreement'), 200);
    for (const stage of ['Agreed', 'Enrolled']) {
      assert.equal(await follow(page, 'Move to the next stage'), 200);
      await check(page, stage);
      assert.equal(await submit(page, 'Move'), 200);
      assert.match(await textOf(page.locator('main .govuk-tag').first()), new RegExp(stage));
    }
  });

  it('the place admin sees the view in “who viewed this child”', async () => {
    const page = await person(ADMIN.email);
    await visit(page, `${PLACE}/support`, 200);
    assert.equal(await follow(page, 'Who viewed this child'), 200);
    await fill(page, { 'The child’s reference': childReference });
    assert.equal(await submit(page, 'Find'), 200);
    assert.equal(await follow(page, childReference), 200);
    await expectHeading(page, `Who viewed ${childReference}`);
    const log = await textOf(page.locator('main table'));
    assert.match(log, /Leah Brennan Link worker Viewed the record/);
    assert.match(log, /Moved to another stage/);
  });
});

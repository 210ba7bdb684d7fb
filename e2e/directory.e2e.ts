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
  textsOf,
  visit,
} from './support/journeys.ts';

const PLACE_PATH = '/places/riverside';
const OFFICER = { email: 'olu@example.org', name: 'Olu Adeyemi' };
const ORGANISATION = 'Southbank Listening Circle';
const SERVICE = 'Teen worry group';

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('The directory in the browser', { skip: browserMissing }, () => {});

describe('The directory in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();

  async function newPerson(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const page = await e2e.newPage(options);
    page.setDefaultTimeout(10_000);
    return page;
  }

  before(async () => {
    const t = e2e.app.t;
    const place = await t.createPlace('riverside', 'Riverside');
    const officerId = await t.createUser({ ...OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    const officer = (await t.services.accounts.loadActor(officerId, 'e2e-seed'))!;
    const wellbeing = await t.services.directory.createTerm(officer, place, {
      code: 'mental-health',
      name: 'Emotional wellbeing and mental health',
      description: '',
      parentId: null,
    });
    await t.services.directory.createTerm(officer, place, {
      code: 'anxiety',
      name: 'Anxiety and worry',
      description: '',
      parentId: wellbeing,
    });
    await t.services.directory.createTerm(officer, place, {
      code: 'food',
      name: 'Food',
      description: '',
      parentId: null,
    });
  });

  it('lets an officer add an organisation, a location and a service with a need', async () => {
    const page = await newPerson();
    await signIn(page, OFFICER.email, TEST_PASSWORD, PLACE_PATH);
    assert.equal(await follow(page, 'Manage the directory', 'main'), 200);
    await expectHeading(page, 'Manage the directory');
    assert.equal(await follow(page, 'Add an organisation', 'main'), 200);

    // A form with a problem first: the error summary, then the fix.
    assert.equal(await submit(page, 'Add organisation'), 400);
    assert.deepEqual(await textsOf(page.locator('.govuk-error-summary__list a')), [
      'Enter the name of the organisation',
    ]);
    await fill(page, { Name: ORGANISATION, 'Email address (optional)': 'hello@listening.example' });
    await page.getByLabel('Charity', { exact: true }).check();
    assert.equal(await submit(page, 'Add organisation'), 200);
    await expectHeading(page, ORGANISATION);
    assert.deepEqual(await successBanners(page), [`Success ${ORGANISATION} has been added.`]);

    assert.equal(await follow(page, 'Add a location', 'main'), 200);
    await fill(page, {
      Name: 'Quayside Youth Centre',
      'Address (optional)': '5 Quay Street',
      'Postcode (optional)': 'RV2 9XY',
      'Area (optional)': 'Southbank',
    });
    assert.equal(await submit(page, 'Add location'), 200);

    assert.equal(await follow(page, 'Add a service', 'main'), 200);
    await fill(page, {
      Name: SERVICE,
      'Description (optional)': 'A small group for teenagers who worry a lot, after school on Tuesdays.',
      'Youngest age (optional)': '13',
      'Oldest age (optional)': '17',
    });
    await page
      .getByLabel('Emotional wellbeing and mental health: Anxiety and worry', { exact: true })
      .check();
    await page.getByLabel('Quayside Youth Centre, Southbank', { exact: true }).check();
    assert.equal(await submit(page, 'Add service'), 200);
    assert.deepEqual(await successBanners(page), [`Success ${SERVICE} has been added.`]);
    assert.match(pathOf(page), /^\/places\/riverside\/directory\/manage\/organisations\//);
  });

  it('lets a resident, without signing in or scripts, find the service by need and area', async () => {
    const page = await newPerson({ javaScriptEnabled: false });
    await visit(page, PLACE_PATH, 200);
    assert.equal(await follow(page, 'Find local services', 'main'), 200);
    await expectHeading(page, 'Find local services');
    await page
      .getByLabel('What do you need help with?')
      .selectOption({ label: 'Emotional wellbeing and mental health' });
    await page.getByLabel('Where?').selectOption('Southbank');
    assert.equal(await submit(page, 'Search'), 200);
    assert.deepEqual(await textsOf(page.locator('main .cw-results h3')), [SERVICE]);

    // The same need elsewhere finds nothing.
    await page.getByLabel('Where?').selectOption('Anywhere');
    await page.getByLabel('What do you need help with?').selectOption({ label: 'Food' });
    assert.equal(await submit(page, 'Search'), 200);
    assert.equal(await page.locator('main .cw-results h3').count(), 0);

    await visit(page, `${PLACE_PATH}/directory?need=anxiety&area=Southbank`, 200);
    assert.equal(await follow(page, SERVICE, 'main'), 200);
    await expectHeading(page, SERVICE);
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /Quayside Youth Centre/);
    assert.match(text, /13 to 17/);
    assert.equal(await follow(page, ORGANISATION, 'main'), 200);
    await expectHeading(page, ORGANISATION);
  });
});

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
  heading,
  pathOf,
  signIn,
  submit,
  successBanners,
  textOf,
  textsOf,
  visit,
} from './support/journeys.ts';

const ADMIN = { email: 'amara@example.org', name: 'Amara Okoye' };
const OTHER = { email: 'tomas@example.org', name: 'Tomás Novak' };
const NEWCOMER = { email: 'lin@example.org', name: 'Lin Chen' };
const ROLES_PATH = '/places/riverside/admin/roles';
const AUDIT_PATH = '/places/riverside/admin/audit';

async function rolesOf(page: Page, email: string): Promise<string[]> {
  const row = page.locator('tbody tr').filter({ hasText: email });
  assert.equal(await row.count(), 1, `${email} is listed once`);
  return (await textOf(row.locator('td').nth(2))).split(', ');
}

async function giveRole(page: Page, email: string, role: string): Promise<void> {
  await visit(page, ROLES_PATH, 200);
  await expectHeading(page, 'People and roles');
  await fill(page, { 'Email address of their account': email });
  await page.getByRole('radio', { name: role, exact: true }).check();
  assert.equal(await submit(page, 'Give role'), 200);
  assert.equal(pathOf(page), ROLES_PATH);
}

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('Roles in a place, in the browser', { skip: browserMissing }, () => {});

describe('Roles in a place, in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let otherId = '';
  let admin: Page;

  before(async () => {
    const t = e2e.app.t;
    const place = await t.createPlace('riverside', 'Riverside');
    await t.createPlace('hillside', 'Hillside');
    await t.createUser({ ...ADMIN, roles: [{ placeId: place.id, role: 'place_admin' }] });
    otherId = await t.createUser({ ...OTHER, roles: [{ placeId: place.id, role: 'resident' }] });
    await t.createUser(NEWCOMER);
    admin = await e2e.newPage();
    await signIn(admin, ADMIN.email, TEST_PASSWORD);
  });

  it('lets a place admin give someone a role by email, see it, and remove it', async () => {
    const page = admin;
    await giveRole(page, OTHER.email, 'Officer');
    assert.deepEqual(await successBanners(page), [`Success ${OTHER.name} is now officer in Riverside.`]);
    assert.deepEqual((await rolesOf(page, OTHER.email)).sort(), ['Officer', 'Resident']);

    assert.equal(await follow(page, OTHER.name, 'main'), 200);
    assert.equal(pathOf(page), `${ROLES_PATH}/${otherId}`);
    await expectHeading(page, OTHER.name);
    assert.equal(await submit(page, 'Remove role Officer'), 200);
    assert.equal(pathOf(page), `${ROLES_PATH}/${otherId}`);
    assert.deepEqual(await successBanners(page), ['Success Role officer removed.']);
    assert.deepEqual(await textsOf(page.locator('main tbody tr td:first-child')), ['Resident']);

    assert.equal(await follow(page, 'Back'), 200);
    assert.deepEqual(await rolesOf(page, OTHER.email), ['Resident']);
  });

  it('shows the place admin the role changes in the audit trail', async () => {
    const page = admin;
    await visit(page, AUDIT_PATH, 200);
    await expectHeading(page, 'Audit trail');
    const actions = await textsOf(page.locator('tbody tr td:nth-child(3)'));
    assert.ok(actions.includes('role.granted'), `role.granted is listed: ${actions.join(', ')}`);
    assert.ok(actions.includes('role.revoked'), `role.revoked is listed: ${actions.join(', ')}`);
    const granted = page.locator('tbody tr').filter({ hasText: 'role.granted' }).first();
    assert.match(await textOf(granted), new RegExp(`${ADMIN.name}.*${otherId}.*officer`));
  });

  it('refuses the roles and audit pages to someone who is not a place admin', async () => {
    const page = await e2e.newPage();
    await signIn(page, OTHER.email, TEST_PASSWORD);
    for (const path of [ROLES_PATH, AUDIT_PATH]) {
      await visit(page, path, 403);
      assert.equal(pathOf(page), path);
      await expectHeading(page, 'You do not have permission to see this page');
      assert.equal(await page.getByRole('button', { name: 'Give role' }).count(), 0);
    }
  });

  it('returns to the list after removing the last role someone held', async () => {
    const page = admin;
    await giveRole(page, NEWCOMER.email, 'Analyst');
    await follow(page, NEWCOMER.name, 'main');
    const status = await submit(page, 'Remove role Analyst');
    assert.equal(status, 200, `removing the last role showed "${await heading(page)}"`);
    assert.deepEqual(await successBanners(page), ['Success Role analyst removed.']);
    assert.equal(pathOf(page), ROLES_PATH);
  });

  it('works without JavaScript: choosing a place, giving and removing a role', async () => {
    const page = await e2e.newPage({ javaScriptEnabled: false });
    await signIn(page, ADMIN.email, TEST_PASSWORD);
    await expectScriptsOff(page);

    await page.getByLabel('Place', { exact: true }).selectOption('hillside');
    assert.equal(await submit(page, 'Go'), 200);
    assert.equal(pathOf(page), '/places/hillside');
    await expectHeading(page, 'Hillside');

    await giveRole(page, OTHER.email, 'Moderator');
    assert.deepEqual(await successBanners(page), [`Success ${OTHER.name} is now moderator in Riverside.`]);
    assert.equal(await follow(page, OTHER.name, 'main'), 200);
    assert.equal(await submit(page, 'Remove role Moderator'), 200);
    assert.deepEqual(await successBanners(page), ['Success Role moderator removed.']);
  });
});

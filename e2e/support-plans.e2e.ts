import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  fill,
  follow,
  navigateBy,
  signIn,
  submit,
  successBanners,
  textOf,
  visit,
} from './support/journeys.ts';

const PLACE = '/places/riverside';
const LEAH = { email: 'leah@example.org', name: 'Leah Brennan' };
const PARENT = { email: 'pam@example.org', name: 'Pam Okoro' };
const GOAL = 'I want to join the football team';

if (browserMissing) it('Support plans in the browser', { skip: browserMissing }, () => {});

describe('Support plans in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let childId = '';

  async function person(email: string): Promise<Page> {
    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, email, TEST_PASSWORD);
    return page;
  }

  it('a link worker logs a contact, writes a plan with a goal and an action, and invites a parent', async () => {
    const t = e2e.app.t;
    const db = t.database.db;
    const place = await t.createPlace('riverside', 'Riverside');
    const leahId = await t.createUser({ ...LEAH, roles: [{ placeId: place.id, role: 'link_worker' }] });
    await t.createUser(PARENT);
    const programme = await db
      .insertInto('support_programmes')
      .values({
        place_id: place.id,
        name: 'Riverside Zone',
        starts_on: '2026-09-01',
        ends_on: '2028-07-31',
        retention_years: 7,
        caseload_limit: 20,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const setting = await db
      .insertInto('support_settings')
      .values({ place_id: place.id, programme_id: programme.id, name: 'Northbank Academy', kind: 'school' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cohort = await db
      .insertInto('support_cohorts')
      .values({
        place_id: place.id,
        programme_id: programme.id,
        name: 'Year 9',
        year_group: 9,
        intake_year: 2026,
        life_stage: 'secondary',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const team = await db
      .insertInto('support_teams')
      .values({ place_id: place.id, programme_id: programme.id, name: 'North team', lead_user_id: leahId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('support_team_members')
      .values({ place_id: place.id, team_id: team.id, user_id: leahId })
      .execute();
    const child = await db
      .insertInto('participants')
      .values({
        place_id: place.id,
        programme_id: programme.id,
        cohort_id: cohort.id,
        setting_id: setting.id,
        reference: 'NB-0917',
        given_name: 'Jordan',
        family_name: 'Ellery',
        date_of_birth: '2012-04-02',
        status: 'active',
        team_id: team.id,
        link_worker_id: leahId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    childId = child.id;

    const page = await person(LEAH.email);
    await visit(page, `${PLACE}/support/caseload`, 200);
    assert.match(
      await textOf(page.locator('main tbody tr').first()),
      /Jordan Ellery \(yours\) Active None yet Not set None open/,
    );
    assert.equal(await follow(page, 'Jordan Ellery'), 200);

    assert.equal(await follow(page, 'Contact log'), 200);
    assert.equal(await follow(page, 'Log a contact'), 200);
    await fill(page, { 'Date of the contact': '2026-11-20', Notes: 'Met Jordan and his mum at home.' });
    await page.getByLabel('Home visit', { exact: true }).check();
    assert.equal(await submit(page, 'Log the contact'), 200);
    assert.match((await successBanners(page)).join(), /The contact has been logged/);
    assert.match(await textOf(page.locator('main tbody')), /Met Jordan and his mum at home\./);

    await visit(page, `${PLACE}/support/participants/${childId}`, 200);
    assert.equal(await follow(page, 'Support plan'), 200);
    assert.equal(await follow(page, 'Add a goal'), 200);
    await fill(page, { Goal: GOAL });
    assert.equal(await submit(page, 'Add the goal'), 200);
    assert.equal(await follow(page, 'Add an action'), 200);
    await fill(page, {
      Action: 'ask the coach about trials',
      'Who will do it': 'Jordan',
      'Due by': '2026-12-15',
    });
    assert.equal(await submit(page, 'Add the action'), 200);
    assert.match(await textOf(page.locator('main')), /Version 2 of 2/);

    assert.equal(await follow(page, 'Invite the young person or a parent or carer'), 200);
    await page.getByLabel('A parent or carer', { exact: true }).check();
    await fill(page, { 'Their email address': PARENT.email });
    assert.equal(await submit(page, 'Send the invitation'), 200);
    assert.match((await successBanners(page)).join(), /An invitation has been sent/);

    await visit(page, `${PLACE}/support/caseload`, 200);
    assert.match(await textOf(page.locator('main tbody tr').first()), /20 November 2026/);
  });

  it('the parent accepts, rates the goal and signs the plan off', async () => {
    const link = await e2e.app.t.linkFromLastMailTo(PARENT.email);
    const page = await person(PARENT.email);
    await visit(page, link, 200);
    assert.equal(await submit(page, 'Accept and see the plan'), 200);
    assert.match(await textOf(page.locator('h1')), /Jordan’s support plan/);
    assert.match(
      await textOf(page.locator('main')),
      /Jordan will ask the coach about trials by 15 December 2026/,
    );

    const rate = page.getByRole('link', { name: new RegExp(`^Say how this goal is going\\W+${GOAL}$`) });
    assert.equal(await navigateBy(page, () => rate.click()), 200);
    await page.getByLabel('7', { exact: true }).check();
    assert.equal(await submit(page, 'Save'), 200);
    assert.match(await textOf(page.locator('main')), /At the start: 7 out of 10\. Now: 7 out of 10\./);

    assert.equal(await submit(page, 'I agree with this plan'), 200);
    assert.match((await successBanners(page)).join(), /You have signed off the plan/);
    assert.match(await textOf(page.locator('main')), /You have signed off this version of the plan/);

    await visit(page, `${PLACE}/family`, 200);
    await visit(page, `${PLACE}/support/participants/${childId}/plan`, 403);
  });
});

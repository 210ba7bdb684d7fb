import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  expectHeading,
  fill,
  follow,
  signIn,
  submit,
  successBanners,
  textOf,
  visit,
} from './support/journeys.ts';

const PLACE = '/places/riverside';
const LEAH = { email: 'leah@example.org', name: 'Leah Brennan' };
const OMAR = { email: 'omar@example.org', name: 'Omar Fielding' };
const ANIKA = { email: 'anika@example.org', name: 'Anika Bloom' };

if (browserMissing) it('Support delivery in the browser', { skip: browserMissing }, () => {});

describe('Support delivery in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let childId = '';
  let programmeId = '';

  async function person(email: string): Promise<Page> {
    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, email, TEST_PASSWORD);
    return page;
  }

  it('a link worker refers a child to a partner’s service', async () => {
    const t = e2e.app.t;
    const db = t.database.db;
    const place = await t.createPlace('riverside', 'Riverside');
    const leahId = await t.createUser({ ...LEAH, roles: [{ placeId: place.id, role: 'link_worker' }] });
    const omarId = await t.createUser({
      ...OMAR,
      roles: [{ placeId: place.id, role: 'organisation_member' }],
    });
    await t.createUser({ ...ANIKA, roles: [{ placeId: place.id, role: 'analyst' }] });
    const org = await db
      .insertInto('organizations')
      .values({ place_id: place.id, name: 'Riverside Youth Trust', kind: 'charity' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('organization_members')
      .values({ place_id: place.id, organization_id: org.id, user_id: omarId })
      .execute();
    await db
      .insertInto('services')
      .values({ place_id: place.id, organization_id: org.id, name: 'Mentoring' })
      .execute();
    programmeId = (
      await db
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
        .executeTakeFirstOrThrow()
    ).id;
    const setting = await db
      .insertInto('support_settings')
      .values({ place_id: place.id, programme_id: programmeId, name: 'Northbank Academy', kind: 'school' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cohort = await db
      .insertInto('support_cohorts')
      .values({
        place_id: place.id,
        programme_id: programmeId,
        name: 'Year 7',
        year_group: 7,
        intake_year: 2026,
        life_stage: 'secondary',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const team = await db
      .insertInto('support_teams')
      .values({ place_id: place.id, programme_id: programmeId, name: 'North team', lead_user_id: leahId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('support_team_members')
      .values({ place_id: place.id, team_id: team.id, user_id: leahId })
      .execute();
    childId = (
      await db
        .insertInto('participants')
        .values({
          place_id: place.id,
          programme_id: programmeId,
          cohort_id: cohort.id,
          setting_id: setting.id,
          reference: 'NB-001',
          given_name: 'Tamsin',
          family_name: 'Reed',
          year_group: 7,
          status: 'active',
          team_id: team.id,
          link_worker_id: leahId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await db
      .insertInto('participant_agreements')
      .values({
        place_id: place.id,
        participant_id: childId,
        given_by: 'parent_carer',
        giver_name: 'A parent',
        capacity_judgement: 'Parental responsibility.',
        recorded_by: leahId,
      })
      .execute();
    await db
      .insertInto('participant_sharing_decisions')
      .values({
        place_id: place.id,
        participant_id: childId,
        organization_id: org.id,
        data_items: JSON.stringify(['name', 'school_and_year']),
        rationale: 'Mentoring needs to know who and where.',
        decided_by: leahId,
      })
      .execute();

    const page = await person(LEAH.email);
    await visit(page, `${PLACE}/support/participants/${childId}`, 200);
    assert.equal(await follow(page, 'Refer to a partner’s service'), 200);
    await page
      .getByLabel('Service', { exact: true })
      .selectOption({ label: 'Mentoring (Riverside Youth Trust)' });
    await page.getByLabel('Name', { exact: true }).check();
    await page.getByLabel('Date of birth', { exact: true }).check();
    await fill(page, { 'What you are asking the service to do': 'Weekly mentoring after school.' });
    assert.equal(await submit(page, 'Save the draft'), 200);
    assert.match((await successBanners(page)).join(), /saved as a draft/);
    assert.equal(await submit(page, 'Send the referral'), 200);
    assert.match((await successBanners(page)).join(), /has been sent/);
    assert.match(await textOf(page.locator('main .govuk-summary-list')), /Items it carries Name/);
  });

  it('the partner accepts, creates a session and takes the register', async () => {
    const page = await person(OMAR.email);
    await visit(page, `${PLACE}/support/delivery`, 200);
    assert.equal(await follow(page, 'Referrals received'), 200);
    const link = page.locator('main tbody tr').first().getByRole('link');
    const label = await textOf(link);
    assert.equal(await follow(page, label), 200);
    const shared = await textOf(page.locator('main .govuk-summary-list').last());
    assert.match(shared, /Tamsin Reed/);
    assert.doesNotMatch(shared, /Date of birth/);
    assert.equal(await submit(page, 'Accept the referral'), 200);
    assert.match((await successBanners(page)).join(), /accepted/);

    await visit(page, `${PLACE}/support/sessions`, 200);
    assert.equal(await follow(page, 'Add a session'), 200);
    await page
      .getByLabel('Service', { exact: true })
      .selectOption({ label: 'Mentoring (Riverside Youth Trust)' });
    await page.getByLabel('Group session', { exact: true }).check();
    await fill(page, {
      Title: 'Tuesday mentoring',
      Date: '2026-11-24',
      'Start time': '16:30',
      'Length in minutes': '60',
    });
    assert.equal(await submit(page, 'Add the session'), 200);
    await expectHeading(page, 'Tuesday mentoring');
    assert.equal(await follow(page, 'Add children and young people'), 200);
    await page.getByLabel(`Tamsin Reed (${label})`, { exact: true }).check();
    assert.equal(await submit(page, 'Add to the session'), 200);
    await page
      .getByRole('group', { name: `Tamsin Reed (${label})` })
      .getByLabel('Late', { exact: true })
      .check();
    assert.equal(await submit(page, 'Save the register'), 200);
    assert.match((await successBanners(page)).join(), /register has been saved/);
    assert.equal(
      await page
        .getByRole('group', { name: `Tamsin Reed (${label})` })
        .getByLabel('Late', { exact: true })
        .isChecked(),
      true,
    );
  });

  it('the link worker sees the engagement, and an analyst views the dashboard', async () => {
    const leah = await person(LEAH.email);
    await visit(leah, `${PLACE}/support/participants/${childId}/delivery`, 200);
    assert.match(await textOf(leah.locator('main')), /Attended 1 of the last 1 sessions expected \(100%\)/);

    const page = await person(ANIKA.email);
    await visit(page, `${PLACE}/support/delivery`, 200);
    assert.equal(await follow(page, 'Shared measurement dashboard'), 200);
    assert.equal(await follow(page, 'Riverside Zone'), 200);
    await expectHeading(page, 'Shared measurement: Riverside Zone');
    assert.match(await textOf(page.locator('#participants')), /fewer than 5/);
    assert.doesNotMatch(await textOf(page.locator('main')), /Tamsin|NB-001/);
    const record = await page.goto(`${PLACE}/support/participants/${childId}`);
    assert.equal(record?.status(), 403);
  });
});

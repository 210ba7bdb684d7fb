import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childWithEverything, recordsSetup } from '../src/support/records/records.fixture.ts';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  downloadBy,
  errorSummaryLinks,
  fill,
  follow,
  heading,
  signIn,
  submit,
  successBanners,
  textOf,
  visit,
} from './support/journeys.ts';

const PLACE = '/places/riverside';

if (browserMissing) it('Subject access and legal hold in the browser', { skip: browserMissing }, () => {});

describe('Subject access and legal hold in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();

  it('a place admin answers a subject access request, downloads the JSON and sets a legal hold', async () => {
    const t = e2e.app.t;
    const place = await t.createPlace('riverside', 'Riverside');
    const setup = await recordsSetup(t, place.id);
    await t.createUser({
      email: 'pat@example.org',
      name: 'Pat Admin',
      roles: [{ placeId: place.id, role: 'place_admin' }],
    });
    const child = await childWithEverything(t.database.db, setup, {
      reference: 'NB-3001',
      givenName: 'Jordan',
      familyName: 'Ellery',
    });

    const page = await e2e.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, 'pat@example.org', TEST_PASSWORD);
    await visit(page, `${PLACE}/support/access-log`, 200);
    await fill(page, { 'The child’s reference': 'NB-3001' });
    assert.equal(await submit(page, 'Find'), 200);
    assert.equal(await follow(page, 'NB-3001', 'main'), 200);
    assert.equal(await follow(page, 'Subject access request and legal hold'), 200);
    assert.equal(await heading(page), 'Records of NB-3001');
    assert.doesNotMatch(await textOf(page.locator('main')), /Jordan/);

    // The reason is required: the request is an explicit, audited act.
    assert.equal(await submit(page, 'Show everything held'), 400);
    assert.deepEqual(await errorSummaryLinks(page), [
      ['#reason', 'Enter the request reference and who asked'],
    ]);
    await fill(page, { 'Request reference and who asked': 'SAR-2026-021, asked by the parent' });
    assert.equal(await submit(page, 'Show everything held'), 200);
    assert.equal(await heading(page), 'Everything held on NB-3001');
    const main = await textOf(page.locator('main'));
    for (const text of [
      'Met Jordan at home.',
      'Jordan wants to join the football team',
      'Pam Okoro',
      'Wellbeing (SWEMWBS)',
    ]) {
      assert.ok(main.includes(text), `the page lacks “${text}”`);
    }

    const file = await downloadBy(page, () =>
      page.getByRole('link', { name: 'Download everything as JSON', exact: true }).click(),
    );
    assert.equal(file.filename, 'subject-access-NB-3001.json');
    const data = JSON.parse(file.body.toString('utf8'));
    assert.equal(data.tables.participants[0].id, child.id);
    assert.equal(data.tables.participant_contacts[0].notes, 'Met Jordan at home.');

    await visit(page, `${PLACE}/support/participants/${child.id}/records`, 200);
    assert.equal(await follow(page, 'Set a hold legal hold'), 200);
    assert.equal(await submit(page, 'Set the hold'), 400);
    await fill(page, { 'Why the record must be kept': 'A claim about the placement is expected.' });
    assert.equal(await submit(page, 'Set the hold'), 200);
    assert.match((await successBanners(page)).join(), /The legal hold has been set/);
    assert.match(await textOf(page.locator('main')), /On hold/);
    const row = await t.database.db
      .selectFrom('participants')
      .select('legal_hold')
      .where('id', '=', child.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.legal_hold, true);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_ASSEMBLY_QUOTAS } from '../src/demo/demo-assemblies.ts';
import type { Assembly } from '../src/participation/assemblies/assemblies/assemblies.service.ts';
import { pdfText } from '../src/platform/pdf/pdf-text.ts';
import { TEST_PASSWORD } from '../src/testing/harness.ts';
import { expectAccessible } from './support/axe.ts';
import { browserMissing } from './support/browser.ts';
import { useE2e } from './support/fixture.ts';
import {
  downloadBy,
  errorSummaryLinks,
  expectHeading,
  expectScriptsOff,
  fill,
  follow,
  navigateBy,
  pathOf,
  signIn,
  submit,
  successBanners,
  textOf,
  visit,
} from './support/journeys.ts';

const PLACE_PATH = '/places/riverside';
const TITLE = 'Riverside Climate Assembly';
const OFFICER = { email: 'olu@example.org', name: 'Olu Adeyemi' };
const RESIDENT = { email: 'ada@example.org', name: 'Ada Lovell' };
const SEED = '03 17 21 30 41 44';
const REGISTRANTS = new URL('../docs/samples/assembly-registrants-sample.csv', import.meta.url);
const ADDRESSES = readFileSync(
  new URL('../docs/samples/assembly-addresses-sample.csv', import.meta.url),
  'utf8',
);
const CODE = /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/g;

async function choose(page: Page, ...labels: string[]): Promise<void> {
  for (const label of labels) await page.getByRole('radio', { name: label, exact: true }).check();
}

if (browserMissing) it('Citizens’ assemblies in the browser', { skip: browserMissing }, () => {});

describe('Citizens’ assemblies in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let assembly: Assembly;
  let assemblyPath = '';
  let codes: string[] = [];
  let officer: Page;

  async function newPerson(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const page = await e2e.newPage(options);
    page.setDefaultTimeout(10_000);
    return page;
  }

  before(async () => {
    const t = e2e.app.t;
    const { accounts, assemblies, assemblyRecruitment } = t.services;
    const place = await t.createPlace('riverside', 'Riverside');
    const officerId = await t.createUser({ ...OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    await t.createUser({ ...RESIDENT, roles: [{ placeId: place.id, role: 'resident' }] });
    const asOfficer = (await accounts.loadActor(officerId, 'e2e-seed'))!;
    const id = await assemblies.createAssembly(asOfficer, place, {
      title: TITLE,
      purpose: 'How should Riverside reach net zero by 2035?',
      panelSize: 24,
      startsOn: null,
      endsOn: null,
    });
    assembly = await assemblies.getAssembly(place, id);
    assemblyPath = `${PLACE_PATH}/assemblies/${id}`;
    await assemblies.uploadQuotas(asOfficer, place, assembly, DEMO_ASSEMBLY_QUOTAS);
    const disability = (await assemblies.features(place, id)).find((f) => f.name === 'Disability')!;
    await assemblies.saveFeature(asOfficer, place, assembly, disability.id, {
      name: 'Disability',
      question: 'Do you consider yourself disabled?',
      specialCategory: true,
      values: disability.values,
    });
    await assemblies.updateAssembly(asOfficer, place, id, { ...assembly, status: 'recruiting' });
    await assemblyRecruitment.uploadAddresses(asOfficer, place, assembly, ADDRESSES);
    const { pdf } = await assemblyRecruitment.drawInvitations(asOfficer, place, assembly, {
      quantity: 2,
      seed: 'letters-1',
    });
    codes = [...pdfText(pdf).flat().join('\n').matchAll(CODE)].map((m) => m[0]);
    assert.equal(codes.length, 2);
  });

  it('lets a resident register with the code from their letter, with explicit consent, once', async () => {
    const page = await newPerson();
    await visit(page, PLACE_PATH, 200);
    assert.equal(await follow(page, 'Register with your code', 'main'), 200);
    assert.equal(pathOf(page), `${PLACE_PATH}/assemblies/register`);
    await expectHeading(page, 'Register for a citizens’ assembly');
    await fill(page, { 'Register for a citizens’ assembly': codes[0]!.toLowerCase() });
    assert.equal(await submit(page, 'Continue'), 200);
    await expectHeading(page, TITLE);
    assert.match(await textOf(page.locator('main [data-address]')), /Riverside/);

    // Without a name the form comes back with the answers kept.
    await fill(page, { 'Email address': RESIDENT.email });
    await choose(page, 'Female', '30-44', 'Old Town', 'Very concerned', 'Not disabled');
    assert.equal(await submit(page, 'Register'), 400);
    assert.deepEqual(await errorSummaryLinks(page), [['#name', 'Enter your name']]);
    assert.equal(await page.getByRole('radio', { name: 'Old Town', exact: true }).isChecked(), true);

    await fill(page, { 'Your name': RESIDENT.name });
    await page
      .getByRole('checkbox', {
        name: 'I give explicit consent for my answers to the special-category questions to be stored and used for the selection',
        exact: true,
      })
      .check();
    assert.equal(await submit(page, 'Register'), 200);
    await expectHeading(page, 'Thank you for registering');
    const stored = await e2e.app.t.database.db
      .selectFrom('assembly_registrants')
      .select(['name', 'special_consent', 'answers'])
      .where('assembly_id', '=', assembly.id)
      .execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.name, RESIDENT.name);
    assert.equal(stored[0]!.special_consent, true);
    assert.equal(Object.keys(stored[0]!.answers).length, 5, 'every answer kept, with consent');

    // The code is spent.
    await visit(page, `${PLACE_PATH}/assemblies/register`, 200);
    await fill(page, { 'Register for a citizens’ assembly': codes[0]! });
    assert.equal(await submit(page, 'Continue'), 400);
    const links = await errorSummaryLinks(page);
    assert.equal(links.length, 1);
    assert.equal(links[0]![0], '#code');
    assert.match(links[0]![1], /already been used/);
  });

  it('lets an officer import registrants and check the quotas, without JavaScript', async () => {
    officer = await newPerson({ javaScriptEnabled: false });
    await signIn(officer, OFFICER.email, TEST_PASSWORD, PLACE_PATH);
    await expectScriptsOff(officer);
    assert.equal(await follow(officer, 'Manage citizens’ assemblies', 'main'), 200);
    await expectHeading(officer, 'Citizens’ assemblies');
    assert.equal(await follow(officer, TITLE, 'main'), 200);
    assert.equal(pathOf(officer), assemblyPath);
    assert.equal(await follow(officer, 'Registrants', 'main'), 200);
    await expectHeading(officer, 'Registrants (1)');

    await officer.getByLabel('Registrants file', { exact: true }).setInputFiles(REGISTRANTS.pathname);
    await fill(officer, { 'Address columns (optional)': 'address_line_1,postcode' });
    await officer
      .getByRole('checkbox', {
        name: 'These people gave explicit consent to the use of their special-category answers',
        exact: true,
      })
      .check();
    assert.equal(await submit(officer, 'Import'), 200);
    assert.deepEqual(await successBanners(officer), ['Success 150 registrants have been imported.']);
    await expectHeading(officer, 'Registrants (151)');

    await visit(officer, assemblyPath, 200);
    assert.equal(await follow(officer, 'Check the quotas', 'main'), 200);
    await expectHeading(officer, 'Check the quotas');
    assert.match(await textOf(officer.locator('main')), /151 registrants can be drawn for a panel of 24/);
    assert.match(await textOf(officer.locator('main')), /The quotas can be met/);
  });

  it('lets an officer draw more addresses and print their letters, without JavaScript', async () => {
    await visit(officer, assemblyPath, 200);
    assert.equal(await follow(officer, 'Addresses and invitation letters', 'main'), 200);
    await expectHeading(officer, 'Invitations by letter');
    assert.match(
      await textOf(officer.locator('main')),
      /4 addresses on the list; 2 invited; 1 codes used to register\./,
    );
    assert.equal(await submit(officer, 'Draw and download the letters'), 400);
    assert.deepEqual(await errorSummaryLinks(officer), [['#quantity', 'Enter how many addresses to invite']]);
    await fill(officer, { 'How many addresses to invite': '1', 'Seed (optional)': 'letters-2' });
    const letters = await downloadBy(officer, () =>
      officer.getByRole('button', { name: 'Draw and download the letters', exact: true }).click(),
    );
    assert.match(letters.filename, /\.pdf$/);
    assert.equal([...pdfText(letters.body).flat().join('\n').matchAll(CODE)].length, 1, 'one letter');
    await visit(officer, `${assemblyPath}/addresses`, 200);
    const main = await textOf(officer.locator('main'));
    assert.match(main, /4 addresses on the list; 3 invited; 1 codes used to register\./);
    assert.match(main, /letters-2/);
  });

  it('shows the smallest relaxation of quotas no panel can meet, and applies it', async () => {
    await visit(officer, `${assemblyPath}/features`, 200);
    assert.equal(await follow(officer, 'Gender', 'main'), 200);
    await expectHeading(officer, 'Change Gender');
    const original = await officer.getByLabel('Values and quotas', { exact: true }).inputValue();
    assert.match(original, /^Female, 11, 13, 9, 15$/m);
    // Fifteen women and at least ten men do not fit on a panel of 24.
    await fill(officer, { 'Values and quotas': original.replace(/^Female, .*$/m, 'Female, 15, 15, 9, 15') });
    assert.equal(await submit(officer, 'Save the feature'), 200);
    await expectHeading(officer, 'Features and quotas');

    await visit(officer, `${assemblyPath}/quota-check`, 200);
    assert.match(await textOf(officer.locator('main h2')), /No panel meets these quotas/);
    const relaxation = await textOf(officer.locator('main [data-relaxation]'));
    assert.match(relaxation, /Gender\/(Female|Male): min (15 → 14|10 → 9)/);
    assert.equal(await submit(officer, 'Apply this relaxation'), 200);
    assert.match((await successBanners(officer)).join(), /The quotas have been loosened: Gender\//);
    assert.match(await textOf(officer.locator('main')), /The quotas can be met/);
    assert.equal(
      (
        await e2e.app.t.database.db
          .selectFrom('audit_events')
          .select('id')
          .where('action', '=', 'assembly.relaxation_applied')
          .execute()
      ).length,
      1,
    );

    // Put the quotas back for the selection that follows.
    await visit(officer, `${assemblyPath}/features`, 200);
    assert.equal(await follow(officer, 'Gender', 'main'), 200);
    await fill(officer, { 'Values and quotas': original });
    assert.equal(await submit(officer, 'Save the feature'), 200);
    await visit(officer, `${assemblyPath}/quota-check`, 200);
    assert.match(await textOf(officer.locator('main')), /The quotas can be met/);
  });

  it('runs the selection in the background, publishes the distribution, then draws with the seed', async () => {
    assert.equal(await follow(officer, 'Select the members', 'main'), 200);
    await expectHeading(officer, 'Select the members');
    await officer.getByRole('radio', { name: /^MAXIMIN/ }).check();
    assert.equal(await submit(officer, 'Start the selection'), 200);
    assert.match(pathOf(officer), new RegExp(`^${assemblyPath}/selection/[0-9a-f-]{36}$`));
    const progressPath = pathOf(officer);
    await expectHeading(officer, 'The selection: MAXIMIN');
    assert.equal(await textOf(officer.locator('[data-count-status]')), 'Waiting to start');
    assert.equal(await officer.locator('[data-count-text][aria-live="polite"]').count(), 1);

    // Another officer's page follows the selection by itself, with scripts on.
    const watcher = await newPerson();
    await signIn(watcher, OFFICER.email, TEST_PASSWORD, progressPath);
    await expectAccessible(watcher);

    // In tests the runner does not start by itself; run the waiting selection now.
    await e2e.app.t.services.assemblyPanels.runner.runPending();

    assert.equal(await follow(officer, 'Refresh the progress of this selection', 'main'), 200);
    assert.equal(pathOf(officer), progressPath);
    assert.equal(await textOf(officer.locator('[data-count-status]')), 'Finished');
    assert.equal(await officer.getByRole('link', { name: /^Refresh/ }).count(), 0);
    await watcher.getByRole('button', { name: 'Publish the distribution' }).waitFor();
    await watcher.waitForLoadState('load');
    await expectAccessible(watcher);

    // Nobody else sees the report until the distribution is published.
    const visitor = await newPerson();
    await visit(visitor, `${assemblyPath}/report`, 404);

    assert.equal(await submit(officer, 'Publish the distribution'), 200);
    assert.match((await successBanners(officer)).join(), /The distribution has been published/);
    assert.equal(await submit(officer, 'Draw the panel'), 400);
    assert.deepEqual(await errorSummaryLinks(officer), [
      ['#seed', 'Enter the seed, for example the numbers of a public lottery draw'],
    ]);
    await fill(officer, { Seed: SEED });
    assert.equal(await submit(officer, 'Draw the panel'), 200);
    assert.deepEqual(await successBanners(officer), ['Success The panel of 24 members has been drawn.']);
    const selected = await e2e.app.t.database.db
      .selectFrom('assembly_registrants')
      .select('household')
      .where('assembly_id', '=', assembly.id)
      .where('status', '=', 'selected')
      .execute();
    assert.equal(selected.length, 24);
    const households = selected.map((s) => s.household).filter((h) => h !== null);
    assert.equal(new Set(households).size, households.length, 'never two from one household');
  });

  it('shows everyone the published report: quotas against the panel, probabilities, seed and hashes', async () => {
    const page = await newPerson();
    await visit(page, assemblyPath, 200);
    assert.equal(await follow(page, 'How the members were chosen: the selection report', 'main'), 200);
    await expectHeading(page, 'How the members were chosen');
    const main = await textOf(page.locator('main'));
    assert.match(main, new RegExp(`Seed ${SEED}`));
    assert.match(main, /Input hash \(SHA-256\) [0-9a-f]{64}/);
    assert.match(main, /Smallest selection probability \d+\.\d\d%/);
    assert.doesNotMatch(main, /outside the quota/);
    assert.equal(await page.locator('main svg[role="img"]').count(), 5, 'one chart per feature');
    const file = await downloadBy(page, () =>
      page
        .getByRole('link', {
          name: 'Download every registrant’s selection probability (CSV, pseudonymous ids)',
          exact: true,
        })
        .click(),
    );
    const lines = file.body.toString('utf8').trim().split('\n');
    assert.equal(lines.length, 152, 'a header and one line per registrant');
    assert.ok(!file.body.toString('utf8').includes(RESIDENT.name), 'pseudonymous');
  });
  it('lets an officer mark a member as dropped out and draw a replacement, then see it on the registrants', async () => {
    await visit(officer, assemblyPath, 200);
    assert.equal(await follow(officer, 'Members and replacements', 'main'), 200);
    await expectHeading(officer, 'Members and replacements');
    const members = officer.getByRole('group', { name: 'Who has dropped out?' }).getByRole('checkbox');
    assert.equal(await members.count(), 24);
    await fill(officer, { 'Seed for the draw of replacements': 'replace-1' });
    assert.equal(await submit(officer, 'Draw replacements'), 400);
    assert.deepEqual(await errorSummaryLinks(officer), [['#dropped', 'Choose the members who dropped out']]);

    const label = (await members.first().getAttribute('value'))!;
    await members.first().check();
    await fill(officer, { 'Seed for the draw of replacements': 'replace-1' });
    assert.equal(await submit(officer, 'Draw replacements'), 200);
    const banner = (await successBanners(officer)).join();
    assert.match(banner, /^Success Replacements drawn: [A-Z0-9-]+\.$/);
    assert.match(
      await textOf(officer.locator('main')),
      new RegExp(`${label} replaced by .* \\(seed replace-1\\)`),
    );
    const db = e2e.app.t.database.db;
    const panel = await db
      .selectFrom('assembly_registrants')
      .select(['pseudonym', 'status', 'household'])
      .where('assembly_id', '=', assembly.id)
      .where('status', 'in', ['selected', 'dropped_out'])
      .execute();
    assert.deepEqual(
      panel.filter((r) => r.status === 'dropped_out').map((r) => r.pseudonym),
      [label],
    );
    const selected = panel.filter((r) => r.status === 'selected');
    assert.equal(selected.length, 24);
    const households = panel.map((r) => r.household).filter((h) => h !== null);
    assert.equal(new Set(households).size, households.length, 'no household twice, drop-outs included');

    await visit(officer, assemblyPath, 200);
    assert.equal(await follow(officer, 'Registrants', 'main'), 200);
    await expectHeading(officer, 'Registrants (151)');
    assert.equal(await officer.locator('main tbody tr').count(), 25);
    assert.equal(await follow(officer, 'Next page', 'main'), 200);
    assert.equal(pathOf(officer), `${assemblyPath}/registrants?page=2`);
    assert.equal(await officer.locator('main tbody tr').count(), 25);
    await visit(officer, `${assemblyPath}/registrants?page=7`, 200);
    assert.equal(await officer.locator('main tbody tr').count(), 1);
  });

  it('lets an officer record the assembly at work and answer its recommendation, kept as a decision', async () => {
    await visit(officer, assemblyPath, 200);
    assert.equal(await follow(officer, 'Sessions, documents, recommendations and responses', 'main'), 200);
    await expectHeading(officer, 'The assembly at work');
    const workPath = pathOf(officer);

    assert.equal(await follow(officer, 'Add a session', 'main'), 200);
    await fill(officer, { Date: '2027-02-30', 'Where it is held': 'Riverside Library' });
    assert.equal(await submit(officer, 'Add the session'), 400);
    assert.deepEqual(await errorSummaryLinks(officer), [
      ['#heldOn', 'The date must be a real date, like 2027-03-01'],
      ['#agenda', 'Enter the agenda'],
    ]);
    await fill(officer, { Date: '2027-03-06', Agenda: 'Welcome; how the members were chosen.' });
    assert.equal(await submit(officer, 'Add the session'), 200);
    assert.equal(pathOf(officer), workPath);
    assert.deepEqual(await successBanners(officer), ['Success The session has been added.']);

    assert.equal(await follow(officer, 'Add a document', 'main'), 200);
    await fill(officer, {
      Title: 'Evidence pack',
      'Web address': 'https://www.example.org/evidence-pack.pdf',
    });
    assert.equal(await submit(officer, 'Add the document'), 200);
    assert.deepEqual(await successBanners(officer), ['Success The document “Evidence pack” has been added.']);

    assert.equal(await follow(officer, 'Publish a recommendation', 'main'), 200);
    await fill(officer, {
      Title: 'Free buses on Sundays',
      'Text of the recommendation': 'Make every bus in Riverside free on Sundays for a year.',
    });
    assert.equal(await submit(officer, 'Publish the recommendation'), 200);
    assert.match((await successBanners(officer)).join(), /has been published/);

    assert.equal(await follow(officer, 'Respond to “Free buses on Sundays”', 'main'), 200);
    await expectHeading(officer, 'Respond to the recommendation');
    await fill(officer, { Reasons: 'For six months first.' });
    assert.equal(await submit(officer, 'Publish the response'), 400);
    assert.deepEqual(await errorSummaryLinks(officer), [
      ['#response', 'Choose the response: accepted, partly accepted or not accepted'],
    ]);
    await choose(officer, 'Partly accepted');
    assert.equal(await submit(officer, 'Publish the response'), 200);
    assert.equal(pathOf(officer), workPath);
    assert.match((await successBanners(officer)).join(), /now a decision to be tracked to completion/);
    const decisions = await e2e.app.t.database.db
      .selectFrom('decisions')
      .select('title')
      .where('source_type', '=', 'assembly_recommendation')
      .execute();
    assert.deepEqual(
      decisions.map((d) => d.title),
      ['Free buses on Sundays'],
    );

    const page = await newPerson();
    await visit(page, assemblyPath, 200);
    const main = await textOf(page.locator('main'));
    assert.match(main, /Welcome; how the members were chosen\./);
    assert.match(
      main,
      /Free buses on Sundays Make every bus in Riverside free on Sundays for a year\. Partly accepted For six months first\./,
    );
    assert.equal(
      await page.getByRole('link', { name: 'Evidence pack', exact: true }).getAttribute('href'),
      'https://www.example.org/evidence-pack.pdf',
    );
  });

  it('lets an officer correct and delete what the assembly at work published, asking first', async () => {
    await visit(officer, `${assemblyPath}/work`, 200);
    const workPath = pathOf(officer);
    assert.equal(
      await navigateBy(officer, () =>
        officer.getByRole('link', { name: 'Change the session of 6 March 2027', exact: true }).click(),
      ),
      200,
    );
    await expectHeading(officer, 'Change the session');
    assert.equal(await officer.getByLabel('Date', { exact: true }).inputValue(), '2027-03-06');
    await fill(officer, { Agenda: '' });
    assert.equal(await submit(officer, 'Save the session'), 400);
    assert.deepEqual(await errorSummaryLinks(officer), [['#agenda', 'Enter the agenda']]);
    await fill(officer, { Agenda: 'Welcome; how the members were chosen; the evidence.' });
    assert.equal(await submit(officer, 'Save the session'), 200);
    assert.equal(pathOf(officer), workPath);
    assert.deepEqual(await successBanners(officer), ['Success The session has been changed.']);

    assert.equal(
      await navigateBy(officer, () =>
        officer.getByRole('link', { name: 'Delete “Evidence pack”', exact: true }).click(),
      ),
      200,
    );
    await expectHeading(officer, 'Delete “Evidence pack”?');
    assert.equal(await follow(officer, 'Cancel', 'main'), 200);
    assert.equal(pathOf(officer), workPath);
    await navigateBy(officer, () =>
      officer.getByRole('link', { name: 'Delete “Evidence pack”', exact: true }).click(),
    );
    assert.equal(await submit(officer, 'Delete the document'), 200);
    assert.deepEqual(await successBanners(officer), ['Success The document has been deleted.']);

    assert.equal(
      await navigateBy(officer, () =>
        officer.getByRole('link', { name: 'Delete “Free buses on Sundays”', exact: true }).click(),
      ),
      200,
    );
    assert.match(
      await textOf(officer.locator('main .govuk-warning-text')),
      /Its official response \(partly accepted\) is deleted with it, and so is the decision kept for it/,
    );
    assert.equal(await submit(officer, 'Delete the recommendation'), 200);
    assert.deepEqual(await successBanners(officer), [
      'Success The recommendation “Free buses on Sundays” and the decision kept for it have been deleted.',
    ]);
    const decisions = await e2e.app.t.database.db
      .selectFrom('decisions')
      .select('title')
      .where('source_type', '=', 'assembly_recommendation')
      .execute();
    assert.deepEqual(decisions, []);

    const page = await newPerson();
    await visit(page, assemblyPath, 200);
    const main = await textOf(page.locator('main'));
    assert.match(main, /Welcome; how the members were chosen; the evidence\./);
    assert.doesNotMatch(main, /Evidence pack|Free buses/);
  });
});

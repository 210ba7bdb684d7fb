import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { budgetSchema } from '../src/participation/budgeting/budgets/budgets.schema.ts';
import { addDays, today } from '../src/participation/processes/phases.ts';
import type { Actor } from '../src/platform/auth/actor.ts';
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
  textsOf,
  visit,
} from './support/journeys.ts';

const PLACE_PATH = '/places/riverside';
const PROCESS_TITLE = 'Riverside Neighbourhood Fund';
const BUDGET_TITLE = 'Neighbourhood Fund 2027';

const ADA = { email: 'ada@example.org', name: 'Ada Lovell' };
const CARA = { email: 'cara@example.org', name: 'Cara Nwosu' };
const BEN = { email: 'ben@example.org', name: 'Ben Hollis' };
const RUTH = { email: 'ruth@example.org', name: 'Ruth Ames' };
const KOFI = { email: 'kofi@example.org', name: 'Kofi Mensah' };
const OFFICER = { email: 'olu@example.org', name: 'Olu Adeyemi' };
const SECOND_OFFICER = { email: 'hana@example.org', name: 'Hana Sato' };
const VALUATOR = { email: 'vic@example.org', name: 'Vic Moreno' };

/** The projects on the ballot, with their estimated costs in pounds. £10,000 to spend, at most 3 projects. */
const BENCHES = 'Benches on the green';
const BULBS = 'Bulbs along Station Road';
const SHELTER = 'Repairs to the youth shelter';
const GARDEN = 'Reading garden at the library';
const PLAY = 'New surfacing for the play area';
const PROJECTS: [string, string][] = [
  [BENCHES, '1500'],
  [BULBS, '2000'],
  [SHELTER, '2500'],
  [GARDEN, '4000'],
  [PLAY, '7500'],
];

const PAPER_SHEET = 'PB-000417';
/** Access codes as printed on the letters, like K7PX-9QMR-3HTW. */
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** The running total under the ballot, as the page shows it (and announces it, through aria-live). */
function runningTotal(page: Page): Promise<string> {
  return textOf(page.locator('[data-ballot-total][aria-live="polite"]'));
}

function totalText(chosen: number, cost: string, left: string): string {
  return `Projects chosen: ${chosen}. Cost: ${cost}. Money left: ${left}.`;
}

async function tick(page: Page, ...titles: string[]): Promise<void> {
  for (const title of titles) await page.getByRole('checkbox', { name: title, exact: true }).check();
}

async function untick(page: Page, ...titles: string[]): Promise<void> {
  for (const title of titles) await page.getByRole('checkbox', { name: title, exact: true }).uncheck();
}

/** The titles of the ticked boxes, in the order of the ballot. */
async function ticked(page: Page): Promise<string[]> {
  const boxes = page.locator('main input[type="checkbox"]:checked');
  const ids = await boxes.evaluateAll((inputs) => inputs.map((i) => i.id));
  return Promise.all(ids.map((id) => textOf(page.locator(`label[for="${id}"]`))));
}

/** What the recorded page lists as chosen, without the costs. */
async function chosenOnRecordedPage(page: Page): Promise<string[]> {
  const items = await textsOf(page.locator('main ul[data-chosen] li'));
  return items.map((item) => item.replace(/ \(£[\d,.]+\)$/, ''));
}

/** Follows a link styled as a button (role="button"), such as "Vote". */
function pressLink(page: Page, name: string): Promise<number> {
  return navigateBy(page, () => page.locator('main').getByRole('button', { name, exact: true }).click());
}

// Counted as a skipped test (not only a skipped suite) when Chromium is missing.
if (browserMissing) it('Participatory budgeting in the browser', { skip: browserMissing }, () => {});

describe('Participatory budgeting in the browser', { skip: browserMissing }, () => {
  const e2e = useE2e();
  let budgetId = '';
  let budgetPath = '';
  let officer: Page;
  let secondOfficer: Page;

  /** A new person in their own context, who gives up on a missing element after 10 seconds. */
  async function newPerson(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const page = await e2e.newPage(options);
    page.setDefaultTimeout(10_000);
    return page;
  }

  async function ballotsStored(): Promise<number> {
    const rows = await e2e.app.t.database.db
      .selectFrom('ballots')
      .select('id')
      .where('budget_id', '=', budgetId)
      .execute();
    return rows.length;
  }

  before(async () => {
    const t = e2e.app.t;
    const { accounts, processes, budgets, ballots } = t.services;
    const place = await t.createPlace('riverside', 'Riverside');
    const resident = [{ placeId: place.id, role: 'resident' as const }];
    for (const person of [ADA, CARA, BEN]) await t.createUser({ ...person, roles: resident });
    const ruthId = await t.createUser({ ...RUTH, roles: resident });
    const kofiId = await t.createUser({ ...KOFI, roles: resident });
    const officerId = await t.createUser({ ...OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    await t.createUser({ ...SECOND_OFFICER, roles: [{ placeId: place.id, role: 'officer' }] });
    const valuatorId = await t.createUser({ ...VALUATOR, roles: [{ placeId: place.id, role: 'valuator' }] });
    const actor = async (id: string): Promise<Actor> => (await accounts.loadActor(id, 'e2e-seed'))!;
    const asOfficer = await actor(officerId);
    const asValuator = await actor(valuatorId);

    const on = today();
    const processId = await t.createProcess({
      placeId: place.id,
      title: PROCESS_TITLE,
      phases: [
        {
          name: 'Ideas',
          startsOn: addDays(on, -60),
          endsOn: addDays(on, -11),
          allows: ['propose', 'comment'],
        },
        { name: 'Voting', startsOn: addDays(on, -10), endsOn: addDays(on, 30), allows: ['comment', 'vote'] },
      ],
    });
    const process = await processes.getProcess(place, processId);
    budgetId = await budgets.createBudget(
      asOfficer,
      place,
      process,
      budgetSchema.parse({
        title: BUDGET_TITLE,
        totalAmount: '10000',
        currency: 'GBP',
        // Prepared before the vote opens, as the ballot is fixed from then on; moved to its dates below.
        votingOpensOn: addDays(on, 1),
        votingClosesOn: addDays(on, 14),
        rule: 'mes_cost_add1',
        ballotKind: 'approval',
        maxProjects: '3',
        basket: 'yes',
      }),
    );
    budgetPath = `${PLACE_PATH}/budgets/${budgetId}`;
    const budget = await budgets.getBudget(place, budgetId);
    const ids = new Map<string, string>();
    for (const [title, cost] of PROJECTS) {
      const id = await budgets.createProject(asOfficer, place, budget, {
        title,
        description: `${title}, suggested by residents at the spring meetings.`,
        districtId: null,
      });
      await budgets.assignValuator(asOfficer, place, budget, id, valuatorId);
      await budgets.assess(asValuator, place, id, {
        estimatedCost: cost,
        feasibility: 'feasible',
        reason: 'Costed with the council’s contractor.',
      });
      ids.set(title, id);
    }
    await t.database.db
      .updateTable('budgets')
      .set({ voting_opens_on: addDays(on, -3) })
      .where('id', '=', budgetId)
      .execute();
    // Two neighbours voted before today.
    const view = await ballots.load(place, budgetId);
    const choose = (...titles: string[]) => titles.map((title) => ({ projectId: ids.get(title)! }));
    await ballots.cast(await actor(ruthId), place, view, {
      districtId: null,
      choices: choose(SHELTER, GARDEN),
    });
    await ballots.cast(await actor(kofiId), place, view, {
      districtId: null,
      choices: choose(SHELTER, PLAY),
    });
  });

  it('lets a resident vote with the running total shown as they tick, then change their vote', async () => {
    const page = await newPerson();
    await signIn(page, ADA.email, TEST_PASSWORD, PLACE_PATH);
    assert.equal(await follow(page, 'Have your say', 'nav[aria-label="Menu"]'), 200);
    assert.equal(await follow(page, PROCESS_TITLE, 'main'), 200);
    assert.equal(await follow(page, 'Participatory budgets', 'main'), 200);
    await expectHeading(page, 'Participatory budgets');
    assert.equal(await follow(page, BUDGET_TITLE, 'main'), 200);
    assert.equal(pathOf(page), budgetPath);
    await expectHeading(page, BUDGET_TITLE);
    assert.match(
      await textOf(page.locator('main')),
      /5 projects are on the ballot, costing £17,500\.00 together/,
    );

    assert.equal(await pressLink(page, 'Vote'), 200);
    assert.equal(pathOf(page), `${budgetPath}/ballot`);
    await expectHeading(page, `Vote: ${BUDGET_TITLE}`);
    // With scripts the total keeps itself up to date, so the button that asks the server for it is hidden.
    assert.equal(await page.getByRole('button', { name: 'Update total' }).isVisible(), false);
    assert.equal(await runningTotal(page), totalText(0, '£0.00', '£10,000.00'));
    await tick(page, BENCHES);
    assert.equal(await runningTotal(page), totalText(1, '£1,500.00', '£8,500.00'));
    await tick(page, BULBS);
    assert.equal(await runningTotal(page), totalText(2, '£3,500.00', '£6,500.00'));
    await tick(page, GARDEN);
    assert.equal(await runningTotal(page), totalText(3, '£7,500.00', '£2,500.00'));

    assert.equal(await submit(page, 'Submit my vote'), 200);
    assert.equal(pathOf(page), `${budgetPath}/ballot/recorded`);
    await expectHeading(page, 'Your vote has been recorded');
    assert.deepEqual(await chosenOnRecordedPage(page), [BENCHES, BULBS, GARDEN]);

    // Back on the budget page the button now offers a change, and the ballot opens as it was left.
    assert.equal(await follow(page, `Back to ${BUDGET_TITLE}`, 'main'), 200);
    assert.match(await textOf(page.locator('main')), /You have voted; you can change your vote until then\./);
    assert.equal(await pressLink(page, 'Change your vote'), 200);
    assert.match(await textOf(page.locator('main .govuk-inset-text')), /^You have already voted\./);
    assert.deepEqual(await ticked(page), [BENCHES, BULBS, GARDEN]);
    assert.equal(await runningTotal(page), totalText(3, '£7,500.00', '£2,500.00'));
    await untick(page, BULBS);
    assert.equal(await runningTotal(page), totalText(2, '£5,500.00', '£4,500.00'));
    await tick(page, SHELTER);
    assert.equal(await runningTotal(page), totalText(3, '£8,000.00', '£2,000.00'));
    assert.equal(await submit(page, 'Submit my vote'), 200);
    assert.equal(pathOf(page), `${budgetPath}/ballot/recorded`);
    await expectHeading(page, 'Your vote has been recorded');
    assert.deepEqual(await chosenOnRecordedPage(page), [BENCHES, SHELTER, GARDEN]);
    // One ballot per voter: the change replaced the first one.
    assert.equal(await ballotsStored(), 3);
  });

  it('shows the error summary for too many projects and for going over the money, storing nothing', async () => {
    const page = await newPerson();
    await signIn(page, CARA.email, TEST_PASSWORD, `${budgetPath}/ballot`);
    await expectHeading(page, `Vote: ${BUDGET_TITLE}`);

    await tick(page, BENCHES, BULBS, SHELTER, GARDEN);
    assert.equal(await runningTotal(page), totalText(4, '£10,000.00', '£0.00'));
    assert.equal(await submit(page, 'Submit my vote'), 400);
    assert.match(await page.title(), /^Error: /);
    assert.deepEqual(await errorSummaryLinks(page), [
      ['#section-area', 'Choose no more than 3 projects for The whole area: you chose 4'],
    ]);
    assert.deepEqual(await ticked(page), [BENCHES, BULBS, SHELTER, GARDEN], 'the choices are kept');

    await untick(page, BENCHES, BULBS);
    await tick(page, PLAY);
    assert.equal(await runningTotal(page), totalText(3, '£14,000.00', '-£4,000.00'));
    assert.equal(await submit(page, 'Submit my vote'), 400);
    assert.deepEqual(await errorSummaryLinks(page), [
      [
        '#section-area',
        'The projects you chose for The whole area cost £14,000.00 together, more than the £10,000.00 available: remove a project',
      ],
    ]);
    assert.equal(await ballotsStored(), 3);

    await untick(page, SHELTER, PLAY);
    await tick(page, BENCHES);
    assert.equal(await submit(page, 'Submit my vote'), 200);
    await expectHeading(page, 'Your vote has been recorded');
    assert.deepEqual(await chosenOnRecordedPage(page), [BENCHES, GARDEN]);
    assert.equal(await ballotsStored(), 4);
  });

  it('works without JavaScript: "Update total" shows the total worked out by the server', async () => {
    const page = await newPerson({ javaScriptEnabled: false });
    await signIn(page, BEN.email, TEST_PASSWORD, budgetPath);
    await expectScriptsOff(page);
    assert.equal(await pressLink(page, 'Vote'), 200);
    await expectHeading(page, `Vote: ${BUDGET_TITLE}`);

    await tick(page, BULBS, PLAY);
    // Nothing runs in the page, so the total stays as the server drew it until asked again.
    assert.equal(await runningTotal(page), totalText(0, '£0.00', '£10,000.00'));
    assert.equal(await submit(page, 'Update total'), 200);
    assert.equal(pathOf(page), `${budgetPath}/ballot`);
    assert.equal(await runningTotal(page), totalText(2, '£9,500.00', '£500.00'));
    assert.match(
      await textOf(page.locator('main .govuk-inset-text')),
      /Your running total has been updated\. Your vote has not been sent yet/,
    );
    assert.deepEqual(await ticked(page), [BULBS, PLAY]);
    assert.equal(await ballotsStored(), 4, 'updating the total stores nothing');

    assert.equal(await submit(page, 'Submit my vote'), 200);
    assert.equal(pathOf(page), `${budgetPath}/ballot/recorded`);
    await expectHeading(page, 'Your vote has been recorded');
    assert.deepEqual(await chosenOnRecordedPage(page), [BULBS, PLAY]);
    assert.equal(await ballotsStored(), 5);
  });

  it('lets an officer make a batch of letters with codes, and someone without an account vote with one', async () => {
    officer = await newPerson();
    await signIn(officer, OFFICER.email, TEST_PASSWORD, budgetPath);
    assert.equal(await follow(officer, 'Letters with single-use voting codes', 'main'), 200);
    assert.equal(pathOf(officer), `${budgetPath}/access-codes`);
    await expectHeading(officer, 'Codes to vote by letter');
    assert.match(await textOf(officer.locator('main')), /No letters have been made for this budget yet\./);

    await fill(officer, { 'How many letters?': '3' });
    const letters = await downloadBy(officer, () =>
      officer.getByRole('button', { name: 'Make letters and download the PDF', exact: true }).click(),
    );
    assert.match(letters.filename, /^voting-codes-.+\.pdf$/);
    assert.equal(letters.body.subarray(0, 5).toString('latin1'), '%PDF-');
    const codes = pdfText(letters.body).map((lines) => lines.find((line) => CODE.test(line)));
    assert.equal(codes.length, 3, 'one letter per page');
    assert.equal(new Set(codes).size, 3, 'each letter has its own code');

    await visit(officer, `${budgetPath}/access-codes`, 200);
    const batch = await textsOf(officer.locator('main tbody tr td'));
    assert.deepEqual(batch.slice(1, 5), [OFFICER.name, '3', '0', 'Working']);

    const visitor = await newPerson();
    await visit(visitor, `${PLACE_PATH}/vote`, 200);
    await expectHeading(visitor, 'Vote with the code from your letter');
    await fill(visitor, { 'Vote with the code from your letter': codes[0]!.toLowerCase() });
    assert.equal(await submit(visitor, 'Continue'), 200);
    await expectHeading(visitor, BUDGET_TITLE);
    await tick(visitor, BENCHES, SHELTER);
    assert.equal(await submit(visitor, 'Send my vote'), 200);
    assert.equal(pathOf(visitor), `${PLACE_PATH}/vote/cast?budget=${budgetId}`);
    await expectHeading(visitor, 'Your vote has been recorded');
    assert.equal(await ballotsStored(), 6);

    // The same page as above, checked already: only the count of used codes has changed.
    await officer.reload();
    assert.deepEqual((await textsOf(officer.locator('main tbody tr td'))).slice(2, 4), ['3', '1']);
  });

  it('counts a paper sheet once two officers have entered it alike', async () => {
    assert.equal(await follow(officer, 'Back'), 200);
    assert.equal(pathOf(officer), budgetPath);
    assert.equal(await follow(officer, 'Paper ballots', 'main'), 200);
    await expectHeading(officer, 'Paper ballots');
    assert.equal(await pressLink(officer, 'Enter a paper ballot'), 200);
    assert.equal(pathOf(officer), `${budgetPath}/paper-ballots/new`);
    await expectHeading(officer, 'Enter a paper ballot');
    await fill(officer, { 'Sheet reference': PAPER_SHEET });
    await tick(officer, SHELTER, GARDEN);
    assert.equal(await submit(officer, 'Save this entry'), 200);
    assert.deepEqual(await successBanners(officer), [
      `Success Sheet ${PAPER_SHEET} has been saved. Someone else must now enter it a second time.`,
    ]);
    assert.equal(await ballotsStored(), 6, 'one entry is not enough');

    // The second person types the sheet in without scripts and without seeing the first entry.
    secondOfficer = await newPerson({ javaScriptEnabled: false });
    await signIn(secondOfficer, SECOND_OFFICER.email, TEST_PASSWORD, `${budgetPath}/paper-ballots`);
    await expectHeading(secondOfficer, 'Paper ballots');
    assert.deepEqual(await textsOf(secondOfficer.locator('main tbody tr td')).then((c) => c.slice(0, 2)), [
      PAPER_SHEET,
      'Awaiting second entry',
    ]);
    assert.equal(await pressLink(secondOfficer, 'Enter a paper ballot'), 200);
    await fill(secondOfficer, { 'Sheet reference': PAPER_SHEET });
    await tick(secondOfficer, SHELTER, GARDEN);
    assert.equal(await submit(secondOfficer, 'Save this entry'), 200);
    assert.deepEqual(await successBanners(secondOfficer), [
      `Success Sheet ${PAPER_SHEET} matches its first entry. Its ballot has been counted.`,
    ]);
    assert.equal(await follow(secondOfficer, 'See all paper ballots', 'main'), 200);
    assert.equal(
      await follow(secondOfficer, 'Matched (1)', 'nav[aria-label="Paper ballots by status"]'),
      200,
    );
    assert.deepEqual(await textsOf(secondOfficer.locator('main tbody tr td')).then((c) => c.slice(0, 2)), [
      PAPER_SHEET,
      'Matched',
    ]);
    assert.equal(await ballotsStored(), 7);
  });

  it('counts the votes once voting has closed, and publishes the results', async () => {
    // Time passes: voting closed yesterday. The date is set in the database, as no form may move it into the past.
    await e2e.app.t.database.db
      .updateTable('budgets')
      .set({ voting_closes_on: addDays(today(), -1) })
      .where('id', '=', budgetId)
      .execute();

    await visit(secondOfficer, budgetPath, 200);
    assert.match(
      await textOf(secondOfficer.locator('main .govuk-inset-text')),
      /^Voting closed on .+\. The results will be published once the votes are counted\.$/,
    );
    assert.equal(await follow(secondOfficer, 'Count the votes and publish the results', 'main'), 200);
    assert.equal(pathOf(secondOfficer), `${budgetPath}/results/count`);
    await expectHeading(secondOfficer, 'Count the votes');
    assert.match(await textOf(secondOfficer.locator('main')), /Nobody has counted this budget’s votes yet\./);
    assert.equal(await submit(secondOfficer, 'Start the count'), 200);
    assert.match(pathOf(secondOfficer), new RegExp(`^${budgetPath}/results/count/[0-9a-f-]{36}$`));
    const progressPath = pathOf(secondOfficer);
    await expectHeading(secondOfficer, 'Counting the votes');
    assert.deepEqual(await successBanners(secondOfficer), [
      'Success The count has started. It runs in the background: you can leave this page and come back.',
    ]);
    assert.equal(await secondOfficer.getByRole('link', { name: /^Refresh/ }).count(), 1);

    // The other officer watches the same count with scripts on: the page follows it by itself.
    await visit(officer, progressPath, 200);
    await expectHeading(officer, 'Counting the votes');
    assert.equal(await officer.getByText('The count has finished.', { exact: false }).count(), 0);

    // In tests the runner does not start by itself; run the waiting count now.
    await e2e.app.t.services.budgetResults.runner.runPending();

    assert.equal(await follow(secondOfficer, 'Refresh the progress of this count', 'main'), 200);
    assert.equal(pathOf(secondOfficer), progressPath);
    assert.match(await textOf(secondOfficer.locator('main')), /The count has finished\./);
    assert.equal(await secondOfficer.getByRole('link', { name: /^Refresh/ }).count(), 0);

    await officer.getByText('The count has finished.', { exact: false }).waitFor();
    await officer.waitForLoadState('load');
    await expectAccessible(officer);

    assert.equal(await follow(secondOfficer, 'Check the results', 'main'), 200);
    await expectHeading(secondOfficer, 'Results');
    assert.equal(await textOf(secondOfficer.locator('#not-published-title')), 'Not published');

    assert.equal(await submit(secondOfficer, 'Publish the results'), 400);
    assert.deepEqual(await errorSummaryLinks(secondOfficer), [
      ['#confirm', 'Confirm that you have checked these results'],
    ]);
    await secondOfficer
      .getByRole('checkbox', {
        name: 'I have checked these results and they are ready to publish',
        exact: true,
      })
      .check();
    assert.equal(await submit(secondOfficer, 'Publish the results'), 200);
    assert.equal(pathOf(secondOfficer), `${budgetPath}/results`);
    assert.deepEqual(await successBanners(secondOfficer), [
      'Success The results have been published. 4 funded projects are now decisions to be tracked to completion.',
    ]);
    assert.equal(await secondOfficer.locator('#not-published-title').count(), 0);
  });

  it('shows the published results to everyone, with the comparison and the ballots to download', async () => {
    const page = await newPerson();
    await visit(page, budgetPath, 200);
    assert.match(await textOf(page.locator('main .govuk-inset-text')), /The results have been published\.$/);
    assert.equal(await pressLink(page, 'See the results'), 200);
    assert.equal(pathOf(page), `${budgetPath}/results`);
    await expectHeading(page, 'Results');
    assert.equal(await page.locator('#not-published-title').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Publish the results' }).count(), 0);
    const summary = await textsOf(
      page.locator('main .govuk-summary-list').first().locator('.govuk-summary-list__row'),
    );
    assert.match(summary[0]!, /^How votes were counted Equal shares, by cost\. /);
    assert.deepEqual(summary.slice(1), ['Ballots counted 7', 'Projects funded 4']);

    // Equal Shares funds the youth shelter, the garden and the benches from their supporters' shares; the
    // shares, raised until the money runs out, then pay for the bulbs. The play area is left below the line.
    const section = page.locator('section[aria-labelledby="section-area"]');
    const outcome = section.locator('table').nth(0);
    assert.deepEqual(await textsOf(outcome.locator('tbody th')), [SHELTER, GARDEN, BENCHES, BULBS, PLAY]);
    const rows = await textsOf(outcome.locator('tbody tr'));
    assert.equal(
      rows[4],
      '▲ Funding line: 4 projects above are funded, costing £10,000.00 of £10,000.00. The 1 below is not funded. ▼',
    );
    assert.equal(
      rows[0],
      `1 ${SHELTER} £2,500.00 5 votes Funded: each of its 5 supporters paid at most £500.00`,
    );
    assert.equal(
      rows[1],
      `2 ${GARDEN} £4,000.00 4 votes Funded: each of its 4 supporters paid at most £1,000.00`,
    );
    assert.match(
      rows[5]!,
      new RegExp(
        `^Not funded ${PLAY} £7,500\\.00 2 votes Not funded: it would have needed to cost £2,000\\.00 or less, or 3 more supporters`,
      ),
    );

    // The chart says what it shows in words, and its data sits beside it in a table.
    const chart = section.locator('svg[role="img"]');
    assert.equal(
      await textOf(chart.locator('desc')),
      `${SHELTER}: 5 votes (funded); ${GARDEN}: 4 votes (funded); ${BENCHES}: 3 votes (funded); ${BULBS}: 1 vote (funded); ${PLAY}: 2 votes.`,
    );
    assert.deepEqual(await textsOf(section.locator('table').nth(1).locator('tbody tr')), [
      `${SHELTER}5 votesYes`,
      `${GARDEN}4 votesYes`,
      `${BENCHES}3 votesYes`,
      `${BULBS}1 voteYes`,
      `${PLAY}2 votesNo`,
    ]);

    // Online (five residents), one letter's code and one paper sheet, counted together and shown apart.
    assert.deepEqual(await textsOf(section.locator('table').nth(2).locator('tbody tr')), [
      'Online5',
      'Access code1',
      'Paper1',
      'Imported0',
      'All ballots7',
    ]);
    const byChannel = section.locator('table').nth(3);
    assert.deepEqual(await textsOf(byChannel.locator('thead th')), [
      'Project',
      'Online',
      'Access code',
      'Paper',
      'All channels',
    ]);
    const cells = async (row: number) => textsOf(byChannel.locator('tbody tr').nth(row).locator('th, td'));
    assert.deepEqual(await cells(0), [BENCHES, '2', '1', '0', '3']);
    assert.deepEqual(await cells(2), [SHELTER, '3', '1', '1', '5']);
    assert.deepEqual(await cells(3), [GARDEN, '3', '0', '1', '4']);
    assert.deepEqual(await cells(5), ['Ballots', '5', '1', '1', '7']);

    assert.equal(await follow(page, 'Compare what 6 other counting rules would have funded', 'main'), 200);
    assert.equal(pathOf(page), `${budgetPath}/results/compare`);
    await expectHeading(page, 'What each counting rule would fund');
    assert.equal(
      await textOf(page.locator('main dt').first()),
      'Equal shares, by cost (used for this budget)',
    );
    const compare = page.locator('main table').first();
    assert.match(await textOf(compare.locator('thead th').nth(2)), /^Equal shares, by cost \(used\)$/);
    // The first rule's column is the budget's own rule, and agrees with the published results.
    const ownRule = async (title: string) =>
      textOf(
        compare
          .locator('tbody tr', { has: page.locator(`th:text-is("${title}")`) })
          .locator('td')
          .nth(1),
      );
    for (const title of [SHELTER, GARDEN, BENCHES, BULBS])
      assert.equal(await ownRule(title), '✓Funded', title);
    assert.equal(await ownRule(PLAY), '–Not funded');

    assert.equal(
      await page.getByRole('link', { name: 'Back to the results', exact: true }).getAttribute('href'),
      `${budgetPath}/results`,
    );

    // The anonymised ballots are open data once voting has closed (the budget page was checked above).
    await page.goto(budgetPath);
    const file = await downloadBy(page, () =>
      page.getByRole('link', { name: 'Download the ballots (.pb)', exact: true }).click(),
    );
    assert.match(file.filename, /\.pb$/);
    const lines = file.body.toString('utf8').split('\n');
    assert.match(lines[0]!, /^META/);
    assert.ok(lines.includes('num_votes;7'), 'the file holds the 7 ballots');
    assert.ok(lines.includes('rule;equalshares'));
    assert.ok(!file.body.toString('utf8').includes(ADA.email), 'no personal data');
  });
});

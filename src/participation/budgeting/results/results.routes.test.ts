import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../testing/harness.ts';
import { addDays, today } from '../../processes/phases.ts';
import {
  addProject,
  type BudgetSetup,
  castBallot,
  createBudget,
  handCountedElection,
} from './results.fixtures.ts';

let t: TestApp;
let setup: BudgetSetup;
let budgetId: string;
let A: string;
let C: string;

before(async () => {
  t = await buildTestApp();
  const place = await t.createPlace('riverside', 'Riverside');
  const processId = await t.createProcess({ placeId: place.id, title: 'Riverside budget 2026' });
  const officerId = await t.createUser({
    email: 'officer@example.test',
    name: 'Olive Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  await t.createUser({ email: 'rosa@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  const hillside = await t.createPlace('hillside', 'Hillside');
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  setup = { place, processId, officerId };
  ({ budgetId, A, C } = await handCountedElection(t, setup));
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function auditRows(action: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action as never)
    .orderBy('occurred_at')
    .execute();
}

async function countRow(id: string) {
  return t.database.db.selectFrom('budget_counts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const base = (id: string) => `/places/riverside/budgets/${id}`;
const countIdFrom = (location: unknown) => String(location).split('/').pop()!;

/** The text of every cell of a table's body rows, by its caption. */
function tableRows(html: string, caption: RegExp): string[][] {
  const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
  const table = tables.find((tb) => caption.test(tb.match(/<caption[\s\S]*?<\/caption>/)?.[0] ?? ''));
  assert.ok(table, `a table captioned ${caption}`);
  const body = table.match(/<tbody[\s\S]*?<\/tbody>/)?.[0] ?? '';
  return (body.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map((row) =>
    (row.match(/<t[hd][\s\S]*?<\/t[hd]>/g) ?? []).map((cell) =>
      cell
        .replace(/<[^>]+>/g, ' ')
        .replace(/&#39;|&rsquo;/g, '’')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

describe('counting before voting has closed', () => {
  it('is refused, clearly, on the page and when posted', async () => {
    const openId = await createBudget(t, {
      ...setup,
      title: 'Still voting',
      votingOpensOn: addDays(today(), -3),
      votingClosesOn: addDays(today(), 3),
    });
    await addProject(t, setup, openId, { title: 'Bird boxes', cost: '100.00' });
    const agent = await signedIn('officer@example.test');
    const page = await agent.get(`${base(openId)}/results/count`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You cannot count the votes until voting has closed/);
    assert.doesNotMatch(page.body, /Start the count/);
    const posted = await agent.postRaw(`${base(openId)}/results/count`, { _csrf: agent.csrfToken() });
    assert.equal(posted.statusCode, 403);
    assert.match(posted.body, /You cannot count the votes until voting has closed/);
    assert.match(posted.body, /Voting closes at the end of/);
    const counts = await t.database.db
      .selectFrom('budget_counts')
      .selectAll()
      .where('budget_id', '=', openId)
      .execute();
    assert.equal(counts.length, 0);
  });
});

describe('who may count', () => {
  it('lets neither residents, visitors nor other places’ officers near the count', async () => {
    const resident = await signedIn('rosa@example.test');
    assert.equal((await resident.get(`${base(budgetId)}/results/count`)).statusCode, 403);
    const posted = await resident.submit(`/places/riverside`, {}, `${base(budgetId)}/results/count`);
    assert.equal(posted.statusCode, 403);
    const visitor = new Agent(t.app);
    assert.notEqual((await visitor.get(`${base(budgetId)}/results/count`)).statusCode, 200);
    const other = await signedIn('hill@example.test');
    assert.equal((await other.get(`${base(budgetId)}/results/count`)).statusCode, 403);
    assert.equal((await other.get(`/places/hillside/budgets/${budgetId}/results/count`)).statusCode, 404);
    const counts = await t.database.db
      .selectFrom('budget_counts')
      .selectAll()
      .where('budget_id', '=', budgetId)
      .execute();
    assert.equal(counts.length, 0);
  });
});

describe('a count, from start to publication', () => {
  let countId: string;

  it('starts as a background job, audited, and shows its progress', async () => {
    const agent = await signedIn('officer@example.test');
    const page = await agent.get(`${base(budgetId)}/results/count`);
    assert.match(page.body, /1 section and 7 rules to count: 7 steps/);
    const started = await agent.submit(`${base(budgetId)}/results/count`, {});
    assert.equal(started.statusCode, 303);
    countId = countIdFrom(started.headers.location);
    const row = await countRow(countId);
    assert.equal(row.status, 'queued');
    assert.equal(row.steps_total, 7);
    const audit = await auditRows('budget.count_requested');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.subject_id, budgetId);
    assert.equal((audit[0]!.details as { countId: string }).countId, countId);

    const progress = await agent.get(String(started.headers.location));
    assert.equal(progress.statusCode, 200);
    assert.match(progress.body, /0 of 7 steps \(0%\)/);
    assert.match(
      progress.body,
      new RegExp(`<a class="govuk-link" href="${base(budgetId)}/results/count/${countId}">Refresh`),
    );
    assert.match(progress.body, /Cancel the count/);
    assert.match(progress.body, /<script type="module" src="\/assets\/budget-results.js"><\/script>/);
    const json = await agent.get(`${base(budgetId)}/results/count/${countId}/progress`);
    assert.deepEqual(JSON.parse(json.body), {
      status: 'queued',
      statusText: 'Waiting to start',
      stepsDone: 0,
      stepsTotal: 7,
      percent: 0,
      progressText: '0 of 7 steps (0%)',
      finished: false,
    });

    // A second count cannot start while one is waiting.
    const again = await agent.postRaw(`${base(budgetId)}/results/count`, { _csrf: agent.csrfToken() });
    assert.equal(again.statusCode, 403);
    assert.match(again.body, /already under way/);
  });

  it('keeps results from the public until published', async () => {
    await t.services.budgetResults.runner.runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'done');
    assert.equal(row.steps_done, 7);
    for (const agent of [new Agent(t.app), await signedIn('rosa@example.test')]) {
      const page = await agent.get(`${base(budgetId)}/results`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /have not been published yet/);
      assert.doesNotMatch(page.body, /Park benches|Street lights/);
      const compare = await agent.get(`${base(budgetId)}/results/compare`);
      assert.doesNotMatch(compare.body, /Park benches/);
      assert.equal((await agent.get(`${base(budgetId)}/results?count=${countId}`)).statusCode, 404);
      assert.equal((await agent.get(`${base(budgetId)}/results/compare?count=${countId}`)).statusCode, 404);
    }
  });

  it('shows officers the finished count, marked not published, with every project explained', async () => {
    const agent = await signedIn('officer@example.test');
    const progress = await agent.get(`${base(budgetId)}/results/count/${countId}`);
    assert.match(progress.body, /7 of 7 steps \(100%\)/);
    assert.match(progress.body, /Check the results/);
    assert.doesNotMatch(progress.body, /Cancel the count/);

    const page = await agent.get(`${base(budgetId)}/results`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Not published/);
    assert.match(page.body, /Only officers can see these results/);
    assert.match(page.body, /Equal shares, by cost, without sharing leftovers/);

    // Winners in order, the funding line as a row of its own, then the rest.
    const rows = tableRows(page.body, /Projects in The whole area/);
    assert.deepEqual(
      rows.map((r) => r[1]),
      ['Park benches', 'Street lights', undefined, 'Library books'],
    );
    assert.match(
      rows[2]![0]!,
      /Funding line: 2 projects above are funded, costing £900.00 of £1,000.00. The 1 below is not funded./,
    );
    assert.deepEqual(rows[0]!.slice(0, 4), ['1', 'Park benches', '£500.00', '6 votes']);
    assert.deepEqual(rows[1]!.slice(0, 4), ['2', 'Street lights', '£400.00', '4 votes']);
    assert.equal(
      rows[0]![4],
      'Funded: each of its 6 supporters paid at most £83.34 Before rounding up to the penny: 250/3 GBP.',
    );
    assert.equal(rows[1]![4], 'Funded: each of its 4 supporters paid at most £100.00');
    assert.equal(
      rows[3]![4],
      'Not funded: it would have needed to cost £83.33 or less, or 1 more supporter That is £366.67 less than its cost of £450.00.',
    );

    // Ballots by channel, and support per project per channel, with their sums.
    assert.deepEqual(tableRows(page.body, /Ballots in The whole area per channel/), [
      ['Online', '4'],
      ['Access code', '1'],
      ['Paper', '3'],
      ['Imported', '2'],
      ['All ballots', '10'],
    ]);
    assert.deepEqual(tableRows(page.body, /Votes per project in The whole area, by channel/), [
      ['Park benches', '3', '1', '2', '0', '6'],
      ['Library books', '3', '0', '2', '0', '5'],
      ['Street lights', '1', '0', '1', '2', '4'],
      ['Ballots', '4', '1', '3', '2', '10'],
    ]);

    // An accessible chart beside its data table, winners hatched and named.
    const svg = page.body.match(/<svg role="img"[\s\S]*?<\/svg>/)?.[0];
    assert.ok(svg);
    assert.match(svg, /aria-labelledby="section-area-chart-title section-area-chart-desc"/);
    assert.match(
      svg,
      /<title id="section-area-chart-title">Votes per project in The whole area, funded projects hatched<\/title>/,
    );
    assert.match(
      svg,
      /<desc id="section-area-chart-desc">Park benches: 6 votes \(funded\); Street lights: 4 votes \(funded\); Library books: 5 votes\.<\/desc>/,
    );
    assert.equal((svg.match(/fill="url\(#section-area-chart-hatch\)"/g) ?? []).length, 2);
    assert.deepEqual(tableRows(page.body, /The chart’s data/), [
      ['Park benches', '6 votes', 'Yes'],
      ['Street lights', '4 votes', 'Yes'],
      ['Library books', '5 votes', 'No'],
    ]);
    assert.match(page.body, /No projects were level at any point/);
    assert.doesNotMatch(page.body, /style=/);
    assert.doesNotMatch(page.body, /<script(?! type="module" src="\/assets\/commonweal.js")/);
  });

  it('compares what every rule funds', async () => {
    const agent = await signedIn('officer@example.test');
    const page = await agent.get(`${base(budgetId)}/results/compare`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Not published/);
    const rows = tableRows(page.body, /The whole area: projects funded under each rule/);
    const head = page.body.match(/<thead[\s\S]*?<\/thead>/)?.[0] ?? '';
    assert.match(head, /Equal shares, by cost, without sharing leftovers \(used\)/);
    assert.match(head, /Most votes first/);
    // Columns: own rule (mes_cost), mes_cost_add1, greedy_votes, …
    assert.deepEqual(rows[0]!.slice(0, 5), ['Park benches', '£500.00', '✓ Funded', '✓ Funded', '✓ Funded']);
    assert.deepEqual(rows[1]!.slice(0, 5), [
      'Street lights',
      '£400.00',
      '✓ Funded',
      '✓ Funded',
      '– Not funded',
    ]);
    assert.deepEqual(rows[2]!.slice(0, 5), [
      'Library books',
      '£450.00',
      '– Not funded',
      '– Not funded',
      '✓ Funded',
    ]);
    assert.deepEqual(rows[3]!.slice(0, 4), ['Projects funded', '2', '2', '2']);
    assert.deepEqual(rows[4]!.slice(0, 4), ['Total spent', '£900.00', '£900.00', '£950.00']);
    assert.match(page.body, /Most votes first; each project is funded if it fits in the money left/);
    assert.match(page.body, /In the equal shares rules: every voter gets an equal share of the money/);
  });

  it('refuses to publish without the confirmation, keeping the page', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      `${base(budgetId)}/results`,
      {},
      `${base(budgetId)}/results/count/${countId}/publish`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(agent.lastPage), ['Confirm that you have checked these results']);
    assert.match(agent.lastPage, /Park benches/);
    assert.equal((await countRow(countId)).published_at, null);
  });

  it('publishes, turning the winners into decisions exactly once', async () => {
    const agent = await signedIn('officer@example.test');
    const db = t.database.db;
    const onlineVoters = async () =>
      (
        await db
          .selectFrom('ballots')
          .select('voter_id')
          .where('budget_id', '=', budgetId)
          .where('voter_id', 'is not', null)
          .execute()
      )
        .map((b) => b.voter_id)
        .sort();
    const itemCount = async () =>
      (
        await db
          .selectFrom('ballot_items as i')
          .innerJoin('ballots as b', 'b.id', 'i.ballot_id')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('b.budget_id', '=', budgetId)
          .executeTakeFirstOrThrow()
      ).n;
    const votersBefore = await onlineVoters();
    assert.equal(votersBefore.length, 4);
    const itemsBefore = await itemCount();
    const response = await agent.submit(
      `${base(budgetId)}/results`,
      { confirm: 'yes' },
      `${base(budgetId)}/results/count/${countId}/publish`,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    assert.equal(response.headers.location, `${base(budgetId)}/results`);
    const decisions = await t.database.db
      .selectFrom('decisions')
      .selectAll()
      .where('source_type', '=', 'budget_project')
      .orderBy('title')
      .execute();
    assert.deepEqual(
      decisions.map((d) => [d.source_id, d.title, d.process_id, d.place_id]),
      [
        [A, 'Park benches', setup.processId, setup.place.id],
        [C, 'Street lights', setup.processId, setup.place.id],
      ],
    );
    assert.notEqual((await countRow(countId)).published_at, null);
    const audit = await auditRows('budget.results_published');
    assert.equal(audit.length, 1);
    assert.deepEqual((audit[0]!.details as { winners: string[] }).winners, [A, C]);
    // The secret ballot: no ballot says whose it is any more; who voted (not how) is kept apart.
    assert.deepEqual(await onlineVoters(), []);
    assert.equal(await itemCount(), itemsBefore);
    const kept = await db
      .selectFrom('budget_voters')
      .select('user_id')
      .where('budget_id', '=', budgetId)
      .orderBy('user_id')
      .execute();
    assert.deepEqual(
      kept.map((v) => v.user_id),
      votersBefore,
    );
    assert.equal((audit[0]!.details as { anonymisedBallots: number }).anonymisedBallots, 4);

    const again = await agent.submit(
      `${base(budgetId)}/results/count`,
      {},
      `${base(budgetId)}/results/count/${countId}/publish`,
    );
    assert.equal(again.statusCode, 400);
    const twice = await agent.postRaw(`${base(budgetId)}/results/count/${countId}/publish`, {
      _csrf: agent.csrfToken(),
      confirm: 'yes',
    });
    assert.equal(twice.statusCode, 409);
    assert.match(twice.body, /already been published/);
    assert.equal(
      (
        await t.database.db
          .selectFrom('decisions')
          .selectAll()
          .where('source_type', '=', 'budget_project')
          .execute()
      ).length,
      2,
    );
    assert.equal((await auditRows('budget.results_published')).length, 1);
    assert.equal(await t.services.budgetResults.isPublished(setup.place, budgetId), true);

    // Counting again is refused for good.
    const count = await agent.get(`${base(budgetId)}/results/count`);
    assert.match(count.body, /have been published, so its votes cannot be counted again/);
    const recount = await agent.postRaw(`${base(budgetId)}/results/count`, { _csrf: agent.csrfToken() });
    assert.equal(recount.statusCode, 403);
  });

  it('shows everyone the published results, without the officer’s controls', async () => {
    const page = await new Agent(t.app).get(`${base(budgetId)}/results`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Not published/);
    assert.match(page.body, /Published /);
    assert.match(page.body, /Park benches/);
    assert.match(page.body, /each of its 6 supporters paid at most £83.34/);
    assert.doesNotMatch(page.body, /Publish the results/);
    const compare = await new Agent(t.app).get(`${base(budgetId)}/results/compare`);
    assert.match(compare.body, /Most votes first/);
    assert.doesNotMatch(compare.body, /Not published/);
  });
});

describe('cancelling a count', () => {
  it('stops it, audited, and frees the budget for another count', async () => {
    const s = { ...setup, title: 'Second budget' };
    const { budgetId: id } = await handCountedElection(t, s);
    const agent = await signedIn('officer@example.test');
    const started = await agent.submit(`${base(id)}/results/count`, {});
    const countId = countIdFrom(started.headers.location);
    const cancelled = await agent.submit(
      `${base(id)}/results/count/${countId}`,
      {},
      `${base(id)}/results/count/${countId}/cancel`,
    );
    assert.equal(cancelled.statusCode, 303);
    await t.services.budgetResults.runner.runPending();
    const row = await countRow(countId);
    assert.equal(row.status, 'cancelled');
    assert.equal(row.steps_done, 0);
    assert.equal(row.result, null);
    const audit = await auditRows('budget.count_cancelled');
    assert.equal((audit.at(-1)!.details as { countId: string }).countId, countId);
    const page = await agent.get(`${base(id)}/results/count/${countId}`);
    assert.match(page.body, /This count was cancelled/);
    // Cancelling again is refused; a cancelled count cannot be published.
    const again = await agent.postRaw(`${base(id)}/results/count/${countId}/cancel`, {
      _csrf: agent.csrfToken(),
    });
    assert.equal(again.statusCode, 403);
    assert.equal((await agent.get(`${base(id)}/results?count=${countId}`)).statusCode, 404);
    const list = await agent.get(`${base(id)}/results/count`);
    assert.match(list.body, /Cancelled/);
    assert.match(list.body, /Start the count/);
  });
});

describe('a count that no longer matches the ballots', () => {
  it('cannot be published', async () => {
    const s = { ...setup, title: 'Third budget' };
    const { budgetId: id, C: c } = await handCountedElection(t, s);
    const agent = await signedIn('officer@example.test');
    const started = await agent.submit(`${base(id)}/results/count`, {});
    const countId = countIdFrom(started.headers.location);
    await t.services.budgetResults.runner.runPending();
    // A paper sheet typed in after the count.
    await castBallot(t, s, id, 'paper', [c]);
    const page = await agent.get(`${base(id)}/results?count=${countId}`);
    assert.match(page.body, /have changed since this count was made/);
    assert.doesNotMatch(page.body, /Publish the results/);
    const posted = await agent.postRaw(`${base(id)}/results/count/${countId}/publish`, {
      _csrf: agent.csrfToken(),
      confirm: 'yes',
    });
    assert.equal(posted.statusCode, 403);
    assert.match(posted.body, /changed since this count was made/);
    assert.equal((await countRow(countId)).published_at, null);
  });
});

describe('budgets with districts', () => {
  it('counts each district and the whole area separately', async () => {
    const s = {
      ...setup,
      title: 'District budget',
      totalAmount: '3000.00',
      districts: [
        { name: 'Northbank', amount: '1000.00' },
        { name: 'Southbank', amount: '1000.00' },
      ],
    };
    const id = await createBudget(t, s);
    const budget = await t.services.budgets.getBudget(setup.place, id);
    const [north, south] = budget.districts;
    const n1 = await addProject(t, s, id, { title: 'North garden', cost: '800.00', districtId: north!.id });
    const s1 = await addProject(t, s, id, { title: 'South bench', cost: '300.00', districtId: south!.id });
    const w1 = await addProject(t, s, id, { title: 'Town clock', cost: '900.00' });
    await castBallot(t, s, id, 'online', [n1, w1], north!.id);
    await castBallot(t, s, id, 'paper', [n1], north!.id);
    await castBallot(t, s, id, 'imported', [s1, w1], south!.id);
    const agent = await signedIn('officer@example.test');
    const form = await agent.get(`${base(id)}/results/count`);
    assert.match(form.body, /3 sections and 7 rules to count: 21 steps/);
    await agent.submit(`${base(id)}/results/count`, {});
    await t.services.budgetResults.runner.runPending();
    const page = await agent.get(`${base(id)}/results`);
    assert.deepEqual(tableRows(page.body, /Ballots in Northbank per channel/).at(-1), ['All ballots', '2']);
    assert.deepEqual(tableRows(page.body, /Ballots in Southbank per channel/).at(-1), ['All ballots', '1']);
    assert.deepEqual(tableRows(page.body, /Ballots in The whole area per channel/).at(-1), [
      'All ballots',
      '3',
    ]);
    assert.deepEqual(tableRows(page.body, /Votes per project in Northbank, by channel/), [
      ['North garden', '1', '1', '2'],
      ['Ballots', '1', '1', '2'],
    ]);
    assert.match(page.body, /<a class="govuk-link" href="#section-area">The whole area<\/a>/);
  });
});

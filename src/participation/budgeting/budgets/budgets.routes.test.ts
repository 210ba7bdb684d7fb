import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Agent, errorSummary } from '../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../testing/harness.ts';
import { addDays, today } from '../../processes/phases.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let otherProcessId: string;
let officerId: string;
let valuatorId: string;
let residentId: string;
let acceptedId: string;
let rejectedId: string;
let elsewhereId: string;
let budgetId: string;

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const hillside = await t.createPlace('hillside', 'Hillside');
  processId = await t.createProcess({ placeId: place.id, title: 'Riverside budget 2027' });
  otherProcessId = await t.createProcess({ placeId: place.id, title: 'Another process' });
  officerId = await t.createUser({
    email: 'officer@example.test',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  await t.createUser({ email: 'admin@example.test', roles: [{ placeId: place.id, role: 'place_admin' }] });
  valuatorId = await t.createUser({
    email: 'val@example.test',
    name: 'Vera Valuator',
    roles: [{ placeId: place.id, role: 'valuator' }],
  });
  await t.createUser({
    email: 'val2@example.test',
    name: 'Otto Other',
    roles: [{ placeId: place.id, role: 'valuator' }],
  });
  residentId = await t.createUser({
    email: 'rosa@example.test',
    roles: [{ placeId: place.id, role: 'resident' }],
  });
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  acceptedId = await t.createProposal({
    placeId: place.id,
    processId,
    authorId: residentId,
    title: 'Trees on Mill Lane',
    body: 'Plant twenty trees along Mill Lane for shade.',
  });
  rejectedId = await t.createProposal({
    placeId: place.id,
    processId,
    authorId: residentId,
    title: 'A monorail',
  });
  elsewhereId = await t.createProposal({
    placeId: place.id,
    processId: otherProcessId,
    authorId: residentId,
    title: 'Accepted elsewhere',
  });
  await answer(acceptedId, 'accepted');
  await answer(rejectedId, 'not_accepted');
  await answer(elsewhereId, 'accepted');
});
after(async () => {
  await t.close();
});

async function answer(id: string, value: 'accepted' | 'not_accepted') {
  await t.database.db.updateTable('proposals').set({ answer: value }).where('id', '=', id).execute();
}

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

async function project(id: string) {
  return t.database.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const newBudget = () => `/places/riverside/processes/${processId}/budgets/new`;
const createBudget = () => `/places/riverside/processes/${processId}/budgets`;

const goodBudget = {
  title: 'Riverside budget',
  totalAmount: '10,000',
  currency: 'gbp',
  votingOpensOn: '2027-03-01',
  votingClosesOn: '2027-03-31',
  rule: 'mes_cost_add1',
  district1Name: 'Northbank',
  district1Amount: '4000',
  district2Name: 'Southbank',
  district2Amount: '6000',
};

describe('POST /places/:slug/processes/:processId/budgets', () => {
  it('lets an officer set up a budget with districts, audited', async () => {
    const agent = await signedIn('officer@example.test');
    const form = await agent.get(newBudget());
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Equal shares, by cost \(recommended\)/);
    const response = await agent.submit(newBudget(), goodBudget, createBudget());
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    budgetId = (response.headers.location as string).split('/').pop()!;
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', budgetId)
      .executeTakeFirstOrThrow();
    assert.equal(row.place_id, place.id);
    assert.equal(row.currency, 'GBP');
    assert.equal(Number(row.total_amount), 10000);
    assert.equal(row.voting_opens_on, '2027-03-01');
    const districts = await t.database.db
      .selectFrom('budget_districts')
      .select(['name', 'amount', 'place_id'])
      .where('budget_id', '=', budgetId)
      .orderBy('position')
      .execute();
    assert.deepEqual(
      districts.map((d) => [d.name, Number(d.amount), d.place_id]),
      [
        ['Northbank', 4000, place.id],
        ['Southbank', 6000, place.id],
      ],
    );
    const audits = await auditRows('budget.created');
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.subject_id, budgetId);
    assert.equal(audits[0]!.actor_id, officerId);
    assert.equal(audits[0]!.place_id, place.id);
    const page = await agent.get(response.headers.location as string);
    assert.match(page.body, /£10,000\.00/);
    assert.match(page.body, /Northbank: £4,000\.00/);
  });

  it('lets a place admin set up a budget too', async () => {
    const agent = await signedIn('admin@example.test');
    const response = await agent.submit(
      newBudget(),
      {
        ...goodBudget,
        title: 'Admin budget',
        district1Name: '',
        district1Amount: '',
        district2Name: '',
        district2Amount: '',
      },
      createBudget(),
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
  });

  it('shows every problem in the error summary and keeps what was typed', async () => {
    const agent = await signedIn('officer@example.test');
    const before = (await auditRows('budget.created')).length;
    const response = await agent.submit(
      newBudget(),
      {
        title: '',
        totalAmount: 'lots',
        currency: 'pounds',
        votingOpensOn: '2027-02-30',
        votingClosesOn: '2027-01-01',
        district1Name: 'Northbank',
        district1Amount: '',
      },
      createBudget(),
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Enter a title',
      'Total amount must be an amount, like 25000 or 1250.50',
      'Currency must be a 3-letter code, like GBP',
      'Voting opens on must be a real date',
      'Select how votes are counted',
      'Enter an amount for district 1',
    ]);
    assert.match(response.body, /value="lots"/);
    assert.match(response.body, /value="Northbank"/);
    const order = await agent.submit(
      newBudget(),
      { ...goodBudget, votingOpensOn: '2027-03-10', votingClosesOn: '2027-03-09' },
      createBudget(),
    );
    assert.deepEqual(errorSummary(order.body), ['Voting must close on or after the day it opens']);
    assert.equal((await auditRows('budget.created')).length, before);
  });

  it('refuses districts that add up to more than the total, with a clear error', async () => {
    const agent = await signedIn('officer@example.test');
    const before = await t.database.db.selectFrom('budgets').select('id').execute();
    const response = await agent.submit(
      newBudget(),
      {
        ...goodBudget,
        title: 'Too much',
        totalAmount: '1000',
        district1Amount: '600',
        district2Amount: '500.50',
      },
      createBudget(),
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'The districts’ amounts add up to 1100.50 GBP, more than the budget total of 1000.00 GBP',
    ]);
    assert.match(response.body, /value="Too much"/);
    assert.equal((await t.database.db.selectFrom('budgets').select('id').execute()).length, before.length);
  });

  for (const email of ['rosa@example.test', 'val@example.test', 'hill@example.test']) {
    it(`refuses ${email.split('@')[0]}, who does not manage budgets here`, async () => {
      const agent = await signedIn(email);
      assert.equal((await agent.get(newBudget())).statusCode, 403);
      const token = await agent.get(`/places/riverside/processes/${processId}`).then(() => agent.csrfToken());
      const response = await agent.postRaw(createBudget(), { ...goodBudget, title: 'Sneaky', _csrf: token });
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /You do not have permission to do that/);
      const sneaky = await t.database.db
        .selectFrom('budgets')
        .select('id')
        .where('title', '=', 'Sneaky')
        .execute();
      assert.equal(sneaky.length, 0);
    });
  }

  it('does not show one place’s budget under another place', async () => {
    const agent = await signedIn('hill@example.test');
    assert.equal((await agent.get(`/places/hillside/budgets/${budgetId}`)).statusCode, 404);
    assert.equal((await agent.get(`/places/hillside/budgets/${budgetId}/edit`)).statusCode, 404);
  });
});

describe('POST /places/:slug/budgets/:budgetId (edit)', () => {
  it('saves changes and keeps districts, audited', async () => {
    const agent = await signedIn('officer@example.test');
    const edit = await agent.get(`/places/riverside/budgets/${budgetId}/edit`);
    assert.match(edit.body, /value="Northbank"/);
    const districtId = edit.body.match(/name="district1Id" value="([^"]+)"/)?.[1];
    assert.ok(districtId);
    const response = await agent.submit(
      `/places/riverside/budgets/${budgetId}/edit`,
      { ...goodBudget, title: 'Riverside budget 2027', totalAmount: '12000', district1Id: districtId },
      `/places/riverside/budgets/${budgetId}`,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const districts = await t.database.db
      .selectFrom('budget_districts')
      .select('id')
      .where('budget_id', '=', budgetId)
      .execute();
    assert.equal(districts.length, 2);
    assert.ok(districts.some((d) => d.id === districtId));
    assert.equal((await auditRows('budget.updated')).length, 1);
  });
});

describe('projects', () => {
  let directId: string;
  let fromProposalId: string;

  it('lets an officer add a project directly, in a district, audited', async () => {
    const agent = await signedIn('officer@example.test');
    const form = await agent.get(`/places/riverside/budgets/${budgetId}/projects/new`);
    const northbank = form.body.match(/<option value="([^"]+)">Northbank<\/option>/)?.[1];
    assert.ok(northbank);
    const empty = await agent.submit(
      `/places/riverside/budgets/${budgetId}/projects/new`,
      { title: '', description: '' },
      `/places/riverside/budgets/${budgetId}/projects`,
    );
    assert.deepEqual(errorSummary(empty.body), ['Enter a title', 'Enter a description']);
    const response = await agent.submit(
      `/places/riverside/budgets/${budgetId}/projects/new`,
      { title: 'New benches', description: 'Ten benches by the river.', districtId: northbank },
      `/places/riverside/budgets/${budgetId}/projects`,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    directId = (response.headers.location as string).split('/').pop()!;
    const row = await project(directId);
    assert.equal(row.district_id, northbank);
    assert.equal(row.feasibility, 'pending');
    assert.equal(row.place_id, place.id);
    const audits = await auditRows('project.created');
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.subject_id, directId);
    assert.equal(audits[0]!.actor_id, officerId);
  });

  it('makes a project from an accepted proposal, copying its title and description', async () => {
    const agent = await signedIn('officer@example.test');
    const form = await agent.get(`/places/riverside/budgets/${budgetId}/projects/from-proposal`);
    assert.match(form.body, /Trees on Mill Lane/);
    assert.doesNotMatch(form.body, /A monorail/);
    assert.doesNotMatch(form.body, /Accepted elsewhere/);
    const response = await agent.submit(`/places/riverside/budgets/${budgetId}/projects/from-proposal`, {
      proposalId: acceptedId,
    });
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    fromProposalId = (response.headers.location as string).split('/').pop()!;
    const row = await project(fromProposalId);
    assert.equal(row.title, 'Trees on Mill Lane');
    assert.equal(row.description, 'Plant twenty trees along Mill Lane for shade.');
    assert.equal(row.proposal_id, acceptedId);
    const audits = await auditRows('project.created');
    assert.equal(audits.at(-1)!.subject_id, fromProposalId);
    assert.deepEqual(audits.at(-1)!.details, { budgetId, proposalId: acceptedId });
    const again = await agent.get(`/places/riverside/budgets/${budgetId}/projects/from-proposal`);
    assert.doesNotMatch(again.body, /Trees on Mill Lane/);
  });

  it('refuses a proposal that is not accepted, from another process, or already a project', async () => {
    const agent = await signedIn('officer@example.test');
    const url = `/places/riverside/budgets/${budgetId}/projects/from-proposal`;
    const count = (await t.database.db.selectFrom('projects').select('id').execute()).length;
    const notAccepted = await agent.submit(url, { proposalId: rejectedId });
    assert.equal(notAccepted.statusCode, 400);
    assert.deepEqual(errorSummary(notAccepted.body), ['Only accepted proposals can become projects']);
    const elsewhere = await agent.submit(url, { proposalId: elsewhereId });
    assert.deepEqual(errorSummary(elsewhere.body), ['Select a proposal of this process']);
    const twice = await agent.submit(url, { proposalId: acceptedId });
    assert.deepEqual(errorSummary(twice.body), ['That proposal is already a project of this budget']);
    const none = await agent.submit(url, {});
    assert.deepEqual(errorSummary(none.body), ['Select an accepted proposal']);
    assert.equal((await t.database.db.selectFrom('projects').select('id').execute()).length, count);
  });

  it('refuses a resident adding projects', async () => {
    const agent = await signedIn('rosa@example.test');
    assert.equal((await agent.get(`/places/riverside/budgets/${budgetId}/projects/new`)).statusCode, 403);
    await agent.get(`/places/riverside/budgets/${budgetId}`);
    const response = await agent.postRaw(`/places/riverside/budgets/${budgetId}/projects`, {
      title: 'Mine',
      description: 'Something of mine.',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /You do not have permission to do that/);
  });

  it('assigns a valuator chosen from the place’s valuators, audited', async () => {
    const agent = await signedIn('officer@example.test');
    const page = `/places/riverside/budgets/${budgetId}/projects/${fromProposalId}`;
    const shown = await agent.get(page);
    assert.match(shown.body, /Vera Valuator/);
    assert.match(shown.body, /Otto Other/);
    const notValuator = await agent.submit(page, { valuatorId: residentId }, `${page}/valuator`);
    assert.equal(notValuator.statusCode, 400);
    assert.deepEqual(errorSummary(notValuator.body), ['Select a valuator from the list']);
    const response = await agent.submit(page, { valuatorId }, `${page}/valuator`);
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    assert.equal((await project(fromProposalId)).valuator_id, valuatorId);
    const direct = `/places/riverside/budgets/${budgetId}/projects/${directId}`;
    assert.equal((await agent.submit(direct, { valuatorId }, `${direct}/valuator`)).statusCode, 303);
    const audits = await auditRows('project.assigned');
    assert.equal(audits.length, 2);
    assert.equal(audits[0]!.subject_id, fromProposalId);
  });

  it('lets only the assigned valuator see and assess a project', async () => {
    const other = await signedIn('val2@example.test');
    const list = await other.get('/places/riverside/projects-to-assess');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /Trees on Mill Lane/);
    assert.match(list.body, /No projects have been assigned to you/);
    assert.equal((await other.get(`/places/riverside/projects-to-assess/${fromProposalId}`)).statusCode, 404);
    const refused = await other.postRaw(`/places/riverside/projects-to-assess/${fromProposalId}`, {
      estimatedCost: '100',
      feasibility: 'feasible',
      reason: 'I was not asked but here I am.',
      _csrf: other.csrfToken(),
    });
    assert.equal(refused.statusCode, 404);
    const officer = await signedIn('officer@example.test');
    assert.equal((await officer.get('/places/riverside/projects-to-assess')).statusCode, 403);
    assert.equal((await project(fromProposalId)).feasibility, 'pending');
    assert.equal((await auditRows('project.assessed')).length, 0);
  });

  it('checks the assessment: cost within the district or budget, reason length', async () => {
    const agent = await signedIn('val@example.test');
    const list = await agent.get('/places/riverside/projects-to-assess');
    assert.match(list.body, /Trees on Mill Lane/);
    assert.match(list.body, /New benches/);
    const url = `/places/riverside/projects-to-assess/${directId}`;
    const empty = await agent.submit(url, {});
    assert.deepEqual(errorSummary(empty.body), [
      'Enter the estimated cost',
      'Select whether the project is feasible',
      'Enter the reason',
    ]);
    const short = await agent.submit(url, {
      estimatedCost: '0',
      feasibility: 'feasible',
      reason: 'Too short',
    });
    assert.deepEqual(errorSummary(short.body), [
      'Estimated cost must be more than 0',
      'Reason must be 10 characters or more',
    ]);
    const overDistrict = await agent.submit(url, {
      estimatedCost: '4000.01',
      feasibility: 'feasible',
      reason: 'Benches are cheap but not that cheap.',
    });
    assert.deepEqual(errorSummary(overDistrict.body), [
      'Estimated cost must be 4000.00 GBP or less, the amount for Northbank',
    ]);
    assert.match(overDistrict.body, /Benches are cheap but not that cheap\./);
    const overBudget = await agent.submit(`/places/riverside/projects-to-assess/${fromProposalId}`, {
      estimatedCost: '2000.01',
      feasibility: 'feasible',
      reason: 'Trees need watering for three years.',
    });
    // A whole-area project may cost what the districts leave of the total: 12000 − 4000 − 6000.
    assert.deepEqual(errorSummary(overBudget.body), [
      'Estimated cost must be 2000.00 GBP or less, the amount for the whole area',
    ]);
    assert.equal((await project(directId)).feasibility, 'pending');
  });

  it('records the assigned valuator’s decision, audited, and shows it publicly', async () => {
    const agent = await signedIn('val@example.test');
    const feasible = await agent.submit(`/places/riverside/projects-to-assess/${fromProposalId}`, {
      estimatedCost: '1,500.50',
      feasibility: 'feasible',
      reason: 'The council nursery can supply the trees.',
    });
    assert.equal(feasible.statusCode, 303, errorSummary(agent.lastPage).join());
    const notFeasible = await agent.submit(`/places/riverside/projects-to-assess/${directId}`, {
      estimatedCost: '2000',
      feasibility: 'not_feasible',
      reason: 'The river path is owned by the canal trust.',
    });
    assert.equal(notFeasible.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await project(fromProposalId);
    assert.equal(row.feasibility, 'feasible');
    assert.equal(Number(row.estimated_cost), 1500.5);
    assert.equal(row.assessed_by, valuatorId);
    assert.ok(row.assessed_at);
    const audits = await auditRows('project.assessed');
    assert.equal(audits.length, 2);
    assert.equal(audits[0]!.actor_id, valuatorId);
    assert.deepEqual(audits[0]!.details, { estimatedCost: '1500.50', feasibility: 'feasible' });

    const visitor = new Agent(t.app);
    const page = await visitor.get(`/places/riverside/budgets/${budgetId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /The council nursery can supply the trees\./);
    assert.match(page.body, /The river path is owned by the canal trust\./);
    const rows = page.body.split('<tr class="govuk-table__row">');
    const treesRow = rows.find((r) => r.includes('Trees on Mill Lane'))!;
    const benchesRow = rows.find((r) => r.includes('New benches'))!;
    assert.match(treesRow, />On the ballot<\/strong>/);
    assert.match(treesRow, />Feasible<\/strong>/);
    assert.doesNotMatch(benchesRow, /On the ballot/);
    assert.match(benchesRow, />Not feasible<\/strong>/);
    assert.match(page.body, /£1,500\.50/);
    const ballot = await visitor.get(`/places/riverside/budgets/${budgetId}?show=ballot`);
    assert.match(ballot.body, /Trees on Mill Lane/);
    assert.doesNotMatch(ballot.body, /New benches/);
  });

  it('refuses to remove a district that has projects', async () => {
    const agent = await signedIn('officer@example.test');
    const edit = await agent.get(`/places/riverside/budgets/${budgetId}/edit`);
    const southId = edit.body.match(/name="district2Id" value="([^"]+)"/)?.[1];
    const response = await agent.submit(
      `/places/riverside/budgets/${budgetId}/edit`,
      {
        ...goodBudget,
        totalAmount: '12000',
        district1Name: 'Southbank',
        district1Amount: '6000',
        district1Id: southId!,
        district2Name: '',
        district2Amount: '',
      },
      `/places/riverside/budgets/${budgetId}`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['You cannot remove Northbank: it has projects']);
  });

  it('fixes the projects on the ballot once voting opens: none added, none reassessed', async () => {
    const db = t.database.db;
    const dates = await db
      .selectFrom('budgets')
      .select(['voting_opens_on', 'voting_closes_on'])
      .where('id', '=', budgetId)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('budgets')
      .set({ voting_opens_on: addDays(today(), -1), voting_closes_on: addDays(today(), 10) })
      .where('id', '=', budgetId)
      .execute();
    try {
      const message = 'Voting has opened, so the projects on the ballot can no longer change';
      const projects = await db
        .selectFrom('projects')
        .selectAll()
        .where('budget_id', '=', budgetId)
        .execute();
      const officer = await signedIn('officer@example.test');
      const direct = await officer.submit(
        `/places/riverside/budgets/${budgetId}/projects/new`,
        { title: 'Late idea', description: 'Sent in after voting opened.' },
        `/places/riverside/budgets/${budgetId}/projects`,
      );
      assert.equal(direct.statusCode, 400);
      assert.deepEqual(errorSummary(direct.body), [message]);
      const fromProposal = await officer.submit(
        `/places/riverside/budgets/${budgetId}/projects/from-proposal`,
        {
          proposalId: rejectedId,
        },
      );
      assert.equal(fromProposal.statusCode, 400);
      assert.deepEqual(errorSummary(fromProposal.body), [message]);
      const valuator = await signedIn('val@example.test');
      const reassessed = await valuator.submit(`/places/riverside/projects-to-assess/${fromProposalId}`, {
        estimatedCost: '10',
        feasibility: 'not_feasible',
        reason: 'Changed my mind.',
      });
      assert.equal(reassessed.statusCode, 400);
      assert.deepEqual(errorSummary(reassessed.body), [message]);
      assert.deepEqual(
        await db.selectFrom('projects').selectAll().where('budget_id', '=', budgetId).execute(),
        projects,
      );
    } finally {
      await db
        .updateTable('budgets')
        .set({ voting_opens_on: dates.voting_opens_on, voting_closes_on: dates.voting_closes_on })
        .where('id', '=', budgetId)
        .execute();
    }
  });
});

/** What a browser would send for the form on a page: every input as shown, with the checked boxes. */
function formFields(html: string): Record<string, string> {
  const form =
    html.match(/<form method="post" action="[^"]*\/budgets\/[^"]*" novalidate>([\s\S]*?)<\/form>/)?.[1] ?? '';
  const decode = (v: string) =>
    v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = tag.match(/name="([^"]*)"/)?.[1];
    if (!name || name === '_csrf') continue;
    const type = tag.match(/type="([^"]*)"/)?.[1] ?? 'text';
    if ((type === 'radio' || type === 'checkbox') && !/\schecked/.test(tag)) continue;
    fields[name] = decode(tag.match(/value="([^"]*)"/)?.[1] ?? '');
  }
  return fields;
}

describe('ballot settings', () => {
  const settingsBudget = {
    ...goodBudget,
    title: 'Points budget',
    district1Name: '',
    district1Amount: '',
    district2Name: '',
    district2Amount: '',
  };

  it('sets up a cumulative ballot with its limits, and shows them on the budget page', async () => {
    const agent = await signedIn('officer@example.test');
    const form = await agent.get(newBudget());
    assert.match(form.body, /name="ballotKind" type="radio" value="approval" checked/);
    assert.match(form.body, /id="conditional-ballotKind-2"/);
    assert.match(form.body, /name="pointsTotal"/);
    const response = await agent.submit(
      newBudget(),
      {
        ...settingsBudget,
        rule: 'greedy_points',
        ballotKind: 'cumulative',
        minProjects: '1',
        maxProjects: '3',
        basket: 'yes',
        pointsTotal: '10',
        maxPointsPerProject: '4',
        rankLimit: '2',
      },
      createBudget(),
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const id = (response.headers.location as string).split('/').pop()!;
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [
        row.ballot_kind,
        row.min_projects,
        row.max_projects,
        row.basket,
        row.points_total,
        row.max_points_per_project,
        row.rank_limit,
      ],
      ['cumulative', 1, 3, true, 10, 4, null],
    );
    const page = await agent.get(response.headers.location as string);
    assert.match(page.body, /Cumulative: spread points across projects/);
    assert.match(page.body, /Choose between 1 and 3 projects\./);
    assert.match(
      page.body,
      /The projects you choose can cost up to £10,000\.00 together, the money for the whole area\./,
    );
    assert.match(
      page.body,
      /Spread up to 10 points across the projects you support, at most 4 on any one project\./,
    );
    assert.match(page.body, /Voting opens on/);
  });

  it('ignores the settings of another kind of ballot', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      newBudget(),
      { ...settingsBudget, title: 'Ranked budget', ballotKind: 'ordinal', pointsTotal: '10', rankLimit: '3' },
      createBudget(),
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const id = (response.headers.location as string).split('/').pop()!;
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.ballot_kind, row.points_total, row.rank_limit, row.basket],
      ['ordinal', null, 3, false],
    );
    const page = await agent.get(response.headers.location as string);
    assert.match(
      page.body,
      /Number the projects you support in order of preference, 1 for your first choice, up to 3\./,
    );
  });

  it('refuses settings that do not go together, with clear errors and the values kept', async () => {
    const agent = await signedIn('officer@example.test');
    const before = (await t.database.db.selectFrom('budgets').select('id').execute()).length;
    const cases: [Record<string, string>, string[]][] = [
      [
        { minProjects: '3', maxProjects: '2' },
        ['Minimum number of projects must not be more than the maximum'],
      ],
      [
        { minProjects: 'two', maxProjects: '0' },
        [
          'Minimum number of projects must be a whole number between 1 and 100,000',
          'Maximum number of projects must be a whole number between 1 and 100,000',
        ],
      ],
      [{ ballotKind: 'cumulative' }, ['Enter the number of points each voter can spread']],
      [
        { ballotKind: 'cumulative', pointsTotal: '5', maxPointsPerProject: '6' },
        ['Most points on one project must not be more than the points to spread'],
      ],
      [
        { ballotKind: 'approval', rule: 'greedy_points' },
        [
          'Most points first counts points, so it needs a cumulative ballot: choose cumulative voting or another way of counting',
        ],
      ],
      [
        { ballotKind: 'ordinal', rule: 'mes_points' },
        [
          'Equal shares, by points counts points, so it needs a cumulative ballot: choose cumulative voting or another way of counting',
        ],
      ],
      [
        { ballotKind: 'ordinal', minProjects: '4', rankLimit: '3' },
        ['Number of projects to rank must not be less than the minimum number of projects'],
      ],
      [{ ballotKind: 'lottery' }, ['Select the kind of ballot']],
      [{ ballotKind: 'choose-1' }, ['Select approval, cumulative or ranked voting']],
    ];
    for (const [fields, expected] of cases) {
      const response = await agent.submit(newBudget(), { ...settingsBudget, ...fields }, createBudget());
      assert.equal(response.statusCode, 400, JSON.stringify(fields));
      assert.deepEqual(errorSummary(response.body), expected, JSON.stringify(fields));
      assert.match(response.body, /value="Points budget"/);
    }
    const kept = await agent.submit(
      newBudget(),
      {
        ...settingsBudget,
        ballotKind: 'cumulative',
        pointsTotal: '5',
        maxPointsPerProject: '6',
        basket: 'yes',
      },
      createBudget(),
    );
    assert.match(kept.body, /name="ballotKind" type="radio" value="cumulative" checked/);
    assert.match(kept.body, /name="pointsTotal" type="text" value="5"/);
    assert.match(kept.body, /name="basket" type="checkbox" value="yes" checked/);
    assert.equal((await t.database.db.selectFrom('budgets').select('id').execute()).length, before);
  });
});

describe('settings are fixed once voting opens', () => {
  let openId: string;
  let openFields: Record<string, string>;

  async function setDates(id: string, opens: string, closes: string) {
    await t.database.db
      .updateTable('budgets')
      .set({ voting_opens_on: opens, voting_closes_on: closes })
      .where('id', '=', id)
      .execute();
  }

  it('lets the officer change anything before voting opens', async () => {
    const agent = await signedIn('officer@example.test');
    const created = await agent.submit(
      newBudget(),
      {
        ...goodBudget,
        title: 'Locking budget',
        votingOpensOn: addDays(today(), 2),
        votingClosesOn: addDays(today(), 12),
      },
      createBudget(),
    );
    assert.equal(created.statusCode, 303, errorSummary(agent.lastPage).join());
    openId = (created.headers.location as string).split('/').pop()!;
    const edit = await agent.get(`/places/riverside/budgets/${openId}/edit`);
    assert.doesNotMatch(edit.body, /can no longer change/);
    const fields = { ...formFields(edit.body), rule: 'mes_approval', ballotKind: 'ordinal', rankLimit: '2' };
    const saved = await agent.submit(
      `/places/riverside/budgets/${openId}/edit`,
      fields,
      `/places/riverside/budgets/${openId}`,
    );
    assert.equal(saved.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', openId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.rule, row.ballot_kind, row.rank_limit], ['mes_approval', 'ordinal', 2]);
  });

  it('refuses to change the rule, ballot, money, districts or opening date after voting opens', async () => {
    const agent = await signedIn('officer@example.test');
    // The officer opened the form before voting opened and sends it after.
    const stale = formFields((await agent.get(`/places/riverside/budgets/${openId}/edit`)).body);
    await setDates(openId, addDays(today(), -1), addDays(today(), 12));
    openFields = formFields((await agent.get(`/places/riverside/budgets/${openId}/edit`)).body);
    const url = `/places/riverside/budgets/${openId}`;
    const cases: [Record<string, string>, string][] = [
      [{ rule: 'mes_cost' }, 'Voting has opened, so how votes are counted cannot change'],
      [{ ballotKind: 'approval' }, 'Voting has opened, so the kind of ballot cannot change'],
      [{ rankLimit: '3' }, 'Voting has opened, so the limits of a ballot cannot change'],
      [{ basket: 'yes' }, 'Voting has opened, so the limits of a ballot cannot change'],
      [{ totalAmount: '20000' }, 'Voting has opened, so the money to spend cannot change'],
      [{ district1Amount: '3000' }, 'Voting has opened, so the districts and their money cannot change'],
      [
        { district3Name: 'Eastbank', district3Amount: '10' },
        'Voting has opened, so the districts and their money cannot change',
      ],
      [{ votingOpensOn: addDays(today(), -3) }, 'Voting has opened, so the date voting opens cannot change'],
      [{ votingClosesOn: addDays(today(), -1) }, 'Voting is open, so it must close today or later'],
    ];
    const before = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', openId)
      .executeTakeFirstOrThrow();
    for (const [change, message] of cases) {
      const response = await agent.submit(
        `${url}/edit`,
        { ...stale, votingOpensOn: addDays(today(), -1), ...change },
        url,
      );
      assert.equal(response.statusCode, 400, JSON.stringify(change));
      assert.deepEqual(errorSummary(response.body), [message], JSON.stringify(change));
      // The page shown again holds the stored settings, so sending it again works.
      assert.match(response.body, /Voting has opened, so how votes are counted, the ballot, the money/);
      assert.match(response.body, /<input type="hidden" name="rule" value="mes_approval">/);
    }
    const after = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', openId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after, before);
    const districts = await t.database.db
      .selectFrom('budget_districts')
      .select('id')
      .where('budget_id', '=', openId)
      .execute();
    assert.equal(districts.length, 2);
  });

  it('still lets the title, districts’ names and closing date change while voting is open', async () => {
    const agent = await signedIn('officer@example.test');
    const url = `/places/riverside/budgets/${openId}`;
    const edit = await agent.get(`${url}/edit`);
    assert.doesNotMatch(edit.body, /name="rule" type="radio"/);
    assert.match(edit.body, /name="votingClosesOn" type="date"/);
    // A resident opens the ballot before and after: the ballot this process remembers while voting is
    // open is forgotten as soon as the budget is saved, so the new name shows at once.
    const voter = await signedIn('rosa@example.test');
    const caption = async () =>
      (await voter.get(`${url}/ballot?choose=district`)).body.match(
        /<span class="govuk-caption-l">([^<]*)</,
      )?.[1];
    assert.equal(await caption(), 'Locking budget');
    const before = (await auditRows('budget.updated')).length;
    const response = await agent.submit(
      `${url}/edit`,
      {
        ...openFields,
        title: 'Locking budget, renamed',
        district1Name: 'North bank',
        votingClosesOn: addDays(today(), 20),
      },
      url,
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', openId)
      .executeTakeFirstOrThrow();
    assert.equal(row.title, 'Locking budget, renamed');
    assert.equal(row.voting_closes_on, addDays(today(), 20));
    assert.equal(row.rule, 'mes_approval');
    assert.equal(await caption(), 'Locking budget, renamed');
    const names = await t.database.db
      .selectFrom('budget_districts')
      .select('name')
      .where('budget_id', '=', openId)
      .orderBy('position')
      .execute();
    assert.deepEqual(
      names.map((n) => n.name),
      ['North bank', 'Southbank'],
    );
    assert.equal((await auditRows('budget.updated')).length, before + 1);
  });

  it('after voting closes, fixes the closing date too but not the title', async () => {
    const agent = await signedIn('officer@example.test');
    await setDates(openId, addDays(today(), -10), addDays(today(), -1));
    const url = `/places/riverside/budgets/${openId}`;
    const edit = await agent.get(`${url}/edit`);
    assert.match(edit.body, /Voting has closed, so how votes are counted/);
    assert.doesNotMatch(edit.body, /name="votingClosesOn" type="date"/);
    const fields = formFields(edit.body);
    const reopen = await agent.submit(`${url}/edit`, { ...fields, votingClosesOn: addDays(today(), 5) }, url);
    assert.equal(reopen.statusCode, 400);
    assert.deepEqual(errorSummary(reopen.body), ['Voting has closed, so the date it closes cannot change']);
    const renamed = await agent.submit(`${url}/edit`, { ...fields, title: 'Locking budget 2027' }, url);
    assert.equal(renamed.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', openId)
      .executeTakeFirstOrThrow();
    assert.equal(row.title, 'Locking budget 2027');
    assert.equal(row.voting_closes_on, addDays(today(), -1));
  });

  it('fixes the settings once any ballot is recorded, even before voting opens', async () => {
    const agent = await signedIn('officer@example.test');
    await setDates(openId, addDays(today(), 3), addDays(today(), 10));
    await t.database.db
      .insertInto('ballots')
      .values({ place_id: place.id, budget_id: openId, district_id: null, channel: 'imported' })
      .execute();
    const url = `/places/riverside/budgets/${openId}`;
    const fields = formFields((await agent.get(`${url}/edit`)).body);
    const response = await agent.submit(`${url}/edit`, { ...fields, rule: 'mes_cost' }, url);
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Ballots have been recorded, so how votes are counted cannot change',
    ]);
  });

  it('shows an imported choose-1 or scoring ballot read-only', async () => {
    const agent = await signedIn('officer@example.test');
    const created = await agent.submit(
      newBudget(),
      {
        ...goodBudget,
        title: 'Imported',
        district1Name: '',
        district1Amount: '',
        district2Name: '',
        district2Amount: '',
      },
      createBudget(),
    );
    const id = (created.headers.location as string).split('/').pop()!;
    await t.database.db
      .updateTable('budgets')
      .set({
        ballot_kind: 'scoring',
        points_total: 5,
        voting_opens_on: addDays(today(), 3),
        voting_closes_on: addDays(today(), 9),
      })
      .where('id', '=', id)
      .execute();
    const url = `/places/riverside/budgets/${id}`;
    const edit = await agent.get(`${url}/edit`);
    assert.match(edit.body, /This ballot came from an imported file/);
    assert.match(edit.body, /Scoring: give each project a score/);
    assert.doesNotMatch(edit.body, /name="ballotKind" type="radio"/);
    const fields = formFields(edit.body);
    const tampered = await agent.submit(`${url}/edit`, { ...fields, ballotKind: 'approval' }, url);
    assert.equal(tampered.statusCode, 400);
    assert.deepEqual(errorSummary(tampered.body), [
      'This ballot came from an imported file, so its settings cannot change here',
    ]);
    const saved = await agent.submit(
      `${url}/edit`,
      { ...fields, title: 'Imported, renamed', rule: 'mes_cost' },
      url,
    );
    assert.equal(saved.statusCode, 303, errorSummary(agent.lastPage).join());
    const row = await t.database.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.title, row.rule, row.ballot_kind, row.points_total],
      ['Imported, renamed', 'mes_cost', 'scoring', 5],
    );
  });
});

describe('navigation and cost limits', () => {
  it('shows "Projects to assess" in the place navigation to valuators only', async () => {
    const valuator = await signedIn('val@example.test');
    const page = await valuator.get('/places/riverside');
    assert.match(page.body, /href="\/places\/riverside\/projects-to-assess"/);
    const resident = await signedIn('rosa@example.test');
    assert.doesNotMatch((await resident.get('/places/riverside')).body, /projects-to-assess/);
  });

  it('limits a project of a budget without districts to the whole budget', async () => {
    const officer = await signedIn('officer@example.test');
    const created = await officer.submit(
      newBudget(),
      {
        ...goodBudget,
        title: 'No districts',
        totalAmount: '800',
        district1Name: '',
        district1Amount: '',
        district2Name: '',
        district2Amount: '',
      },
      createBudget(),
    );
    const id = (created.headers.location as string).split('/').pop()!;
    const made = await officer.submit(
      `/places/riverside/budgets/${id}/projects/new`,
      { title: 'Wildflowers', description: 'Seed the verges.' },
      `/places/riverside/budgets/${id}/projects`,
    );
    const projectId = (made.headers.location as string).split('/').pop()!;
    const page = `/places/riverside/budgets/${id}/projects/${projectId}`;
    await officer.submit(page, { valuatorId }, `${page}/valuator`);
    const valuator = await signedIn('val@example.test');
    const response = await valuator.submit(`/places/riverside/projects-to-assess/${projectId}`, {
      estimatedCost: '800.01',
      feasibility: 'feasible',
      reason: 'Seed is cheap, labour is not.',
    });
    assert.deepEqual(errorSummary(response.body), [
      'Estimated cost must be 800.00 GBP or less, the amount of the budget',
    ]);
  });
});

describe('GET /places/:slug/processes/:processId/budgets (the list)', () => {
  it('pages a process’s budgets 25 at a time, oldest first, beyond the hundredth', async () => {
    const manyId = await t.createProcess({ placeId: place.id, title: 'A process with many budgets' });
    const emptyId = await t.createProcess({ placeId: place.id, title: 'A process with none' });
    await sql`
      INSERT INTO budgets (place_id, process_id, title, currency, total_amount, voting_opens_on, voting_closes_on,
                           rule, ballot_kind, created_at)
      SELECT ${place.id}, ${manyId}, 'Budget ' || lpad(n::text, 3, '0'), 'GBP', 1000, '2030-01-01', '2030-01-31',
             'greedy_votes', 'approval', timestamptz '2026-01-01' + n * interval '1 minute'
      FROM generate_series(1, 101) n`.execute(t.database.db);
    const agent = new Agent(t.app);
    const list = `/places/riverside/processes/${manyId}/budgets`;
    const titles = (html: string) => [...html.matchAll(/>(Budget \d{3})<\/a>/g)].map((m) => m[1]);
    const first = await agent.get(list);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Showing 1 to 25 of 101 budgets, oldest first\./);
    assert.deepEqual(
      titles(first.body),
      Array.from({ length: 25 }, (_, i) => `Budget ${String(i + 1).padStart(3, '0')}`),
    );
    assert.match(first.body, new RegExp(`href="${list}\\?page=2"`));
    const last = await agent.get(`${list}?page=5`);
    assert.match(last.body, /Showing 101 to 101 of 101 budgets/);
    assert.deepEqual(titles(last.body), ['Budget 101']);
    assert.match((await agent.get(`${list}?page=6`)).body, /Go to the first page/);

    // The process page links to the list only when there is a budget.
    const many = await agent.get(`/places/riverside/processes/${manyId}`);
    assert.match(many.body, new RegExp(`href="${list}">Participatory budgets<`));
    const none = await agent.get(`/places/riverside/processes/${emptyId}`);
    assert.doesNotMatch(none.body, /Participatory budgets</);
  });
});

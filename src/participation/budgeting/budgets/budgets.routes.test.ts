import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../testing/harness.ts';

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
      estimatedCost: '12000.01',
      feasibility: 'feasible',
      reason: 'Trees need watering for three years.',
    });
    assert.deepEqual(errorSummary(overBudget.body), [
      'Estimated cost must be 12000.00 GBP or less, the amount of the budget',
    ]);
    assert.equal((await project(directId)).feasibility, 'pending');
  });

  it('records the assigned valuator’s decision, audited, and shows it publicly', async () => {
    const agent = await signedIn('val@example.test');
    const feasible = await agent.submit(`/places/riverside/projects-to-assess/${fromProposalId}`, {
      estimatedCost: '3,500.50',
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
    assert.equal(Number(row.estimated_cost), 3500.5);
    assert.equal(row.assessed_by, valuatorId);
    assert.ok(row.assessed_at);
    const audits = await auditRows('project.assessed');
    assert.equal(audits.length, 2);
    assert.equal(audits[0]!.actor_id, valuatorId);
    assert.deepEqual(audits[0]!.details, { estimatedCost: '3500.50', feasibility: 'feasible' });

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
    assert.match(page.body, /£3,500\.50/);
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
});

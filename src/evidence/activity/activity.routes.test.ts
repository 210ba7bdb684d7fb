import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let north: { id: string; slug: string; name: string };
let processId: string;
let longProcess: string;
let author: string;

async function signIn(email: string): Promise<Agent> {
  const agent = new Agent(t.app);
  const res = await agent.submit('/sign-in', { email, password: 'correct-horse-battery-staple-7' });
  assert.equal(res.statusCode, 303);
  return agent;
}

function cells(html: string, header: string): string[] {
  const match = [
    ...html.matchAll(/<tr class="govuk-table__row"><th scope="row"[^>]*>([^<]*)<\/th>(.*?)<\/tr>/gs),
  ].find((m) => m[1] === header);
  assert.ok(match, `no row ${header}`);
  return [...match[2]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!.trim());
}

before(async () => {
  t = await buildTestApp();
  north = await t.createPlace('north', 'North Vale');
  const south = await t.createPlace('south', 'South Vale');
  await t.createUser({ email: 'analyst@example.test', roles: [{ placeId: north.id, role: 'analyst' }] });
  author = await t.createUser({ email: 'author@example.test' });
  // A four-week process (by week) and a long one (by month).
  processId = await t.createProcess({
    placeId: north.id,
    title: 'Short',
    phases: [
      {
        name: 'Open',
        startsOn: '2027-03-01',
        endsOn: '2027-03-28',
        allows: ['propose', 'support', 'comment', 'vote'],
      },
    ],
  });
  longProcess = await t.createProcess({
    placeId: north.id,
    title: 'Long',
    phases: [{ name: 'Open', startsOn: '2027-01-01', endsOn: '2027-12-31', allows: ['propose'] }],
  });
  const db = t.database.db;
  const at = (iso: string) => new Date(iso);
  const p1 = await t.createProposal({ placeId: north.id, processId, authorId: author });
  const p2 = await t.createProposal({ placeId: north.id, processId, authorId: author });
  await t.createProposal({ placeId: north.id, processId, authorId: author, status: 'hidden' });
  const other = await t.createProposal({ placeId: north.id, processId: longProcess, authorId: author });
  await t.createProposal({
    placeId: south.id,
    processId: await t.createProcess({ placeId: south.id }),
    authorId: author,
  });
  await db
    .updateTable('proposals')
    .set({ created_at: at('2027-03-02T10:00:00Z') } as never)
    .where('id', '=', p1)
    .execute();
  await db
    .updateTable('proposals')
    .set({ created_at: at('2027-03-10T10:00:00Z') } as never)
    .where('id', '=', p2)
    .execute();
  await db
    .updateTable('proposals')
    .set({ created_at: at('2027-03-03T10:00:00Z') } as never)
    .where('process_id', '=', processId)
    .where('status', '=', 'hidden')
    .execute();
  await db
    .updateTable('proposals')
    .set({ created_at: at('2027-05-20T10:00:00Z') } as never)
    .where('id', '=', other)
    .execute();
  for (let i = 0; i < 3; i++) {
    const voter = await t.createUser({ email: `voter-${i}@example.test` });
    await db
      .insertInto('supports')
      .values({
        place_id: north.id,
        proposal_id: p1,
        user_id: voter,
        process_id: processId,
        created_at: at('2027-03-09T09:00:00Z'),
      } as never)
      .execute();
  }
  // Sunday 7 March 23:30 UTC is still Sunday in London (GMT): the week of 1 March.
  await db
    .insertInto('comments')
    .values({
      place_id: north.id,
      process_id: processId,
      proposal_id: p1,
      parent_id: null,
      depth: 0,
      author_id: author,
      body: 'Yes',
      stance: 'neutral',
      status: 'published',
      created_at: at('2027-03-07T23:30:00Z'),
    } as never)
    .execute();
  const budget = await db
    .insertInto('budgets')
    .values({
      place_id: north.id,
      process_id: processId,
      title: 'Parks budget',
      total_amount: '1000.00',
      voting_opens_on: '2027-03-01',
      voting_closes_on: '2027-03-28',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const districts = await db
    .insertInto('budget_districts')
    .values([
      { place_id: north.id, budget_id: budget.id, position: 1, name: 'North Bank', amount: '500.00' },
      { place_id: north.id, budget_id: budget.id, position: 2, name: 'Old Town', amount: '500.00' },
    ])
    .returning('id')
    .execute();
  for (let i = 0; i < 4; i++) {
    const voter = await t.createUser({ email: `ballot-${i}@example.test` });
    await db
      .insertInto('ballots')
      .values({
        place_id: north.id,
        budget_id: budget.id,
        channel: 'online',
        voter_id: voter,
        district_id: districts[i < 3 ? 0 : 1]!.id,
        created_at: at('2027-03-16T12:00:00Z'),
      } as never)
      .execute();
  }
  await db
    .insertInto('population_profiles')
    .values({ place_id: north.id, filename: 'p.csv', uploaded_by: null })
    .execute();
  await db
    .insertInto('population_profile_rows')
    .values([
      {
        place_id: north.id,
        dimension: 'area',
        dimension_label: 'Area',
        dimension_position: 0,
        category: 'North Bank',
        position: 0,
        population: 600,
        share: '0.6',
      },
      {
        place_id: north.id,
        dimension: 'area',
        dimension_label: 'Area',
        dimension_position: 0,
        category: 'South Bank',
        position: 1,
        population: 400,
        share: '0.4',
      },
    ])
    .execute();
});
after(async () => {
  await t.close();
});

describe('GET /places/:slug/evidence/activity/:processId', () => {
  it('refuses residents', async () => {
    const resident = await signIn('author@example.test');
    assert.equal((await resident.get(`/places/north/evidence/activity/${processId}`)).statusCode, 403);
    assert.equal((await resident.get('/places/north/evidence/activity.csv')).statusCode, 403);
  });

  it('counts a short process by week, ballots by channel, and turnout by area', async () => {
    const analyst = await signIn('analyst@example.test');
    const page = await analyst.get(`/places/north/evidence/activity/${processId}`);
    assert.equal(page.statusCode, 200);
    // Columns: proposals, comments, supports, online, code, paper, imported, all.
    assert.deepEqual(cells(page.body, 'Week of 1 March 2027'), ['1', '1', '0', '0', '0', '0', '0', '2']);
    assert.deepEqual(cells(page.body, 'Week of 8 March 2027'), ['1', '0', '3', '0', '0', '0', '0', '4']);
    assert.deepEqual(cells(page.body, 'Week of 15 March 2027'), ['0', '0', '0', '4', '0', '0', '0', '4']);
    // North Bank: 3 ballots of 600 people = 0.5 %; Old Town is not in the profile.
    assert.deepEqual(cells(page.body, 'North Bank'), ['Parks budget', '3', '600', '0.5%']);
    assert.deepEqual(cells(page.body, 'Old Town'), ['Parks budget', '1', '–', '–']);
    assert.match(page.body, /<svg role="img"/);
  });

  it('downloads the same table as CSV', async () => {
    const analyst = await signIn('analyst@example.test');
    const res = await analyst.get(`/places/north/evidence/activity/${processId}/activity.csv`);
    assert.equal(res.statusCode, 200);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(
      lines[0],
      'week_starting,proposals,comments,supports,ballots_online,ballots_code,ballots_paper,ballots_imported,total',
    );
    assert.equal(lines[2], '2027-03-08,1,0,3,0,0,0,0,4');
  });

  it('counts the whole place by month, without other places', async () => {
    const analyst = await signIn('analyst@example.test');
    const page = await analyst.get('/places/north/evidence/activity');
    assert.deepEqual(cells(page.body, 'March 2027'), ['2', '1', '3', '4', '0', '0', '0', '10']);
    assert.deepEqual(cells(page.body, 'May 2027'), ['1', '0', '0', '0', '0', '0', '0', '1']);
  });
});

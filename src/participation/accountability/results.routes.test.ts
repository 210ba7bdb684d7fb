import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let otherProcessId: string;
let residentId: string;
let proposalId: string;
let resultId: string;
let projectResultId: string;

/** The smallest PNG there is: a 1×1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function decision(values: {
  processId: string | null;
  sourceType: 'proposal' | 'budget_project' | 'assembly_recommendation';
  sourceId: string;
  title: string;
}): Promise<string> {
  const row = await t.database.db
    .insertInto('decisions')
    .values({
      place_id: place.id,
      process_id: values.processId,
      source_type: values.sourceType,
      source_id: values.sourceId,
      title: values.title,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const hillside = await t.createPlace('hillside', 'Hillside');
  processId = await t.createProcess({ placeId: place.id, title: 'Riverside ideas 2027' });
  otherProcessId = await t.createProcess({ placeId: place.id, title: 'Riverside budget 2027' });
  await t.createUser({ email: 'officer@example.test', roles: [{ placeId: place.id, role: 'officer' }] });
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  residentId = await t.createUser({
    email: 'rosa@example.test',
    name: 'Rosa Resident',
    roles: [{ placeId: place.id, role: 'resident' }],
  });
  await t.createUser({ email: 'finn@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  proposalId = await t.createProposal({
    placeId: place.id,
    processId,
    authorId: residentId,
    title: 'Trees on Mill Lane',
  });
  // Authors follow what they propose (the proposal service does this when a proposal is made).
  await t.database.db
    .insertInto('follows')
    .values({ place_id: place.id, user_id: residentId, target_type: 'proposal', target_id: proposalId })
    .execute();
  await t.database.db
    .updateTable('proposals')
    .set({ answer: 'accepted', answer_reason: 'We will plant them this winter.' })
    .where('id', '=', proposalId)
    .execute();
  resultId = await decision({
    processId,
    sourceType: 'proposal',
    sourceId: proposalId,
    title: 'Trees on Mill Lane',
  });

  const budget = await t.database.db
    .insertInto('budgets')
    .values({
      place_id: place.id,
      process_id: otherProcessId,
      title: 'Neighbourhood Fund',
      currency: 'EUR',
      total_amount: '10000',
      voting_opens_on: '2027-01-01',
      voting_closes_on: '2027-01-31',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await t.database.db
    .insertInto('projects')
    .values({
      place_id: place.id,
      budget_id: budget.id,
      title: 'Benches on the green',
      description: 'Six benches.',
      estimated_cost: '1500.00',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  projectResultId = await decision({
    processId: otherProcessId,
    sourceType: 'budget_project',
    sourceId: project.id,
    title: 'Benches on the green',
  });
  await decision({
    processId: null,
    sourceType: 'assembly_recommendation',
    sourceId: '00000000-0000-4000-8000-000000000001',
    title: 'Cheaper bus fares for under-25s',
  });
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

describe('decisions as results', () => {
  it('makes every decision a result that has not started, with a budget winner’s cost and currency', async () => {
    const rows = await t.database.db
      .selectFrom('decisions')
      .select(['id', 'status', 'progress', 'currency', 'budgeted'])
      .where('place_id', '=', place.id)
      .execute();
    assert.equal(rows.length, 3);
    for (const r of rows) assert.equal(r.status, 'not_started');
    const project = rows.find((r) => r.id === projectResultId)!;
    assert.equal(String(project.budgeted), '1500.00');
    assert.equal(project.currency, 'EUR');
  });
});

describe('GET /places/:slug/results', () => {
  it('shows every result of the place to a visitor, with what was asked and decided', async () => {
    const page = await new Agent(t.app).get('/places/riverside/results');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You said, we did/);
    assert.match(page.body, /Showing 1 to 3 of 3 results/);
    assert.match(
      page.body,
      new RegExp(`href="/places/riverside/processes/${processId}/proposals/${proposalId}"`),
    );
    assert.match(page.body, /We will plant them this winter\./);
    assert.match(page.body, /€1,500\.00 budgeted/);
    assert.match(page.body, /0% done/);
  });

  it('filters by source, process, status and words', async () => {
    const agent = new Agent(t.app);
    const bySource = await agent.get('/places/riverside/results?source=budget');
    assert.match(bySource.body, /Benches on the green/);
    assert.doesNotMatch(bySource.body, /Trees on Mill Lane<\/a><\/h2>/);
    assert.match(bySource.body, /of 1 result</);
    const byProcess = await agent.get(`/places/riverside/results?process=${processId}`);
    assert.match(byProcess.body, /of 1 result</);
    assert.match(byProcess.body, /Trees on Mill Lane/);
    const byWords = await agent.get('/places/riverside/results?q=bus+fares');
    assert.match(byWords.body, /Cheaper bus fares/);
    assert.match(byWords.body, /of 1 result</);
    const byStatus = await agent.get('/places/riverside/results?status=done');
    assert.match(byStatus.body, /No results match these filters/);
    const ignored = await agent.get('/places/riverside/results?status=nonsense&process=x&source=y');
    assert.match(ignored.body, /of 3 results/);
  });

  it('lists a process’s own results on its page', async () => {
    const page = await new Agent(t.app).get(`/places/riverside/processes/${otherProcessId}/results`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Benches on the green/);
    assert.match(page.body, /of 1 result</);
  });

  it('shows nothing of another place', async () => {
    const page = await new Agent(t.app).get('/places/hillside/results');
    assert.match(page.body, /Nothing has been decided here yet/);
    assert.equal((await new Agent(t.app).get(`/places/hillside/results/${resultId}`)).statusCode, 404);
  });
});

describe('POST /places/:slug/results/:id/updates', () => {
  it('refuses a resident', async () => {
    const agent = await signedIn('finn@example.test');
    assert.equal((await agent.get(`/places/riverside/results/${resultId}/updates/new`)).statusCode, 403);
    const response = await agent.submitMultipart(
      `/places/riverside/results/${resultId}`,
      { body: 'Done it myself', status: 'done', progress: '100' },
      {},
      `/places/riverside/results/${resultId}/updates`,
    );
    assert.equal(response.statusCode, 403);
    const count = await t.database.db
      .selectFrom('result_updates')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
  });

  it('refuses an officer of another place', async () => {
    const agent = await signedIn('hill@example.test');
    const response = await agent.submitMultipart(
      '/places/hillside',
      { body: 'Not yours', status: 'done', progress: '100' },
      {},
      `/places/riverside/results/${resultId}/updates`,
    );
    assert.equal(response.statusCode, 403);
  });

  it('needs a reason to drop, and keeps what was typed', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submitMultipart(
      `/places/riverside/results/${resultId}/updates/new`,
      { body: 'We have stopped.', status: 'dropped', progress: '20', dropReason: '' },
      {},
      `/places/riverside/results/${resultId}/updates`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Say why this result was dropped']);
    assert.match(response.body, /We have stopped\./);
    const row = await t.database.db
      .selectFrom('decisions')
      .select('status')
      .where('id', '=', resultId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'not_started');
  });

  it('refuses a photo that is not an image, or one without a description', async () => {
    const agent = await signedIn('officer@example.test');
    const notImage = await agent.submitMultipart(
      `/places/riverside/results/${resultId}/updates/new`,
      { body: 'Work began.', status: 'in_progress', progress: '10', photoAlt: 'A spade' },
      {
        photo: {
          filename: 'x.png',
          contentType: 'image/png',
          bytes: Buffer.from('<html>not a picture</html>'),
        },
      },
      `/places/riverside/results/${resultId}/updates`,
    );
    assert.equal(notImage.statusCode, 400);
    assert.deepEqual(errorSummary(notImage.body), ['The photo must be a JPG, PNG or WEBP']);
    const noAlt = await agent.submitMultipart(
      `/places/riverside/results/${resultId}/updates/new`,
      { body: 'Work began.', status: 'in_progress', progress: '10' },
      { photo: { filename: 'x.png', contentType: 'image/png', bytes: PNG } },
      `/places/riverside/results/${resultId}/updates`,
    );
    assert.deepEqual(errorSummary(noAlt.body), ['Describe the photo for people who cannot see it']);
  });

  it('posts an update with a photo, audits it and tells the proposer and followers', async () => {
    const follower = await signedIn('finn@example.test');
    const followed = await follower.submit(
      `/places/riverside/results/${resultId}`,
      { follow: 'yes' },
      `/places/riverside/results/${resultId}/follow`,
    );
    assert.equal(followed.statusCode, 303);

    const agent = await signedIn('officer@example.test');
    const response = await agent.submitMultipart(
      `/places/riverside/results/${resultId}/updates/new`,
      {
        body: 'The first ten trees are in.',
        status: 'in_progress',
        progress: '40',
        spent: '1,200.50',
        photoAlt: 'Young trees along Mill Lane',
      },
      { photo: { filename: 'trees.png', contentType: 'image/png', bytes: PNG } },
      `/places/riverside/results/${resultId}/updates`,
    );
    assert.equal(response.statusCode, 303);

    const result = await t.database.db
      .selectFrom('decisions')
      .select(['status', 'progress', 'spent'])
      .where('id', '=', resultId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...result, spent: String(result.spent) },
      { status: 'in_progress', progress: 40, spent: '1200.50' },
    );

    const page = await new Agent(t.app).get(`/places/riverside/results/${resultId}`);
    assert.match(page.body, /The first ten trees are in\./);
    assert.match(page.body, /alt="Young trees along Mill Lane"/);
    const src = page.body.match(/src="(\/places\/riverside\/results\/[^"]+\/photo)"/)![1]!;
    const photo = await new Agent(t.app).get(src);
    assert.equal(photo.statusCode, 200);
    assert.equal(photo.headers['content-type'], 'image/png');
    assert.equal(photo.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(photo.rawPayload, PNG);

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('subject_id', '=', resultId)
      .where('action', '=', 'result.update_posted')
      .execute();
    assert.equal(audit.length, 1);

    const told = await t.database.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .select(['users.email', 'notifications.kind', 'notifications.link', 'notifications.title'])
      .where('notifications.kind', '=', 'result.updated')
      .orderBy('users.email')
      .execute();
    assert.deepEqual(
      told.map((n) => n.email),
      ['finn@example.test', 'rosa@example.test'],
    );
    assert.equal(told[0]!.link, `/places/riverside/results/${resultId}`);
    assert.match(told[0]!.title, /In progress, 40% done/);
  });

  it('marks a result done at 100%', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submitMultipart(
      `/places/riverside/results/${projectResultId}/updates/new`,
      { body: 'Benches installed.', status: 'done', progress: '70' },
      {},
      `/places/riverside/results/${projectResultId}/updates`,
    );
    assert.equal(response.statusCode, 303);
    const row = await t.database.db
      .selectFrom('decisions')
      .select(['status', 'progress'])
      .where('id', '=', projectResultId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'done', progress: 100 });
    const done = await new Agent(t.app).get('/places/riverside/results?status=done');
    assert.match(done.body, /Benches on the green/);
    assert.match(done.body, /of 1 result</);
  });
});

describe('POST /places/:slug/results (programmes)', () => {
  it('refuses a resident', async () => {
    const agent = await signedIn('finn@example.test');
    assert.equal((await agent.get('/places/riverside/results/new')).statusCode, 403);
  });

  it('creates a programme whose progress rolls up from its parts, weighted by money', async () => {
    const agent = await signedIn('officer@example.test');
    const created = await agent.submit(
      '/places/riverside/results/new',
      {
        title: 'Greener streets programme',
        summary: 'Trees and benches across Riverside.',
        parentId: '',
        startsOn: '2027-01-01',
        endsOn: '2027-12-31',
        budgeted: '',
        currency: 'gbp',
      },
      '/places/riverside/results',
    );
    assert.equal(created.statusCode, 303);
    const programmeId = created.headers.location!.toString().split('/').pop()!;

    // Trees: 40%, no budget yet; benches: done. Plain mean: (40 + 100) / 2 = 70.
    for (const [id, title] of [
      [resultId, 'Trees on Mill Lane'],
      [projectResultId, 'Benches on the green'],
    ] as const) {
      const edit = await agent.submit(
        `/places/riverside/results/${id}/edit`,
        {
          title,
          parentId: programmeId,
          currency: id === resultId ? 'EUR' : 'EUR',
          budgeted: id === resultId ? '' : '1500',
        },
        `/places/riverside/results/${id}`,
      );
      assert.equal(edit.statusCode, 303);
    }
    let page = await new Agent(t.app).get(`/places/riverside/results/${programmeId}`);
    assert.match(page.body, /70% done \(from its parts\)/);
    assert.match(page.body, /Parts of this result/);

    // With both costed (trees £4,500 at 40%, benches £1,500 at 100%): (4500×40 + 1500×100) / 6000 = 55.
    await agent.submit(
      `/places/riverside/results/${resultId}/edit`,
      { title: 'Trees on Mill Lane', parentId: programmeId, budgeted: '4500', currency: 'EUR' },
      `/places/riverside/results/${resultId}`,
    );
    page = await new Agent(t.app).get(`/places/riverside/results/${programmeId}`);
    assert.match(page.body, /55% done \(from its parts\)/);

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', programmeId)
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['result.created'],
    );
  });

  it('refuses to put a result inside one of its own parts', async () => {
    const agent = await signedIn('officer@example.test');
    const trees = await t.database.db
      .selectFrom('decisions')
      .select('parent_id')
      .where('id', '=', resultId)
      .executeTakeFirstOrThrow();
    const response = await agent.submit(
      `/places/riverside/results/${trees.parent_id}/edit`,
      { title: 'Greener streets programme', parentId: resultId, currency: 'GBP' },
      `/places/riverside/results/${trees.parent_id}`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'A result cannot be part of itself or of one of its own parts',
    ]);
  });

  it('explains bad dates and money', async () => {
    const agent = await signedIn('officer@example.test');
    const response = await agent.submit(
      '/places/riverside/results/new',
      {
        title: '',
        startsOn: '2027-05-01',
        endsOn: '2027-04-01',
        budgeted: 'lots',
        currency: 'GBP',
      },
      '/places/riverside/results',
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Enter a title',
      'Money budgeted must be an amount, like 25000 or 1250.50',
    ]);
    const dates = await agent.submit(
      '/places/riverside/results/new',
      { title: 'Play streets', startsOn: '2027-05-01', endsOn: '2027-04-01', currency: 'GBP' },
      '/places/riverside/results',
    );
    assert.deepEqual(errorSummary(dates.body), ['End date must be on or after the start date']);
  });
});

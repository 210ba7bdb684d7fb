import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { addDays, today } from '../processes/phases.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let residentId: string;
let neighbourId: string;

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1d5a20000000049454e44ae426082',
  'hex',
);

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  processId = await t.createProcess({
    placeId: place.id,
    title: 'Streets for people',
    categories: ['Roads', 'Parks'],
  });
  residentId = await t.createUser({
    email: 'rosa@example.test',
    name: 'Rosa Quill',
    roles: [{ placeId: place.id, role: 'resident' }],
  });
  neighbourId = await t.createUser({ email: 'nell@example.test', name: 'Nell Neighbour' });
  await t.createUser({ email: 'officer@example.test', roles: [{ placeId: place.id, role: 'officer' }] });
});
after(async () => {
  await t.close();
});

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

const base = () => `/places/riverside/processes/${processId}/proposals`;

async function proposal(id: string) {
  return t.database.db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('POST …/proposals', () => {
  it('publishes a proposal by an eligible resident, who then follows it', async () => {
    const agent = await signedIn('rosa@example.test');
    const response = await agent.submit(
      `${base()}/new`,
      {
        title: 'A crossing on Mill Lane',
        body: 'Children cross here every morning and cars are fast.',
        category: 'Roads',
        area: 'Northbank',
        postcode: 'rv1 1aa',
      },
      base(),
    );
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const id = (response.headers.location as string).split('/').pop()!;
    const row = await proposal(id);
    assert.equal(row.status, 'published');
    assert.equal(row.postcode, 'RV11AA');
    const follows = await t.database.db
      .selectFrom('follows')
      .selectAll()
      .where('target_id', '=', id)
      .execute();
    assert.deepEqual(
      follows.map((f) => f.user_id),
      [residentId],
    );
    const page = await agent.get(response.headers.location as string);
    assert.match(page.body, /A crossing on Mill Lane/);
    assert.match(page.body, /Your proposal has been published/);
  });

  it('rejects bad input with the error summary and keeps what was typed', async () => {
    const agent = await signedIn('rosa@example.test');
    const response = await agent.submit(
      `${base()}/new`,
      { title: '', body: 'Too short', category: '', area: 'My street' },
      base(),
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Enter a title',
      'Describe your proposal in at least 20 characters',
    ]);
    assert.match(response.body, /value="My street"/);
    assert.match(response.body, />Too short<\/textarea>/);
    const noCategory = await agent.submit(
      `${base()}/new`,
      { title: 'Something', body: 'A long enough description of it.' },
      base(),
    );
    assert.deepEqual(errorSummary(noCategory.body), ['Select a category']);
  });

  it('accepts a PNG image with a description and serves it; refuses other files and missing descriptions', async () => {
    const agent = await signedIn('rosa@example.test');
    const fields = {
      title: 'A picture proposal',
      body: 'See the picture of the junction below.',
      category: 'Roads',
    };
    const noAlt = await agent.submitMultipart(
      `${base()}/new`,
      fields,
      { image: { filename: 'a.png', contentType: 'image/png', bytes: PNG } },
      base(),
    );
    assert.deepEqual(errorSummary(noAlt.body), ['Describe the image for people who cannot see it']);
    const fake = await agent.submitMultipart(
      `${base()}/new`,
      { ...fields, imageAlt: 'x' },
      { image: { filename: 'a.png', contentType: 'image/png', bytes: Buffer.from('<svg onload=alert(1)>') } },
      base(),
    );
    assert.deepEqual(errorSummary(fake.body), ['The image must be a JPG, PNG or WEBP']);
    const huge = await agent.submitMultipart(
      `${base()}/new`,
      { ...fields, imageAlt: 'x' },
      {
        image: {
          filename: 'a.png',
          contentType: 'image/png',
          bytes: Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]),
        },
      },
      base(),
    );
    assert.deepEqual(errorSummary(huge.body), ['The image must be smaller than 2 MB']);
    const ok = await agent.submitMultipart(
      `${base()}/new`,
      { ...fields, imageAlt: 'The junction at school time' },
      { image: { filename: 'a.png', contentType: 'image/png', bytes: PNG } },
      base(),
    );
    assert.equal(ok.statusCode, 303);
    const page = await agent.get(ok.headers.location as string);
    assert.match(page.body, /alt="The junction at school time"/);
    const image = await new Agent(t.app).get(`${ok.headers.location}/image`);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.deepEqual(image.rawPayload, PNG);
  });

  it('refuses people who may not propose, saying why and how to qualify', async () => {
    const visitor = await new Agent(t.app).get(`${base()}/new`);
    assert.equal(visitor.statusCode, 302);
    const residentsOnly = await t.createProcess({
      placeId: place.id,
      eligibility: 'verified_residents',
      minimumAge: 16,
    });
    const agent = await signedIn('nell@example.test');
    const refused = await agent.get(`/places/riverside/processes/${residentsOnly}/proposals/new`);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Only residents of this place can take part in this process/);
    assert.match(refused.body, /Confirm you live here/);
    await t.database.db
      .insertInto('resident_verifications')
      .values({
        place_id: place.id,
        user_id: neighbourId,
        method: 'postcode',
        postcode: 'RV11AA',
        date_of_birth: addDays(today(), -365 * 12),
        verified_by: null,
        note: null,
      })
      .execute();
    const young = await agent.get(`/places/riverside/processes/${residentsOnly}/proposals/new`);
    assert.match(young.body, /You need to be 16 or older/);
    const closed = await t.createProcess({
      placeId: place.id,
      phases: [
        {
          name: 'Listening',
          startsOn: addDays(today(), -1),
          endsOn: addDays(today(), 5),
          allows: ['comment'],
        },
      ],
    });
    const phaseClosed = await agent.submit(
      `/places/riverside/processes/${closed}`,
      { title: 'Late idea', body: 'This arrives after proposals closed.' },
      `/places/riverside/processes/${closed}/proposals`,
    );
    assert.equal(phaseClosed.statusCode, 403);
    assert.match(phaseClosed.body, /Proposals are not open in the Listening phase/);
  });

  it('refuses blocked users', async () => {
    const blocked = await t.createUser({ email: 'blocked@example.test' });
    await t.database.db
      .insertInto('user_blocks')
      .values({ place_id: place.id, user_id: blocked, blocked_by: null, reason: 'Repeated spam' })
      .execute();
    const agent = await signedIn('blocked@example.test');
    const response = await agent.get(`${base()}/new`);
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /blocked you from posting. The reason given was: Repeated spam/);
  });

  it('holds a proposal with a blocked word for a moderator, visible only to its author', async () => {
    await t.database.db
      .insertInto('moderation_settings')
      .values({
        place_id: place.id,
        hide_after_reports: 3,
        hold_links_from_accounts_younger_than_days: 0,
        blocked_words: ['casino'],
      })
      .execute();
    const agent = await signedIn('rosa@example.test');
    const response = await agent.submit(
      `${base()}/new`,
      { title: 'Casino night', body: 'A casino night to raise money for the park.', category: 'Parks' },
      base(),
    );
    assert.equal(response.statusCode, 303);
    const id = (response.headers.location as string).split('/').pop()!;
    assert.equal((await proposal(id)).status, 'held');
    assert.match((await agent.get(response.headers.location as string)).body, /waiting for a moderator/);
    assert.equal((await new Agent(t.app).get(response.headers.location as string)).statusCode, 404);
    assert.doesNotMatch((await new Agent(t.app).get(base())).body, /Casino night/);
    await t.database.db.deleteFrom('moderation_settings').execute();
  });
});

describe('editing and withdrawing', () => {
  it('lets the author edit until the first support, then refuses', async () => {
    const id = await t.createProposal({
      placeId: place.id,
      processId,
      authorId: residentId,
      title: 'Editable',
      category: 'Parks',
    });
    const agent = await signedIn('rosa@example.test');
    const edited = await agent.submit(`${base()}/${id}/edit`, {
      title: 'Edited title',
      body: 'A better description than before.',
      category: 'Parks',
    });
    assert.equal(edited.statusCode, 303);
    assert.equal((await proposal(id)).title, 'Edited title');
    const nell = await signedIn('nell@example.test');
    await nell.submit(`${base()}/${id}`, {}, `${base()}/${id}/support`);
    const refused = await agent.submit(`${base()}/${id}/edit`, {
      title: 'Sneaky change',
      body: 'Changing what people supported.',
      category: 'Parks',
    });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /can no longer be changed, because people have supported or commented/);
    assert.equal((await proposal(id)).title, 'Edited title');
  });

  it('refuses edits by anyone but the author', async () => {
    const id = await t.createProposal({
      placeId: place.id,
      processId,
      authorId: residentId,
      category: 'Parks',
    });
    const nell = await signedIn('nell@example.test');
    assert.equal((await nell.get(`${base()}/${id}/edit`)).statusCode, 404);
    await nell.get(base());
    const post = await nell.postRaw(`${base()}/${id}/edit`, {
      _csrf: nell.csrfToken(),
      title: 'Hijack',
      body: 'Not my proposal at all, really.',
      category: 'Parks',
    });
    assert.equal(post.statusCode, 403);
  });

  it('lets the author withdraw, and the proposal stays visible as withdrawn', async () => {
    const id = await t.createProposal({
      placeId: place.id,
      processId,
      authorId: residentId,
      title: 'To withdraw',
    });
    const agent = await signedIn('rosa@example.test');
    await agent.submit(`${base()}/${id}`, {}, `${base()}/${id}/withdraw`);
    assert.equal((await proposal(id)).status, 'withdrawn');
    assert.match(
      (await new Agent(t.app).get(`${base()}/${id}`)).body,
      /Its author has withdrawn this proposal/,
    );
  });
});

describe('supports', () => {
  it('counts one support per resident and lets it be withdrawn', async () => {
    const id = await t.createProposal({ placeId: place.id, processId, authorId: residentId });
    const nell = await signedIn('nell@example.test');
    await nell.submit(`${base()}/${id}`, {}, `${base()}/${id}/support`);
    await nell.submit(`${base()}/${id}`, {}, `${base()}/${id}/support`);
    assert.equal((await proposal(id)).support_count, 1);
    const page = await nell.get(`${base()}/${id}`);
    assert.match(page.body, /You support this proposal/);
    await nell.submit(`${base()}/${id}`, { withdraw: 'yes' }, `${base()}/${id}/support`);
    assert.equal((await proposal(id)).support_count, 0);
  });

  it('keeps exactly one support when 50 arrive at once from one resident', async () => {
    const id = await t.createProposal({ placeId: place.id, processId, authorId: residentId });
    const nell = await signedIn('nell@example.test');
    await nell.get(`${base()}/${id}`);
    const token = nell.csrfToken();
    await Promise.all(
      Array.from({ length: 50 }, () => nell.postRaw(`${base()}/${id}/support`, { _csrf: token })),
    );
    const supports = await t.database.db
      .selectFrom('supports')
      .selectAll()
      .where('proposal_id', '=', id)
      .execute();
    assert.equal(supports.length, 1);
    assert.equal((await proposal(id)).support_count, 1);
  });

  it('refuses supporting your own proposal', async () => {
    const id = await t.createProposal({ placeId: place.id, processId, authorId: residentId });
    const rosa = await signedIn('rosa@example.test');
    await rosa.get(`${base()}/${id}`);
    const response = await rosa.postRaw(`${base()}/${id}/support`, { _csrf: rosa.csrfToken() });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /You cannot support your own proposal/);
  });

  it('enforces the per-resident limit', async () => {
    const limited = await t.createProcess({ placeId: place.id, supportsPerResident: 2 });
    const ids = await Promise.all(
      [1, 2, 3].map(() => t.createProposal({ placeId: place.id, processId: limited, authorId: residentId })),
    );
    const nell = await signedIn('nell@example.test');
    const path = (id: string) => `/places/riverside/processes/${limited}/proposals/${id}`;
    await nell.submit(path(ids[0]!), {}, `${path(ids[0]!)}/support`);
    await nell.submit(path(ids[1]!), {}, `${path(ids[1]!)}/support`);
    const third = await nell.submit(path(ids[2]!), {}, `${path(ids[2]!)}/support`);
    assert.equal(third.statusCode, 403);
    assert.match(third.body, /You have used all 2 of your supports in this process/);
  });

  it('sends visitors to sign in from the proposal page', async () => {
    const id = await t.createProposal({ placeId: place.id, processId, authorId: residentId });
    assert.match(
      (await new Agent(t.app).get(`${base()}/${id}`)).body,
      /Sign in<\/a> to support this proposal/,
    );
  });
});

describe('the list of proposals', () => {
  let listProcess: string;
  before(async () => {
    listProcess = await t.createProcess({ placeId: place.id, categories: ['Roads', 'Parks'] });
    const db = t.database.db;
    for (let i = 0; i < 30; i++) {
      await db
        .insertInto('proposals')
        .values({
          place_id: place.id,
          process_id: listProcess,
          author_id: residentId,
          title: i === 7 ? 'Plant more trees along the river' : `Proposal number ${i}`,
          body: i === 7 ? 'Trees give shade and clean air for everyone.' : 'An ordinary idea for the place.',
          category: i % 2 ? 'Roads' : 'Parks',
          area: i % 3 ? 'Northbank' : 'Southbank',
          postcode: null,
          answer: i === 4 ? 'accepted' : null,
          answer_reason: null,
          answered_by: null,
          answered_at: null,
          support_count: i,
          created_at: new Date(Date.now() - (30 - i) * 60_000),
        })
        .execute();
    }
  });
  const path = () => `/places/riverside/processes/${listProcess}/proposals`;

  it('pages 25 at a time, newest first', async () => {
    const first = await new Agent(t.app).get(path());
    assert.match(first.body, /Showing 1 to 25 of 30 proposals/);
    assert.ok(first.body.indexOf('Proposal number 29') < first.body.indexOf('Proposal number 28'));
    assert.match((await new Agent(t.app).get(`${path()}?page=2`)).body, /Showing 26 to 30 of 30 proposals/);
  });

  it('filters by category, area and answer', async () => {
    assert.match((await new Agent(t.app).get(`${path()}?category=Roads`)).body, /of 15 proposals/);
    assert.match((await new Agent(t.app).get(`${path()}?area=Southbank`)).body, /of 10 proposals/);
    const accepted = await new Agent(t.app).get(`${path()}?answer=accepted`);
    assert.match(accepted.body, /Showing 1 to 1 of 1 proposals/);
    assert.match(accepted.body, /Proposal number 4/);
  });

  it('finds proposals by words in any form (full-text search)', async () => {
    const response = await new Agent(t.app).get(`${path()}?q=tree+shade`);
    assert.match(response.body, /Showing 1 to 1 of 1 proposals for “tree shade”/);
    assert.match(response.body, /Plant more trees along the river/);
  });

  it('sorts by most supported, and randomly but stably with a seed', async () => {
    const supported = await new Agent(t.app).get(`${path()}?sort=supported`);
    assert.ok(supported.body.indexOf('Proposal number 29') < supported.body.indexOf('Proposal number 28'));
    const order = (html: string) => [...html.matchAll(/Proposal number (\d+)/g)].map((m) => m[1]).join(',');
    const a = await new Agent(t.app).get(`${path()}?sort=random&seed=abc123`);
    const b = await new Agent(t.app).get(`${path()}?sort=random&seed=abc123`);
    const c = await new Agent(t.app).get(`${path()}?sort=random&seed=zzz999`);
    assert.equal(order(a.body), order(b.body));
    assert.notEqual(order(a.body), order(c.body));
    assert.match(a.body, /seed=abc123/, 'the seed is kept in the paging links');
  });
});

describe('official answers', () => {
  it('lets an officer answer, notifies the proposer and followers, and keeps accepted proposals as decisions', async () => {
    const id = await t.createProposal({
      placeId: place.id,
      processId,
      authorId: residentId,
      title: 'Answer me',
    });
    await t.database.db
      .insertInto('follows')
      .values([
        { place_id: place.id, user_id: residentId, target_type: 'proposal', target_id: id },
        { place_id: place.id, user_id: neighbourId, target_type: 'proposal', target_id: id },
      ])
      .execute();
    const officer = await signedIn('officer@example.test');
    const bad = await officer.submit(`${base()}/${id}/answer`, { reason: 'short' });
    assert.deepEqual(errorSummary(bad.body), [
      'Select an answer',
      'Explain the answer in at least 10 characters',
    ]);
    const ok = await officer.submit(`${base()}/${id}/answer`, {
      answer: 'accepted',
      reason: 'We will build it next spring.',
    });
    assert.equal(ok.statusCode, 303);
    const row = await proposal(id);
    assert.equal(row.answer, 'accepted');
    const page = await new Agent(t.app).get(`${base()}/${id}`);
    assert.match(page.body, /Accepted<\/strong>/);
    assert.match(page.body, /We will build it next spring/);
    const notified = await t.database.db
      .selectFrom('notifications')
      .select('user_id')
      .where('kind', '=', 'proposal.answered')
      .where('link', 'like', `%${id}`)
      .execute();
    assert.deepEqual(notified.map((n) => n.user_id).sort(), [residentId, neighbourId].sort());
    const decisions = await t.database.db
      .selectFrom('decisions')
      .selectAll()
      .where('source_id', '=', id)
      .execute();
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0]!.title, 'Answer me');
    await officer.submit(`${base()}/${id}/answer`, {
      answer: 'not_accepted',
      reason: 'The budget was cut, sadly.',
    });
    assert.equal(
      (await t.database.db.selectFrom('decisions').selectAll().where('source_id', '=', id).execute()).length,
      0,
    );
  });

  it('refuses residents', async () => {
    const id = await t.createProposal({ placeId: place.id, processId, authorId: residentId });
    const rosa = await signedIn('rosa@example.test');
    assert.equal((await rosa.get(`${base()}/${id}/answer`)).statusCode, 403);
    await rosa.get(`${base()}/${id}`);
    const post = await rosa.postRaw(`${base()}/${id}/answer`, {
      _csrf: rosa.csrfToken(),
      answer: 'accepted',
      reason: 'I accept my own idea.',
    });
    assert.equal(post.statusCode, 403);
    assert.equal((await proposal(id)).answer, null);
  });
});

describe('rules found in review', () => {
  it('refuses withdrawing a held proposal, which would make it public', async () => {
    const id = await t.createProposal({ placeId: place.id, processId, authorId: residentId, status: 'held' });
    const rosa = await signedIn('rosa@example.test');
    const response = await rosa.submit(`${base()}/${id}`, {}, `${base()}/${id}/withdraw`);
    assert.equal(response.statusCode, 403);
    assert.equal((await proposal(id)).status, 'held');
    assert.equal((await new Agent(t.app).get(`${base()}/${id}`)).statusCode, 404);
  });

  it('counts towards the limit only supports on proposals that are still published', async () => {
    const limited = await t.createProcess({ placeId: place.id, supportsPerResident: 1 });
    const first = await t.createProposal({ placeId: place.id, processId: limited, authorId: residentId });
    const second = await t.createProposal({ placeId: place.id, processId: limited, authorId: residentId });
    const nell = await signedIn('nell@example.test');
    const path = (id: string) => `/places/riverside/processes/${limited}/proposals/${id}`;
    await nell.submit(path(first), {}, `${path(first)}/support`);
    const rosa = await signedIn('rosa@example.test');
    assert.equal((await rosa.submit(path(first), {}, `${path(first)}/withdraw`)).statusCode, 303);
    assert.equal((await proposal(first)).status, 'withdrawn');
    const response = await nell.submit(path(second), {}, `${path(second)}/support`);
    assert.equal(
      response.statusCode,
      303,
      response.body.match(/<p class="govuk-body">([^<]*)<\/p>/g)?.join(' '),
    );
    assert.equal((await proposal(second)).support_count, 1);
  });

  it('refuses edits once the proposal phase has closed', async () => {
    const on = today();
    const closed = await t.createProcess({
      placeId: place.id,
      phases: [
        { name: 'Discussion', startsOn: addDays(on, -1), endsOn: addDays(on, 5), allows: ['comment'] },
      ],
    });
    const id = await t.createProposal({
      placeId: place.id,
      processId: closed,
      authorId: residentId,
      title: 'Frozen',
    });
    const rosa = await signedIn('rosa@example.test');
    const path = `/places/riverside/processes/${closed}/proposals/${id}`;
    await rosa.get(path);
    const response = await rosa.postRaw(`${path}/edit`, {
      _csrf: rosa.csrfToken(),
      title: 'Thawed',
      body: 'A change after proposals closed.',
    });
    assert.equal(response.statusCode, 403);
    assert.equal((await proposal(id)).title, 'Frozen');
  });

  it('tells the proposer the answer even after they stopped following', async () => {
    const id = await t.createProposal({
      placeId: place.id,
      processId,
      authorId: residentId,
      title: 'Unfollowed',
    });
    const officer = await signedIn('officer@example.test');
    await officer.submit(`${base()}/${id}/answer`, {
      answer: 'evaluating',
      reason: 'We are costing it now.',
    });
    const rows = await t.database.db
      .selectFrom('notifications')
      .select('user_id')
      .where('kind', '=', 'proposal.answered')
      .where('link', 'like', `%${id}`)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.user_id),
      [residentId],
    );
  });
});

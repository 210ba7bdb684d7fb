import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pdfPageCount, pdfText } from '../../../../platform/pdf/pdf-text.ts';
import { Agent, errorSummary } from '../../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../../testing/harness.ts';
import { addDays, today } from '../../../processes/phases.ts';
import { createTestBudget, type TestBudget } from './test-budget.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let officerId: string;
let open: TestBudget;
let districts: TestBudget;

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
const on = today();

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const hillside = await t.createPlace('hillside', 'Hillside');
  processId = await t.createProcess({ placeId: place.id, title: 'Riverside spends 2027' });
  officerId = await t.createUser({
    email: 'officer@example.test',
    name: 'Olive Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  await t.createUser({ email: 'rosa@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  await t.createUser({ email: 'admin@example.test', roles: [{ placeId: place.id, role: 'place_admin' }] });
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  open = await createTestBudget(t.database.db, {
    placeId: place.id,
    processId,
    title: 'Parks and streets',
    opensOn: addDays(on, -3),
    closesOn: addDays(on, 10),
    maxProjects: 2,
    projects: [
      { title: 'Trees on Mill Lane', cost: '3000' },
      { title: 'Benches by the river', cost: '1500.50' },
      { title: 'Safer crossing', cost: '5000' },
    ],
  });
  districts = await createTestBudget(t.database.db, {
    placeId: place.id,
    processId,
    title: 'Neighbourhoods',
    opensOn: addDays(on, -3),
    closesOn: addDays(on, 10),
    districts: [
      { name: 'Northbank', amount: '4000' },
      { name: 'Southbank', amount: '4000' },
    ],
    projects: [
      { title: 'North play area', cost: '3000', district: 'Northbank' },
      { title: 'South library hours', cost: '2000', district: 'Southbank' },
      { title: 'Town festival', cost: '1000' },
    ],
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

const codesPage = (budget: TestBudget) => `/places/riverside/budgets/${budget.id}/access-codes`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Issues a batch through the page and reads the codes back off the letters. */
async function issue(budget: TestBudget, quantity: number) {
  const agent = await signedIn('officer@example.test');
  const response = await agent.submit(codesPage(budget), { quantity: String(quantity) });
  assert.equal(response.statusCode, 200, errorSummary(response.body).join());
  const codes = pdfText(response.rawPayload).map((lines) => lines.find((l) => CODE.test(l))!);
  return { response, codes };
}

async function auditRows(action: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action as never)
    .orderBy('occurred_at')
    .execute();
}

async function ballotsWithCode() {
  return t.database.db
    .selectFrom('ballots')
    .selectAll()
    .where('channel', '=', 'code')
    .where('place_id', '=', place.id)
    .execute();
}

async function codeRow(code: string) {
  return t.database.db
    .selectFrom('access_codes')
    .selectAll()
    .where('code_hash', '=', sha256(code.replace(/-/g, '')))
    .executeTakeFirstOrThrow();
}

/** A resident without an account: enters the code, then sends the ballot from the page they were shown. */
async function vote(code: string, choices: Record<string, string | string[]>, district?: string) {
  const agent = new Agent(t.app);
  let page = await agent.submit('/places/riverside/vote', { code });
  if (district !== undefined && page.statusCode === 200) {
    page = await agent.postRaw('/places/riverside/vote/district', {
      code,
      districtId: district,
      _csrf: agent.csrfToken(),
    });
  }
  if (page.statusCode !== 200) return { agent, page, response: page };
  const districtId = page.body.match(/name="districtId" value="([^"]+)"/)?.[1];
  const response = await agent.postRaw('/places/riverside/vote/ballot', {
    code,
    ...(districtId ? { districtId } : {}),
    ...choices,
    _csrf: agent.csrfToken(),
  });
  return { agent, page, response };
}

describe('issuing codes: /places/:slug/budgets/:budgetId/access-codes', () => {
  it('shows officers the page, with no batches yet and a warning that codes are shown once', async () => {
    const agent = await signedIn('officer@example.test');
    const page = await agent.get(codesPage(open));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /No letters have been made for this budget yet/);
    assert.match(page.body, /cannot show or print them again/);
    assert.match(page.body, /http:\/\/commonweal\.test\/places\/riverside\/vote/);
  });

  it('refuses residents, place admins, officers of other places, and sends visitors to sign in', async () => {
    for (const email of ['rosa@example.test', 'admin@example.test', 'hill@example.test']) {
      const agent = await signedIn(email);
      assert.equal((await agent.get(codesPage(open))).statusCode, 403, email);
    }
    const resident = await signedIn('rosa@example.test');
    await resident.get('/places/riverside/vote');
    const post = await resident.postRaw(codesPage(open), { quantity: '5', _csrf: resident.csrfToken() });
    assert.equal(post.statusCode, 403);
    const visitor = new Agent(t.app);
    const response = await visitor.get(codesPage(open));
    assert.equal(response.statusCode, 302);
    assert.match(response.headers.location as string, /^\/sign-in/);
    assert.equal((await t.database.db.selectFrom('access_code_batches').selectAll().execute()).length, 0);
  });

  it('rejects a bad number of letters with a clear error, keeping what was typed, storing nothing', async () => {
    const agent = await signedIn('officer@example.test');
    const cases: [string, string][] = [
      ['', 'Enter how many letters to make'],
      ['lots', 'Number of letters must be a whole number, like 250'],
      ['2.5', 'Number of letters must be a whole number, like 250'],
      ['0', 'Number of letters must be between 1 and 5,000'],
      ['5001', 'Number of letters must be between 1 and 5,000'],
    ];
    for (const [quantity, message] of cases) {
      const response = await agent.submit(codesPage(open), { quantity });
      assert.equal(response.statusCode, 400, quantity);
      assert.deepEqual(errorSummary(response.body), [message]);
      if (quantity) assert.match(response.body, new RegExp(`value="${quantity.replace('.', '\\.')}"`));
    }
    assert.equal((await t.database.db.selectFrom('access_code_batches').selectAll().execute()).length, 0);
    assert.equal((await t.database.db.selectFrom('access_codes').selectAll().execute()).length, 0);
  });

  it('makes N letters as a PDF, one per page, each with its own code, and keeps only their hashes', async () => {
    const { response, codes } = await issue(open, 4);
    assert.equal(response.headers['content-type'], 'application/pdf');
    assert.match(
      response.headers['content-disposition'] as string,
      /^attachment; filename="voting-codes-.+\.pdf"$/,
    );
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.rawPayload.subarray(0, 4).toString('latin1'), '%PDF');
    assert.equal(pdfPageCount(response.rawPayload), 4);
    const pages = pdfText(response.rawPayload);
    assert.equal(pages.length, 4);
    assert.equal(new Set(codes).size, 4);
    for (const [i, lines] of pages.entries()) {
      assert.match(codes[i]!, CODE);
      const text = lines.join(' ');
      assert.match(text, /Riverside/);
      assert.match(text, /Your code to vote: Parks and streets/);
      assert.match(text, /Riverside spends 2027/);
      assert.match(text, /http:\/\/commonweal\.test\/places\/riverside\/vote/);
      assert.match(text, /Voting opens:/);
      assert.match(text, /This code works once/);
    }
    const batch = await t.database.db.selectFrom('access_code_batches').selectAll().executeTakeFirstOrThrow();
    assert.equal(batch.quantity, 4);
    assert.equal(batch.created_by, officerId);
    assert.equal(batch.place_id, place.id);
    const stored = await t.database.db
      .selectFrom('access_codes')
      .select(['code_hash', 'budget_id', 'used_at'])
      .where('batch_id', '=', batch.id)
      .execute();
    assert.deepEqual(
      stored.map((r) => r.code_hash).sort(),
      codes.map((c) => sha256(c.replace(/-/g, ''))).sort(),
    );
    assert.ok(stored.every((r) => r.budget_id === open.id && r.used_at === null));
    // Nothing but the hash: no column holds the code itself.
    const raw = JSON.stringify(await t.database.db.selectFrom('access_codes').selectAll().execute());
    for (const code of codes) assert.ok(!raw.includes(code.replace(/-/g, '')));
    const audits = await auditRows('access_codes.issued');
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.subject_id, batch.id);
    assert.equal(audits[0]!.actor_id, officerId);
    assert.equal((audits[0]!.details as { quantity: number }).quantity, 4);

    const agent = await signedIn('officer@example.test');
    const list = await agent.get(codesPage(open));
    assert.match(list.body, /Olive Officer/);
    assert.match(list.body, /Working/);
  });
});

describe('voting with a code: /places/:slug/vote', () => {
  it('lets a resident without an account vote once; the ballot is stored with the code, which is then used', async () => {
    const { codes } = await issue(open, 2);
    const code = codes[0]!;
    const visitor = new Agent(t.app);
    const form = await visitor.get('/places/riverside/vote');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Vote with the code from your letter/);

    // Typed carelessly: lower case, spaces, O for 0 and l for 1 are all read as meant.
    const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    const { page, response } = await vote(typed, {
      'section-area': [open.projects['Trees on Mill Lane']!, open.projects['Benches by the river']!],
    });
    assert.equal(page.statusCode, 200, errorSummary(page.body).join());
    assert.match(page.body, /Trees on Mill Lane/);
    assert.match(page.body, /Estimated cost £1,500\.50/);
    assert.match(page.body, /Choose up to 2 projects\./);
    assert.match(page.body, new RegExp(`<input type="hidden" name="code" value="${code}">`));
    assert.equal(response.statusCode, 303, errorSummary(response.body).join());
    assert.equal(response.headers.location, `/places/riverside/vote/cast?budget=${open.id}`);
    assert.ok(!(response.headers.location as string).includes(code));

    const used = await codeRow(code);
    assert.ok(used.used_at);
    const ballots = await ballotsWithCode();
    assert.equal(ballots.length, 1);
    assert.equal(ballots[0]!.access_code_id, used.id);
    assert.equal(ballots[0]!.voter_id, null);
    assert.equal(ballots[0]!.budget_id, open.id);
    const items = await t.database.db
      .selectFrom('ballot_items')
      .select('project_id')
      .where('ballot_id', '=', ballots[0]!.id)
      .execute();
    assert.deepEqual(
      items.map((i) => i.project_id).sort(),
      [open.projects['Trees on Mill Lane']!, open.projects['Benches by the river']!].sort(),
    );
    const audits = await auditRows('ballot.cast_with_code');
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.actor_id, null);
    assert.equal(audits[0]!.subject_id, ballots[0]!.id);

    const thanks = await visitor.get(response.headers.location as string);
    assert.equal(thanks.statusCode, 200);
    assert.match(thanks.body, /Your vote has been recorded/);
  });

  it('refuses a code that has been used, at either step, storing nothing', async () => {
    const { codes } = await issue(open, 1);
    const code = codes[0]!;
    const first = await vote(code, { 'section-area': open.projects['Safer crossing']! });
    assert.equal(first.response.statusCode, 303);
    const before = (await ballotsWithCode()).length;

    const again = await vote(code, { 'section-area': open.projects['Safer crossing']! });
    assert.equal(again.page.statusCode, 400);
    assert.deepEqual(errorSummary(again.page.body), ['This code has already been used']);

    // Straight to the last step, with a ballot page opened before the code was used.
    const agent = new Agent(t.app);
    await agent.get('/places/riverside/vote');
    const direct = await agent.postRaw('/places/riverside/vote/ballot', {
      code,
      'section-area': open.projects['Safer crossing']!,
      _csrf: agent.csrfToken(),
    });
    assert.equal(direct.statusCode, 400);
    assert.deepEqual(errorSummary(direct.body), ['This code has already been used']);
    assert.match(direct.body, new RegExp(`value="${code}"`));
    assert.equal((await ballotsWithCode()).length, before);
  });

  it('explains wrong, mistyped and missing codes', async () => {
    const cases: [string, string][] = [
      ['', 'Enter the code from your letter'],
      ['K7PX-9QMR', 'Enter the code exactly as it is printed on your letter, like K7PX-9QMR-3HTW'],
      ['K7PX-9QMR-3HTU', 'Enter the code exactly as it is printed on your letter, like K7PX-9QMR-3HTW'],
      ['K7PX-9QMR-3HTW', 'We do not recognise that code. Check it against your letter and try again'],
    ];
    for (const [code, message] of cases) {
      const agent = new Agent(t.app);
      const response = await agent.submit('/places/riverside/vote', { code });
      assert.equal(response.statusCode, 400, code);
      assert.deepEqual(errorSummary(response.body), [message]);
    }
  });

  it('does not accept a code of one place in another', async () => {
    const { codes } = await issue(open, 1);
    await t.createPlace('elsewhere', 'Elsewhere');
    const agent = new Agent(t.app);
    const response = await agent.submit(
      '/places/elsewhere/vote',
      { code: codes[0]! },
      '/places/elsewhere/vote',
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'We do not recognise that code. Check it against your letter and try again',
    ]);
    assert.equal((await codeRow(codes[0]!)).used_at, null);
  });

  it('applies the ballot rules and leaves the code unused when a ballot breaks them', async () => {
    const { codes } = await issue(open, 1);
    const code = codes[0]!;
    const before = (await ballotsWithCode()).length;
    const tooMany = await vote(code, { 'section-area': Object.values(open.projects) });
    assert.equal(tooMany.response.statusCode, 400);
    assert.deepEqual(errorSummary(tooMany.response.body), [
      'Choose no more than 2 projects for The whole area: you chose 3',
    ]);
    // What was chosen is kept, and the code is still in the form.
    assert.equal((tooMany.response.body.match(/checked/g) ?? []).length, 3);
    assert.match(tooMany.response.body, new RegExp(`name="code" value="${code}"`));
    const none = await vote(code, {});
    assert.deepEqual(errorSummary(none.response.body), ['Choose at least one project']);
    assert.equal((await codeRow(code)).used_at, null);
    assert.equal((await ballotsWithCode()).length, before);
    const fixed = await vote(code, { 'section-area': open.projects['Trees on Mill Lane']! });
    assert.equal(fixed.response.statusCode, 303);
  });

  it('asks for the district first when the budget has districts, and stores it with the ballot', async () => {
    const { codes } = await issue(districts, 1);
    const code = codes[0]!;
    const agent = new Agent(t.app);
    const page = await agent.submit('/places/riverside/vote', { code });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Where do you live\?/);
    const noDistrict = await agent.postRaw('/places/riverside/vote/district', {
      code,
      _csrf: agent.csrfToken(),
    });
    assert.equal(noDistrict.statusCode, 400);
    assert.deepEqual(errorSummary(noDistrict.body), ['Select the district where you live']);

    const ballotPage = await agent.postRaw('/places/riverside/vote/district', {
      code,
      districtId: districts.districts.Northbank!,
      _csrf: agent.csrfToken(),
    });
    assert.equal(ballotPage.statusCode, 200);
    assert.match(ballotPage.body, /North play area/);
    assert.match(ballotPage.body, /Town festival/);
    assert.doesNotMatch(ballotPage.body, /South library hours/);

    // A project of another district, slipped into the form, is refused.
    const stray = await agent.postRaw('/places/riverside/vote/ballot', {
      code,
      districtId: districts.districts.Northbank!,
      'section-area': districts.projects['South library hours']!,
      _csrf: agent.csrfToken(),
    });
    assert.equal(stray.statusCode, 400);
    assert.equal((await codeRow(code)).used_at, null);

    const cast = await agent.postRaw('/places/riverside/vote/ballot', {
      code,
      districtId: districts.districts.Northbank!,
      [`section-${districts.districts.Northbank}`]: districts.projects['North play area']!,
      'section-area': districts.projects['Town festival']!,
      _csrf: agent.csrfToken(),
    });
    assert.equal(cast.statusCode, 303, errorSummary(cast.body).join());
    const ballot = await t.database.db
      .selectFrom('ballots')
      .selectAll()
      .where('access_code_id', '=', (await codeRow(code)).id)
      .executeTakeFirstOrThrow();
    assert.equal(ballot.district_id, districts.districts.Northbank);
  });

  it('refuses codes when voting has not opened or has closed', async () => {
    const later = await createTestBudget(t.database.db, {
      placeId: place.id,
      processId,
      title: 'Next year',
      opensOn: addDays(on, 5),
      closesOn: addDays(on, 20),
      projects: [{ title: 'A later project', cost: '100' }],
    });
    const { codes } = await issue(later, 1);
    const early = await new Agent(t.app).submit('/places/riverside/vote', { code: codes[0]! });
    assert.equal(early.statusCode, 400);
    assert.match(
      errorSummary(early.body)[0]!,
      /^Voting on Next year opens on \d+ \w+ \d{4}\. Come back then with your code$/,
    );

    await t.database.db
      .updateTable('budgets')
      .set({ voting_opens_on: addDays(on, -20), voting_closes_on: addDays(on, -1) })
      .where('id', '=', later.id)
      .execute();
    const late = await new Agent(t.app).submit('/places/riverside/vote', { code: codes[0]! });
    assert.equal(late.statusCode, 400);
    assert.match(errorSummary(late.body)[0]!, /^Voting on Next year closed on /);
    assert.equal((await codeRow(codes[0]!)).used_at, null);

    // No new letters once voting has closed.
    const officer = await signedIn('officer@example.test');
    const refused = await officer.submit(codesPage(later), { quantity: '3' });
    assert.equal(refused.statusCode, 400);
    assert.match(errorSummary(refused.body)[0]!, /closed on .*, so new codes could not be used$/);
  });

  it('stores one ballot when two people cast with one code at the same moment', async () => {
    const { codes } = await issue(open, 1);
    const code = codes[0]!;
    const before = (await ballotsWithCode()).length;
    const agents = [new Agent(t.app), new Agent(t.app)];
    for (const agent of agents)
      assert.equal((await agent.submit('/places/riverside/vote', { code })).statusCode, 200);
    const responses = await Promise.all(
      agents.map((agent, i) =>
        agent.postRaw('/places/riverside/vote/ballot', {
          code,
          'section-area': Object.values(open.projects)[i]!,
          _csrf: agent.csrfToken(),
        }),
      ),
    );
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [303, 400]);
    const refused = responses.find((r) => r.statusCode === 400)!;
    assert.deepEqual(errorSummary(refused.body), ['This code has already been used']);
    const stored = await t.database.db
      .selectFrom('ballots')
      .selectAll()
      .where('access_code_id', '=', (await codeRow(code)).id)
      .execute();
    assert.equal(stored.length, 1);
    assert.equal((await ballotsWithCode()).length, before + 1);
  });

  it('limits how often one address may try codes', async () => {
    const agent = new Agent(t.app);
    await agent.get('/places/riverside/vote');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const response = await agent.postRaw('/places/riverside/vote', {
        code: 'AAAA-BBBB-CCCC',
        _csrf: agent.csrfToken(),
      });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
    assert.equal(statuses[10], 429);
    // Another address is not held back.
    const other = await new Agent(t.app).submit('/places/riverside/vote', { code: 'AAAA-BBBB-CCCC' });
    assert.equal(other.statusCode, 400);
  });
});

describe('voiding a batch', () => {
  it('stops the unused codes of a batch working, with a reason, audited; used codes stay counted', async () => {
    const { codes } = await issue(open, 3);
    const cast = await vote(codes[0]!, { 'section-area': open.projects['Trees on Mill Lane']! });
    assert.equal(cast.response.statusCode, 303);
    const batchId = (await codeRow(codes[0]!)).batch_id;
    const officer = await signedIn('officer@example.test');
    const list = await officer.get(codesPage(open));
    assert.match(list.body, new RegExp(`${codesPage(open)}/${batchId}/void`));

    const voidPage = `${codesPage(open)}/${batchId}/void`;
    const empty = await officer.submit(voidPage, { reason: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Enter why the codes should stop working']);
    assert.equal(
      (
        await t.database.db
          .selectFrom('access_code_batches')
          .select('voided_at')
          .where('id', '=', batchId)
          .executeTakeFirstOrThrow()
      ).voided_at,
      null,
    );

    const done = await officer.submit(voidPage, { reason: 'Letters lost in the post' });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, codesPage(open));
    const after = await officer.get(codesPage(open));
    assert.match(after.body, /Voided/);
    assert.match(after.body, /Letters lost in the post/);

    const refused = await vote(codes[1]!, { 'section-area': open.projects['Trees on Mill Lane']! });
    assert.equal(refused.page.statusCode, 400);
    assert.deepEqual(errorSummary(refused.page.body), [
      'This code has been cancelled. Contact Riverside to ask for a new letter',
    ]);
    assert.equal((await codeRow(codes[1]!)).used_at, null);
    // The ballot cast before the batch was voided still stands.
    assert.ok(
      await t.database.db
        .selectFrom('ballots')
        .select('id')
        .where('access_code_id', '=', (await codeRow(codes[0]!)).id)
        .executeTakeFirst(),
    );

    const audits = await auditRows('access_codes.voided');
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.subject_id, batchId);
    assert.deepEqual(
      { ...(audits[0]!.details as Record<string, unknown>) },
      { budgetId: open.id, quantity: 3, unused: 2, reason: 'Letters lost in the post' },
    );

    const twice = await officer.get(voidPage);
    assert.match(twice.body, /This batch was voided/);
    await officer.get(codesPage(open));
    const again = await officer.postRaw(voidPage, { reason: 'Again', _csrf: officer.csrfToken() });
    assert.equal(again.statusCode, 400);
    assert.equal((await auditRows('access_codes.voided')).length, 1);
  });

  it('pages the list of batches', async () => {
    const agent = await signedIn('officer@example.test');
    const page = await agent.get(codesPage(open));
    const total = Number(page.body.match(/of (\d+) batches/)![1]);
    assert.ok(total >= 5);
    for (let i = total; i < 26; i++) await issue(open, 1);
    const first = await agent.get(codesPage(open));
    assert.match(first.body, /Showing 1 to 25 of 26 batches/);
    const second = await agent.get(`${codesPage(open)}?page=2`);
    assert.match(second.body, /Showing 26 to 26 of 26 batches/);
  });
});

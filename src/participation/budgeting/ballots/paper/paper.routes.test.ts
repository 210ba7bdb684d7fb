import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../../testing/harness.ts';
import { addDays, today } from '../../../processes/phases.ts';
import { createTestBudget, type TestBudget } from '../codes/test-budget.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let ids: Record<string, string>;
let budget: TestBudget;
let districtBudget: TestBudget;
let pointsBudget: TestBudget;
const on = today();

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const hillside = await t.createPlace('hillside', 'Hillside');
  processId = await t.createProcess({ placeId: place.id, title: 'Riverside spends 2027' });
  ids = {};
  for (const name of ['ann', 'ben', 'cat']) {
    ids[name] = await t.createUser({
      email: `${name}@example.test`,
      name: `${name[0]!.toUpperCase()}${name.slice(1)} Clerk`,
      roles: [{ placeId: place.id, role: 'officer' }],
    });
  }
  await t.createUser({ email: 'rosa@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  await t.createUser({ email: 'hill@example.test', roles: [{ placeId: hillside.id, role: 'officer' }] });
  // Voting has closed: postal ballots still arrive and may be entered until results are published.
  budget = await createTestBudget(t.database.db, {
    placeId: place.id,
    processId,
    title: 'Parks and streets',
    opensOn: addDays(on, -20),
    closesOn: addDays(on, -1),
    maxProjects: 2,
    projects: [
      { title: 'Trees on Mill Lane', cost: '3000' },
      { title: 'Benches by the river', cost: '1500' },
      { title: 'Safer crossing', cost: '5000' },
    ],
  });
  districtBudget = await createTestBudget(t.database.db, {
    placeId: place.id,
    processId,
    title: 'Neighbourhoods',
    opensOn: addDays(on, -2),
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
  pointsBudget = await createTestBudget(t.database.db, {
    placeId: place.id,
    processId,
    title: 'Points',
    opensOn: addDays(on, -2),
    closesOn: addDays(on, 10),
    kind: 'cumulative',
    pointsTotal: 5,
    projects: [
      { title: 'Skate park', cost: '3000' },
      { title: 'Pond clean-up', cost: '1000' },
    ],
  });
});
after(async () => {
  await t.close();
});

const agents = new Map<string, Agent>();
async function as(name: string) {
  const known = agents.get(name);
  if (known) return known;
  const agent = new Agent(t.app);
  const email = name.includes('@') ? name : `${name}@example.test`;
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  agents.set(name, agent);
  return agent;
}

const list = (b: TestBudget) => `/places/riverside/budgets/${b.id}/paper-ballots`;
const newSheet = (b: TestBudget) => `${list(b)}/new`;

/** One person's reading of a sheet, through the entry form. */
async function enter(name: string, b: TestBudget, fields: Record<string, string | string[]>) {
  const agent = await as(name);
  return agent.submit(newSheet(b), fields, list(b));
}

const p = (title: string) => budget.projects[title]!;

async function sheet(reference: string, b: TestBudget = budget) {
  return t.database.db
    .selectFrom('paper_sheets')
    .selectAll()
    .where('budget_id', '=', b.id)
    .where('reference', '=', reference)
    .executeTakeFirst();
}

async function entries(sheetId: string) {
  return t.database.db.selectFrom('paper_entries').selectAll().where('sheet_id', '=', sheetId).execute();
}

async function ballotOf(sheetId: string) {
  return t.database.db
    .selectFrom('ballots')
    .selectAll()
    .where('paper_sheet_id', '=', sheetId)
    .executeTakeFirst();
}

async function audits(action: string, subjectId: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action as never)
    .where('subject_id', '=', subjectId)
    .execute();
}

async function flashAfter(name: string, location: string) {
  return (await (await as(name)).get(location)).body;
}

describe('entering paper ballots twice', () => {
  it('saves a first entry, refuses the same person a second time, and counts a matching second entry', async () => {
    const first = await enter('ann', budget, {
      reference: ' 0001 ',
      'section-area': [p('Trees on Mill Lane'), p('Benches by the river')],
    });
    assert.equal(first.statusCode, 303, errorSummary(first.body).join());
    assert.match(
      await flashAfter('ann', first.headers.location as string),
      /Sheet 0001 has been saved\. Someone else must now enter it a second time\./,
    );
    const row = (await sheet('0001'))!;
    assert.equal(row.status, 'awaiting_second');
    assert.equal(row.place_id, place.id);
    assert.equal((await entries(row.id)).length, 1);
    assert.equal(await ballotOf(row.id), undefined);

    const again = await enter('ann', budget, { reference: '0001', 'section-area': p('Trees on Mill Lane') });
    assert.equal(again.statusCode, 400);
    assert.deepEqual(errorSummary(again.body), [
      'You entered sheet 0001 the first time. Someone else must enter it the second time',
    ]);
    assert.equal((await entries(row.id)).length, 1);

    const second = await enter('ben', budget, {
      reference: '0001',
      'section-area': [p('Benches by the river'), p('Trees on Mill Lane')],
    });
    assert.equal(second.statusCode, 303, errorSummary(second.body).join());
    assert.match(
      await flashAfter('ben', second.headers.location as string),
      /Sheet 0001 matches its first entry\. Its ballot has been counted\./,
    );
    const matched = (await sheet('0001'))!;
    assert.equal(matched.status, 'matched');
    const ballot = (await ballotOf(row.id))!;
    assert.equal(ballot.channel, 'paper');
    assert.equal(ballot.voter_id, null);
    const items = await t.database.db
      .selectFrom('ballot_items')
      .select('project_id')
      .where('ballot_id', '=', ballot.id)
      .execute();
    assert.deepEqual(
      items.map((i) => i.project_id).sort(),
      [p('Trees on Mill Lane'), p('Benches by the river')].sort(),
    );
    const stages = (await entries(row.id)).map((e) => [e.stage, e.entered_by]);
    assert.deepEqual(stages.sort(), [
      ['first', ids.ann],
      ['second', ids.ben],
    ]);
    const entered = await audits('paper_sheet.entered', row.id);
    assert.equal(entered.length, 2);
    const matchedAudit = await audits('paper_sheet.matched', row.id);
    assert.equal(matchedAudit.length, 1);
    assert.equal(matchedAudit[0]!.actor_id, ids.ben);
    // The trail says what happened, never what was chosen.
    for (const a of [...entered, ...matchedAudit]) {
      const text = JSON.stringify(a.details);
      for (const id of Object.values(budget.projects)) assert.ok(!text.includes(id), text);
    }

    const third = await enter('cat', budget, { reference: '0001', 'section-area': p('Trees on Mill Lane') });
    assert.equal(third.statusCode, 400);
    assert.deepEqual(errorSummary(third.body), [
      'Sheet 0001 has already been entered twice: check the number on the sheet',
    ]);
    assert.equal((await entries(row.id)).length, 2);
  });

  it('sends differing entries to be resolved by a third person, who sees both side by side', async () => {
    assert.equal(
      (await enter('ann', budget, { reference: '0002', 'section-area': p('Safer crossing') })).statusCode,
      303,
    );
    const second = await enter('ben', budget, {
      reference: '0002',
      'section-area': [p('Safer crossing'), p('Benches by the river')],
    });
    assert.equal(second.statusCode, 303);
    const secondPage = await flashAfter('ben', second.headers.location as string);
    assert.match(
      secondPage,
      /Sheet 0002 does not match its first entry\. It is now on the list to resolve\./,
    );
    // Blind: the second person is not shown what the first entered.
    assert.doesNotMatch(secondPage, /Ann Clerk/);
    const row = (await sheet('0002'))!;
    assert.equal(row.status, 'mismatch');
    assert.equal(await ballotOf(row.id), undefined);
    assert.equal((await audits('paper_sheet.mismatched', row.id)).length, 1);

    const toResolve = await (await as('cat')).get(`${list(budget)}?status=mismatch`);
    assert.match(toResolve.body, /To resolve \(1\)/);
    const resolvePath = `${list(budget)}/${row.id}/resolve`;
    assert.ok(toResolve.body.includes(resolvePath));

    for (const name of ['ann', 'ben']) {
      const refused = await (await as(name)).get(resolvePath);
      assert.equal(refused.statusCode, 403, name);
      assert.match(refused.body, /You entered a reading of sheet 0002, so you cannot resolve it\./);
    }

    const page = await (await as('cat')).get(resolvePath);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /First entry, by Ann Clerk/);
    assert.match(page.body, /Second entry, by Ben Clerk/);
    const rowOf = (label: string) =>
      page.body.match(
        new RegExp(`<th scope="row" class="govuk-table__header">${label}</th>([\\s\\S]*?)</tr>`),
      )?.[1] ?? '';
    assert.match(rowOf('Benches by the river'), /Not chosen[\s\S]*Chosen[\s\S]*Different/);
    assert.match(rowOf('Safer crossing'), /Chosen[\s\S]*Chosen[\s\S]*Same/);
    assert.doesNotMatch(rowOf('Safer crossing'), /Different/);

    // The resolver's reading must keep the rules too; nothing is written when it does not.
    const tooMany = await (await as('cat')).submit(resolvePath, {
      'section-area': Object.values(budget.projects),
    });
    assert.equal(tooMany.statusCode, 400);
    assert.deepEqual(errorSummary(tooMany.body), [
      'Choose no more than 2 projects for The whole area: you chose 3',
    ]);
    assert.equal((await entries(row.id)).length, 2);
    assert.equal((await sheet('0002'))!.status, 'mismatch');

    const resolved = await (await as('cat')).submit(resolvePath, { 'section-area': p('Safer crossing') });
    assert.equal(resolved.statusCode, 303);
    assert.match(
      await flashAfter('cat', resolved.headers.location as string),
      /Sheet 0002 has been resolved/,
    );
    assert.equal((await sheet('0002'))!.status, 'resolved');
    const ballot = (await ballotOf(row.id))!;
    const items = await t.database.db
      .selectFrom('ballot_items')
      .select('project_id')
      .where('ballot_id', '=', ballot.id)
      .execute();
    assert.deepEqual(
      items.map((i) => i.project_id),
      [p('Safer crossing')],
    );
    const resolution = (await entries(row.id)).find((e) => e.stage === 'resolution')!;
    assert.equal(resolution.entered_by, ids.cat);
    const audit = await audits('paper_sheet.resolved', row.id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_id, ids.cat);

    const done = await (await as('cat')).get(resolvePath);
    assert.equal(done.statusCode, 403);
    assert.match(done.body, /is not waiting to be resolved/);
  });

  it('records a sheet both people read as spoilt without a ballot, and lets a resolver mark one spoilt', async () => {
    // Choices ticked on a spoilt sheet are not read.
    await enter('ann', budget, { reference: '0003', spoilt: 'yes', 'section-area': p('Safer crossing') });
    const second = await enter('ben', budget, { reference: '0003', spoilt: 'yes' });
    assert.equal(second.statusCode, 303);
    assert.match(
      await flashAfter('ben', second.headers.location as string),
      /Sheet 0003 matches its first entry as spoilt/,
    );
    const row = (await sheet('0003'))!;
    assert.equal(row.status, 'spoilt');
    assert.equal(await ballotOf(row.id), undefined);
    assert.equal((await audits('paper_sheet.spoilt', row.id)).length, 1);

    await enter('ann', budget, { reference: '0004', 'section-area': p('Safer crossing') });
    await enter('ben', budget, { reference: '0004', spoilt: 'yes' });
    const mismatch = (await sheet('0004'))!;
    assert.equal(mismatch.status, 'mismatch');
    const resolved = await (await as('cat')).submit(`${list(budget)}/${mismatch.id}/resolve`, {
      spoilt: 'yes',
    });
    assert.equal(resolved.statusCode, 303);
    assert.equal((await sheet('0004'))!.status, 'spoilt');
    assert.equal(await ballotOf(mismatch.id), undefined);
    assert.equal((await audits('paper_sheet.spoilt', mismatch.id)).length, 1);
  });

  it('refuses a reading that breaks the rules, keeping what was typed and writing nothing', async () => {
    const response = await enter('ann', budget, {
      reference: '0005',
      'section-area': Object.values(budget.projects),
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Choose no more than 2 projects for The whole area: you chose 3',
    ]);
    assert.match(response.body, /value="0005"/);
    assert.equal((response.body.match(/checked/g) ?? []).length, 3);
    assert.equal(await sheet('0005'), undefined);

    const empty = await enter('ann', budget, { reference: '' });
    assert.deepEqual(errorSummary(empty.body), ['Enter the reference number printed on the sheet']);
    const odd = await enter('ann', budget, { reference: '12<b>', 'section-area': p('Safer crossing') });
    assert.deepEqual(errorSummary(odd.body), [
      'Reference must be the letters and numbers printed on the sheet, like 004217',
    ]);
    const nothing = await enter('ann', budget, { reference: '0006' });
    assert.deepEqual(errorSummary(nothing.body), ['Choose at least one project']);
    assert.equal(await sheet('0006'), undefined);

    // If the paper really is like that, it is recorded as spoilt.
    const spoilt = await enter('ann', budget, { reference: '0005', spoilt: 'yes' });
    assert.equal(spoilt.statusCode, 303);
  });

  it('checks points and districts as the ballot does', async () => {
    const skate = pointsBudget.projects['Skate park']!;
    const pond = pointsBudget.projects['Pond clean-up']!;
    const fraction = await enter('ann', pointsBudget, { reference: 'P1', [`points-${skate}`]: '2.5' });
    assert.deepEqual(errorSummary(fraction.body), ['Points for Skate park must be a whole number, like 3']);
    const over = await enter('ann', pointsBudget, {
      reference: 'P1',
      [`points-${skate}`]: '4',
      [`points-${pond}`]: '3',
    });
    assert.deepEqual(errorSummary(over.body), [
      'You gave 7 points for The whole area, more than the 5 you have',
    ]);
    assert.equal(await sheet('P1', pointsBudget), undefined);
    assert.equal(
      (
        await enter('ann', pointsBudget, {
          reference: 'P1',
          [`points-${skate}`]: '4',
          [`points-${pond}`]: '1',
        })
      ).statusCode,
      303,
    );
    // Different points are a different reading.
    await enter('ben', pointsBudget, { reference: 'P1', [`points-${skate}`]: '3', [`points-${pond}`]: '2' });
    assert.equal((await sheet('P1', pointsBudget))!.status, 'mismatch');

    const d = districtBudget;
    const noDistrict = await enter('ann', d, {
      reference: 'D1',
      'section-area': d.projects['Town festival']!,
    });
    assert.deepEqual(errorSummary(noDistrict.body), [
      'Select the district marked on the sheet, or mark the sheet as spoilt if there is none',
    ]);
    const wrong = await enter('ann', d, {
      reference: 'D1',
      districtId: d.districts.Northbank!,
      [`section-${d.districts.Southbank}`]: d.projects['South library hours']!,
    });
    assert.deepEqual(errorSummary(wrong.body), [
      'South library hours is a project for Southbank, not Northbank: check the district and the choices on the sheet',
    ]);
    const fields = {
      reference: 'D1',
      districtId: d.districts.Northbank!,
      [`section-${d.districts.Northbank}`]: d.projects['North play area']!,
      'section-area': d.projects['Town festival']!,
    };
    assert.equal((await enter('ann', d, fields)).statusCode, 303);
    assert.equal((await sheet('D1', d))!.status, 'awaiting_second');
    await enter('ben', d, fields);
    const matched = (await sheet('D1', d))!;
    assert.equal(matched.status, 'matched');
    assert.equal((await ballotOf(matched.id))!.district_id, d.districts.Northbank);

    // The same choice read under another district is not the same reading.
    const festival = { reference: 'D2', 'section-area': d.projects['Town festival']! };
    await enter('ann', d, { ...festival, districtId: d.districts.Northbank! });
    await enter('ben', d, { ...festival, districtId: d.districts.Southbank! });
    const differs = (await sheet('D2', d))!;
    assert.equal(differs.status, 'mismatch');
    const page = await (await as('cat')).get(`${list(d)}/${differs.id}/resolve`);
    assert.match(
      page.body,
      /<th scope="row" class="govuk-table__header">District<\/th>[\s\S]*?Northbank[\s\S]*?Southbank[\s\S]*?Different/,
    );
  });

  it('lists sheets by status, in pages', async () => {
    const agent = await as('cat');
    const page = await agent.get(list(budget));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Awaiting second entry \(1\)/);
    assert.match(page.body, /Matched \(1\)/);
    assert.match(page.body, /Resolved \(1\)/);
    assert.match(page.body, /Spoilt \(2\)/);
    for (let i = 0; i < 26; i++) {
      const response = await enter('cat', budget, {
        reference: `B${100 + i}`,
        'section-area': p('Safer crossing'),
      });
      assert.equal(response.statusCode, 303);
    }
    const first = await agent.get(list(budget));
    assert.match(first.body, /Showing 1 to 25 of 27 sheets/);
    const second = await agent.get(`${list(budget)}?page=2`);
    assert.match(second.body, /Showing 26 to 27 of 27 sheets/);
  });

  it('is only for staff with the capability', async () => {
    for (const email of ['rosa@example.test', 'hill@example.test']) {
      const agent = await as(email);
      assert.equal((await agent.get(list(budget))).statusCode, 403, email);
      assert.equal((await agent.get(newSheet(budget))).statusCode, 403, email);
    }
    const resident = await as('rosa@example.test');
    const post = await resident.postRaw(list(budget), {
      reference: 'R1',
      'section-area': p('Safer crossing'),
      _csrf: resident.csrfToken(),
    });
    assert.equal(post.statusCode, 403);
    assert.equal(await sheet('R1'), undefined);
    const visitor = await new Agent(t.app).get(newSheet(budget));
    assert.equal(visitor.statusCode, 302);
  });
});

describe('when paper ballots cannot be entered', () => {
  it('refuses entries before voting opens', async () => {
    const later = await createTestBudget(t.database.db, {
      placeId: place.id,
      processId,
      title: 'Next year',
      opensOn: addDays(on, 3),
      closesOn: addDays(on, 30),
      projects: [{ title: 'Later', cost: '100' }],
    });
    const page = await (await as('ann')).get(newSheet(later));
    assert.equal(page.statusCode, 403);
    assert.match(page.body, /so paper ballots cannot be entered yet/);
  });

  it('refuses entries and resolutions once the results are published, writing nothing', async () => {
    await enter('ann', budget, { reference: '0100', 'section-area': p('Safer crossing') });
    await enter('ben', budget, { reference: '0100', 'section-area': p('Trees on Mill Lane') });
    const pending = (await sheet('0100'))!;
    assert.equal(pending.status, 'mismatch');
    const cat = await as('cat');
    const resolvePath = `${list(budget)}/${pending.id}/resolve`;
    await cat.get(resolvePath);
    const token = cat.csrfToken();
    await as('ben');
    const ben = await as('ben');
    await ben.get(newSheet(budget));
    const benToken = ben.csrfToken();

    await t.database.db
      .insertInto('budget_counts')
      .values({
        place_id: place.id,
        budget_id: budget.id,
        status: 'done',
        published_at: new Date().toISOString() as never,
      })
      .execute();

    const form = await ben.get(newSheet(budget));
    assert.equal(form.statusCode, 403);
    assert.match(
      form.body,
      /The results of Parks and streets have been published, so no more paper ballots can be entered\./,
    );
    const post = await ben.postRaw(list(budget), {
      reference: '0101',
      'section-area': p('Safer crossing'),
      _csrf: benToken,
    });
    assert.equal(post.statusCode, 403);
    assert.equal(await sheet('0101'), undefined);
    const resolve = await cat.postRaw(resolvePath, { 'section-area': p('Safer crossing'), _csrf: token });
    assert.equal(resolve.statusCode, 403);
    assert.equal((await sheet('0100'))!.status, 'mismatch');
    assert.equal((await entries(pending.id)).length, 2);
    // The list can still be read.
    assert.equal((await cat.get(list(budget))).statusCode, 200);
  });
});

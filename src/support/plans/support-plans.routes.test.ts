import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let programmeId: string;
let northId: string;
let southId: string;
let leahId: string;
let ottoId: string;
const ids: Record<'amara' | 'ben' | 'cleo' | 'dev' | 'eli', string> = {
  amara: '',
  ben: '',
  cleo: '',
  dev: '',
  eli: '',
};
let officer: Agent;
let leah: Agent;
let otto: Agent;
let parent: Agent;
const P = '/places/riverside/support';
const F = '/places/riverside/family';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function ok(agent: Agent, page: string, fields: Record<string, string | string[]>, action?: string) {
  const response = await agent.submit(page, fields, action);
  assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join('\n'));
  return response;
}

/** Posts with a token from a page the agent may open (for routes it may not). */
async function postAs(agent: Agent, url: string, fields: Record<string, string>) {
  await agent.get('/account');
  return agent.postRaw(url, { ...fields, _csrf: agent.csrfToken() });
}

const yearsAgo = (years: number) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
};

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  await t.createUser({ email: 'officer@example.test', roles: [{ placeId: place.id, role: 'officer' }] });
  leahId = await t.createUser({
    email: 'leah@example.test',
    name: 'Leah Brennan',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  ottoId = await t.createUser({
    email: 'otto@example.test',
    name: 'Otto Elsewhere',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  await t.createUser({ email: 'parent@example.test', name: 'Pam Parent' });
  await t.createUser({ email: 'teen@example.test', name: 'Amara Teen' });
  await t.createUser({ email: 'stranger@example.test', name: 'Sam Stranger' });

  const programme = await db()
    .insertInto('support_programmes')
    .values({
      place_id: place.id,
      name: 'Riverside Zone',
      starts_on: '2026-09-01',
      ends_on: '2028-07-31',
      retention_years: 7,
      caseload_limit: 2,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  programmeId = programme.id;
  const setting = await db()
    .insertInto('support_settings')
    .values({ place_id: place.id, programme_id: programmeId, name: 'Northbank Academy', kind: 'school' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const cohort = await db()
    .insertInto('support_cohorts')
    .values({
      place_id: place.id,
      programme_id: programmeId,
      name: 'Year 7',
      year_group: 7,
      intake_year: 2026,
      life_stage: 'secondary',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const teams = await db()
    .insertInto('support_teams')
    .values([
      { place_id: place.id, programme_id: programmeId, name: 'North team' },
      { place_id: place.id, programme_id: programmeId, name: 'South team' },
    ])
    .returning('id')
    .execute();
  northId = teams[0]!.id;
  southId = teams[1]!.id;
  await db()
    .insertInto('support_team_members')
    .values([
      { place_id: place.id, team_id: northId, user_id: leahId },
      { place_id: place.id, team_id: southId, user_id: ottoId },
    ])
    .execute();
  const child = (reference: string, given: string, age: number, team: string, worker: string) => ({
    place_id: place.id,
    programme_id: programmeId,
    cohort_id: cohort.id,
    setting_id: setting.id,
    reference,
    given_name: given,
    family_name: 'Testchild',
    date_of_birth: yearsAgo(age),
    status: 'active' as const,
    team_id: team,
    link_worker_id: worker,
  });
  const rows = await db()
    .insertInto('participants')
    .values([
      child('R001', 'Amara', 14, northId, leahId),
      child('R002', 'Ben', 15, northId, leahId),
      child('R003', 'Cleo', 11, northId, leahId),
      child('R004', 'Dev', 12, southId, ottoId),
      child('R005', 'Eli', 12, southId, ottoId),
    ])
    .returning('id')
    .execute();
  [ids.amara, ids.ben, ids.cleo, ids.dev, ids.eli] = rows.map((r) => r.id) as [
    string,
    string,
    string,
    string,
    string,
  ];
  officer = await signedIn('officer@example.test');
  leah = await signedIn('leah@example.test');
  otto = await signedIn('otto@example.test');
  parent = await signedIn('parent@example.test');
});

after(() => t.close());

const auditOf = (participantId: string, action: string) =>
  db()
    .selectFrom('audit_events')
    .selectAll()
    .where('subject_id', '=', participantId)
    .where('action', '=', action as never)
    .orderBy('occurred_at')
    .execute();

describe('GET /places/:slug/support/caseload', () => {
  it('lists the link worker’s children with stage, last contact, next review and safeguarding', async () => {
    const page = await leah.get(`${P}/caseload`);
    assert.equal(page.statusCode, 200);
    for (const name of ['Amara Testchild', 'Ben Testchild', 'Cleo Testchild'])
      assert.match(page.body, new RegExp(name));
    assert.doesNotMatch(page.body, /Dev Testchild/);
    assert.match(page.body, /Last contact/);
    assert.match(page.body, /Next review/);
  });

  it('records that each child shown was seen, in that child’s own trail', async () => {
    const before = (await auditOf(ids.amara, 'participant.listed')).length;
    await leah.get(`${P}/caseload`);
    const seen = await auditOf(ids.amara, 'participant.listed');
    assert.equal(seen.length, before + 1);
    assert.equal((seen.at(-1)!.details as { list: string }).list, 'caseload');
    const log = await t.database.db
      .selectFrom('audit_events')
      .select('subject_id')
      .where('action', '=', 'participant.listed')
      .where('request_id', '=', seen.at(-1)!.request_id)
      .execute();
    assert.equal(log.length, 3, 'one entry for each of the three children on the page');
  });

  it('warns a link worker over the programme’s caseload limit', async () => {
    const page = await leah.get(`${P}/caseload`);
    assert.match(page.body, /You have 3 children in Riverside Zone: over the caseload limit of 2/);
    const under = await otto.get(`${P}/caseload`);
    assert.doesNotMatch(under.body, /over the caseload limit/);
  });

  it('refuses an officer', async () => {
    assert.equal((await officer.get(`${P}/caseload`)).statusCode, 403);
  });
});

describe('the contact log', () => {
  it('logs a contact, lists it and audits the change and the read', async () => {
    await ok(leah, `${P}/participants/${ids.amara}/contacts/new`, {
      contactOn: '2026-01-05',
      kind: 'visit',
      notes: 'Home visit with mum; talked about football club.',
    });
    const page = await leah.get(`${P}/participants/${ids.amara}/contacts`);
    assert.match(page.body, /Home visit with mum; talked about football club\./);
    assert.match(page.body, /Home visit/);
    const stored = await db().selectFrom('participant_contacts').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.contact_on, '2026-01-05');
    const logged = await auditOf(ids.amara, 'participant.contact_logged');
    assert.equal(logged.length, 1);
    assert.doesNotMatch(JSON.stringify(logged[0]!.details), /football/);
    assert.ok((await auditOf(ids.amara, 'participant.viewed')).length >= 1);
    assert.match((await leah.get(`${P}/caseload`)).body, /5 January 2026/);
  });

  it('re-shows the form with errors and stores nothing for bad input', async () => {
    const response = await leah.submit(`${P}/participants/${ids.amara}/contacts/new`, {
      contactOn: 'yesterday',
      kind: 'carrier pigeon',
      notes: '',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(errorSummary(leah.lastPage).length, 3);
    assert.equal((await db().selectFrom('participant_contacts').selectAll().execute()).length, 1);
  });

  it('gives a link worker of another team 404 for the log of a child not theirs, reading and writing', async () => {
    assert.equal((await otto.get(`${P}/participants/${ids.amara}/contacts`)).statusCode, 404);
    assert.equal((await otto.get(`${P}/participants/${ids.amara}/contacts/new`)).statusCode, 404);
    const write = await postAs(otto, `${P}/participants/${ids.amara}/contacts/new`, {
      contactOn: '2026-01-06',
      kind: 'phone',
      notes: 'Guessing an id.',
    });
    assert.equal(write.statusCode, 404);
    assert.equal((await db().selectFrom('participant_contacts').selectAll().execute()).length, 1);
  });
});

describe('safeguarding concerns', () => {
  it('lets an officer name the programme’s designated safeguarding lead', async () => {
    await ok(officer, `${P}/programmes/${programmeId}/safeguarding-lead`, { leadUserId: ottoId });
    const row = await sql<{
      safeguarding_lead_id: string;
    }>`SELECT safeguarding_lead_id FROM support_programmes WHERE id = ${programmeId}`.execute(db());
    assert.equal(row.rows[0]!.safeguarding_lead_id, ottoId);
    assert.equal((await leah.get(`${P}/programmes/${programmeId}/safeguarding-lead`)).statusCode, 403);
  });

  let concernUrl = '';
  it('records a concern, flags the child and emails the lead a link without the child’s name', async () => {
    const response = await ok(leah, `${P}/participants/${ids.amara}/safeguarding/new`, {
      summary: 'Amara said she is scared to go home; bruise on her arm.',
    });
    concernUrl = response.headers.location as string;
    const mail = (await t.mail()).find((m) => m.to === 'otto@example.test');
    assert.ok(mail, 'the lead was emailed');
    assert.match(mail.text, new RegExp(`http://commonweal.test${concernUrl}`));
    for (const secret of ['Amara', 'Testchild', 'R001', 'bruise', 'scared'])
      assert.doesNotMatch(`${mail.subject}\n${mail.text}`, new RegExp(secret));
    const [concern] = await db().selectFrom('safeguarding_concerns').selectAll().execute();
    assert.equal(concern!.lead_id, ottoId);
    assert.ok(concern!.lead_emailed_at);
    const inApp = await db().selectFrom('notifications').selectAll().where('user_id', '=', ottoId).execute();
    assert.equal(inApp.length, 1);
    assert.doesNotMatch(`${inApp[0]!.title} ${inApp[0]!.body}`, /Amara/);
    assert.match((await leah.get(`${P}/caseload`)).body, /Open concern/);
    assert.equal((await auditOf(ids.amara, 'participant.safeguarding_raised')).length, 1);
  });

  it('lets the lead read and resolve the concern but not open the child’s record', async () => {
    const page = await otto.get(concernUrl);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /scared to go home/);
    const list = await otto.get(`${P}/safeguarding`);
    assert.match(list.body, /Amara Testchild/);
    const seen = await auditOf(ids.amara, 'participant.listed');
    assert.ok(
      seen.some(
        (e) =>
          e.request_id === list.headers['x-request-id'] &&
          (e.details as { list: string }).list === 'safeguarding',
      ),
      'the lead’s list is in the child’s trail',
    );
    assert.equal((await otto.get(`${P}/participants/${ids.amara}`)).statusCode, 404);
    assert.equal((await otto.get(`${P}/participants/${ids.amara}/plan`)).statusCode, 404);
    await ok(otto, `${concernUrl}/resolve`, {
      resolution: 'Referred to children’s social care the same day.',
    });
    const [concern] = await db().selectFrom('safeguarding_concerns').selectAll().execute();
    assert.ok(concern!.resolved_at);
    assert.equal(concern!.resolved_by, ottoId);
    assert.doesNotMatch((await leah.get(`${P}/caseload`)).body, /Open concern/);
  });

  it('gives a link worker who is neither on the team nor the lead 404 for a concern', async () => {
    await ok(officer, `${P}/programmes/${programmeId}/safeguarding-lead`, { leadUserId: '' });
    assert.equal((await otto.get(concernUrl)).statusCode, 404);
    assert.equal((await otto.get(`${P}/participants/${ids.amara}/safeguarding`)).statusCode, 404);
  });
});

describe('POST /places/:slug/support/participants/:id/reassign', () => {
  it('warns when the new link worker would go over the limit, and assigns once confirmed', async () => {
    const page = `${P}/participants/${ids.cleo}/reassign`;
    const warned = await leah.submit(page, {
      assignee: `${southId}:${ottoId}`,
      reason: 'Lives nearer the south team.',
    });
    assert.equal(warned.statusCode, 400);
    assert.match(warned.body, /already has 2 children in this programme; the limit is 2/);
    assert.match(warned.body, /Assign over the limit/);
    const unchanged = await db()
      .selectFrom('participants')
      .select('link_worker_id')
      .where('id', '=', ids.cleo)
      .executeTakeFirstOrThrow();
    assert.equal(unchanged.link_worker_id, leahId);

    await ok(leah, page, {
      assignee: `${southId}:${ottoId}`,
      reason: 'Lives nearer the south team.',
      confirmOverLimit: 'yes',
    });
    const moved = await db()
      .selectFrom('participants')
      .select('link_worker_id')
      .where('id', '=', ids.cleo)
      .executeTakeFirstOrThrow();
    assert.equal(moved.link_worker_id, ottoId);
    const history = await otto.get(page);
    assert.match(
      history.body,
      /South team, Otto Elsewhere<\/td>\s*<td class="govuk-table__cell">Leah Brennan<\/td>/,
    );
    assert.match(history.body, /Lives nearer the south team\. \(over the caseload limit\)/);
    assert.equal((await leah.get(page)).statusCode, 404, 'the child has left Leah’s caseload');
  });

  it('requires a reason', async () => {
    const response = await leah.submit(`${P}/participants/${ids.ben}/reassign`, {
      assignee: `${northId}:${leahId}`,
      reason: '',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(leah.lastPage), ['Enter the reason for the assignment']);
  });
});

describe('support plans', () => {
  const plan = () => `${P}/participants/${ids.amara}/plan`;
  let goalId = '';

  it('creates a new version for each change and keeps old versions readable', async () => {
    await ok(leah, `${plan()}/goals/new`, { text: 'I want to join the football team' });
    await ok(leah, `${plan()}/actions/new`, {
      text: 'ask the coach about trials',
      owner: 'Leah (link worker)',
      dueOn: '2026-02-01',
    });
    await ok(leah, `${plan()}/components/new`, {
      kind: 'developmental',
      description: 'Saturday football club',
      organizationId: '',
      provider: 'Riverside Juniors',
    });
    await ok(leah, `${plan()}/reviews/new`, { on: '2099-03-01' });
    const versions = await db().selectFrom('support_plan_versions').selectAll().orderBy('version').execute();
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2, 3, 4],
    );
    assert.equal(versions[0]!.content.actions.length, 0);
    assert.equal(versions[1]!.content.actions.length, 1);
    goalId = versions[0]!.content.goals[0]!.id;

    const current = await leah.get(plan());
    assert.match(current.body, /ask the coach about trials/);
    assert.match(current.body, /Saturday football club/);
    assert.match(current.body, /Added the goal “I want to join the football team”/);
    const first = await leah.get(`${plan()}?version=1`);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /I want to join the football team/);
    assert.match(first.body, /No actions yet\./);
    assert.match(first.body, /No support added yet\./);
    assert.match(first.body, /This is an earlier version/);
    assert.equal((await leah.get(`${plan()}?version=9`)).statusCode, 404);
    assert.match((await leah.get(`${P}/caseload`)).body, /1 March 2099/);
  });

  it('edits a goal as a new version and marks an action done', async () => {
    await ok(leah, `${plan()}/goals/${goalId}/edit`, { text: 'I want to play for the school football team' });
    const v5 = await db()
      .selectFrom('support_plan_versions')
      .select('content')
      .where('version', '=', 5)
      .executeTakeFirstOrThrow();
    assert.equal(v5.content.goals[0]!.id, goalId);
    const actionId = v5.content.actions[0]!.id;
    await leah.get(plan());
    const done = await leah.postRaw(`${plan()}/actions/${actionId}/done`, { _csrf: leah.csrfToken() });
    assert.equal(done.statusCode, 303);
    const v6 = await db()
      .selectFrom('support_plan_versions')
      .select('content')
      .where('version', '=', 6)
      .executeTakeFirstOrThrow();
    assert.equal(v6.content.actions[0]!.done, true);
    const v1 = await db()
      .selectFrom('support_plan_versions')
      .select('content')
      .where('version', '=', 1)
      .executeTakeFirstOrThrow();
    assert.equal(v1.content.goals[0]!.text, 'I want to join the football team');
  });

  it('refuses to change a stored version', async () => {
    await assert.rejects(
      db()
        .updateTable('support_plan_versions')
        .set({ change_summary: 'rewritten' })
        .where('version', '=', 1)
        .execute(),
    );
  });

  it('keeps each goal’s rating history with the first as the baseline', async () => {
    await ok(leah, `${plan()}/goals/${goalId}/rating`, { rating: '3', note: 'Nervous about trials' });
    await ok(leah, `${plan()}/goals/${goalId}/rating`, { rating: '6', note: '' });
    const bad = await leah.submit(`${plan()}/goals/${goalId}/rating`, { rating: '11', note: '' });
    assert.equal(bad.statusCode, 400);
    const ratings = await db().selectFrom('support_goal_ratings').selectAll().orderBy('rated_at').execute();
    assert.deepEqual(
      ratings.map((r) => [r.rating, r.rated_as]),
      [
        [3, 'link_worker'],
        [6, 'link_worker'],
      ],
    );
    assert.match((await leah.get(plan())).body, /Baseline 3 out of 10; latest 6 out of 10/);
  });

  it('gives a link worker of another team 404 for the plan, reading and writing', async () => {
    assert.equal((await otto.get(plan())).statusCode, 404);
    assert.equal((await otto.get(`${plan()}?version=1`)).statusCode, 404);
    const write = await postAs(otto, `${plan()}/goals/new`, { text: 'A guessed goal' });
    assert.equal(write.statusCode, 404);
    assert.equal((await db().selectFrom('support_plan_versions').selectAll().execute()).length, 6);
  });
});

describe('the family view', () => {
  const plan = () => `${P}/participants/${ids.amara}/plan`;

  it('refuses to link a child under 13 as a young person, and stores nothing', async () => {
    await ok(leah, `${P}/participants/${ids.ben}/plan/goals/new`, { text: 'Be on time for school' });
    const response = await leah.submit(`${P}/participants/${ids.cleo}/plan/family/invite`, {
      relationship: 'young_person',
      email: 'cleo@example.test',
    });
    // Cleo has moved to the south team: Leah cannot reach her at all.
    assert.equal(response.statusCode, 404);
    const young = await otto.submit(`${P}/participants/${ids.cleo}/plan/family/invite`, {
      relationship: 'young_person',
      email: 'cleo@example.test',
    });
    assert.equal(young.statusCode, 400);
    assert.match(errorSummary(otto.lastPage).join(), /from the age of 13/);
    assert.equal((await db().selectFrom('family_members').selectAll().execute()).length, 0);
  });

  it('invites a parent by email, who accepts, sees only that plan and is audited as a parent', async () => {
    await ok(leah, `${plan()}/family/invite`, { relationship: 'parent_carer', email: 'Parent@example.test' });
    const mail = (await t.mail()).find((m) => m.to === 'Parent@example.test');
    assert.ok(mail);
    assert.doesNotMatch(mail.text, /Amara|Testchild/);
    const link = await t.linkFromLastMailTo('Parent@example.test');

    const stranger = await signedIn('stranger@example.test');
    const wrong = await stranger.submit(link, {});
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /sent to another email address/);

    const accepted = await parent.submit(link, {});
    assert.equal(accepted.statusCode, 303);
    assert.equal(accepted.headers.location, `${F}/${ids.amara}`);
    const page = await parent.get(`${F}/${ids.amara}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /I want to play for the school football team/);
    assert.match(page.body, /At the start: 3 out of 10\. Now: 6 out of 10\./);
    assert.doesNotMatch(page.body, /R001/);
    const viewed = await auditOf(ids.amara, 'participant.viewed');
    assert.deepEqual(viewed.at(-1)!.details, { roles: ['parent_carer'], page: 'family_plan', version: 6 });
    assert.equal((await parent.get(link)).statusCode, 404, 'an invitation is used once');
  });

  it('gives the parent of one child 404 for another child’s plan and for staff pages', async () => {
    assert.equal((await parent.get(`${F}/${ids.ben}`)).statusCode, 404);
    assert.equal(
      (await parent.get(`${F}/${ids.ben}/goals/00000000-0000-4000-8000-000000000000/rating`)).statusCode,
      404,
    );
    const comment = await postAs(parent, `${F}/${ids.ben}/comments/new`, { body: 'Guessing' });
    assert.equal(comment.statusCode, 404);
    assert.equal((await parent.get(`${P}/participants/${ids.amara}/plan`)).statusCode, 403);
  });

  it('lets the parent rate a goal, comment and sign off the current version', async () => {
    const v = await db()
      .selectFrom('support_plan_versions')
      .select('content')
      .where('version', '=', 6)
      .executeTakeFirstOrThrow();
    const goalId = v.content.goals[0]!.id;
    await ok(parent, `${F}/${ids.amara}/goals/${goalId}/rating`, {
      rating: '7',
      note: 'She has been training',
    });
    await ok(parent, `${F}/${ids.amara}/comments/new`, { body: 'Can trials be after school?' });
    await parent.get(`${F}/${ids.amara}`);
    const signed = await parent.postRaw(`${F}/${ids.amara}/sign-off`, {
      version: '6',
      _csrf: parent.csrfToken(),
    });
    assert.equal(signed.statusCode, 303);
    const rating = await db()
      .selectFrom('support_goal_ratings')
      .selectAll()
      .where('rating', '=', 7)
      .executeTakeFirstOrThrow();
    assert.equal(rating.rated_as, 'parent_carer');
    const [signoff] = await db().selectFrom('support_plan_signoffs').selectAll().execute();
    assert.equal(signoff!.version, 6);
    assert.match((await parent.get(`${F}/${ids.amara}`)).body, /You have signed off this version/);
    const staffView = await leah.get(plan());
    assert.match(staffView.body, /Can trials be after school\?/);
    assert.match(staffView.body, /signed version 6/);
  });

  it('refuses a sign-off of a version that is no longer current', async () => {
    await ok(leah, `${plan()}/reviews/new`, { on: '2099-06-01' });
    await parent.get(`${F}/${ids.amara}`);
    await parent.postRaw(`${F}/${ids.amara}/sign-off`, { version: '6', _csrf: parent.csrfToken() });
    assert.equal((await db().selectFrom('support_plan_signoffs').selectAll().execute()).length, 1);
    assert.match((await parent.get(`${F}/${ids.amara}`)).body, /I agree with this plan/);
  });

  it('links a young person aged 13 or over', async () => {
    await ok(leah, `${plan()}/family/invite`, { relationship: 'young_person', email: 'teen@example.test' });
    const teen = await signedIn('teen@example.test');
    const link = await t.linkFromLastMailTo('teen@example.test');
    assert.equal((await teen.submit(link, {})).statusCode, 303);
    assert.equal((await teen.get(`${F}/${ids.amara}`)).statusCode, 200);
    assert.match((await teen.get(F)).body, /Amara’s support plan/);
  });
});

describe('removing a goal or an action from a plan', () => {
  const plan = () => `${P}/participants/${ids.amara}/plan`;
  const current = async () => {
    const row = await db()
      .selectFrom('support_plan_versions')
      .select(['version', 'content', 'change_summary'])
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    return row;
  };

  it('asks first, then writes a new version without it; the version before keeps it', async () => {
    await ok(leah, `${plan()}/goals/new`, { text: 'Learn to swim' });
    await ok(leah, `${plan()}/actions/new`, { text: 'book lessons', owner: 'Dad', dueOn: '2027-03-01' });
    const before = await current();
    const goal = before.content.goals.find((g) => g.text === 'Learn to swim')!;
    const action = before.content.actions.find((a) => a.text === 'book lessons')!;
    const page = await leah.get(plan());
    assert.match(page.body, new RegExp(`href="${plan()}/goals/${goal.id}/remove"`));
    assert.match(page.body, new RegExp(`href="${plan()}/actions/${action.id}/remove"`));

    const confirm = await leah.get(`${plan()}/goals/${goal.id}/remove`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /Remove the goal “Learn to swim”\?/);
    assert.match(confirm.body, /Earlier versions keep it, with its ratings\./);
    await ok(leah, `${plan()}/goals/${goal.id}/remove`, {});
    const afterGoal = await current();
    assert.equal(afterGoal.version, before.version + 1);
    assert.equal(afterGoal.change_summary, 'Removed the goal “Learn to swim”');
    assert.ok(!afterGoal.content.goals.some((g) => g.id === goal.id));
    assert.match((await leah.get(plan())).body, /The goal has been removed\./);

    await ok(leah, `${plan()}/actions/${action.id}/remove`, {});
    const afterAction = await current();
    assert.equal(afterAction.change_summary, 'Removed the action “book lessons”');
    assert.ok(!afterAction.content.actions.some((a) => a.id === action.id));
    const earlier = await leah.get(`${plan()}?version=${before.version}`);
    assert.match(earlier.body, /Learn to swim/);
    assert.match(earlier.body, /book lessons/);

    // Gone now: the question is not asked again, and a stale form is refused with the reason.
    assert.equal((await leah.get(`${plan()}/goals/${goal.id}/remove`)).statusCode, 404);
    const stale = await leah.postRaw(`${plan()}/goals/${goal.id}/remove`, { _csrf: leah.csrfToken() });
    assert.equal(stale.statusCode, 400);
    assert.deepEqual(errorSummary(stale.body), ['That goal is not in the plan']);
    assert.equal((await current()).version, afterAction.version);
  });

  it('gives a link worker of another team 404, asking and removing', async () => {
    const { content, version } = await current();
    const goal = content.goals[0]!;
    assert.equal((await otto.get(`${plan()}/goals/${goal.id}/remove`)).statusCode, 404);
    assert.equal((await postAs(otto, `${plan()}/goals/${goal.id}/remove`, {})).statusCode, 404);
    assert.equal((await current()).version, version);
  });
});

describe('a link worker’s comment on the plan', () => {
  const plan = () => `${P}/participants/${ids.amara}/plan`;
  const comments = () => db().selectFrom('support_plan_comments').selectAll().orderBy('created_at').execute();

  it('is saved beside the family’s, audited, and the family sees it', async () => {
    const before = (await comments()).length;
    const empty = await leah.submit(`${plan()}/comments/new`, { body: '   ' });
    assert.equal(empty.statusCode, 400);
    assert.equal((await comments()).length, before);

    await ok(leah, `${plan()}/comments/new`, { body: 'Trials can be after school: I asked the coach.' });
    const saved = (await comments()).at(-1)!;
    assert.equal(saved.author_as, 'link_worker');
    assert.equal(saved.body, 'Trials can be after school: I asked the coach.');
    const audit = await db()
      .selectFrom('audit_events')
      .select(['action', 'subject_id', 'details'])
      .where('action', '=', 'participant.plan_commented')
      .orderBy('occurred_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audit.subject_id, ids.amara);
    assert.equal((audit.details as { commentId: string }).commentId, saved.id);

    const staff = await leah.get(plan());
    assert.match(staff.body, /Your comment has been saved\./);
    assert.match(staff.body, /Link worker: Leah Brennan/);
    const family = await parent.get(`${F}/${ids.amara}`);
    assert.match(family.body, /Trials can be after school: I asked the coach\./);
  });

  it('gives a link worker of another team 404, and stores nothing', async () => {
    const before = (await comments()).length;
    assert.equal((await otto.get(`${plan()}/comments/new`)).statusCode, 404);
    assert.equal((await postAs(otto, `${plan()}/comments/new`, { body: 'A guess' })).statusCode, 404);
    assert.equal((await comments()).length, before);
  });
});

describe('ending a family member’s access', () => {
  const plan = () => `${P}/participants/${ids.amara}/plan`;
  const member = (email: string) =>
    db()
      .selectFrom('family_members')
      .selectAll()
      .where('participant_id', '=', ids.amara)
      .where('email', '=', email)
      .executeTakeFirstOrThrow();

  it('withdraws an invitation not yet accepted: its link stops working', async () => {
    await ok(leah, `${plan()}/family/invite`, { relationship: 'parent_carer', email: 'gran@example.test' });
    const link = await t.linkFromLastMailTo('gran@example.test');
    const invited = await member('gran@example.test');
    const confirm = await leah.get(`${plan()}/family/${invited.id}/end`);
    assert.match(confirm.body, /Withdraw this invitation\?/);
    assert.match(confirm.body, /gran@example\.test/);
    await ok(leah, `${plan()}/family/${invited.id}/end`, {});
    assert.ok((await member('gran@example.test')).ended_at);
    await t.createUser({ email: 'gran@example.test' });
    const gran = await signedIn('gran@example.test');
    assert.equal((await gran.get(link)).statusCode, 404);
    assert.match((await leah.get(plan())).body, /invitation withdrawn on/);
  });

  it('ends a parent’s access: they no longer see the plan, and it is audited', async () => {
    assert.equal((await parent.get(`${F}/${ids.amara}`)).statusCode, 200);
    const pam = (
      await db()
        .selectFrom('family_members as f')
        .innerJoin('users as u', 'u.id', 'f.user_id')
        .select(['f.id', 'u.email'])
        .where('f.participant_id', '=', ids.amara)
        .where('f.relationship', '=', 'parent_carer')
        .where('f.ended_at', 'is', null)
        .where('f.accepted_at', 'is not', null)
        .executeTakeFirstOrThrow()
    ).id;
    assert.equal((await otto.get(`${plan()}/family/${pam}/end`)).statusCode, 404);
    assert.equal((await postAs(otto, `${plan()}/family/${pam}/end`, {})).statusCode, 404);
    const confirm = await leah.get(`${plan()}/family/${pam}/end`);
    assert.match(confirm.body, /End this family member’s access\?/);
    await ok(leah, `${plan()}/family/${pam}/end`, {});
    assert.equal((await parent.get(`${F}/${ids.amara}`)).statusCode, 404);
    assert.doesNotMatch((await parent.get(F)).body, /Amara’s support plan/);
    const audit = await db()
      .selectFrom('audit_events')
      .select(['subject_id', 'details'])
      .where('action', '=', 'participant.family_ended')
      .orderBy('occurred_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audit.subject_id, ids.amara);
    assert.deepEqual(audit.details, {
      roles: ['link_worker'],
      familyMemberId: pam,
      relationship: 'parent_carer',
      accepted: true,
    });
    // A form sent again after the access ended is refused with the reason.
    const again = await leah.postRaw(`${plan()}/family/${pam}/end`, { _csrf: leah.csrfToken() });
    assert.equal(again.statusCode, 400);
    assert.deepEqual(errorSummary(again.body), ['That family member’s access has already ended']);
    assert.match((await leah.get(plan())).body, /could see the plan from/);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { type RecordsSetup, recordsSetup } from '../records/records.fixture.ts';

let t: TestApp;
let s: RecordsSetup;
let place: { id: string; slug: string; name: string };
let leah: Agent;
let pam: Agent;
/** Amara's plan has 27 family members who each signed it off, and 27 comments. */
let amara: { id: string; planId: string };
/** Ben's plan: Pam signed it off first, 200 others after her; 27 comments; one goal rated 2,001 times. */
let ben: { id: string; planId: string };
let benGoalId: string;
const P = '/places/riverside/support';
const F = '/places/riverside/family';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

/** An active child of Leah's with a plan at version 1 (one goal), and `comments` numbered comments on it. */
async function childWithPlan(reference: string, given: string, goalId: string, comments: number) {
  const child = await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: s.programmeId,
      cohort_id: s.cohortId,
      setting_id: s.settingId,
      reference,
      given_name: given,
      family_name: 'Testchild',
      date_of_birth: '2010-03-14',
      status: 'active',
      team_id: s.teamId,
      link_worker_id: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const plan = await db()
    .insertInto('support_plans')
    .values({ place_id: place.id, participant_id: child.id, current_version: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db()
    .insertInto('support_plan_versions')
    .values({
      place_id: place.id,
      plan_id: plan.id,
      version: 1,
      content: JSON.stringify({
        goals: [{ id: goalId, text: 'Join the football team' }],
        components: [],
        actions: [],
        reviewDates: [],
      }),
      change_summary: 'First version',
      changed_by: s.workerId,
    })
    .execute();
  await sql`
    INSERT INTO support_plan_comments (place_id, plan_id, version, author_as, body, created_at)
    SELECT ${place.id}, ${plan.id}, 1, 'parent_carer', 'Comment ' || n, timestamptz '2021-01-01' + n * interval '1 day'
    FROM generate_series(1, ${comments}::int) n`.execute(db());
  return { id: child.id, planId: plan.id };
}

/** The audit entries one request wrote. */
async function auditOf(response: { headers: Record<string, unknown> }) {
  return db()
    .selectFrom('audit_events')
    .select(['action', 'subject_id', 'details'])
    .where('request_id', '=', response.headers['x-request-id'] as string)
    .execute();
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  s = await recordsSetup(t, place.id);
  const p = place.id;

  amara = await childWithPlan('NB-4001', 'Amara', randomUUID(), 27);
  await sql`
    INSERT INTO users (email, name) SELECT 'signer' || n || '@example.test', 'Signer ' || n
    FROM generate_series(1, 27) n`.execute(db());
  await sql`
    INSERT INTO family_members (place_id, participant_id, email, user_id, relationship, invited_at, accepted_at)
    SELECT ${p}, ${amara.id}, u.email, u.id, 'parent_carer',
           timestamptz '2021-01-01' + substr(u.name, 8)::int * interval '1 day', timestamptz '2021-06-01'
    FROM users u WHERE u.email LIKE 'signer%@example.test'`.execute(db());
  await sql`
    INSERT INTO support_plan_signoffs (place_id, plan_id, version, family_member_id, signed_by, signed_at)
    SELECT ${p}, ${amara.planId}, 1, f.id, f.user_id, f.invited_at + interval '1 year'
    FROM family_members f WHERE f.participant_id = ${amara.id}`.execute(db());

  benGoalId = randomUUID();
  ben = await childWithPlan('NB-4002', 'Ben', benGoalId, 27);
  const pamLink = await db()
    .insertInto('family_members')
    .values({
      place_id: p,
      participant_id: ben.id,
      email: 'pam@example.test',
      user_id: s.parentId,
      relationship: 'parent_carer',
      accepted_at: new Date('2021-01-10T09:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`
    INSERT INTO support_plan_signoffs (place_id, plan_id, version, family_member_id, signed_by, signed_at)
    VALUES (${p}, ${ben.planId}, 1, ${pamLink.id}, ${s.parentId}, timestamptz '2021-02-01')`.execute(db());
  await sql`
    WITH others AS (
      INSERT INTO family_members (place_id, participant_id, email, relationship, token_hash)
      SELECT ${p}, ${ben.id}, 'other' || n || '@example.test', 'parent_carer', 'hash-other-' || n
      FROM generate_series(1, 200) n
      RETURNING id, email
    )
    INSERT INTO support_plan_signoffs (place_id, plan_id, version, family_member_id, signed_at)
    SELECT ${p}, ${ben.planId}, 1, id, timestamptz '2021-03-01' + substring(email from '[0-9]+')::int * interval '1 hour'
    FROM others`.execute(db());
  // The baseline is 2, the latest 9, and the 1,999 between are 5.
  await sql`
    INSERT INTO support_goal_ratings (place_id, plan_id, goal_id, rating, rated_as, rated_at)
    SELECT ${p}, ${ben.planId}, ${benGoalId}, CASE n WHEN 1 THEN 2 WHEN 2001 THEN 9 ELSE 5 END, 'link_worker',
           timestamptz '2021-01-01' + n * interval '1 minute'
    FROM generate_series(1, 2001) n`.execute(db());

  // 26 more children whose plans Pam can see, named so that they sort after Ben.
  await sql`
    INSERT INTO participants (place_id, programme_id, cohort_id, setting_id, reference, given_name, status, team_id, link_worker_id)
    SELECT ${p}, ${s.programmeId}, ${s.cohortId}, ${s.settingId}, 'FAM-' || n, 'Child ' || lpad(n::text, 2, '0'),
           'active', ${s.teamId}, ${s.workerId}
    FROM generate_series(1, 26) n`.execute(db());
  await sql`
    INSERT INTO family_members (place_id, participant_id, email, user_id, relationship, accepted_at)
    SELECT ${p}, id, 'pam@example.test', ${s.parentId}, 'parent_carer', timestamptz '2021-01-10'
    FROM participants WHERE reference LIKE 'FAM-%'`.execute(db());

  leah = await signedIn('leah@example.test');
  pam = await signedIn('pam@example.test');
});

after(async () => {
  await t?.close();
});

describe('GET /places/:slug/support/participants/:id/plan (the lists on a plan)', () => {
  const plan = () => `${P}/participants/${amara.id}/plan`;

  it('shows 25 family members, sign-offs and comments, with links to the next page of each', async () => {
    const page = await leah.get(plan());
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 25 of 27 family members invited/);
    assert.match(page.body, /: Signer 25,/);
    assert.doesNotMatch(page.body, /: Signer 26,/);
    assert.match(page.body, /Showing 1 to 25 of 27 sign-offs, newest first/);
    assert.match(page.body, /\(Signer 27\) signed version 1/);
    assert.doesNotMatch(page.body, /\(Signer 2\) signed version 1/);
    assert.match(page.body, /Showing 1 to 25 of 27 comments, newest first/);
    assert.match(page.body, /Comment 27</);
    assert.doesNotMatch(page.body, /Comment 2</);
    assert.match(page.body, new RegExp(`href="${plan()}\\?familyPage=2#family"`));
    for (const label of ['family members', 'sign-offs', 'comments']) {
      assert.match(page.body, new RegExp(`<nav class="govuk-pagination"[^>]*aria-label="Pages of ${label}"`));
    }
    assert.match(page.body, new RegExp(`href="${plan()}\\?signoffsPage=2#signoffs"`));
    assert.match(page.body, new RegExp(`href="${plan()}\\?comments=2#comments"`));
  });

  it('shows the 26th and later on page 2 of each list, each by its own parameter', async () => {
    const page = await leah.get(`${plan()}?familyPage=2&signoffsPage=2&comments=2`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 26 to 27 of 27 family members/);
    assert.match(page.body, /: Signer 26,/);
    assert.doesNotMatch(page.body, /: Signer 25,/);
    assert.match(page.body, /\(Signer 2\) signed version 1/);
    assert.match(page.body, /\(Signer 1\) signed version 1/);
    assert.doesNotMatch(page.body, /\(Signer 3\) signed version 1/);
    assert.match(page.body, /Comment 1</);
    assert.doesNotMatch(page.body, /Comment 3</);
  });

  it('keeps the other lists’ pages in each list’s links', async () => {
    const page = await leah.get(`${plan()}?familyPage=2`);
    assert.match(page.body, /Showing 1 to 25 of 27 comments/);
    assert.match(page.body, new RegExp(`href="${plan()}\\?comments=2&amp;familyPage=2#comments"`));
    assert.match(page.body, new RegExp(`href="${plan()}\\?familyPage=2&amp;signoffsPage=2#signoffs"`));
  });

  it('audits each page of the plan once, as before', async () => {
    for (const url of [plan(), `${plan()}?comments=2&familyPage=2`]) {
      const response = await leah.get(url);
      assert.deepEqual(await auditOf(response), [
        {
          action: 'participant.viewed',
          subject_id: amara.id,
          details: { roles: ['link_worker'], page: 'plan', version: 1 },
        },
      ]);
    }
  });

  it('works out the latest rating from every rating, not the first 2,000', async () => {
    const page = await leah.get(`${P}/participants/${ben.id}/plan`);
    assert.match(page.body, /Baseline 2 out of 10; latest 9 out of 10\./);
  });

  it('shows a goal’s latest 10 ratings and links to every rating, paged', async () => {
    const plan = await leah.get(`${P}/participants/${ben.id}/plan`);
    assert.match(plan.body, /Showing the latest 10 of 2001 ratings\./);
    assert.match(plan.body, /The latest 10 of 2001 ratings of the goal “Join the football team”/);
    assert.doesNotMatch(plan.body, /\(baseline\)/);
    const ratingsPath = `${P}/participants/${ben.id}/plan/goals/${benGoalId}/ratings`;
    assert.match(plan.body, new RegExp(`href="${ratingsPath}"`));

    const first = await leah.get(ratingsPath);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Showing 1 to 25 of 2001 ratings, oldest first/);
    const cells = (html: string) =>
      [...html.matchAll(/govuk-table__cell--numeric">(\d+)</g)].map((m) => Number(m[1]));
    assert.deepEqual(cells(first.body), [2, ...Array(24).fill(5)]);
    assert.match(first.body, /\(baseline\)/);
    assert.deepEqual(await auditOf(first), [
      {
        action: 'participant.viewed',
        subject_id: ben.id,
        details: { roles: ['link_worker'], page: 'goal_ratings', goalId: benGoalId },
      },
    ]);
    const last = await leah.get(`${ratingsPath}?page=81`);
    assert.match(last.body, /Showing 2001 to 2001 of 2001 ratings/);
    assert.deepEqual(cells(last.body), [9]);
    assert.doesNotMatch(last.body, /\(baseline\)/);
    const beyond = await leah.get(`${ratingsPath}?page=82`);
    assert.match(beyond.body, /Go to the first page/);
  });

  it('answers 404 for a goal not in the plan, and for a link worker who does not work with the child', async () => {
    const unknown = await leah.get(`${P}/participants/${ben.id}/plan/goals/${randomUUID()}/ratings`);
    assert.equal(unknown.statusCode, 404);
    await t.createUser({ email: 'otto@example.test', roles: [{ placeId: place.id, role: 'link_worker' }] });
    const otto = await signedIn('otto@example.test');
    const refused = await otto.get(`${P}/participants/${ben.id}/plan/goals/${benGoalId}/ratings`);
    assert.equal(refused.statusCode, 404);
  });
});

describe('the family view', () => {
  it('tells a parent they signed off even when 200 people signed after them', async () => {
    const response = await pam.get(`${F}/${ben.id}`);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /You have signed off this version/);
    assert.doesNotMatch(response.body, /I agree with this plan/);
    assert.deepEqual(await auditOf(response), [
      {
        action: 'participant.viewed',
        subject_id: ben.id,
        details: { roles: ['parent_carer'], page: 'family_plan', version: 1 },
      },
    ]);
  });

  it('asks a parent to sign off when they have not', async () => {
    await db()
      .deleteFrom('support_plan_signoffs')
      .where('plan_id', '=', ben.planId)
      .where('signed_by', '=', s.parentId)
      .execute();
    const response = await pam.get(`${F}/${ben.id}`);
    assert.match(response.body, /I agree with this plan/);
  });

  it('pages the comments by their own parameter: the link from page 1 leads to the 26th', async () => {
    const first = await pam.get(`${F}/${ben.id}`);
    assert.match(first.body, /Showing 1 to 25 of 27 comments, newest first/);
    assert.doesNotMatch(first.body, /Comment 1</);
    const next = first.body.match(/href="([^"]*comments=2[^"]*)"/)?.[1];
    assert.equal(next, `${F}/${ben.id}?comments=2#comments`);
    const second = await pam.get(next!.replace('#comments', ''));
    assert.match(second.body, /Showing 26 to 27 of 27 comments/);
    assert.match(second.body, /Comment 1</);
    assert.doesNotMatch(second.body, /Comment 3</);
  });

  it('shows the latest rating from every rating', async () => {
    const response = await pam.get(`${F}/${ben.id}`);
    assert.match(response.body, /At the start: 2 out of 10\. Now: 9 out of 10\./);
  });

  it('pages the plans a parent can see: the 26th is on page 2', async () => {
    const first = await pam.get(F);
    assert.match(first.body, /Showing 1 to 25 of 27 support plans/);
    assert.match(first.body, /Ben’s support plan/);
    assert.match(first.body, /Child 24’s support plan/);
    assert.doesNotMatch(first.body, /Child 25’s support plan/);
    assert.match(first.body, new RegExp(`href="${F}\\?page=2"`));
    const second = await pam.get(`${F}?page=2`);
    assert.match(second.body, /Showing 26 to 27 of 27 support plans/);
    assert.match(second.body, /Child 25’s support plan/);
    assert.match(second.body, /Child 26’s support plan/);
    assert.doesNotMatch(second.body, /Ben’s support plan/);
    // Each page names the children it shows, so it is a read of each of them, in Pam's relationship.
    const shown = async (response: { headers: Record<string, unknown> }) =>
      (await auditOf(response)).map((e) => {
        const details = e.details as { list: string; roles: string[] };
        return [e.subject_id, details.list, details.roles.join()];
      });
    const onFirst = await shown(first);
    assert.equal(onFirst.length, 25);
    assert.ok(onFirst.every(([, list, roles]) => list === 'family' && roles === 'parent_carer'));
    assert.ok(onFirst.some(([id]) => id === ben.id));
    const onSecond = await shown(second);
    assert.equal(onSecond.length, 2);
    assert.ok(onSecond.every(([id]) => id !== ben.id));
  });

  it('audits a child listed on the family page in the relationship of that link', async () => {
    await db()
      .updateTable('family_members')
      .set({ relationship: 'young_person' })
      .where('participant_id', '=', ben.id)
      .where('user_id', '=', s.parentId)
      .execute();
    try {
      const page = await pam.get(F);
      const ofBen = (await auditOf(page)).filter((e) => e.subject_id === ben.id);
      assert.deepEqual(
        ofBen.map((e) => e.details),
        [{ roles: ['young_person'], list: 'family' }],
      );
      // The child's access log says where and as whom.
      await t.createUser({ email: 'ada@example.test', roles: [{ placeId: place.id, role: 'place_admin' }] });
      const admin = await signedIn('ada@example.test');
      const log = await admin.get(`${P}/participants/${ben.id}/access-log`);
      assert.match(log.body, /Young person<\/td>\s*<td[^>]*>Saw them on their family page</);
    } finally {
      await db()
        .updateTable('family_members')
        .set({ relationship: 'parent_carer' })
        .where('participant_id', '=', ben.id)
        .where('user_id', '=', s.parentId)
        .execute();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import type { PlaceRole } from '../../platform/auth/roles.ts';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { type RecordsSetup, recordsSetup } from '../records/records.fixture.ts';

let t: TestApp;
let s: RecordsSetup;
let place: { id: string; slug: string; name: string };
let worker: Actor;
let outsider: Actor;
let leah: Agent;
let otto: Agent;
let childId: string;
const P = '/places/riverside/support';
const db = () => t.database.db;
const delivery = () => `${P}/participants/${childId}/delivery`;

function actor(id: string, email: string, role: PlaceRole): Actor {
  return {
    user: { id, name: email, email, emailVerified: true, isInstanceAdmin: false },
    roles: new Map([[place.id, new Set([role])]]),
    requestId: 'test',
  };
}

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

/** The rows of the outcome score tables on a page. */
function scoreRows(body: string) {
  const outcomes = body.slice(body.indexOf('id="outcomes"'));
  return [...outcomes.matchAll(/<td class="govuk-table__cell">(Baseline|Interim|Exit)[^<]*<\/td>/g)].length;
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
  worker = actor(s.workerId, 'leah@example.test', 'link_worker');
  const ottoId = await t.createUser({
    email: 'otto@example.test',
    roles: [{ placeId: place.id, role: 'link_worker' }],
  });
  outsider = actor(ottoId, 'otto@example.test', 'link_worker');
  const child = await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: s.programmeId,
      cohort_id: s.cohortId,
      setting_id: s.settingId,
      reference: 'NB-4001',
      given_name: 'Tamsin',
      family_name: 'Reed',
      status: 'active',
      team_id: s.teamId,
      link_worker_id: s.workerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  childId = child.id;
  const attendance = await db()
    .insertInto('support_outcome_indicators')
    .values({
      place_id: place.id,
      name: 'Zz attendance',
      instrument: 'Register',
      scale_min: '0',
      scale_max: '100',
      threshold: '90',
      direction: 'higher',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Wellbeing (SWEMWBS, higher is better, threshold 20): a baseline of 12 on 1 January 2021, 499 interim
  // scores one day apart from 2 January 2021, and an exit score of 30 on 1 June 2022, the 501st. Then one
  // baseline of "Zz attendance": 502 scores in all, the exit beyond the old cap of 500.
  await sql`
    INSERT INTO support_outcome_observations (place_id, participant_id, indicator_id, stage, value, observed_on)
    SELECT ${place.id}, ${childId}, ${s.indicatorId},
           CASE WHEN n = 0 THEN 'baseline' WHEN n = 500 THEN 'exit' ELSE 'interim' END,
           CASE WHEN n = 0 THEN 12 WHEN n = 500 THEN 30 ELSE 15 END,
           CASE WHEN n = 500 THEN date '2022-06-01' ELSE date '2021-01-01' + n END
    FROM generate_series(0, 500) n`.execute(db());
  await db()
    .insertInto('support_outcome_observations')
    .values({
      place_id: place.id,
      participant_id: childId,
      indicator_id: attendance.id,
      stage: 'baseline',
      value: '80',
      observed_on: '2021-01-05',
    })
    .execute();
  leah = await signedIn('leah@example.test');
  otto = await signedIn('otto@example.test');
});

after(async () => {
  await t?.close();
});

describe('a child’s outcome scores (outcomes.ofParticipant)', () => {
  it('gives 25 a page with the total of all 502, and the 501st and 502nd on page 21', async () => {
    const outcomes = t.services.supportDelivery.outcomes;
    const first = await outcomes.ofParticipant(worker, place, childId, { limit: 25, offset: 0 });
    assert.equal(first.total, 502);
    assert.equal(first.outcomes.length, 1);
    const wellbeing = first.outcomes[0]!;
    assert.equal(wellbeing.indicatorName, 'Wellbeing (SWEMWBS)');
    assert.equal(wellbeing.observations.length, 25);
    assert.equal(wellbeing.total, 501);
    assert.deepEqual(wellbeing.observations[0], {
      stage: 'baseline',
      value: 12,
      observedOn: '2021-01-01',
      recordedByName: null,
    });
    assert.equal(wellbeing.observations[24]!.observedOn, '2021-01-25');
    // Worked out from every score, though the exit is not on this page.
    assert.equal(wellbeing.improved, true);
    assert.equal(wellbeing.crossedThreshold, true);

    const second = await outcomes.ofParticipant(worker, place, childId, { limit: 25, offset: 25 });
    assert.deepEqual(second.outcomes[0]!.observations.map((o) => o.observedOn).slice(0, 2), [
      '2021-01-26',
      '2021-01-27',
    ]);

    const last = await outcomes.ofParticipant(worker, place, childId, { limit: 25, offset: 500 });
    assert.equal(last.total, 502);
    assert.deepEqual(
      last.outcomes.map((o) => ({
        name: o.indicatorName,
        total: o.total,
        improved: o.improved,
        scores: o.observations.map((ob) => `${ob.stage} ${ob.value} ${ob.observedOn}`),
      })),
      [
        { name: 'Wellbeing (SWEMWBS)', total: 501, improved: true, scores: ['exit 30 2022-06-01'] },
        { name: 'Zz attendance', total: 1, improved: null, scores: ['baseline 80 2021-01-05'] },
      ],
    );
  });

  it('gives nothing to a link worker who may not see the child', async () => {
    await assert.rejects(
      t.services.supportDelivery.outcomes.ofParticipant(outsider, place, childId, { limit: 25, offset: 0 }),
      { status: 404 },
    );
  });
});

describe('GET /places/:slug/support/participants/:id/delivery (outcome scores)', () => {
  it('shows the first 25 of 502 scores, with the summary worked out from all of them', async () => {
    const page = await leah.get(delivery());
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 25 of 502 outcome scores of this child, by indicator and date\./);
    assert.equal(scoreRows(page.body), 25);
    assert.match(
      page.body,
      /Wellbeing \(SWEMWBS\): improved, crossed the threshold \(501 scores, 25 on this page\)/,
    );
    assert.match(page.body, />25 January 2021</);
    assert.doesNotMatch(page.body, />26 January 2021</);
    assert.doesNotMatch(page.body, /Zz attendance/);
    assert.match(page.body, /<nav class="govuk-pagination"[^>]*aria-label="Pages of outcome scores"/);
    assert.match(page.body, new RegExp(`href="${delivery()}\\?outcomesPage=2#outcomes"`));
    assert.match(page.body, new RegExp(`href="${delivery()}\\?outcomesPage=21#outcomes"`));
  });

  it('shows the 26th to 50th on page 2', async () => {
    const page = await leah.get(`${delivery()}?outcomesPage=2`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 26 to 50 of 502 outcome scores/);
    assert.equal(scoreRows(page.body), 25);
    assert.match(page.body, />26 January 2021</);
    assert.match(page.body, />19 February 2021</);
    assert.doesNotMatch(page.body, />25 January 2021</);
    assert.doesNotMatch(page.body, />20 February 2021</);
  });

  it('shows the exit score beyond the old cap of 500, and the next indicator, on the last page', async () => {
    const page = await leah.get(`${delivery()}?outcomesPage=21`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 501 to 502 of 502 outcome scores/);
    assert.equal(scoreRows(page.body), 2);
    assert.match(
      page.body,
      /Wellbeing \(SWEMWBS\): improved, crossed the threshold \(501 scores, 1 on this page\)/,
    );
    assert.match(page.body, />1 June 2022</);
    assert.match(page.body, /Zz attendance \(1 score\)/);
    assert.match(page.body, />5 January 2021</);
  });

  it('keeps the referrals’ page when the scores are paged', async () => {
    const page = await leah.get(`${delivery()}?page=2&outcomesPage=2`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`href="${delivery()}\\?page=2&amp;outcomesPage=3#outcomes"`));
    assert.match(page.body, new RegExp(`href="${delivery()}\\?page=2#outcomes"`));
  });

  it('offers a way back from a page beyond the end, and treats a bad page number as page 1', async () => {
    const beyond = await leah.get(`${delivery()}?outcomesPage=22`);
    assert.equal(beyond.statusCode, 200);
    assert.match(beyond.body, /There are 502 outcome scores of this child\./);
    assert.match(beyond.body, new RegExp(`href="${delivery()}#outcomes">See the first page`));
    assert.equal(scoreRows(beyond.body), 0);
    const bad = await leah.get(`${delivery()}?outcomesPage=abc`);
    assert.equal(bad.statusCode, 200);
    assert.match(bad.body, /Showing 1 to 25 of 502 outcome scores/);
  });

  it('audits every page as one view of this child', async () => {
    for (const url of [delivery(), `${delivery()}?outcomesPage=21`]) {
      const response = await leah.get(url);
      assert.deepEqual(await auditOf(response), [
        {
          action: 'participant.viewed',
          subject_id: childId,
          details: { roles: ['link_worker'], page: 'support delivery' },
        },
      ]);
    }
  });

  it('shows nothing to a link worker who may not see the child, on any page', async () => {
    for (const url of [delivery(), `${delivery()}?outcomesPage=21`]) {
      const response = await otto.get(url);
      assert.equal(response.statusCode, 404);
      assert.doesNotMatch(response.body, /Wellbeing|Tamsin|outcome scores of this child/);
      assert.deepEqual(await auditOf(response), []);
    }
  });
});

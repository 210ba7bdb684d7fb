import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PluginTransformQueryArgs, type RootOperationNode, sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import { QueryCounter } from '../../testing/query-counter.ts';
import { type RecordsSetup, recordsSetup } from '../records/records.fixture.ts';
import type { SupportViewer } from '../support-policy.ts';
import * as repo from './participants.repository.ts';

/** Notes the first table each SELECT reads from, so a test can tell how often a request read a table. */
class SelectedTables extends QueryCounter {
  tables: string[] = [];
  override transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as { kind: string; from?: { froms: unknown[] } };
    if (node.kind === 'SelectQueryNode' && node.from) {
      const first = node.from.froms[0] as {
        kind: string;
        table?: { identifier: { name: string } };
        node?: { table?: { identifier: { name: string } } };
      };
      const name =
        first.kind === 'AliasNode' ? first.node?.table?.identifier.name : first.table?.identifier.name;
      if (name) this.tables.push(name);
    }
    return super.transformQuery(args);
  }
}

let t: TestApp;
let s: RecordsSetup;
let place: { id: string; slug: string; name: string };
let leah: Agent;
let childId: string;
let lateAgreementChildId: string;
const selected = new SelectedTables();
const P = '/places/riverside/support';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

async function newChild(reference: string, given: string, status: 'active' | 'identified' = 'active') {
  const row = await db()
    .insertInto('participants')
    .values({
      place_id: place.id,
      programme_id: s.programmeId,
      cohort_id: s.cohortId,
      setting_id: s.settingId,
      reference,
      given_name: given,
      family_name: 'Testchild',
      date_of_birth: '2012-03-14',
      year_group: 7,
      status,
      ...(status === 'active' ? { team_id: s.teamId, link_worker_id: s.workerId } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
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
  t = await buildTestApp({}, { queryCounter: selected });
  place = await t.createPlace('riverside', 'Riverside');
  s = await recordsSetup(t, place.id);
  childId = await newChild('NB-2001', 'Amara');
  const p = place.id;
  // Numbered rows, one day apart, so their order is known: n = 1 is the oldest.
  await sql`
    INSERT INTO participant_agreements
      (place_id, participant_id, given_by, giver_name, capacity_judgement, recorded_at, withdrawn_at, withdrawal_reason)
    SELECT ${p}, ${childId}, 'parent_carer', 'Giver ' || n, 'Parental responsibility.',
           timestamptz '2021-01-01' + n * interval '1 day',
           CASE WHEN n < 30 THEN timestamptz '2022-01-01' END, CASE WHEN n < 30 THEN 'Moved away' END
    FROM generate_series(1, 30) n`.execute(db());
  await sql`
    INSERT INTO participant_lawful_bases (place_id, participant_id, purpose, basis, recorded_at)
    SELECT ${p}, ${childId}, 'Purpose ' || n, 'public_task', timestamptz '2021-01-01' + n * interval '1 day'
    FROM generate_series(1, 27) n`.execute(db());
  await sql`
    INSERT INTO participant_sharing_decisions (place_id, participant_id, organization_id, data_items, rationale, decided_at)
    SELECT ${p}, ${childId}, ${s.organizationId}, '["name"]'::jsonb, 'Rationale ' || n || '.',
           timestamptz '2021-01-01' + n * interval '1 day'
    FROM generate_series(1, 28) n`.execute(db());
  await sql`
    INSERT INTO participant_transitions (place_id, participant_id, from_status, to_status, reason, occurred_at)
    SELECT ${p}, ${childId}, 'enrolled', 'active', 'Reason ' || n || '.', timestamptz '2021-01-01' + n * interval '1 day'
    FROM generate_series(1, 27) n`.execute(db());
  await sql`
    INSERT INTO participant_assignments (place_id, participant_id, team_id, assigned_at, ended_at)
    SELECT ${p}, ${childId}, ${s.teamId}, timestamptz '2021-01-01' + n * interval '1 day',
           CASE WHEN n < 26 THEN timestamptz '2021-01-01' + (n + 1) * interval '1 day' END
    FROM generate_series(1, 26) n`.execute(db());

  // A child whose only live agreement is the 101st recorded.
  lateAgreementChildId = await newChild('NB-2002', 'Ben');
  await sql`
    INSERT INTO participant_agreements
      (place_id, participant_id, given_by, giver_name, capacity_judgement, recorded_at, withdrawn_at, withdrawal_reason)
    SELECT ${p}, ${lateAgreementChildId}, 'parent_carer', 'Late giver ' || n, 'Parental responsibility.',
           timestamptz '2021-01-01' + n * interval '1 hour',
           CASE WHEN n <= 100 THEN timestamptz '2022-01-01' END, CASE WHEN n <= 100 THEN 'Withdrawn' END
    FROM generate_series(1, 101) n`.execute(db());

  leah = await signedIn('leah@example.test');
});

after(async () => {
  await t?.close();
});

describe('GET /places/:slug/support/participants/:id (the lists on a record)', () => {
  it('shows 25 of each list on the first page, with the totals', async () => {
    const page = await leah.get(`${P}/participants/${childId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 25 of 30 agreements, oldest first/);
    assert.match(page.body, /Giver 25, agreed/);
    assert.doesNotMatch(page.body, /Giver 26, agreed/);
    assert.match(page.body, /Showing 1 to 25 of 27 lawful bases/);
    assert.match(page.body, /Showing 1 to 25 of 28 sharing decisions/);
    assert.match(page.body, /Showing 1 to 25 of 27 changes of stage/);
    assert.match(page.body, /Showing 1 to 25 of 26 assignments/);
    assert.match(page.body, new RegExp(`href="${P}/participants/${childId}\\?agreementsPage=2#agreements"`));
    // Each pagination landmark has its own name.
    for (const label of [
      'changes of stage',
      'assignments',
      'agreements',
      'lawful bases',
      'sharing decisions',
    ]) {
      assert.match(page.body, new RegExp(`<nav class="govuk-pagination"[^>]*aria-label="Pages of ${label}"`));
    }
  });

  it('shows the 26th and later on page 2 of each list', async () => {
    const page = await leah.get(
      `${P}/participants/${childId}?agreementsPage=2&lawfulBasesPage=2&sharingPage=2&stagesPage=2&assignmentsPage=2`,
    );
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 26 to 30 of 30 agreements/);
    assert.match(page.body, /Giver 26, agreed/);
    assert.match(page.body, /Giver 30, agreed/);
    assert.doesNotMatch(page.body, /Giver 25, agreed/);
    assert.match(page.body, /Purpose 26: /);
    assert.doesNotMatch(page.body, /Purpose 25: /);
    assert.match(page.body, /Rationale 26\./);
    assert.doesNotMatch(page.body, /Rationale 25\./);
    assert.match(page.body, /Reason 27\./);
    assert.doesNotMatch(page.body, /Reason 25\./);
    assert.match(page.body, /Showing 26 to 26 of 26 assignments/);
  });

  it('keeps the other lists’ pages when one list is paged', async () => {
    const page = await leah.get(`${P}/participants/${childId}?sharingPage=2`);
    assert.match(page.body, /Showing 1 to 25 of 30 agreements/);
    assert.match(page.body, /Showing 26 to 28 of 28 sharing decisions/);
    // Paging the agreements keeps the sharing decisions on their page 2, and the other way round.
    assert.match(
      page.body,
      new RegExp(`href="${P}/participants/${childId}\\?agreementsPage=2&amp;sharingPage=2#agreements"`),
    );
    assert.match(page.body, new RegExp(`href="${P}/participants/${childId}#sharing"`));
  });

  it('offers a way back from a page beyond the end', async () => {
    const page = await leah.get(`${P}/participants/${childId}?agreementsPage=9`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /There are 30 agreements\./);
    assert.doesNotMatch(page.body, /Giver \d+, agreed/);
  });

  it('audits each page of the record once, as a view of this child only', async () => {
    for (const url of [`${P}/participants/${childId}`, `${P}/participants/${childId}?agreementsPage=2`]) {
      const response = await leah.get(url);
      assert.deepEqual(await auditOf(response), [
        { action: 'participant.viewed', subject_id: childId, details: { roles: ['link_worker'] } },
      ]);
    }
  });

  it('reads each list under the visibility condition itself: a viewer who may not see the child gets none', async () => {
    const page = { limit: 25, offset: 0 };
    const lists = async (viewer: SupportViewer) => ({
      transitions: (await repo.transitions(db(), viewer, childId, page)).total,
      assignments: (await repo.assignments(db(), viewer, childId, page)).total,
      agreements: (await repo.agreements(db(), viewer, childId, page)).total,
      lawfulBases: (await repo.lawfulBases(db(), viewer, childId, page)).total,
      sharing: (await repo.sharingDecisions(db(), viewer, childId, page)).total,
      live: await repo.hasLiveAgreement(db(), viewer, lateAgreementChildId),
    });
    const worker = { placeId: place.id, linkWorker: true, organizationIds: [] };
    assert.deepEqual(await lists({ ...worker, userId: s.workerId }), {
      transitions: 27,
      assignments: 26,
      agreements: 30,
      lawfulBases: 27,
      sharing: 28,
      live: true,
    });
    // A link worker of no team of the child's, and the school staff of its setting (the child is past
    // review): the lists are empty, as if the child had none.
    const nobody = { transitions: 0, assignments: 0, agreements: 0, lawfulBases: 0, sharing: 0, live: false };
    const outsiderId = await t.createUser({
      email: 'outsider@example.test',
      roles: [{ placeId: place.id, role: 'link_worker' }],
    });
    assert.deepEqual(await lists({ ...worker, userId: outsiderId }), nobody);
    await db()
      .updateTable('support_settings')
      .set({ organization_id: s.organizationId })
      .where('id', '=', s.settingId)
      .execute();
    try {
      assert.deepEqual(
        await lists({
          placeId: place.id,
          userId: outsiderId,
          linkWorker: false,
          organizationIds: [s.organizationId],
        }),
        nobody,
      );
    } finally {
      await db()
        .updateTable('support_settings')
        .set({ organization_id: null })
        .where('id', '=', s.settingId)
        .execute();
    }
  });

  it('offers withdrawal and sharing when the only live agreement is the 101st recorded', async () => {
    const page = await leah.get(`${P}/participants/${lateAgreementChildId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Showing 1 to 25 of 101 agreements/);
    assert.match(page.body, /Record withdrawal of agreement/);
    assert.match(page.body, /Record an information-sharing decision/);
  });
});

describe('GET and POST /places/:slug/support/participants/:id/withdrawal', () => {
  it('lists the live agreement beyond the first 100, reading the child once', async () => {
    selected.tables = [];
    const form = await leah.get(`${P}/participants/${lateAgreementChildId}/withdrawal`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /A parent or carer: Late giver 101/);
    assert.doesNotMatch(form.body, /Late giver 100</);
    assert.equal(selected.tables.filter((name) => name === 'participants').length, 1);
  });

  it('gives another link worker none of the child’s agreements, in the query itself', async () => {
    const ottoId = await t.createUser({
      email: 'otto@example.test',
      roles: [{ placeId: place.id, role: 'link_worker' }],
    });
    const otto: Actor = {
      user: {
        id: ottoId,
        name: 'Otto',
        email: 'otto@example.test',
        emailVerified: true,
        isInstanceAdmin: false,
      },
      roles: new Map([[place.id, new Set(['link_worker' as const])]]),
      requestId: 'test',
    };
    const participants = t.services.support.participants;
    assert.deepEqual(await participants.liveAgreements(otto, place, { id: lateAgreementChildId }), []);
    const leahId = (
      await db()
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'leah@example.test')
        .executeTakeFirstOrThrow()
    ).id;
    const leahActor: Actor = { ...otto, user: { ...otto.user!, id: leahId, email: 'leah@example.test' } };
    assert.equal(
      (await participants.liveAgreements(leahActor, place, { id: lateAgreementChildId })).length,
      1,
    );
  });

  it('withdraws it without reading the agreements again for a form it does not show', async () => {
    const live = await db()
      .selectFrom('participant_agreements')
      .select('id')
      .where('participant_id', '=', lateAgreementChildId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirstOrThrow();
    await leah.get(`${P}/participants/${lateAgreementChildId}/withdrawal`);
    selected.tables = [];
    const response = await leah.postRaw(`${P}/participants/${lateAgreementChildId}/withdrawal`, {
      agreementId: live.id,
      reason: 'The family asked us to stop.',
      _csrf: leah.csrfToken(),
    });
    assert.equal(response.statusCode, 303, errorSummary(leah.lastPage).join('\n'));
    assert.equal(selected.tables.filter((name) => name === 'participant_agreements').length, 0);
    const page = await leah.get(`${P}/participants/${lateAgreementChildId}`);
    assert.doesNotMatch(page.body, /Record withdrawal of agreement/);
  });

  it('shows the form again with its choices when the input is wrong', async () => {
    const again = await leah.submit(`${P}/participants/${childId}/withdrawal`, {
      agreementId: '',
      reason: '',
    });
    assert.equal(again.statusCode, 400);
    assert.ok(errorSummary(again.body).length > 0);
    assert.match(again.body, /A parent or carer: Giver 30/);
  });
});

describe('POST /places/:slug/support/participants/:id/decision (taking a child forward)', () => {
  it('puts the child in the reviewer’s own team even when 1,000 members of other teams come first', async () => {
    // A team whose name sorts first, with 1,000 members, in the same programme.
    const crowd = await db()
      .insertInto('support_teams')
      .values({ place_id: place.id, programme_id: s.programmeId, name: 'Aardvark team' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`
      INSERT INTO users (email, name) SELECT 'crowd' || n || '@example.test', 'Crowd ' || n
      FROM generate_series(1, 1000) n`.execute(db());
    await sql`
      INSERT INTO support_team_members (place_id, team_id, user_id)
      SELECT ${place.id}, ${crowd.id}, id FROM users WHERE email LIKE 'crowd%@example.test'`.execute(db());
    const identified = await newChild('NB-2003', 'Cleo', 'identified');
    const form = `${P}/participants/${identified}/decision`;
    const response = await leah.submit(form, { decision: 'approached', reason: '' });
    assert.equal(response.statusCode, 303, errorSummary(leah.lastPage).join('\n'));
    const row = await db()
      .selectFrom('participants')
      .select(['status', 'team_id', 'link_worker_id'])
      .where('id', '=', identified)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'approached', team_id: s.teamId, link_worker_id: s.workerId });
    const assigned = (await auditOf(response)).filter((e) => e.action === 'participant.assigned');
    assert.deepEqual(assigned, [
      {
        action: 'participant.assigned',
        subject_id: identified,
        details: { roles: ['link_worker'], teamId: s.teamId, linkWorkerId: s.workerId },
      },
    ]);
  });
});

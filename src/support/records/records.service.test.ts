import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../../platform/auth/actor.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';
import {
  childWithEverything,
  dependentTables,
  participantTables,
  type RecordsSetup,
  recordsSetup,
  rowsOfChild,
} from './records.fixture.ts';

let t: TestApp;
let s: RecordsSetup;
let place: { id: string; slug: string; name: string };
let admin: Actor;
const db = () => t.database.db;

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  s = await recordsSetup(t, place.id);
  const adminId = await t.createUser({
    email: 'pat@example.test',
    name: 'Pat Admin',
    roles: [{ placeId: place.id, role: 'place_admin' }],
  });
  admin = {
    user: {
      id: adminId,
      name: 'Pat Admin',
      email: 'pat@example.test',
      emailVerified: true,
      isInstanceAdmin: false,
    },
    roles: new Map([[place.id, new Set(['place_admin' as const])]]),
    requestId: 'test',
  };
});
after(() => t.close());

describe('the subject access export', () => {
  it('covers every table with a participant_id column, and every table hanging off one', async () => {
    const child = await childWithEverything(db(), s, {
      reference: 'NB-1001',
      givenName: 'Jordan',
      familyName: 'Ellery',
    });
    const requestId = await t.services.supportRecords.requestSubjectAccess(
      admin,
      place,
      child.id,
      'SAR-2026-014',
    );
    const data = await t.services.supportRecords.subjectAccessExport(
      admin,
      place,
      child.id,
      requestId,
      'json',
    );

    const holding = await participantTables(db());
    for (const known of ['participant_transitions', 'support_plans', 'participant_legal_holds']) {
      assert.ok(holding.includes(known), `information_schema did not list ${known}`);
    }
    for (const table of holding) {
      const held = await rowsOfChild(db(), table, child.id);
      assert.ok(
        held > 0,
        `the fixture has no row in ${table}: add one, so that this test proves the export reads it`,
      );
      assert.ok(table in data.tables, `the export leaves out ${table}`);
      assert.equal(data.tables[table]!.length, held, `the export has the wrong number of rows from ${table}`);
    }
    const dependents = await dependentTables(db(), holding);
    assert.ok(dependents.some((d) => d.child === 'support_plan_versions'));
    for (const d of dependents) {
      const held = await rowsOfChild(db(), d.child, child.id, {
        column: d.column,
        parent: d.parent,
        parentColumn: d.parent_column,
      });
      assert.ok(held > 0, `the fixture has no row in ${d.child}`);
      assert.ok(d.child in data.tables, `the export leaves out ${d.child} (linked through ${d.column})`);
      assert.ok(data.tables[d.child]!.length >= held, `the export misses rows of ${d.child}`);
    }
  });

  it('gives names of linked family accounts but not their email or invitation token', async () => {
    const child = await childWithEverything(db(), s, {
      reference: 'NB-1002',
      givenName: 'Rae',
      familyName: 'Sim',
    });
    const requestId = await t.services.supportRecords.requestSubjectAccess(
      admin,
      place,
      child.id,
      'SAR-2026-015',
    );
    const data = await t.services.supportRecords.subjectAccessExport(
      admin,
      place,
      child.id,
      requestId,
      'json',
    );
    const json = JSON.stringify(data);
    assert.equal(data.names.users[s.parentId], 'Pam Okoro');
    assert.doesNotMatch(json, /family-nb-1002@example\.test/);
    assert.doesNotMatch(json, /pam@example\.test/);
    assert.equal(data.tables.participants![0]!.given_name, 'Rae');
    assert.equal(data.names.organizations[s.organizationId], 'Riverside Youth Trust');
    assert.equal(data.names.indicators[s.indicatorId], 'Wellbeing (SWEMWBS)');
    assert.deepEqual(data.tables.support_referrals![0]!.data_items, ['name']);
    assert.ok(data.accessLog.some((e) => e.action === 'participant.viewed' && e.who === 'Leah Brennan'));
    assert.ok(
      data.accessLog.some(
        (e) => e.action === 'participant.subject_access_requested' && e.who === 'Pat Admin',
      ),
    );
  });
});

describe('erasure by retention rule', () => {
  const TODAY = '2030-06-15';
  let due: Awaited<ReturnType<typeof childWithEverything>>;
  let notTaken: Awaited<ReturnType<typeof childWithEverything>>;
  let held: Awaited<ReturnType<typeof childWithEverything>>;
  let recent: Awaited<ReturnType<typeof childWithEverything>>;
  let other: { id: string; slug: string; name: string };
  let elsewhere: Awaited<ReturnType<typeof childWithEverything>>;

  before(async () => {
    // Exactly seven years before TODAY: the retention period has run out that day.
    due = await childWithEverything(db(), s, {
      reference: 'ER-1',
      givenName: 'Quinn',
      familyName: 'Erased',
      status: 'exited',
      exitedOn: '2023-06-15',
    });
    notTaken = await childWithEverything(db(), s, {
      reference: 'ER-2',
      givenName: 'Noor',
      familyName: 'Declined',
      status: 'not_taken_forward',
      decidedAt: new Date('2022-01-05T10:00:00Z'),
      parentLinked: false,
    });
    held = await childWithEverything(db(), s, {
      reference: 'ER-3',
      givenName: 'Hana',
      familyName: 'Held',
      status: 'exited',
      exitedOn: '2020-01-01',
      legalHold: true,
    });
    recent = await childWithEverything(db(), s, {
      reference: 'ER-4',
      givenName: 'Remy',
      familyName: 'Recent',
      status: 'exited',
      exitedOn: '2023-06-16',
    });
    other = await t.createPlace('quayside', 'Quayside');
    elsewhere = await childWithEverything(db(), await recordsSetup(t, other.id, '-q'), {
      reference: 'ER-5',
      givenName: 'Otto',
      familyName: 'Elsewhere',
      status: 'exited',
      exitedOn: '2020-01-01',
    });
  });

  it('lists, in a dry run, who would be erased and erases nobody', async () => {
    const report = await t.services.supportRecords.eraseDue({
      dryRun: true,
      placeSlug: 'riverside',
      today: TODAY,
      erasedBy: 'command',
    });
    assert.equal(report.erased, 2);
    assert.equal(report.held, 1);
    const ids = report.places.flatMap((p) => p.programmes.flatMap((g) => g.participantIds)).sort();
    assert.deepEqual(ids, [due.id, notTaken.id].sort());
    assert.equal(report.places[0]!.programmes[0]!.exited, 1);
    assert.equal(report.places[0]!.programmes[0]!.notTakenForward, 1);
    assert.equal(await rowsOfChild(db(), 'participants', due.id), 1);
    assert.equal((await db().selectFrom('support_erasures').selectAll().execute()).length, 0);
  });

  it('erases every row of a child past retention, leaves the held, the recent and other places untouched', async () => {
    const holding = await participantTables(db());
    const dependents = await dependentTables(db(), holding);
    const countsOf = async (id: string) => {
      const counts: Record<string, number> = {};
      for (const table of holding) counts[table] = await rowsOfChild(db(), table, id);
      for (const d of dependents) {
        counts[`${d.child}.${d.column}`] = await rowsOfChild(db(), d.child, id, {
          column: d.column,
          parent: d.parent,
          parentColumn: d.parent_column,
        });
      }
      return counts;
    };
    const heldBefore = await countsOf(held.id);
    const recentBefore = await countsOf(recent.id);
    const elsewhereBefore = await countsOf(elsewhere.id);
    const dependentIds = async (child: typeof due) => ({
      versions: await db()
        .selectFrom('support_plan_versions')
        .select('id')
        .where('plan_id', '=', child.planId)
        .execute(),
      reasons: await db()
        .selectFrom('participant_assignment_reasons')
        .select('assignment_id')
        .where('assignment_id', '=', child.assignmentId)
        .execute(),
      signoffs: await db()
        .selectFrom('support_plan_signoffs')
        .select('id')
        .where('family_member_id', '=', child.familyMemberId)
        .execute(),
    });
    assert.equal((await dependentIds(due)).versions.length, 1);

    const report = await t.services.supportRecords.eraseDue({
      dryRun: false,
      placeSlug: 'riverside',
      today: TODAY,
      erasedBy: 'command',
    });
    assert.equal(report.erased, 2);
    assert.deepEqual(report.failed, []);

    for (const erased of [due, notTaken]) {
      const after = await countsOf(erased.id);
      for (const [table, n] of Object.entries(after))
        assert.equal(n, 0, `${table} still holds the erased child`);
      const left = await dependentIds(erased);
      assert.deepEqual(left, { versions: [], reasons: [], signoffs: [] });
      const session = await db()
        .selectFrom('support_sessions')
        .select('id')
        .where('id', '=', erased.sessionId)
        .execute();
      assert.equal(session.length, 0, 'a one-to-one session named after the child is gone');
      const notification = await db()
        .selectFrom('notifications')
        .select('id')
        .where('link', 'like', `%${erased.concernId}`)
        .execute();
      assert.equal(notification.length, 0);
    }
    assert.deepEqual(await countsOf(held.id), heldBefore);
    assert.deepEqual(await countsOf(recent.id), recentBefore);
    assert.deepEqual(await countsOf(elsewhere.id), elsewhereBefore);

    const log = await db().selectFrom('support_erasures').selectAll().orderBy('basis').execute();
    assert.deepEqual(
      log.map((l) => [l.programme_id, l.basis, l.retention_years, l.erased_by]),
      [
        [s.programmeId, 'exited', 7, 'command'],
        [s.programmeId, 'not_taken_forward', 7, 'command'],
      ],
    );
    const erasedEvents = await db()
      .selectFrom('audit_events')
      .select(['subject_id', 'actor_id'])
      .where('action', '=', 'participant.erased')
      .execute();
    assert.deepEqual(erasedEvents.map((e) => e.subject_id).sort(), [due.id, notTaken.id].sort());
    assert.ok(erasedEvents.every((e) => e.actor_id === null));
  });

  it('keeps the audit trail of an erased child, holding ids but no personal data', async () => {
    const events = await db()
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('subject_id', '=', due.id)
      .execute();
    assert.ok(events.length >= 2);
    const text = JSON.stringify(events);
    for (const personal of ['Quinn', 'Erased', 'ER-1', '2009-03-14', 'Pam Okoro', 'football']) {
      assert.doesNotMatch(text, new RegExp(personal), `the audit trail holds ${personal}`);
    }
  });

  it('erases a held child once the hold is lifted, and a second run finds nobody', async () => {
    await t.services.supportRecords.liftLegalHold(admin, place, held.id, 'The claim was settled.');
    const report = await t.services.supportRecords.eraseDue({
      dryRun: false,
      today: TODAY,
      erasedBy: 'schedule',
    });
    const ids = report.places.flatMap((p) => p.programmes.flatMap((g) => g.participantIds));
    assert.ok(ids.includes(held.id));
    assert.ok(ids.includes(elsewhere.id), 'without --place, every place is run');
    assert.ok(!ids.includes(recent.id));
    assert.equal(await rowsOfChild(db(), 'participants', held.id), 0);
    const again = await t.services.supportRecords.eraseDue({
      dryRun: false,
      today: TODAY,
      erasedBy: 'schedule',
    });
    assert.equal(again.erased, 0);
  });

  it('refuses an unknown place', async () => {
    await assert.rejects(
      t.services.supportRecords.eraseDue({ dryRun: true, placeSlug: 'nowhere', erasedBy: 'command' }),
      /nowhere/,
    );
  });
});

describe('the daily erasure schedule', () => {
  it('runs soon after start, reports the run, and stops cleanly', async () => {
    const reports: object[] = [];
    const schedule = t.services.supportRecords.erasureSchedule({
      firstRunMs: 5,
      intervalMs: 60_000,
      log: { info: (details) => reports.push(details), error: (details) => reports.push({ error: details }) },
    });
    schedule.start();
    for (let i = 0; i < 200 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await schedule.stop();
    assert.equal(reports.length, 1);
    assert.equal((reports[0] as { erasure: { dryRun: boolean } }).erasure.dryRun, false);
  });
});

describe('erasure of children never reviewed', () => {
  it('waits while the programme runs, then erases an identified child once it has ended', async () => {
    const lea = await t.createPlace('leaside', 'Leaside');
    const setup = await recordsSetup(t, lea.id, '-l');
    const child = await childWithEverything(db(), setup, {
      reference: 'NR-1',
      givenName: 'Nia',
      familyName: 'Neverseen',
      status: 'identified',
    });
    const run = (today: string) =>
      t.services.supportRecords.eraseDue({ dryRun: false, placeSlug: 'leaside', today, erasedBy: 'command' });

    // The fixture's programme ends on 2028-07-31.
    const during = await run('2028-07-31');
    assert.equal(during.erased, 0);
    assert.equal(await rowsOfChild(db(), 'participants', child.id), 1);

    const afterwards = await run('2028-08-01');
    assert.equal(afterwards.erased, 1);
    assert.equal(afterwards.places[0]!.programmes[0]!.neverReviewed, 1);
    for (const table of await participantTables(db()))
      assert.equal(await rowsOfChild(db(), table, child.id), 0, table);
    const log = await db()
      .selectFrom('support_erasures')
      .select('basis')
      .where('place_id', '=', lea.id)
      .execute();
    assert.deepEqual(
      log.map((r) => r.basis),
      ['never_reviewed'],
    );
  });
});

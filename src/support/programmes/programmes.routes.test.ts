import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let officer: Agent;
let officerId: string;
let programmeId: string;
let cohortId: string;
/** Settings in name order: "Setting 000" … "Setting 529". */
let settings: string[];
let zedId: string;
const P = '/places/riverside/support';
const base = () => `${P}/programmes/${programmeId}`;
const db = () => t.database.db;
const n3 = (i: number) => String(i).padStart(3, '0');

/** 100 indicators "col_000" … "col_099" and one more, "zz_last", all yes/no, all wellbeing. */
const COLUMNS = [...Array.from({ length: 100 }, (_, i) => `col_${n3(i)}`), 'zz_last'];

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

/** A year 7 file with one child whose only "yes" is in the last indicator's column. */
function csv(reference: string) {
  const header = ['reference', 'given_name', 'family_name', 'date_of_birth', 'year_group', ...COLUMNS];
  const row = [
    reference,
    'Amara',
    'Ashdown',
    '2015-02-05',
    '7',
    ...COLUMNS.map((c) => (c === 'zz_last' ? 'yes' : 'no')),
  ];
  return `${header.join(',')}\n${row.join(',')}\n`;
}

function upload(setting: string, reference: string) {
  return officer.submitMultipart(
    `${base()}/import`,
    { cohortId, settingId: setting },
    { file: { filename: 'year7.csv', contentType: 'text/csv', bytes: Buffer.from(csv(reference), 'utf8') } },
  );
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  officerId = await t.createUser({
    email: 'officer@example.test',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  officer = await signedIn('officer@example.test');
  const created = await ok(
    officer,
    `${P}/programmes/new`,
    {
      name: 'Riverside Zone',
      summary: '',
      startsOn: '2026-09-01',
      endsOn: '2028-07-31',
      retentionYears: '7',
      caseloadLimit: '20',
    },
    `${P}/programmes`,
  );
  programmeId = (created.headers.location as string).split('/').pop()!;
  const inProgramme = { place_id: place.id, programme_id: programmeId };
  settings = (
    await db()
      .insertInto('support_settings')
      .values(
        Array.from({ length: 530 }, (_, i) => ({
          ...inProgramme,
          name: `Setting ${n3(i)}`,
          kind: 'school' as const,
        })),
      )
      .returning(['id', 'name'])
      .execute()
  )
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((s) => s.id);
  const cohorts = await db()
    .insertInto('support_cohorts')
    .values(
      Array.from({ length: 30 }, (_, i) => ({
        ...inProgramme,
        name: `Cohort ${n3(i)}`,
        year_group: 7,
        intake_year: 2026,
        life_stage: 'secondary' as const,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  cohortId = cohorts.find((c) => c.name === 'Cohort 000')!.id;
  await db()
    .insertInto('support_indicators')
    .values(
      COLUMNS.map((c) => ({
        ...inProgramme,
        domain: 'wellbeing' as const,
        column_name: c,
        label: `Indicator ${c}`,
        direction: 'yes' as const,
        threshold: null,
      })),
    )
    .execute();
  await db()
    .insertInto('support_teams')
    .values(Array.from({ length: 27 }, (_, i) => ({ ...inProgramme, name: `Team ${n3(i)}` })))
    .execute();
  await db()
    .insertInto('support_imports')
    .values(
      Array.from({ length: 26 }, (_, i) => ({
        ...inProgramme,
        cohort_id: cohortId,
        setting_id: settings[i]!,
        filename: `earlier-${n3(i)}.csv`,
        row_count: 0,
        created_count: 0,
        updated_count: 0,
        unchanged_count: 0,
        imported_by: null,
      })),
    )
    .execute();
  // 505 link workers before Zed Worker in name order.
  const workers = await db()
    .insertInto('users')
    .values([
      ...Array.from({ length: 505 }, (_, i) => ({
        email: `worker-${n3(i)}@example.test`,
        name: `Worker ${n3(i)}`,
        password_hash: null,
        email_verified_at: new Date(),
        deleted_at: null,
      })),
      {
        email: 'zed@example.test',
        name: 'Zed Worker',
        password_hash: null,
        email_verified_at: new Date(),
        deleted_at: null,
      },
    ])
    .returning(['id', 'name'])
    .execute();
  zedId = workers.find((w) => w.name === 'Zed Worker')!.id;
  await db()
    .insertInto('place_roles')
    .values(
      workers.map((w) => ({
        place_id: place.id,
        user_id: w.id,
        role: 'link_worker' as const,
        granted_by: null,
      })),
    )
    .execute();
});

after(async () => {
  await t?.close();
});

describe('GET /places/:slug/support/programmes/:id', () => {
  it('shows the first 25 of each list, with a link to the whole list', async () => {
    const page = await officer.get(base());
    assert.equal(page.statusCode, 200);
    for (const [part, total] of [
      ['settings', 530],
      ['cohorts', 30],
      ['teams', 27],
      ['indicators', 101],
      ['imports', 26],
    ] as const) {
      assert.match(page.body, new RegExp(`Showing 1 to 25 of ${total} ${part}`));
      assert.match(page.body, new RegExp(`href="${base()}/${part}">See all ${total} ${part}<`));
    }
    assert.match(page.body, /<li>Setting 024 \(School\)<\/li>/);
    assert.doesNotMatch(page.body, /<li>Setting 025 /);
  });
});

describe('GET /places/:slug/support/programmes/:id/{settings,cohorts,teams,indicators,imports}', () => {
  it('pages each list with GOV.UK pagination, 25 a page', async () => {
    const last = await officer.get(`${base()}/settings?page=22`);
    assert.equal(last.statusCode, 200);
    assert.match(last.body, /Showing 526 to 530 of 530 settings/);
    assert.match(last.body, /Setting 529/);
    assert.match(last.body, /<li>Setting 525 \(School\)<\/li>/);
    assert.doesNotMatch(last.body, /<li>Setting 524 /);
    assert.match(last.body, /class="govuk-pagination/);
    assert.match(last.body, new RegExp(`href="${base()}/settings\\?page=21"`));

    const indicators = await officer.get(`${base()}/indicators?page=5`);
    assert.match(indicators.body, /Showing 101 to 101 of 101 indicators/);
    assert.match(indicators.body, /<code>zz_last<\/code>/);
    assert.match(indicators.body, /Remove/);

    const cohorts = await officer.get(`${base()}/cohorts?page=2`);
    assert.match(cohorts.body, /Showing 26 to 30 of 30 cohorts/);
    assert.match(cohorts.body, /Cohort 029/);

    const teams = await officer.get(`${base()}/teams?page=2`);
    assert.match(teams.body, /Showing 26 to 27 of 27 teams/);
    assert.match(teams.body, /Team 026/);

    const imports = await officer.get(`${base()}/imports?page=2`);
    assert.match(imports.body, /Showing 26 to 26 of 26 imports/);
  });

  it('refuses a link worker', async () => {
    const page = await officer.get(`${base()}/settings`);
    assert.equal(page.statusCode, 200);
    await t.createUser({
      email: 'leah@example.test',
      roles: [{ placeId: place.id, role: 'link_worker' }],
    });
    const leah = await signedIn('leah@example.test');
    assert.equal((await leah.get(`${base()}/settings`)).statusCode, 403);
  });
});

describe('POST /places/:slug/support/programmes/:id/import', () => {
  it('offers and accepts a setting beyond the 500th', async () => {
    const form = await officer.get(`${base()}/import`);
    assert.match(form.body, new RegExp(`value="${settings[529]}"`));
    assert.match(form.body, /Cohort 029/);
    const response = await upload(settings[529]!, 'RVS-0001');
    assert.equal(response.statusCode, 303, errorSummary(response.body).join('\n'));
    const child = await db()
      .selectFrom('participants')
      .select('setting_id')
      .where('reference', '=', 'RVS-0001')
      .executeTakeFirstOrThrow();
    assert.equal(child.setting_id, settings[529]);
  });

  it('flags a child by every indicator of the programme, more than 100 of them', async () => {
    assert.equal((await upload(settings[0]!, 'RVS-0002')).statusCode, 303);
    const child = await db()
      .selectFrom('participants')
      .select(['flagged_domains', 'flag_count'])
      .where('reference', '=', 'RVS-0002')
      .executeTakeFirstOrThrow();
    assert.deepEqual(child.flagged_domains, ['wellbeing']);
    assert.equal(child.flag_count, 1);
  });

  it('refuses a setting of another programme with a form error', async () => {
    const other = await db()
      .insertInto('support_programmes')
      .values({
        place_id: place.id,
        name: 'Elsewhere',
        starts_on: '2026-09-01',
        ends_on: '2028-07-31',
        retention_years: 7,
        caseload_limit: 20,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const foreign = await db()
      .insertInto('support_settings')
      .values({ place_id: place.id, programme_id: other.id, name: 'Not ours', kind: 'school' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const response = await upload(foreign.id, 'RVS-0003');
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Choose a setting of this programme']);
  });
});

describe('POST /places/:slug/support/programmes/:id/teams', () => {
  it('offers and accepts a team lead beyond the 500th link worker', async () => {
    const form = await officer.get(`${base()}/teams/new`);
    assert.match(form.body, new RegExp(`value="${zedId}"`));
    await ok(officer, `${base()}/teams/new`, { name: 'Zed team', leadUserId: zedId }, `${base()}/teams`);
    const team = await db()
      .selectFrom('support_teams')
      .select('lead_user_id')
      .where('name', '=', 'Zed team')
      .executeTakeFirstOrThrow();
    assert.equal(team.lead_user_id, zedId);
  });

  it('refuses a lead who is not a link worker of the place, with a form error', async () => {
    const response = await officer.submit(
      `${base()}/teams/new`,
      { name: 'Officer team', leadUserId: officerId },
      `${base()}/teams`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['The team lead must be a link worker of this place']);
  });

  it('adds a member beyond the 500th link worker to a team', async () => {
    const team = await db()
      .selectFrom('support_teams')
      .select('id')
      .where('name', '=', 'Team 000')
      .executeTakeFirstOrThrow();
    const path = `${P}/teams/${team.id}/members`;
    await ok(officer, `${path}/new`, { userId: zedId }, path);
    const member = await db()
      .selectFrom('support_team_members')
      .select('user_id')
      .where('team_id', '=', team.id)
      .executeTakeFirstOrThrow();
    assert.equal(member.user_id, zedId);
  });
});

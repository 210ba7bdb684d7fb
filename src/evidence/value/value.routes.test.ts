import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';

const sample = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'samples', 'unit-costs-sample.csv'),
  'utf8',
);

let t: TestApp;
let place: { id: string; slug: string; name: string };
let programmeId: string;
let indicatorId: string;
let analyst: Agent;
let resident: Agent;
const V = '/places/riverside/value';
const db = () => t.database.db;

async function signedIn(email: string) {
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return agent;
}

function upload(agent: Agent, text: string) {
  return agent.submitMultipart(
    `${V}/unit-costs/import`,
    {},
    {
      file: { filename: 'unit-costs.csv', contentType: 'text/csv', bytes: Buffer.from(text, 'utf8') },
    },
  );
}

/** `count` children, each enrolled today, with a baseline of 3 and an exit score of `exit` on a 0–10 scale. */
async function children(count: number, exit: number, from: number) {
  const programme = await db()
    .selectFrom('support_programmes')
    .select('id')
    .where('id', '=', programmeId)
    .executeTakeFirstOrThrow();
  const cohort = await db()
    .selectFrom('support_cohorts')
    .select('id')
    .where('programme_id', '=', programme.id)
    .executeTakeFirstOrThrow();
  const setting = await db()
    .selectFrom('support_settings')
    .select('id')
    .where('programme_id', '=', programme.id)
    .executeTakeFirstOrThrow();
  for (let i = 0; i < count; i++) {
    const child = await db()
      .insertInto('participants')
      .values({
        place_id: place.id,
        programme_id: programmeId,
        cohort_id: cohort.id,
        setting_id: setting.id,
        reference: `RZ-${from + i}`,
        status: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('participant_transitions')
      .values({
        place_id: place.id,
        participant_id: child.id,
        from_status: 'agreed',
        to_status: 'enrolled',
        actor_id: null,
      })
      .execute();
    await db()
      .insertInto('support_outcome_observations')
      .values([
        {
          place_id: place.id,
          participant_id: child.id,
          indicator_id: indicatorId,
          stage: 'baseline',
          value: '3',
          observed_on: '2026-09-10',
          recorded_by: null,
        },
        {
          place_id: place.id,
          participant_id: child.id,
          indicator_id: indicatorId,
          stage: 'exit',
          value: String(exit),
          observed_on: '2027-03-10',
          recorded_by: null,
        },
      ])
      .execute();
  }
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  await t.createUser({ email: 'ana@example.test', roles: [{ placeId: place.id, role: 'analyst' }] });
  await t.createUser({ email: 'res@example.test', roles: [{ placeId: place.id, role: 'resident' }] });
  const programme = await db()
    .insertInto('support_programmes')
    .values({
      place_id: place.id,
      name: 'Riverside Zone',
      starts_on: '2026-09-01',
      ends_on: '2028-07-31',
      retention_years: 7,
      caseload_limit: 20,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  programmeId = programme.id;
  await db()
    .insertInto('support_cohorts')
    .values({
      place_id: place.id,
      programme_id: programmeId,
      name: 'Year 7',
      year_group: 7,
      intake_year: 2026,
      life_stage: 'secondary',
    })
    .execute();
  await db()
    .insertInto('support_settings')
    .values({ place_id: place.id, programme_id: programmeId, name: 'Northbank', kind: 'school' })
    .execute();
  const indicator = await db()
    .insertInto('support_outcome_indicators')
    .values({
      place_id: place.id,
      name: 'Wellbeing score',
      instrument: 'Synthetic scale',
      scale_min: '0',
      scale_max: '10',
      threshold: '6',
      direction: 'higher',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  indicatorId = indicator.id;
  // Six children crossed the threshold (3 → 7); three only improved (3 → 4).
  await children(6, 7, 1);
  await children(3, 4, 100);
  analyst = await signedIn('ana@example.test');
  resident = await signedIn('res@example.test');
});

after(async () => t.close());

describe('POST /places/:slug/value/unit-costs/import', () => {
  it('refuses a file with problems, lists each with its line and stores nothing', async () => {
    const bad = `${sample.trim()}\nTruancy avoided,per pupil,Synthetic,20x,abc,,,4,\n,per pupil,Synthetic,2024,,,,high,\n`;
    const response = await upload(analyst, bad);
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Problems in the file/);
    assert.match(
      response.body,
      /<td class="govuk-table__cell">5<\/td><td class="govuk-table__cell">The year must be a year like 2024/,
    );
    assert.match(response.body, /The confidence must be 1, 2 or 3/);
    assert.match(
      response.body,
      /<td class="govuk-table__cell">6<\/td><td class="govuk-table__cell">Enter the outcome or item/,
    );
    const stored = await db().selectFrom('value_unit_costs').select('id').execute();
    assert.equal(stored.length, 0);
  });

  it('imports the sample file, every row', async () => {
    const response = await upload(analyst, sample);
    assert.equal(response.statusCode, 303, errorSummary(analyst.lastPage).join('\n'));
    const rows = await db()
      .selectFrom('value_unit_costs')
      .select(['item', 'fiscal_value', 'confidence'])
      .orderBy('item')
      .execute();
    assert.equal(rows.length, 3);
    assert.equal(rows[1]!.item, 'Improved emotional wellbeing (young person)');
    assert.equal(String(rows[1]!.fiscal_value), '650.00');
    assert.equal(rows[1]!.confidence, 'low');
    const page = await analyst.get(`${V}/unit-costs`);
    assert.match(page.body, /£3,900.00/);
  });

  it('refuses a resident', async () => {
    assert.equal((await resident.get(`${V}/unit-costs/import`)).statusCode, 403);
    assert.equal((await resident.get(`${V}/unit-costs`)).statusCode, 403);
  });
});

describe('POST /places/:slug/value/unit-costs/:id/edit', () => {
  it('saves a changed value and re-shows the form with an error for a bad one', async () => {
    const row = await db()
      .selectFrom('value_unit_costs')
      .select('id')
      .where('item', 'like', 'Improved%')
      .executeTakeFirstOrThrow();
    const page = `${V}/unit-costs/${row.id}/edit`;
    const fields = {
      item: 'Improved emotional wellbeing (young person)',
      unit: 'per person per year',
      source: 'ILLUSTRATIVE',
      year: '2024',
      fiscal_value: '700',
      economic_value: '420',
      social_value: '3900',
      confidence: 'low',
      notes: '',
    };
    const badResponse = await analyst.submit(page, { ...fields, fiscal_value: 'lots' });
    assert.equal(badResponse.statusCode, 400);
    assert.deepEqual(errorSummary(analyst.lastPage), [
      'The fiscal value must be an amount in pounds, like 1250.50',
    ]);
    assert.equal((await analyst.submit(page, fields)).statusCode, 303);
    const saved = await db()
      .selectFrom('value_unit_costs')
      .select('fiscal_value')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.equal(String(saved.fiscal_value), '700.00');
  });
});

describe('the value-for-money summary', () => {
  it('refuses a cost whose period ends before it starts', async () => {
    const response = await analyst.submit(
      `${V}/programmes/${programmeId}`,
      { category: 'staff', startsOn: '2027-04-01', endsOn: '2026-04-01', amount: '100' },
      `${V}/programmes/${programmeId}/costs`,
    );
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(analyst.lastPage), ['The period must end on or after the day it starts']);
  });

  it('works out costs per participant and per outcome, and benefits after every adjustment', async () => {
    const page = `${V}/programmes/${programmeId}`;
    const costs: [string, string][] = [
      ['staff', '20000'],
      ['partner_delivery', '7000'],
    ];
    for (const [category, amount] of costs) {
      const r = await analyst.submit(
        page,
        { category, startsOn: '2026-09-01', endsOn: '2027-08-31', amount, note: '' },
        `${page}/costs`,
      );
      assert.equal(r.statusCode, 303, errorSummary(analyst.lastPage).join('\n'));
    }
    const unit = await db()
      .selectFrom('value_unit_costs')
      .select('id')
      .where('item', 'like', 'Improved%')
      .executeTakeFirstOrThrow();
    const mapped = await analyst.submit(
      page,
      {
        indicatorId,
        measure: 'crossed_threshold',
        unitCostId: unit.id,
        deadweight: '25',
        displacement: '10',
        attribution: '80',
        optimismBias: '15',
      },
      `${page}/benefits`,
    );
    assert.equal(mapped.statusCode, 303, errorSummary(analyst.lastPage).join('\n'));

    const summary = await analyst.get(`${page}/summary?from=2026-09-01&to=2027-08-31`);
    assert.equal(summary.statusCode, 200);
    // £27,000 over 9 children = £3,000.00 each; over the 6 who crossed the threshold = £4,500.00 each.
    assert.match(
      summary.body,
      /Cost per participant<\/th><td class="govuk-table__cell govuk-table__cell--numeric">£3,000.00/,
    );
    assert.match(summary.body, /£4,500.00/);
    // Fiscal: 6 × £700 = £4,200 → 3,150 → 2,835 → 2,268 → 1,927.80; BCR 1,927.80 / 27,000 = 0.07.
    assert.match(
      summary.body,
      /£4,200.00<\/td><td class="govuk-table__cell govuk-table__cell--numeric">£3,150.00<\/td><td class="govuk-table__cell govuk-table__cell--numeric">£2,835.00<\/td><td class="govuk-table__cell govuk-table__cell--numeric">£2,268.00<\/td><td class="govuk-table__cell govuk-table__cell--numeric">£1,927.80/,
    );
    assert.match(summary.body, /<strong>0.07<\/strong>/);
    // Social: 6 × £3,900 = £23,400 → 17,550 → 15,795 → 12,636 → 10,740.60; BCR 0.40.
    assert.match(summary.body, /£10,740.60/);
    assert.match(summary.body, /<strong>0.40<\/strong>/);
    assert.match(summary.body, /<svg role="img"/);

    const csv = await analyst.get(`${page}/summary.csv?from=2026-09-01&to=2027-08-31`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /Totals,fiscal,after optimism bias \(GBP\),"1,927.80"/);
    const json = JSON.parse((await analyst.get(`${page}/summary.json?from=2026-09-01&to=2027-08-31`)).body);
    assert.deepEqual(
      json.rows.find(
        (r: Record<string, string>) =>
          r.section === 'Totals' && r.row === 'social' && r.column === 'Benefit-cost ratio',
      ),
      {
        section: 'Totals',
        row: 'social',
        column: 'Benefit-cost ratio',
        value: '0.40',
      },
    );
    const audited = await db()
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'value.summary_exported')
      .execute();
    assert.equal(audited.length, 2);
  });

  it('suppresses counts under 5 and neither divides by them nor values them', async () => {
    const unit = await db()
      .selectFrom('value_unit_costs')
      .select('id')
      .where('item', 'like', 'Fixed%')
      .executeTakeFirstOrThrow();
    const page = `${V}/programmes/${programmeId}`;
    // Every exit score was taken on 2027-03-10, so no child's outcome falls in this period.
    await analyst.submit(
      page,
      {
        indicatorId,
        measure: 'improved',
        unitCostId: unit.id,
        deadweight: '0',
        displacement: '0',
        attribution: '100',
        optimismBias: '0',
      },
      `${page}/benefits`,
    );
    const summary = await analyst.get(`${page}/summary?from=2027-04-01&to=2027-08-31`);
    assert.equal(summary.statusCode, 200);
    assert.match(
      summary.body,
      /Wellbeing score<\/th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">fewer than 5<\/td><td class="govuk-table__cell govuk-table__cell--numeric">Not shown/,
    );
  });

  it('refuses a resident the summary', async () => {
    assert.equal((await resident.get(`${V}/programmes/${programmeId}/summary`)).statusCode, 403);
  });
});

describe('GET /places/:slug/value', () => {
  it('pages the programmes, 25 at a time', async () => {
    const placeId = (
      await db().selectFrom('places').select('id').where('slug', '=', 'riverside').executeTakeFirstOrThrow()
    ).id;
    await db()
      .insertInto('support_programmes')
      .values(
        Array.from({ length: 25 }, (_, i) => ({
          place_id: placeId,
          name: `Zzz programme ${String(i).padStart(2, '0')}`,
          starts_on: '2026-09-01',
          ends_on: '2028-07-31',
          retention_years: 7,
          caseload_limit: 20,
        })),
      )
      .execute();
    const first = await analyst.get(V);
    assert.match(first.body, /Riverside Zone: costs and benefits/);
    assert.doesNotMatch(first.body, /Zzz programme 24/);
    assert.match(first.body, /govuk-pagination/);
    const second = await analyst.get(`${V}?page=2`);
    assert.match(second.body, /Zzz programme 24: costs and benefits/);
    assert.doesNotMatch(second.body, /Riverside Zone: costs/);
  });
});

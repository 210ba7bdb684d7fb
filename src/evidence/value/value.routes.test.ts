import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
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

describe('outcomes valued: paged on the programme page, every one in the summary', () => {
  const FILLERS = 230;
  const page = () => `${V}/programmes/${programmeId}`;
  const PERIOD = '?from=2026-09-01&to=2027-08-31';

  /** The summary's totals and the unit cost of each benefit line, from the JSON download. */
  async function summaryJson() {
    const response = await analyst.get(`${page()}/summary.json${PERIOD}`);
    assert.equal(response.statusCode, 200);
    const rows = JSON.parse(response.body).rows as Record<string, string>[];
    return {
      totals: rows.filter((r) => r.section === 'Totals'),
      lines: rows
        .filter((r) => r.section === 'Benefits' && r.column === 'Unit cost')
        .map((r) => r.value ?? ''),
    };
  }

  /** The outcomes-valued section of the programme page, and the ids of the lines it shows. */
  function benefitsSection(html: string) {
    const section = html.slice(html.indexOf('id="benefits"'), html.indexOf('Value an outcome'));
    const ids = [
      ...section.matchAll(/\/benefits\/remove" novalidate>[\s\S]*?name="id" value="([0-9a-f-]{36})"/g),
    ].map((m) => m[1]!);
    return { section, ids };
  }

  it('values every line in the summary, beyond the first page and the old cap of 200', async () => {
    const before = await summaryJson();
    assert.equal(before.lines.length, 2);
    const fiscal = before.totals.find((r) => r.row === 'fiscal' && r.column === 'after optimism bias (GBP)');
    assert.ok(fiscal && fiscal.value !== '0.00', 'the two real lines are worth something');

    // Lines valuing indicators with no outcomes, under a unit cost that sorts before the real ones: a capped
    // or paged read would leave the two real lines out and the totals would fall to nothing.
    await sql`
      INSERT INTO support_outcome_indicators (place_id, name, instrument, scale_min, scale_max, threshold, direction)
      SELECT ${place.id}, 'Aaa indicator ' || lpad(n::text, 3, '0'), 'Synthetic scale', 0, 10, 6, 'higher'
      FROM generate_series(1, ${FILLERS}) n
    `.execute(db());
    const filler = await db()
      .insertInto('value_unit_costs')
      .values({
        place_id: place.id,
        item: 'Aaa filler value',
        unit: 'per child',
        source: 'Synthetic',
        year: 2024,
        fiscal_value: '1.00',
        economic_value: null,
        social_value: null,
        confidence: 'low',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`
      INSERT INTO value_benefit_mappings
        (place_id, programme_id, indicator_id, unit_cost_id, measure, deadweight, displacement, attribution, optimism_bias)
      SELECT ${place.id}, ${programmeId}, i.id, ${filler.id}, 'improved', 0, 0, 100, 0
      FROM support_outcome_indicators i
      WHERE i.place_id = ${place.id} AND i.name LIKE 'Aaa indicator %'
    `.execute(db());

    const after = await summaryJson();
    assert.equal(after.lines.length, FILLERS + 2);
    assert.deepEqual(after.totals, before.totals);
    assert.ok(after.lines.some((l) => l.startsWith('Improved emotional wellbeing')));
    assert.ok(after.lines.some((l) => l.startsWith('Fixed-term exclusion avoided')));
  });

  it('shows the lines 25 a page, every line on exactly one page', async () => {
    const total = FILLERS + 2;
    const first = await analyst.get(page());
    assert.equal(first.statusCode, 200);
    const one = benefitsSection(first.body);
    assert.equal(one.ids.length, 25);
    assert.match(one.section, new RegExp(`showing 1 to 25 of ${total} lines`));
    assert.match(one.section, /govuk-pagination/);
    assert.match(one.section, /aria-label="Pages of outcomes valued"/);
    assert.doesNotMatch(one.section, /Improved emotional wellbeing/);

    const pages = Math.ceil(total / 25);
    const seen: string[] = [...one.ids];
    for (let n = 2; n <= pages; n++) {
      const response = await analyst.get(`${page()}?benefitsPage=${n}`);
      assert.equal(response.statusCode, 200);
      seen.push(...benefitsSection(response.body).ids);
    }
    const stored = await db()
      .selectFrom('value_benefit_mappings')
      .select('id')
      .where('programme_id', '=', programmeId)
      .execute();
    assert.equal(stored.length, total);
    assert.equal(new Set(seen).size, total);
    assert.deepEqual([...seen].sort(), stored.map((r) => r.id).sort());

    const last = benefitsSection((await analyst.get(`${page()}?benefitsPage=${pages}`)).body);
    assert.match(last.section, new RegExp(`showing ${(pages - 1) * 25 + 1} to ${total} of ${total} lines`));
    assert.match(last.section, /Improved emotional wellbeing/);
    assert.match(last.section, /Fixed-term exclusion avoided/);
  });

  it('offers the first page when asked for one beyond the end, and treats a bad page as the first', async () => {
    const beyond = await analyst.get(`${page()}?benefitsPage=99`);
    assert.equal(beyond.statusCode, 200);
    const { section, ids } = benefitsSection(beyond.body);
    assert.equal(ids.length, 0);
    assert.match(section, /There is no such page of outcomes valued/);
    assert.match(section, new RegExp(`href="${page()}#benefits">See the first page of outcomes valued`));
    const bad = await analyst.get(`${page()}?benefitsPage=abc`);
    assert.equal(bad.statusCode, 200);
    assert.equal(benefitsSection(bad.body).ids.length, 25);
  });

  it('keeps each list’s page when the other is paged', async () => {
    // Costs outside the summaries' periods, enough for a second page of costs.
    await sql`
      INSERT INTO value_programme_costs (place_id, programme_id, category, starts_on, ends_on, amount)
      SELECT ${place.id}, ${programmeId}, 'other', date '2030-01-01' + n, date '2030-01-01' + n, 10
      FROM generate_series(1, 30) n
    `.execute(db());
    const response = await analyst.get(`${page()}?benefitsPage=3`);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /page=2&(amp;)?benefitsPage=3#costs/);
    assert.match(response.body, /benefitsPage=4#benefits/);
    const costsPage = await analyst.get(`${page()}?page=2&benefitsPage=3`);
    assert.match(costsPage.body, /page=2&(amp;)?benefitsPage=4#benefits/);
    assert.equal(benefitsSection(costsPage.body).ids.length, 25);
  });

  it('accepts any unit cost of the place, even one past the first 1,000 offered, and refuses others', async () => {
    await sql`
      INSERT INTO value_unit_costs (place_id, item, unit, source, year, fiscal_value, confidence)
      SELECT ${place.id}, 'Aab option ' || lpad(n::text, 4, '0'), 'per child', 'Synthetic', 2024, 1, 'low'
      FROM generate_series(1, 1000) n
    `.execute(db());
    const late = await db()
      .insertInto('value_unit_costs')
      .values({
        place_id: place.id,
        item: 'Zzz sorted last',
        unit: 'per child',
        source: 'Synthetic',
        year: 2024,
        fiscal_value: '1.00',
        economic_value: null,
        social_value: null,
        confidence: 'low',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const indicator = await db()
      .selectFrom('support_outcome_indicators')
      .select('id')
      .where('name', '=', 'Aaa indicator 001')
      .executeTakeFirstOrThrow();
    const fields = {
      indicatorId: indicator.id,
      measure: 'crossed_threshold',
      deadweight: '0',
      displacement: '0',
      attribution: '100',
      optimismBias: '0',
    };
    const refused = await analyst.submit(
      page(),
      { ...fields, unitCostId: '00000000-0000-4000-8000-000000000000' },
      `${page()}/benefits`,
    );
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(errorSummary(analyst.lastPage), ['Choose a unit cost from the list']);
    const accepted = await analyst.submit(page(), { ...fields, unitCostId: late.id }, `${page()}/benefits`);
    assert.equal(accepted.statusCode, 303, errorSummary(analyst.lastPage).join('\n'));
  });
});

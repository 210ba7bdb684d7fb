import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, errorSummary } from '../../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../../testing/harness.ts';
import { addDays, today } from '../../processes/phases.ts';
import type { BallotKind } from '../budgets/budgets.table.ts';
import { BALLOT_VIEW_CACHE_MS } from './ballots.service.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let processId: string;
let userCount = 0;

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  processId = await t.createProcess({ placeId: place.id, title: 'Riverside budget 2027' });
});
after(async () => {
  await t.close();
});

/** A fresh resident, signed in: each test votes as someone who has not voted yet. */
async function voter(name = 'voter') {
  userCount += 1;
  const email = `${name}${userCount}@example.test`;
  const id = await t.createUser({ email, roles: [{ placeId: place.id, role: 'resident' }] });
  const agent = new Agent(t.app);
  assert.equal((await agent.submit('/sign-in', { email, password: TEST_PASSWORD })).statusCode, 303);
  return { id, agent };
}

interface BudgetOptions {
  kind?: BallotKind;
  total?: string;
  min?: number | null;
  max?: number | null;
  basket?: boolean;
  pointsTotal?: number | null;
  maxPoints?: number | null;
  rankLimit?: number | null;
  opens?: string;
  closes?: string;
  process?: string;
  districts?: { name: string; amount: string }[];
}

/** A budget with its ballot settings, written directly: these tests are about voting, not set-up. */
async function createBudget(options: BudgetOptions = {}) {
  const db = t.database.db;
  const row = await db
    .insertInto('budgets')
    .values({
      place_id: place.id,
      process_id: options.process ?? processId,
      title: 'Riverside budget',
      currency: 'GBP',
      total_amount: options.total ?? '5000.00',
      voting_opens_on: options.opens ?? addDays(today(), -1),
      voting_closes_on: options.closes ?? addDays(today(), 10),
      rule: options.kind === 'cumulative' ? 'greedy_points' : 'mes_cost_add1',
      ballot_kind: options.kind ?? 'approval',
      min_projects: options.min ?? null,
      max_projects: options.max ?? null,
      basket: options.basket ?? false,
      points_total: options.pointsTotal ?? null,
      max_points_per_project: options.maxPoints ?? null,
      rank_limit: options.rankLimit ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const districts: string[] = [];
  for (const [i, d] of (options.districts ?? []).entries()) {
    const inserted = await db
      .insertInto('budget_districts')
      .values({ place_id: place.id, budget_id: row.id, position: i + 1, name: d.name, amount: d.amount })
      .returning('id')
      .executeTakeFirstOrThrow();
    districts.push(inserted.id);
  }
  return { id: row.id, districts, url: `/places/riverside/budgets/${row.id}/ballot` };
}

/** A project found feasible, so on the ballot. */
async function project(budgetId: string, title: string, cost: string, districtId: string | null = null) {
  const row = await t.database.db
    .insertInto('projects')
    .values({
      place_id: place.id,
      budget_id: budgetId,
      district_id: districtId,
      proposal_id: null,
      title,
      description: `About ${title}.`,
      estimated_cost: cost,
      feasibility: 'feasible',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function ballotsOf(budgetId: string) {
  const ballots = await t.database.db
    .selectFrom('ballots')
    .selectAll()
    .where('budget_id', '=', budgetId)
    .execute();
  const items = await t.database.db
    .selectFrom('ballot_items')
    .selectAll()
    .where(
      'ballot_id',
      'in',
      ballots.length ? ballots.map((b) => b.id) : ['00000000-0000-0000-0000-000000000000'],
    )
    .execute();
  return ballots.map((b) => ({
    ...b,
    items: items
      .filter((i) => i.ballot_id === b.id)
      .map((i) => ({ projectId: i.project_id, points: i.points, rank: i.rank }))
      .sort((x, y) => x.projectId.localeCompare(y.projectId)),
  }));
}

async function auditOf(budgetId: string) {
  return t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('subject_id', '=', budgetId)
    .orderBy('occurred_at')
    .execute();
}

/** The running total shown for a section, as text. */
function totals(html: string) {
  return [...html.matchAll(/data-total="([a-z-]+)">([^<]*)</g)].map((m) => `${m[1]}=${m[2]}`);
}

const checked = (html: string, id: string) =>
  new RegExp(`value="${id}" data-cost="\\d+"[^>]* checked`).test(html);

describe('approval ballots', () => {
  let budget: Awaited<ReturnType<typeof createBudget>>;
  let trees: string;
  let benches: string;
  let lights: string;

  before(async () => {
    budget = await createBudget({ max: 2, basket: true, total: '5000.00' });
    trees = await project(budget.id, 'Trees on Mill Lane', '1500.50');
    benches = await project(budget.id, 'New benches', '1000');
    lights = await project(budget.id, 'Brighter lights', '3000');
  });

  it('sends visitors to sign in', async () => {
    const visitor = new Agent(t.app);
    const response = await visitor.get(budget.url);
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `/sign-in?next=${encodeURIComponent(budget.url)}`);
  });

  it('shows the ballot with costs in pence for the script, links, limits and an empty total', async () => {
    const { agent } = await voter();
    const page = await agent.get(budget.url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Trees on Mill Lane/);
    assert.match(page.body, /Costs £1,500\.50/);
    assert.match(page.body, new RegExp(`value="${trees}" data-cost="150050"`));
    assert.match(page.body, new RegExp(`href="/places/riverside/budgets/${budget.id}/projects/${trees}"`));
    assert.match(page.body, /Choose up to 2 projects\./);
    assert.match(
      page.body,
      /The projects you choose can cost up to £5,000\.00 together, the money for The whole area\./,
    );
    assert.match(page.body, /data-ballot-section data-amount="500000"/);
    assert.match(page.body, /aria-live="polite"/);
    assert.deepEqual(totals(page.body), ['chosen=0', 'cost=£0.00', 'left=£5,000.00']);
    assert.match(page.body, /name="intent" value="cast"[^>]*>Submit my vote/);
    assert.match(page.body, /name="intent" value="recalculate"[^>]*>Update total/);
    assert.doesNotMatch(page.body, /<script(?! type="module" src="\/assets\/commonweal\.js")/);
  });

  it('works out the running total without scripts, keeping every choice and storing nothing', async () => {
    const { agent } = await voter();
    await agent.get(budget.url);
    const response = await agent.postRaw(budget.url, {
      projects: [trees, benches],
      intent: 'recalculate',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(totals(response.body), ['chosen=2', 'cost=£2,500.50', 'left=£2,499.50']);
    assert.ok(checked(response.body, trees));
    assert.ok(checked(response.body, benches));
    assert.ok(!checked(response.body, lights));
    assert.match(response.body, /Your vote has not been sent yet/);
    assert.deepEqual(errorSummary(response.body), []);

    const over = await agent.postRaw(budget.url, {
      projects: [trees, lights],
      intent: 'recalculate',
      _csrf: agent.csrfToken(),
    });
    assert.equal(over.statusCode, 200);
    assert.deepEqual(totals(over.body), ['chosen=2', 'cost=£4,500.50', 'left=£499.50']);
    const tooMany = await agent.postRaw(budget.url, {
      projects: [trees, benches, lights],
      intent: 'recalculate',
      _csrf: agent.csrfToken(),
    });
    assert.deepEqual(totals(tooMany.body), ['chosen=3', 'cost=£5,500.50', 'left=-£500.50']);
    assert.deepEqual(errorSummary(tooMany.body), [
      'Choose no more than 2 projects for The whole area: you chose 3',
      'The projects you chose for The whole area cost £5,500.50 together, more than the £5,000.00 available: remove a project',
    ]);
    assert.equal((await ballotsOf(budget.id)).length, 0);
  });

  it('records a vote, shows what was chosen, and audits it without the choices', async () => {
    const { id, agent } = await voter();
    await agent.get(budget.url);
    const response = await agent.postRaw(budget.url, {
      projects: [trees, benches],
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    assert.equal(response.headers.location, `${budget.url}/recorded`);
    const stored = await ballotsOf(budget.id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.voter_id, id);
    assert.equal(stored[0]!.channel, 'online');
    assert.equal(stored[0]!.place_id, place.id);
    assert.deepEqual(
      stored[0]!.items,
      [
        { projectId: trees, points: null, rank: null },
        { projectId: benches, points: null, rank: null },
      ].sort((x, y) => x.projectId.localeCompare(y.projectId)),
    );
    const confirmation = await agent.get(`${budget.url}/recorded`);
    assert.equal(confirmation.statusCode, 200);
    assert.match(confirmation.body, /Your vote has been recorded/);
    assert.match(confirmation.body, /Trees on Mill Lane \(£1,500\.50\)/);
    assert.match(confirmation.body, /New benches \(£1,000\.00\)/);
    assert.doesNotMatch(confirmation.body, /Brighter lights/);
    assert.match(confirmation.body, /Change your vote/);

    const audits = (await auditOf(budget.id)).filter((a) => a.actor_id === id);
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.action, 'ballot.cast');
    assert.equal(audits[0]!.subject_type, 'budget');
    assert.equal(audits[0]!.place_id, place.id);
    assert.deepEqual(audits[0]!.details, { channel: 'online' });
    const text = JSON.stringify(audits[0]);
    for (const p of [trees, benches, lights]) assert.ok(!text.includes(p));

    // The budget page now invites the voter to change their vote.
    const budgetPage = await agent.get(`/places/riverside/budgets/${budget.id}`);
    assert.match(budgetPage.body, /Change your vote/);
  });

  it('lets the voter change their ballot until voting closes: one row, the new choices', async () => {
    const { id, agent } = await voter();
    await agent.get(budget.url);
    await agent.postRaw(budget.url, { projects: [trees], intent: 'cast', _csrf: agent.csrfToken() });
    const again = await agent.get(budget.url);
    assert.match(again.body, /You have already voted\. You last changed your vote on/);
    assert.ok(checked(again.body, trees));
    assert.ok(!checked(again.body, lights));
    assert.deepEqual(totals(again.body), ['chosen=1', 'cost=£1,500.50', 'left=£3,499.50']);
    const changed = await agent.postRaw(budget.url, {
      projects: [lights, benches],
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(changed.statusCode, 303, errorSummary(agent.lastPage).join());
    const mine = (await ballotsOf(budget.id)).filter((b) => b.voter_id === id);
    assert.equal(mine.length, 1);
    assert.deepEqual(
      mine[0]!.items.map((i) => i.projectId),
      [lights, benches].sort(),
    );
    const actions = (await auditOf(budget.id)).filter((a) => a.actor_id === id).map((a) => a.action);
    assert.deepEqual(actions, ['ballot.cast', 'ballot.changed']);
    for (const a of await auditOf(budget.id)) assert.deepEqual(a.details, { channel: 'online' });
  });

  it('refuses a ballot breaking a rule with every problem shown, the choices kept and nothing stored', async () => {
    const { id, agent } = await voter();
    await agent.get(budget.url);
    const cases: { projects: string[]; errors: string[] }[] = [
      { projects: [], errors: ['Choose at least one project'] },
      {
        projects: [trees, benches, lights],
        errors: [
          'Choose no more than 2 projects for The whole area: you chose 3',
          'The projects you chose for The whole area cost £5,500.50 together, more than the £5,000.00 available: remove a project',
        ],
      },
      { projects: [trees, lights, lights], errors: ['Choose projects from the list for The whole area'] },
      {
        projects: [trees, '7d1c1f34-9c8a-4b8e-8d5e-2b7f1c3a9e10'],
        errors: ['Choose projects from the list'],
      },
      { projects: ['not-a-project'], errors: ['Choose projects from the list'] },
    ];
    for (const c of cases) {
      const response = await agent.postRaw(budget.url, {
        projects: c.projects,
        intent: 'cast',
        _csrf: agent.csrfToken(),
      });
      assert.equal(response.statusCode, 400, c.projects.join());
      assert.deepEqual(errorSummary(response.body), c.errors, c.projects.join());
      for (const p of [trees, benches, lights])
        assert.equal(checked(response.body, p), c.projects.includes(p));
    }
    // The summary links to the section's first box.
    const last = await agent.postRaw(budget.url, { projects: [], intent: 'cast', _csrf: agent.csrfToken() });
    assert.match(last.body, /<a href="#section-area">Choose at least one project<\/a>/);
    assert.match(last.body, /id="section-area" name="projects"/);
    assert.equal((await ballotsOf(budget.id)).filter((b) => b.voter_id === id).length, 0);
    assert.equal((await auditOf(budget.id)).filter((a) => a.actor_id === id).length, 0);
  });

  it('refuses a minimum that is not met', async () => {
    const strict = await createBudget({ min: 2, max: 2 });
    const a = await project(strict.id, 'Bins', '100');
    await project(strict.id, 'Bikes', '200');
    const { agent } = await voter();
    const page = await agent.get(strict.url);
    assert.match(page.body, /Choose exactly 2 projects\./);
    const response = await agent.postRaw(strict.url, {
      projects: a,
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), ['Choose at least 2 projects for The whole area']);
    assert.equal((await ballotsOf(strict.id)).length, 0);
  });
});

describe('cumulative ballots', () => {
  let budget: Awaited<ReturnType<typeof createBudget>>;
  let pool: string;
  let park: string;
  let path: string;

  before(async () => {
    budget = await createBudget({ kind: 'cumulative', pointsTotal: 10, maxPoints: 6 });
    pool = await project(budget.id, 'Open-air pool', '2000');
    park = await project(budget.id, 'Pocket park', '1000');
    path = await project(budget.id, 'Riverside path', '500');
  });

  it('shows a box for each project and the points left, worked out without scripts', async () => {
    const { agent } = await voter();
    const page = await agent.get(budget.url);
    assert.match(
      page.body,
      /Spread up to 10 points across the projects you support, at most 6 on any one project\./,
    );
    assert.match(page.body, new RegExp(`id="points-${pool}" name="points-${pool}"`));
    assert.deepEqual(totals(page.body), ['chosen=0', 'cost=£0.00', 'left=£5,000.00', 'points-left=10']);
    const response = await agent.postRaw(budget.url, {
      [`points-${pool}`]: '4',
      [`points-${park}`]: '3',
      [`points-${path}`]: '0',
      intent: 'recalculate',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(totals(response.body), [
      'chosen=2',
      'cost=£3,000.00',
      'left=£2,000.00',
      'points-left=3',
    ]);
    assert.match(response.body, new RegExp(`name="points-${pool}"[^>]*value="4"`));
  });

  it('refuses too many points, too many on one project and nonsense, keeping what was typed', async () => {
    const { id, agent } = await voter();
    await agent.get(budget.url);
    const response = await agent.postRaw(budget.url, {
      [`points-${pool}`]: '7',
      [`points-${park}`]: 'lots',
      [`points-${path}`]: '5',
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'You can give Open-air pool at most 6 points',
      'Points for Pocket park must be a whole number, 1 or more',
      'You gave 12 points for The whole area, more than the 10 you have',
    ]);
    assert.match(response.body, new RegExp(`name="points-${park}"[^>]*value="lots"`));
    assert.match(response.body, new RegExp(`name="points-${pool}"[^>]*value="7"`));
    // A problem with the whole section links to its first box (projects created in the same instant may
    // come in either order, so the first box is read from the page).
    const firstBox = response.body.match(/name="(points-[0-9a-f-]{36})"/)?.[1];
    assert.ok(firstBox);
    assert.match(response.body, new RegExp(`<a href="#${firstBox}">You gave 12 points`));
    const negative = await agent.postRaw(budget.url, {
      [`points-${pool}`]: '-2',
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.deepEqual(errorSummary(negative.body), [
      'Points for Open-air pool must be a whole number, 1 or more',
    ]);
    assert.equal((await ballotsOf(budget.id)).filter((b) => b.voter_id === id).length, 0);
  });

  it('stores the points given', async () => {
    const { id, agent } = await voter();
    await agent.get(budget.url);
    const response = await agent.postRaw(budget.url, {
      [`points-${pool}`]: '6',
      [`points-${path}`]: '4',
      [`points-${park}`]: '',
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const mine = (await ballotsOf(budget.id)).filter((b) => b.voter_id === id);
    assert.deepEqual(
      mine[0]!.items,
      [
        { projectId: pool, points: 6, rank: null },
        { projectId: path, points: 4, rank: null },
      ].sort((x, y) => x.projectId.localeCompare(y.projectId)),
    );
    const confirmation = await agent.get(`${budget.url}/recorded`);
    assert.match(confirmation.body, /Open-air pool \(£2,000\.00, 6 points\)/);
    const again = await agent.get(budget.url);
    assert.match(again.body, new RegExp(`name="points-${pool}"[^>]*value="6"`));
    assert.deepEqual(totals(again.body), ['chosen=2', 'cost=£2,500.00', 'left=£2,500.00', 'points-left=0']);
  });
});

describe('ranked ballots', () => {
  let budget: Awaited<ReturnType<typeof createBudget>>;
  let a: string;
  let b: string;
  let c: string;

  before(async () => {
    budget = await createBudget({ kind: 'ordinal', rankLimit: 3 });
    a = await project(budget.id, 'Library hours', '700');
    b = await project(budget.id, 'Youth club', '800');
    c = await project(budget.id, 'Community fridge', '300');
    await project(budget.id, 'Skate park', '2500');
  });

  it('refuses the same number twice, gaps and numbers out of range', async () => {
    const { id, agent } = await voter();
    const page = await agent.get(budget.url);
    assert.match(
      page.body,
      /Number the projects you support in order of preference, 1 for your first choice, up to 3\./,
    );
    const post = (fields: Record<string, string>) =>
      agent.postRaw(budget.url, { ...fields, intent: 'cast', _csrf: agent.csrfToken() });
    const twice = await post({ [`rank-${a}`]: '1', [`rank-${b}`]: '1' });
    assert.equal(twice.statusCode, 400);
    assert.deepEqual(errorSummary(twice.body), [
      'You gave Youth club and Library hours the same number, 1: give each project a different number',
    ]);
    assert.match(twice.body, new RegExp(`name="rank-${b}"[^>]*value="1"`));
    const gap = await post({ [`rank-${a}`]: '1', [`rank-${b}`]: '3' });
    assert.deepEqual(errorSummary(gap.body), ['Number your choices 1 to 2 without gaps: 2 is missing']);
    const range = await post({ [`rank-${a}`]: '4', [`rank-${c}`]: 'first' });
    assert.deepEqual(errorSummary(range.body), [
      'The number for Library hours must be between 1 and 3',
      'The number for Community fridge must be between 1 and 3',
    ]);
    assert.match(range.body, new RegExp(`name="rank-${c}"[^>]*value="first"`));
    assert.equal((await ballotsOf(budget.id)).filter((x) => x.voter_id === id).length, 0);
  });

  it('stores the ranks and shows them in order', async () => {
    const { id, agent } = await voter();
    await agent.get(budget.url);
    const response = await agent.postRaw(budget.url, {
      [`rank-${a}`]: '2',
      [`rank-${b}`]: '',
      [`rank-${c}`]: '1',
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 303, errorSummary(agent.lastPage).join());
    const mine = (await ballotsOf(budget.id)).filter((x) => x.voter_id === id);
    assert.deepEqual(
      mine[0]!.items,
      [
        { projectId: a, points: null, rank: 2 },
        { projectId: c, points: null, rank: 1 },
      ].sort((x, y) => x.projectId.localeCompare(y.projectId)),
    );
    const confirmation = await agent.get(`${budget.url}/recorded`);
    assert.match(
      confirmation.body,
      /Community fridge \(£300\.00, number 1\)[\s\S]*Library hours \(£700\.00, number 2\)/,
    );
  });
});

describe('ballots with districts', () => {
  let budget: Awaited<ReturnType<typeof createBudget>>;
  let north: string;
  let south: string;
  let northProject: string;
  let southProject: string;
  let areaProject: string;

  before(async () => {
    budget = await createBudget({
      total: '10000.00',
      basket: true,
      districts: [
        { name: 'Northbank', amount: '4000.00' },
        { name: 'Southbank', amount: '5000.00' },
      ],
    });
    [north, south] = budget.districts as [string, string];
    northProject = await project(budget.id, 'North play area', '3000', north);
    await project(budget.id, 'North library', '1500', north);
    southProject = await project(budget.id, 'South garden', '2000', south);
    areaProject = await project(budget.id, 'Town-wide bike hire', '900');
  });

  it('asks for the district first, with a clear error when none is chosen', async () => {
    const { agent } = await voter();
    const first = await agent.get(budget.url);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Choose your district/);
    assert.match(first.body, /name="district" type="radio" value="[^"]+"/);
    assert.match(first.body, /<form method="get"/);
    const none = await agent.get(`${budget.url}?step=district`);
    assert.equal(none.statusCode, 400);
    assert.deepEqual(errorSummary(none.body), ['Select the district where you live']);
    const wrong = await agent.get(`${budget.url}?step=district&district=nowhere`);
    assert.deepEqual(errorSummary(wrong.body), ['Select the district where you live']);
  });

  it('shows the district’s section and the whole area’s, each with its own money and total', async () => {
    const { agent } = await voter();
    const page = await agent.get(`${budget.url}?step=district&district=${north}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Your district: <strong>Northbank<\/strong>/);
    assert.match(page.body, /Northbank: £4,000\.00 to spend/);
    assert.match(page.body, /The whole area: £1,000\.00 to spend/);
    assert.match(page.body, /North play area/);
    assert.match(page.body, /Town-wide bike hire/);
    assert.doesNotMatch(page.body, /South garden/);
    assert.match(page.body, new RegExp(`name="districtId" value="${north}"`));
    const recalc = await agent.postRaw(budget.url, {
      districtId: north,
      projects: [northProject, areaProject],
      intent: 'recalculate',
      _csrf: agent.csrfToken(),
    });
    assert.deepEqual(totals(recalc.body), [
      'chosen=1',
      'cost=£3,000.00',
      'left=£1,000.00',
      'chosen=1',
      'cost=£900.00',
      'left=£100.00',
    ]);
  });

  it('refuses another district’s project, or no district, and stores a good ballot with its district', async () => {
    const { id, agent } = await voter();
    await agent.get(`${budget.url}?district=${north}`);
    const other = await agent.postRaw(budget.url, {
      districtId: north,
      projects: [northProject, southProject],
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(other.statusCode, 400);
    assert.deepEqual(errorSummary(other.body), ['Choose projects from the list']);
    assert.ok(checked(other.body, northProject));
    const noDistrict = await agent.postRaw(budget.url, {
      projects: [areaProject],
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(noDistrict.statusCode, 400);
    assert.deepEqual(errorSummary(noDistrict.body), ['Select the district where you live']);
    assert.equal((await ballotsOf(budget.id)).filter((b) => b.voter_id === id).length, 0);

    await agent.get(`${budget.url}?district=${south}`);
    const good = await agent.postRaw(budget.url, {
      districtId: south,
      projects: [southProject, areaProject],
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(good.statusCode, 303, errorSummary(agent.lastPage).join());
    const mine = (await ballotsOf(budget.id)).filter((b) => b.voter_id === id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.district_id, south);
    assert.deepEqual(
      mine[0]!.items.map((i) => i.projectId),
      [southProject, areaProject].sort(),
    );
    // Coming back opens the ballot of their district, pre-filled, with a way to change district.
    const back = await agent.get(budget.url);
    assert.match(back.body, /Your district: <strong>Southbank<\/strong>/);
    assert.ok(checked(back.body, southProject));
    assert.match(back.body, /\?choose=district">Change district/);
    const recorded = await agent.get(`${budget.url}/recorded`);
    assert.match(recorded.body, /Your district: Southbank\./);
    assert.match(recorded.body, /South garden/);
  });

  it('applies the basket to each section on its own money', async () => {
    const { agent } = await voter();
    const northLibrary = (
      await t.database.db
        .selectFrom('projects')
        .select('id')
        .where('title', '=', 'North library')
        .executeTakeFirstOrThrow()
    ).id;
    await agent.get(`${budget.url}?district=${north}`);
    const response = await agent.postRaw(budget.url, {
      districtId: north,
      projects: [northProject, northLibrary, areaProject],
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'The projects you chose for Northbank cost £4,500.00 together, more than the £4,000.00 available: remove a project',
    ]);
  });
});

describe('who can vote, and when', () => {
  it('shows why voting is not open, and refuses a ballot sent anyway', async () => {
    const closed = await createBudget({ opens: addDays(today(), -20), closes: addDays(today(), -1) });
    const p = await project(closed.id, 'Late idea', '100');
    const upcoming = await createBudget({ opens: addDays(today(), 3), closes: addDays(today(), 9) });
    const { agent } = await voter();
    const closedPage = await agent.get(closed.url);
    assert.equal(closedPage.statusCode, 200);
    assert.match(closedPage.body, /Voting has closed/);
    assert.match(closedPage.body, /Ballots can no longer be cast or changed/);
    const upcomingPage = await agent.get(upcoming.url);
    assert.match(upcomingPage.body, /Voting has not opened yet/);
    assert.match(upcomingPage.body, /Voting opens on/);
    const refused = await agent.postRaw(closed.url, {
      projects: p,
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Voting on Riverside budget has closed\./);
    assert.equal((await ballotsOf(closed.id)).length, 0);
    const budgetPage = await agent.get(`/places/riverside/budgets/${closed.id}`);
    assert.match(budgetPage.body, /Voting closed on/);
    assert.doesNotMatch(budgetPage.body, />\s*Vote\s*</);
  });

  it('keeps a ballot as it was once voting closes: it can no longer be changed', async () => {
    const budget = await createBudget();
    const first = await project(budget.id, 'First choice', '100');
    const second = await project(budget.id, 'Second choice', '100');
    const { id, agent } = await voter();
    await agent.get(budget.url);
    await agent.postRaw(budget.url, { projects: first, intent: 'cast', _csrf: agent.csrfToken() });
    await t.database.db
      .updateTable('budgets')
      .set({ voting_opens_on: addDays(today(), -10), voting_closes_on: addDays(today(), -1) })
      .where('id', '=', budget.id)
      .execute();
    // The days moved in the database stand for time passing; the ballot view read while voting was
    // open is remembered for a few seconds, so those pass too.
    t.passTime(BALLOT_VIEW_CACHE_MS);
    const refused = await agent.postRaw(budget.url, {
      projects: second,
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(refused.statusCode, 403);
    const mine = (await ballotsOf(budget.id)).filter((b) => b.voter_id === id);
    assert.deepEqual(
      mine[0]!.items.map((i) => i.projectId),
      [first],
    );
    const recorded = await agent.get(`${budget.url}/recorded`);
    assert.match(recorded.body, /First choice/);
    assert.doesNotMatch(recorded.body, /Change your vote/);
    assert.deepEqual(
      (await auditOf(budget.id)).map((a) => a.action),
      ['ballot.cast'],
    );
  });

  it('refuses people the process does not let vote, and phases without voting', async () => {
    const residentsOnly = await t.createProcess({
      placeId: place.id,
      title: 'Residents only',
      eligibility: 'verified_residents',
    });
    const budget = await createBudget({ process: residentsOnly });
    const p = await project(budget.id, 'Only for verified residents', '100');
    const { agent } = await voter();
    const page = await agent.get(budget.url);
    assert.equal(page.statusCode, 403);
    assert.match(page.body, /Confirm you live here/);
    const refused = await agent.postRaw(budget.url, {
      projects: p,
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(refused.statusCode, 403);
    assert.equal((await ballotsOf(budget.id)).length, 0);

    const noVoting = await t.createProcess({
      placeId: place.id,
      title: 'Talking only',
      phases: [
        {
          name: 'Ideas',
          startsOn: addDays(today(), -5),
          endsOn: addDays(today(), 5),
          allows: ['propose', 'comment'],
        },
      ],
    });
    const quiet = await createBudget({ process: noVoting });
    const q = await project(quiet.id, 'Quiet project', '100');
    const refusedPhase = await agent.get(quiet.url);
    assert.equal(refusedPhase.statusCode, 403);
    assert.match(refusedPhase.body, /not open in the Ideas phase/);
    const posted = await agent.postRaw(quiet.url, { projects: q, intent: 'cast', _csrf: agent.csrfToken() });
    assert.equal(posted.statusCode, 403);
    assert.equal((await ballotsOf(quiet.id)).length, 0);

    const visitor = new Agent(t.app);
    await visitor.get('/sign-in');
    const anonymous = await visitor.postRaw(quiet.url, {
      projects: q,
      intent: 'cast',
      _csrf: visitor.csrfToken(),
    });
    assert.equal(anonymous.statusCode, 403);
    assert.equal((await ballotsOf(quiet.id)).length, 0);
  });

  it('shows a Vote button on the budget page while voting is open', async () => {
    const budget = await createBudget();
    const visitor = new Agent(t.app);
    const page = await visitor.get(`/places/riverside/budgets/${budget.id}`);
    assert.match(page.body, new RegExp(`href="/places/riverside/budgets/${budget.id}/ballot"[^>]*>\\s*Vote`));
    assert.match(page.body, /Choose as many projects as you like\./);
  });
});

describe('many submissions at once', () => {
  it('leaves exactly one ballot for the voter, with one consistent set of choices', async () => {
    const budget = await createBudget({ kind: 'cumulative', pointsTotal: 20 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await project(budget.id, `Project ${i + 1}`, `${100 * (i + 1)}`));
    const { id, agent } = await voter('rush');
    await agent.get(budget.url);
    const token = agent.csrfToken();
    // Fifty different ballots from one voter, all sent together (a double-clicking, reloading voter).
    const sets = Array.from({ length: 50 }, (_, n) =>
      ids
        .filter((_, i) => (n + i) % 3 !== 0)
        .map((projectId, i) => ({ projectId, points: ((n + i) % 4) + 1 })),
    );
    const responses = await Promise.all(
      sets.map((set) =>
        agent.postRaw(budget.url, {
          ...Object.fromEntries(set.map((c) => [`points-${c.projectId}`, String(c.points)])),
          intent: 'cast',
          _csrf: token,
        }),
      ),
    );
    for (const r of responses) assert.equal(r.statusCode, 303, r.body.slice(0, 300));
    const rows = await t.database.db
      .selectFrom('ballots')
      .select(['id'])
      .where('budget_id', '=', budget.id)
      .where('voter_id', '=', id)
      .execute();
    assert.equal(rows.length, 1);
    const stored = (await ballotsOf(budget.id))[0]!.items.map((i) => ({
      projectId: i.projectId,
      points: i.points,
    }));
    const sortSet = (set: { projectId: string; points: number }[]) =>
      [...set].sort((x, y) => x.projectId.localeCompare(y.projectId));
    assert.ok(
      sets.some((set) => JSON.stringify(sortSet(set)) === JSON.stringify(stored)),
      `stored items are not one of the submitted ballots: ${JSON.stringify(stored)}`,
    );
    const orphans = await t.database.db
      .selectFrom('ballot_items')
      .select('ballot_id')
      .where('project_id', 'in', ids)
      .where('ballot_id', '!=', rows[0]!.id)
      .execute();
    assert.equal(orphans.length, 0);
    const actions = (await auditOf(budget.id)).map((a) => a.action);
    assert.equal(actions.filter((a) => a === 'ballot.cast').length, 1);
    assert.equal(actions.filter((a) => a === 'ballot.changed').length, 49);
  });
});

describe('the ballot remembered while voting is open', () => {
  const titleOf = (html: string) => html.match(/<title>([^<]*)</)?.[1] ?? '';

  it('is forgotten at once when this process saves the budget’s process: votes its phases no longer allow are refused', async () => {
    const ownProcess = await t.createProcess({ placeId: place.id, title: 'A process that changes' });
    const budget = await createBudget({ process: ownProcess });
    const first = await project(budget.id, 'Benches', '100');
    const { agent } = await voter();
    assert.match(titleOf((await agent.get(budget.url)).body), /^Vote: Riverside budget/);
    const officerId = await t.createUser({
      email: `officer${++userCount}@example.test`,
      roles: [{ placeId: place.id, role: 'officer' }],
    });
    const officer = {
      user: {
        id: officerId,
        name: 'Officer',
        email: `officer${userCount}@example.test`,
        emailVerified: true,
        isInstanceAdmin: false,
      },
      roles: new Map([[place.id, new Set(['officer' as const])]]),
      requestId: 'test',
    };
    const process = await t.services.processes.getProcess(place, ownProcess);
    await t.services.processes.updateProcess(officer, place, ownProcess, {
      title: process.title,
      summary: process.summary,
      body: process.body,
      area: process.area,
      categories: process.categories,
      eligibility: process.eligibility,
      minimumAge: process.minimumAge,
      supportThreshold: process.supportThreshold,
      supportsPerResident: process.supportsPerResident,
      phases: [
        {
          name: 'Deliberation',
          description: '',
          startsOn: addDays(today(), -7),
          endsOn: addDays(today(), 30),
          allowsPropose: false,
          allowsSupport: false,
          allowsComment: true,
          allowsVote: false,
        },
      ],
    });
    const refused = await agent.postRaw(budget.url, {
      projects: first,
      intent: 'cast',
      _csrf: agent.csrfToken(),
    });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /Voting is not open in the Deliberation phase\./);
    assert.equal((await ballotsOf(budget.id)).length, 0);
  });

  it('shows a change made behind this process’s back (as another server would) once its time has passed', async () => {
    const budget = await createBudget();
    await project(budget.id, 'Benches', '100');
    const { agent } = await voter();
    assert.match(titleOf((await agent.get(budget.url)).body), /^Vote: Riverside budget –/);
    await t.database.db
      .updateTable('budgets')
      .set({ title: 'Riverside budget, renamed' })
      .where('id', '=', budget.id)
      .execute();
    assert.match(titleOf((await agent.get(budget.url)).body), /^Vote: Riverside budget –/);
    t.passTime(BALLOT_VIEW_CACHE_MS);
    assert.match(titleOf((await agent.get(budget.url)).body), /^Vote: Riverside budget, renamed/);
  });

  it('is not kept before voting opens: a ballot made ready after a look at the closed door is the one shown', async () => {
    const budget = await createBudget({ opens: addDays(today(), 2) });
    const { agent } = await voter();
    assert.match(titleOf((await agent.get(budget.url)).body), /^Voting has not opened yet/);
    await project(budget.id, 'Benches', '100');
    await t.database.db
      .updateTable('budgets')
      .set({ voting_opens_on: today() })
      .where('id', '=', budget.id)
      .execute();
    const page = await agent.get(budget.url);
    assert.match(titleOf(page.body), /^Vote: Riverside budget/);
    assert.match(page.body, /Benches/);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import type { Choice } from '../participation/budgeting/ballots/ballot-rules.ts';
import { ballotPaper, recordBallot } from '../participation/budgeting/ballots/ballot-store.ts';
import { budgetSchema } from '../participation/budgeting/budgets/budgets.schema.ts';
import type { Budget } from '../participation/budgeting/budgets/budgets.service.ts';
import { addDays, today } from '../participation/processes/phases.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';

/**
 * A community fund with two budgets: one open for voting now (districts, a shopping basket), and one
 * whose vote closed last week, counted and published, with ballots from every channel — online,
 * access-code letters and double-entered paper sheets. The ballots follow a fixed pattern, not chance,
 * so the demo shows the same results every time.
 */

interface DemoProject {
  title: string;
  description: string;
  cost: string;
  district?: number;
}

const OPEN_PROJECTS: DemoProject[] = [
  {
    title: 'Planters on Mill Lane',
    description: 'Six large planters with trees and seating along Mill Lane.',
    cost: '9500',
    district: 0,
  },
  {
    title: 'Northbank library garden',
    description: 'A reading garden behind the library, open in library hours.',
    cost: '12000',
    district: 0,
  },
  {
    title: 'Safe cycle parking at Northbank station',
    description: 'Forty covered, lockable cycle spaces.',
    cost: '7000',
    district: 0,
  },
  {
    title: 'Southbank play area repairs',
    description: 'New surfacing and two accessible swings.',
    cost: '14000',
    district: 1,
  },
  {
    title: 'Lighting on the Southbank footpath',
    description: 'Low-glare lights on the path from the bridge to Elm Road.',
    cost: '11000',
    district: 1,
  },
  {
    title: 'Community fridge at Southbank hall',
    description: 'A fridge and a year of running costs, run by volunteers.',
    cost: '3500',
    district: 1,
  },
  {
    title: 'Riverside summer festival',
    description: 'A free one-day festival on the green, run with local groups.',
    cost: '6000',
  },
  { title: 'Benches along the river path', description: 'Ten benches, one every 200 metres.', cost: '5000' },
];

const CLOSED_PROJECTS: DemoProject[] = [
  {
    title: 'Youth club kitchen',
    description: 'A proper kitchen so the youth club can run cooking nights.',
    cost: '8000',
  },
  { title: 'Skate park extension', description: 'A bowl and two rails for beginners.', cost: '15000' },
  {
    title: 'Music studio in the community centre',
    description: 'Sound-proofing and equipment for a small studio.',
    cost: '11000',
  },
  {
    title: 'Free swimming on Saturdays',
    description: 'A year of free Saturday sessions for under-18s.',
    cost: '6000',
  },
  { title: 'Football goals for Elm Park', description: 'Two sets of goals and line marking.', cost: '2500' },
  {
    title: 'Study space with wifi',
    description: 'An evening study room with wifi and laptops to borrow.',
    cost: '7000',
  },
];

/** Which projects the n-th voter approves: a fixed spread of tastes, so some projects are clear favourites. */
const CLOSED_PATTERNS = [[0, 3], [1], [1, 4], [2, 5], [0, 5], [1, 3], [3, 4], [2], [0, 1, 4], [5]];

function budgetForm(values: Record<string, string>) {
  return budgetSchema.parse(values);
}

/**
 * The ballot is fixed once voting opens, so the demo's budgets are prepared as a real one would be,
 * before their vote, and then moved to the dates the demo shows.
 */
async function moveVotingWindow(
  db: Database,
  placeId: string,
  budgetId: string,
  opensOn: string,
  closesOn: string,
) {
  await db
    .updateTable('budgets')
    .set({ voting_opens_on: opensOn, voting_closes_on: closesOn })
    .where('place_id', '=', placeId)
    .where('id', '=', budgetId)
    .execute();
}

async function addProjects(
  services: Services,
  place: PlaceSummary,
  officer: Actor,
  valuator: Actor,
  budget: Budget,
  projects: DemoProject[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const p of projects) {
    const districtId = p.district === undefined ? null : budget.districts[p.district]!.id;
    const id = await services.budgets.createProject(officer, place, budget, {
      title: p.title,
      description: p.description,
      districtId,
    });
    await services.budgets.assignValuator(officer, place, budget, id, valuator.user!.id);
    await services.budgets.assess(valuator, place, id, {
      estimatedCost: p.cost,
      feasibility: 'feasible',
      reason: 'Costed with the supplier and the landowner has agreed.',
    });
    ids.push(id);
  }
  return ids;
}

export async function seedDemoBudgets(
  services: Services & { db: Database },
  place: PlaceSummary,
  actors: { officer: Actor; placeAdmin: Actor; valuator: Actor; voters: Actor[] },
): Promise<void> {
  const { db, processes, budgets, ballots, budgetResults } = services;
  const { officer, placeAdmin, valuator, voters } = actors;
  const on = today();

  const processId = await processes.createProcess(officer, place, {
    title: 'Riverside Community Fund',
    summary: 'Residents decide how the Community Fund is spent, neighbourhood by neighbourhood.',
    body: '## How it works\n\nEach budget has its own vote. Choose the projects you want; the money is shared out by the Method of Equal Shares, so that every neighbourhood gets a fair say.',
    area: 'All of Riverside',
    categories: ['Community', 'Young people'],
    eligibility: 'signed_in',
    minimumAge: null,
    supportThreshold: null,
    supportsPerResident: null,
    phases: [
      {
        name: 'Ideas',
        description: '',
        startsOn: addDays(on, -90),
        endsOn: addDays(on, -46),
        allowsPropose: true,
        allowsSupport: true,
        allowsComment: true,
        allowsVote: false,
      },
      {
        name: 'Voting',
        description: '',
        startsOn: addDays(on, -45),
        endsOn: addDays(on, 14),
        allowsPropose: false,
        allowsSupport: false,
        allowsComment: true,
        allowsVote: true,
      },
    ],
  });
  const process = await processes.getProcess(place, processId);

  // The vote that closed last week: counted and published.
  const closedId = await budgets.createBudget(
    officer,
    place,
    process,
    budgetForm({
      title: 'Youth Fund 2026',
      totalAmount: '30000',
      currency: 'GBP',
      votingOpensOn: addDays(on, 1),
      votingClosesOn: addDays(on, 2),
      rule: 'mes_cost_add1',
      ballotKind: 'approval',
      maxProjects: '3',
    }),
  );
  let closed = await budgets.getBudget(place, closedId);
  const closedProjects = await addProjects(services, place, officer, valuator, closed, CLOSED_PROJECTS);
  await moveVotingWindow(db, place.id, closedId, addDays(on, -40), addDays(on, -7));
  closed = await budgets.getBudget(place, closedId);
  const paper = await ballotPaper(db, place.id, closed);
  const choicesOf = (n: number): Choice[] =>
    CLOSED_PATTERNS[n % CLOSED_PATTERNS.length]!.map((i) => ({ projectId: closedProjects[i]! }));

  await db.transaction().execute(async (tx) => {
    let n = 0;
    // Online: the demo neighbours voted while the vote was open.
    for (const voter of voters) {
      await recordBallot(tx, {
        placeId: place.id,
        budget: closed,
        paper,
        channel: 'online',
        districtId: null,
        choices: choicesOf(n++),
        voterId: voter.user!.id,
      });
    }
    // Access-code letters: 60 used from a batch of 100. Only hashes of codes are ever kept.
    const batch = await tx
      .insertInto('access_code_batches')
      .values({ place_id: place.id, budget_id: closedId, quantity: 100, created_by: officer.user!.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const codes = await tx
      .insertInto('access_codes')
      .values(
        Array.from({ length: 100 }, (_, i) => ({
          place_id: place.id,
          budget_id: closedId,
          batch_id: batch.id,
          code_hash: createHash('sha256').update(randomBytes(16)).digest('hex'),
          used_at: i < 60 ? new Date() : null,
        })),
      )
      .returning('id')
      .execute();
    for (const code of codes.slice(0, 60)) {
      await recordBallot(tx, {
        placeId: place.id,
        budget: closed,
        paper,
        channel: 'code',
        districtId: null,
        choices: choicesOf(n++),
        accessCodeId: code.id,
      });
    }
    // Paper: 25 sheets, each typed in by two people who agreed.
    for (let i = 1; i <= 25; i += 1) {
      const choices = choicesOf(n++);
      const sheet = await tx
        .insertInto('paper_sheets')
        .values({
          place_id: place.id,
          budget_id: closedId,
          reference: `YF-${String(i).padStart(4, '0')}`,
          status: 'matched',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const items = JSON.stringify(choices.map((c) => ({ projectId: c.projectId })));
      await tx
        .insertInto('paper_entries')
        .values([
          {
            place_id: place.id,
            sheet_id: sheet.id,
            stage: 'first',
            entered_by: officer.user!.id,
            district_id: null,
            items,
          },
          {
            place_id: place.id,
            sheet_id: sheet.id,
            stage: 'second',
            entered_by: placeAdmin.user!.id,
            district_id: null,
            items,
          },
        ])
        .execute();
      await recordBallot(tx, {
        placeId: place.id,
        budget: closed,
        paper,
        channel: 'paper',
        districtId: null,
        choices,
        paperSheetId: sheet.id,
      });
    }
  });
  const countId = await budgetResults.requestCount(officer, place, closedId);
  await budgetResults.runner.runPending();
  await budgetResults.publish(officer, place, closedId, countId, true);

  // The vote open now: two districts with their own money, and projects for the whole area.
  const openId = await budgets.createBudget(
    officer,
    place,
    process,
    budgetForm({
      title: 'Community Fund 2027',
      totalAmount: '60000',
      currency: 'GBP',
      votingOpensOn: addDays(on, 1),
      votingClosesOn: addDays(on, 14),
      rule: 'mes_cost_add1',
      ballotKind: 'approval',
      maxProjects: '3',
      basket: 'yes',
      district1Name: 'Northbank',
      district1Amount: '25000',
      district2Name: 'Southbank',
      district2Amount: '25000',
    }),
  );
  let open = await budgets.getBudget(place, openId);
  const openProjects = await addProjects(services, place, officer, valuator, open, OPEN_PROJECTS);
  await moveVotingWindow(db, place.id, openId, addDays(on, -3), addDays(on, 14));
  open = await budgets.getBudget(place, openId);
  const view = await ballots.load(place, openId);
  // Half the neighbours have voted already; the demo resident has not, so anyone can try it.
  for (const [i, voter] of voters.slice(0, Math.ceil(voters.length / 2)).entries()) {
    const district = open.districts[i % 2]!;
    const local = OPEN_PROJECTS.flatMap((p, k) => (p.district === i % 2 ? [openProjects[k]!] : []));
    await ballots.cast(voter, place, view, {
      districtId: district.id,
      choices: [{ projectId: local[i % local.length]! }, { projectId: openProjects[6 + (i % 2)]! }],
    });
  }
}

import type { Actor } from '../../../platform/auth/actor.ts';
import type { TestApp } from '../../../testing/harness.ts';
import { ballotPaper, recordBallot } from '../ballots/ballot-store.ts';
import type { Channel } from '../ballots/ballots.table.ts';
import { insertProject } from '../budgets/budgets.repository.ts';
import { budgetSchema } from '../budgets/budgets.schema.ts';
import type { RuleName } from '../tally.ts';

/**
 * Test data for the results tests: a budget with projects and ballots from every channel, built through
 * the budgets service and recordBallot as the real journeys do. Synthetic names only.
 */

export function officerActor(userId: string, placeId: string): Actor {
  return {
    user: {
      id: userId,
      name: 'Olive Officer',
      email: 'olive@example.test',
      emailVerified: true,
      isInstanceAdmin: false,
    },
    roles: new Map([[placeId, new Set(['officer' as const])]]),
    requestId: 'test',
  };
}

export interface BudgetSetup {
  place: { id: string; slug: string; name: string };
  processId: string;
  officerId: string;
  title?: string;
  rule?: RuleName;
  totalAmount?: string;
  votingOpensOn?: string;
  votingClosesOn?: string;
  districts?: { name: string; amount: string }[];
}

export async function createBudget(t: TestApp, s: BudgetSetup): Promise<string> {
  const actor = officerActor(s.officerId, s.place.id);
  const process = await t.services.processes.getProcess(s.place, s.processId);
  // Through the form's own schema, as the budget form posts it.
  const fields: Record<string, string> = {
    title: s.title ?? 'Riverside budget',
    totalAmount: s.totalAmount ?? '1000.00',
    currency: 'GBP',
    votingOpensOn: s.votingOpensOn ?? '2026-01-01',
    votingClosesOn: s.votingClosesOn ?? '2026-01-31',
    rule: s.rule ?? 'mes_cost',
    ballotKind: 'approval',
  };
  (s.districts ?? []).forEach((d, i) => {
    fields[`district${i + 1}Name`] = d.name;
    fields[`district${i + 1}Amount`] = d.amount;
  });
  return t.services.budgets.createBudget(actor, s.place, process, budgetSchema.parse(fields));
}

/**
 * A project on the ballot, found feasible at this cost: stored as it stood when voting opened (the
 * budgets here are often already closed, when no project may be added any more).
 */
export async function addProject(
  t: TestApp,
  s: BudgetSetup,
  budgetId: string,
  p: { title: string; cost: string; districtId?: string | null },
): Promise<string> {
  const id = await insertProject(t.database.db, s.place.id, budgetId, {
    title: p.title,
    description: `${p.title}, described.`,
    districtId: p.districtId ?? null,
    proposalId: null,
  });
  await t.database.db
    .updateTable('projects')
    .set({ feasibility: 'feasible', estimated_cost: p.cost, feasibility_reason: 'It can be done.' })
    .where('id', '=', id)
    .execute();
  return id;
}

let counter = 0;

/** Stores one ballot through recordBallot, with whatever the channel needs (a voter, a code, a sheet). */
export async function castBallot(
  t: TestApp,
  s: BudgetSetup,
  budgetId: string,
  channel: Channel,
  projectIds: string[],
  districtId: string | null = null,
): Promise<void> {
  const db = t.database.db;
  const budget = await t.services.budgets.getBudget(s.place, budgetId);
  const paper = await ballotPaper(db, s.place.id, budget);
  counter += 1;
  let voterId: string | null = null;
  let accessCodeId: string | null = null;
  let paperSheetId: string | null = null;
  if (channel === 'online') {
    voterId = await t.createUser({ email: `voter${counter}-${Date.now()}@example.test` });
  } else if (channel === 'code') {
    const batch = await db
      .insertInto('access_code_batches')
      .values({ place_id: s.place.id, budget_id: budgetId, quantity: 1, created_by: s.officerId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const code = await db
      .insertInto('access_codes')
      .values({
        place_id: s.place.id,
        budget_id: budgetId,
        batch_id: batch.id,
        code_hash: `hash-${counter}-${Date.now()}`,
        used_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    accessCodeId = code.id;
  } else if (channel === 'paper') {
    const sheet = await db
      .insertInto('paper_sheets')
      .values({ place_id: s.place.id, budget_id: budgetId, reference: `P-${counter}`, status: 'matched' })
      .returning('id')
      .executeTakeFirstOrThrow();
    paperSheetId = sheet.id;
  }
  await db.transaction().execute((tx) =>
    recordBallot(tx, {
      placeId: s.place.id,
      budget,
      paper,
      channel,
      districtId,
      choices: projectIds.map((projectId) => ({ projectId })),
      voterId,
      accessCodeId,
      paperSheetId,
    }),
  );
}

/**
 * The election of count.test.ts, worked out by hand there: £1,000, A £500, B £450, C £400; voters 1–6
 * choose A, 1–5 also B, 7–10 choose C. Greedy funds A and B; Equal Shares by cost funds A and C.
 * Channels: A online 3, code 1, paper 2; B online 3, paper 2; C online 1, paper 1, imported 2.
 */
export async function handCountedElection(t: TestApp, s: BudgetSetup) {
  const budgetId = await createBudget(t, s);
  const A = await addProject(t, s, budgetId, { title: 'Park benches', cost: '500.00' });
  const B = await addProject(t, s, budgetId, { title: 'Library books', cost: '450.00' });
  const C = await addProject(t, s, budgetId, { title: 'Street lights', cost: '400.00' });
  const voters: [Channel, string[]][] = [
    ['online', [A, B]],
    ['online', [A, B]],
    ['online', [A, B]],
    ['paper', [A, B]],
    ['paper', [A, B]],
    ['code', [A]],
    ['imported', [C]],
    ['imported', [C]],
    ['online', [C]],
    ['paper', [C]],
  ];
  for (const [channel, choices] of voters) await castBallot(t, s, budgetId, channel, choices);
  return { budgetId, A, B, C };
}

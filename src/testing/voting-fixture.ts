import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { addDays, today } from '../participation/processes/phases.ts';
import type { DB } from '../platform/db/schema.ts';
import { hashSecret } from '../platform/session/tokens.ts';

export interface VotingFixture {
  slug: string;
  placeId: string;
  budgetId: string;
  projectIds: string[];
  /** One signed-in voter per entry: their id and the session cookie value a browser would hold. */
  voters: { id: string; session: string }[];
}

/**
 * An approval budget open for voting, its projects and signed-in voters, written straight into a
 * database — for tests and benchmarks that drive a separately started server. Voters get sessions
 * directly, as signing in would leave them, so that the measured work is voting alone.
 */
export async function seedOpenBudget(
  db: Kysely<DB>,
  options: { voters: number; projects?: number; slug?: string },
): Promise<VotingFixture> {
  const slug = options.slug ?? 'ballot-town';
  const on = today();
  const place = await db
    .insertInto('places')
    .values({ slug, name: 'Ballot Town', summary: '', contact_email: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const process = await db
    .insertInto('processes')
    .values({
      place_id: place.id,
      title: 'Ballot Town budget',
      summary: '',
      body: '',
      area: null,
      categories: [],
      eligibility: 'signed_in',
      minimum_age: null,
      support_threshold: null,
      supports_per_resident: null,
      created_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('process_phases')
    .values({
      place_id: place.id,
      process_id: process.id,
      position: 1,
      name: 'Voting',
      description: '',
      starts_on: addDays(on, -1),
      ends_on: addDays(on, 30),
      allows_propose: false,
      allows_support: false,
      allows_comment: false,
      allows_vote: true,
    })
    .execute();
  const budget = await db
    .insertInto('budgets')
    .values({
      place_id: place.id,
      process_id: process.id,
      title: 'Ballot Town fund',
      total_amount: '100000.00',
      voting_opens_on: addDays(on, -1),
      voting_closes_on: addDays(on, 30),
      rule: 'mes_cost_add1',
      ballot_kind: 'approval',
      max_projects: 3,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const projectIds: string[] = [];
  for (let i = 1; i <= (options.projects ?? 6); i += 1) {
    const row = await db
      .insertInto('projects')
      .values({
        place_id: place.id,
        budget_id: budget.id,
        district_id: null,
        proposal_id: null,
        title: `Project ${i}`,
        description: `What project ${i} would do.`,
        estimated_cost: `${10000 + i * 1000}.00`,
        feasibility: 'feasible',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    projectIds.push(row.id);
  }
  const expiresAt = new Date(Date.now() + 24 * 60 * 60_000);
  const users = await db
    .insertInto('users')
    .values(
      Array.from({ length: options.voters }, (_, i) => ({
        email: `voter${i}@${slug}.example`,
        name: `Voter ${i}`,
        password_hash: null,
        email_verified_at: new Date(),
      })),
    )
    .returning('id')
    .execute();
  const voters = users.map((u) => ({ id: u.id, session: randomBytes(32).toString('base64url') }));
  if (voters.length > 0) {
    await db
      .insertInto('place_roles')
      .values(
        voters.map((v) => ({
          place_id: place.id,
          user_id: v.id,
          role: 'resident' as const,
          granted_by: null,
        })),
      )
      .execute();
    await db
      .insertInto('sessions')
      .values(
        voters.map((v) => ({
          id: hashSecret(v.session),
          user_id: v.id,
          expires_at: expiresAt,
          last_seen_at: new Date(),
          user_agent: null,
          flash: '[]',
        })),
      )
      .execute();
  }
  return { slug, placeId: place.id, budgetId: budget.id, projectIds, voters };
}

import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { ProfileRow } from './profile-csv.ts';

type Executor = Kysely<DB> | Transaction<DB>;

export async function findProfile(db: Executor, placeId: string) {
  return db
    .selectFrom('population_profiles')
    .select(['filename', 'uploaded_at'])
    .where('place_id', '=', placeId)
    .executeTakeFirst();
}

export async function profileRows(db: Executor, placeId: string) {
  return db
    .selectFrom('population_profile_rows')
    .select(['dimension', 'dimension_label', 'category', 'population', 'share'])
    .where('place_id', '=', placeId)
    .orderBy('dimension_position')
    .orderBy('position')
    .execute();
}

/** Replaces the place's whole profile: call inside the upload's transaction. */
export async function replaceProfile(
  tx: Transaction<DB>,
  placeId: string,
  upload: { filename: string; uploadedBy: string },
  rows: ProfileRow[],
): Promise<void> {
  await tx.deleteFrom('population_profiles').where('place_id', '=', placeId).execute();
  await tx
    .insertInto('population_profiles')
    .values({ place_id: placeId, filename: upload.filename, uploaded_by: upload.uploadedBy })
    .execute();
  const dimensions = [...new Set(rows.map((r) => r.dimension))];
  await tx
    .insertInto('population_profile_rows')
    .values(
      rows.map((r, i) => ({
        place_id: placeId,
        dimension: r.dimension,
        dimension_label: r.dimensionLabel,
        dimension_position: dimensions.indexOf(r.dimension),
        category: r.category,
        position: i,
        population: r.population,
        share: r.share.toFixed(6),
      })),
    )
    .execute();
}

export async function answersOf(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('about_you_answers')
    .select(['dimension', 'answer', 'consented_at', 'updated_at'])
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .execute();
}

/** Every answer of a person in every place, for their own data download. */
export async function allAnswersOf(db: Executor, userId: string) {
  return db
    .selectFrom('about_you_answers as a')
    .innerJoin('places as p', 'p.id', 'a.place_id')
    .select(['p.slug', 'a.dimension', 'a.answer', 'a.consented_at', 'a.updated_at'])
    .where('a.user_id', '=', userId)
    .orderBy('p.slug')
    .orderBy('a.dimension')
    .execute();
}

export async function replaceAnswers(
  tx: Transaction<DB>,
  placeId: string,
  userId: string,
  answers: { dimension: string; answer: string }[],
  consentedAt: Date,
): Promise<void> {
  await tx
    .deleteFrom('about_you_answers')
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .execute();
  if (answers.length === 0) return;
  await tx
    .insertInto('about_you_answers')
    .values(
      answers.map((a) => ({
        place_id: placeId,
        user_id: userId,
        dimension: a.dimension,
        answer: a.answer,
        consented_at: consentedAt.toISOString(),
      })),
    )
    .execute();
}

export async function deleteAnswers(tx: Transaction<DB>, placeId: string, userId: string): Promise<number> {
  const result = await tx
    .deleteFrom('about_you_answers')
    .where('place_id', '=', placeId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One page of the places whose profile a person can answer, with whether they have answered there. */
export async function placesWithProfiles(
  db: Executor,
  userId: string,
  page: { limit: number; offset: number },
) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('population_profiles as pp')
      .innerJoin('places as p', 'p.id', 'pp.place_id')
      .select((eb) => [
        'p.slug',
        'p.name',
        eb
          .exists(
            eb
              .selectFrom('about_you_answers as a')
              .select('a.dimension')
              .whereRef('a.place_id', '=', 'pp.place_id')
              .where('a.user_id', '=', userId),
          )
          .as('answered'),
      ])
      .orderBy('p.name')
      .orderBy('p.slug')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('population_profiles')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function processesOfPlace(
  db: Executor,
  placeId: string,
  page: { limit: number; offset: number },
) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('processes')
      .select(['id', 'title'])
      .where('place_id', '=', placeId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('processes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('place_id', '=', placeId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export type Scope = 'everyone' | 'online' | 'code' | 'paper';

/**
 * The signed-in people who took part in a process, as a subquery of one column `person`: for everyone,
 * those who proposed, supported or commented on what is published, or voted online; for online, only
 * those who voted online. Code and paper voters have no account and so no answers.
 */
function signedInPeople(db: Executor, placeId: string, processId: string, scope: Scope) {
  // Online voters: on the ballot while voting is open, in budget_voters once results are published.
  const onlineVoters = db
    .selectFrom('ballots as b')
    .innerJoin('budgets as bu', 'bu.id', 'b.budget_id')
    .select((eb) => eb.ref('b.voter_id').$notNull().as('person'))
    .where('b.place_id', '=', placeId)
    .where('bu.place_id', '=', placeId)
    .where('bu.process_id', '=', processId)
    .where('b.channel', '=', 'online')
    .where('b.voter_id', 'is not', null)
    .union(
      db
        .selectFrom('budget_voters as v')
        .innerJoin('budgets as bu', 'bu.id', 'v.budget_id')
        .select('v.user_id as person')
        .where('v.place_id', '=', placeId)
        .where('bu.place_id', '=', placeId)
        .where('bu.process_id', '=', processId),
    );
  if (scope === 'online') return onlineVoters;
  const proposers = db
    .selectFrom('proposals')
    .select('author_id as person')
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .where('status', '=', 'published');
  const supporters = db
    .selectFrom('supports as s')
    .innerJoin('proposals as p', 'p.id', 's.proposal_id')
    .select('s.user_id as person')
    .where('s.place_id', '=', placeId)
    .where('s.process_id', '=', processId)
    .where('p.status', '=', 'published');
  const commenters = db
    .selectFrom('comments')
    .select('author_id as person')
    .where('place_id', '=', placeId)
    .where('process_id', '=', processId)
    .where('status', '=', 'published');
  return proposers.union(supporters).union(commenters).union(onlineVoters);
}

/**
 * Aggregates only: how many signed-in people took part, how many of them answered anything, and how many
 * gave each answer to each question. No query here returns a person.
 */
export async function answerCounts(db: Executor, placeId: string, processId: string, scope: Scope) {
  if (scope === 'code' || scope === 'paper') return { people: 0, answeredAny: 0, counts: [] };
  const people = signedInPeople(db, placeId, processId, scope);
  const [totals, counts] = await Promise.all([
    db
      .selectFrom(people.as('people'))
      .leftJoin(
        db
          .selectFrom('about_you_answers')
          .select('user_id')
          .distinct()
          .where('place_id', '=', placeId)
          .as('answered'),
        'answered.user_id',
        'people.person',
      )
      .select((eb) => [
        eb.fn.countAll<string>().as('people'),
        eb.fn.count<string>('answered.user_id').as('answered_any'),
      ])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom(people.as('people'))
      .innerJoin('about_you_answers as a', 'a.user_id', 'people.person')
      .select(['a.dimension', 'a.answer', (eb) => eb.fn.countAll<string>().as('n')])
      .where('a.place_id', '=', placeId)
      .groupBy(['a.dimension', 'a.answer'])
      .execute(),
  ]);
  return {
    people: Number(totals.people),
    answeredAny: Number(totals.answered_any),
    counts: counts.map((c) => ({ dimension: c.dimension, answer: c.answer, count: Number(c.n) })),
  };
}

/** Ballots of the process's budgets by channel. */
export async function ballotsByChannel(db: Executor, placeId: string, processId: string) {
  const rows = await db
    .selectFrom('ballots as b')
    .innerJoin('budgets as bu', 'bu.id', 'b.budget_id')
    .select(['b.channel', (eb) => eb.fn.countAll<string>().as('n')])
    .where('b.place_id', '=', placeId)
    .where('bu.place_id', '=', placeId)
    .where('bu.process_id', '=', processId)
    .groupBy('b.channel')
    .execute();
  const out = { online: 0, code: 0, paper: 0, imported: 0 };
  for (const r of rows) out[r.channel] = Number(r.n);
  return out;
}

import { type Kysely, sql } from 'kysely';

// One statement per entry: prepared statements take a single command.
// Every table carries place_id, and every query filters on it.
const statements = [
  // A place's population profile, as census tables give it: one row per dimension and category.
  // A new upload replaces every row of the place in one transaction.
  `
    CREATE TABLE population_profiles (
      place_id uuid PRIMARY KEY REFERENCES places (id) ON DELETE CASCADE,
      filename text NOT NULL,
      uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `
    CREATE TABLE population_profile_rows (
      place_id uuid NOT NULL REFERENCES population_profiles (place_id) ON DELETE CASCADE,
      dimension text NOT NULL,
      dimension_label text NOT NULL,
      dimension_position integer NOT NULL,
      category text NOT NULL,
      position integer NOT NULL,
      population bigint CHECK (population >= 0),
      share numeric(9, 6) NOT NULL CHECK (share >= 0 AND share <= 1),
      PRIMARY KEY (place_id, dimension, category)
    )
  `,
  // "About you": optional answers given after explicit consent, kept apart from the account and
  // never shown to anyone one by one. answer is a category of the place's profile or 'prefer_not_to_say'.
  `
    CREATE TABLE about_you_answers (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      dimension text NOT NULL,
      answer text NOT NULL,
      consented_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (place_id, user_id, dimension)
    )
  `,
  `CREATE INDEX about_you_answers_user_idx ON about_you_answers (user_id)`,
  // Account deletion keeps a tombstone row rather than deleting the user, so the answers go with the
  // tombstone here, in the same transaction, whichever code path sets deleted_at.
  `
    CREATE FUNCTION about_you_forget_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM about_you_answers WHERE user_id = NEW.id;
      RETURN NEW;
    END
    $$
  `,
  `
    CREATE TRIGGER about_you_forget_deleted AFTER UPDATE OF deleted_at ON users
      FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION about_you_forget_deleted()
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TRIGGER IF EXISTS about_you_forget_deleted ON users').execute(db);
  await sql.raw('DROP FUNCTION IF EXISTS about_you_forget_deleted()').execute(db);
  await sql.raw('DROP TABLE IF EXISTS about_you_answers').execute(db);
  await sql.raw('DROP TABLE IF EXISTS population_profile_rows').execute(db);
  await sql.raw('DROP TABLE IF EXISTS population_profiles').execute(db);
}

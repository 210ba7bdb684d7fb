import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { createApp } from '../app.ts';
import { addDays, type ParticipationAction, today } from '../participation/processes/phases.ts';
import type { Eligibility } from '../participation/processes/processes.table.ts';
import type { PlaceRole } from '../platform/auth/roles.ts';
import { type Config, loadConfig } from '../platform/config.ts';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../platform/db/database.ts';
import { createMailer, readMailFolder, type StoredMail } from '../platform/mail/mailer.ts';
import type { Services } from '../services.ts';
import type { QueryCounter } from './query-counter.ts';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const migrationsDir = join(srcDir, 'platform', 'db', 'migrations');

/**
 * A migrated in-memory PGlite. Creating a PGlite cluster takes seconds, so the first test file to need
 * one migrates it and leaves a dump in the temporary folder, named after the migrations' contents;
 * every later file starts from that dump. A change to any migration gives a new name, so a stale dump
 * is never used.
 */
async function migratedPglite(): Promise<DatabaseHandle> {
  const hash = createHash('sha256');
  for (const name of readdirSync(migrationsDir).sort())
    hash.update(name).update(readFileSync(join(migrationsDir, name)));
  const file = join(tmpdir(), `commonweal-test-db-${hash.digest('hex').slice(0, 16)}.tar`);
  if (existsSync(file)) {
    try {
      return await openDatabase({ fromDump: new Blob([readFileSync(file)]) });
    } catch {
      // A damaged dump: make a new one below.
    }
  }
  const handle = await openDatabase({});
  await migrateToLatest(handle.db);
  const dump = Buffer.from(await (await handle.dump!()).arrayBuffer());
  // Written aside and renamed, so a file running at the same time never reads half a dump.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, dump);
  renameSync(partial, file);
  return handle;
}

/**
 * A fresh, migrated database for one test file: PGlite in memory, or, when
 * TEST_DATABASE_URL is set, a new database on that PostgreSQL server that is
 * dropped afterwards.
 */
export async function freshDatabase(): Promise<DatabaseHandle> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return migratedPglite();
  const name = `cw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  database: DatabaseHandle;
  config: Config;
  services: Services;
  /** Every email sent so far, newest first. */
  mail(): Promise<StoredMail[]>;
  /** The first link in the newest email to this address. */
  linkFromLastMailTo(email: string): Promise<string>;
  /** Creates a verified account, optionally with roles in a place. */
  createUser(options: {
    email: string;
    name?: string;
    password?: string;
    instanceAdmin?: boolean;
    roles?: { placeId: string; role: PlaceRole }[];
  }): Promise<string>;
  createPlace(slug: string, name?: string): Promise<{ id: string; slug: string; name: string }>;
  /** A process with one phase running from a week ago for a month, opening every action unless told otherwise. */
  createProcess(options: {
    placeId: string;
    title?: string;
    eligibility?: Eligibility;
    minimumAge?: number;
    supportsPerResident?: number;
    supportThreshold?: number;
    categories?: string[];
    phases?: { name: string; startsOn: string; endsOn: string; allows: ParticipationAction[] }[];
  }): Promise<string>;
  createProposal(options: {
    placeId: string;
    processId: string;
    authorId: string;
    title?: string;
    body?: string;
    category?: string;
    status?: 'published' | 'held' | 'hidden' | 'withdrawn';
  }): Promise<string>;
  /**
   * Moves the clock the app's short-lived caches read on by `ms`, as if that much time had passed
   * since the test changed the database behind the app's back (as another server process would).
   * Today's date, which voting windows and phases are compared with, does not move.
   */
  passTime(ms: number): void;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct-horse-battery-staple-7';

export async function buildTestApp(
  env: Record<string, string> = {},
  options: {
    assetsDir?: string;
    beforeReady?: (app: FastifyInstance) => void;
    queryCounter?: QueryCounter;
  } = {},
): Promise<TestApp> {
  const database = await freshDatabase();
  const mailDir = mkdtempSync(join(tmpdir(), 'cw-mail-'));
  const config = loadConfig({ NODE_ENV: 'test', BASE_URL: 'http://commonweal.test', ...env });
  const mailer = createMailer({ smtpUrl: undefined, folder: mailDir, from: config.mailFrom });
  let clockOffset = 0;
  const app = await createApp({
    config,
    now: () => Date.now() + clockOffset,
    // With a counter, the app's queries are counted (tests read the database directly, uncounted).
    database: options.queryCounter
      ? { ...database, db: database.db.withPlugin(options.queryCounter) }
      : database,
    mailer,
    assetsDir: options.assetsDir ?? join(srcDir, 'platform', 'views', 'assets'),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  options.beforeReady?.(app);
  await app.ready();
  const services = app.services;
  const { accounts } = services;

  const mail = () => readMailFolder(mailDir);
  return {
    app,
    database,
    config,
    services,
    mail,
    passTime(ms) {
      clockOffset += ms;
    },
    async linkFromLastMailTo(email) {
      const message = (await mail()).find((m) => m.to === email);
      if (!message) throw new Error(`No email was sent to ${email}`);
      const link = message.text.match(/https?:\/\/\S+/)?.[0];
      if (!link) throw new Error(`The email to ${email} has no link`);
      return link.replace(config.baseUrl, '');
    },
    async createUser(options) {
      const id = await accounts.createVerifiedAccount({
        email: options.email,
        name: options.name ?? options.email.split('@')[0]!,
        password: options.password ?? TEST_PASSWORD,
        instanceAdmin: options.instanceAdmin ?? false,
      });
      for (const r of options.roles ?? []) {
        await database.db
          .insertInto('place_roles')
          .values({ place_id: r.placeId, user_id: id, role: r.role, granted_by: null })
          .execute();
      }
      return id;
    },
    async createPlace(slug, name) {
      const row = await database.db
        .insertInto('places')
        .values({ slug, name: name ?? slug, summary: '', contact_email: null })
        .returning(['id', 'slug', 'name'])
        .executeTakeFirstOrThrow();
      return row;
    },
    async createProcess(options) {
      const on = today();
      const row = await database.db
        .insertInto('processes')
        .values({
          place_id: options.placeId,
          title: options.title ?? 'A test process',
          summary: 'Summary',
          body: 'Body',
          area: null,
          categories: options.categories ?? ['Parks', 'Transport'],
          eligibility: options.eligibility ?? 'signed_in',
          minimum_age: options.minimumAge ?? null,
          support_threshold: options.supportThreshold ?? null,
          supports_per_resident: options.supportsPerResident ?? null,
          created_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const phases = options.phases ?? [
        {
          name: 'Open',
          startsOn: addDays(on, -7),
          endsOn: addDays(on, 30),
          allows: ['propose', 'support', 'comment', 'vote'],
        },
      ];
      await database.db
        .insertInto('process_phases')
        .values(
          phases.map((p, i) => ({
            place_id: options.placeId,
            process_id: row.id,
            position: i + 1,
            name: p.name,
            description: '',
            starts_on: p.startsOn,
            ends_on: p.endsOn,
            allows_propose: p.allows.includes('propose'),
            allows_support: p.allows.includes('support'),
            allows_comment: p.allows.includes('comment'),
            allows_vote: p.allows.includes('vote'),
          })),
        )
        .execute();
      return row.id;
    },
    async createProposal(options) {
      const row = await database.db
        .insertInto('proposals')
        .values({
          place_id: options.placeId,
          process_id: options.processId,
          author_id: options.authorId,
          title: options.title ?? 'A test proposal',
          body: options.body ?? 'What we should do, and why.',
          category: options.category ?? null,
          area: null,
          postcode: null,
          status: options.status ?? 'published',
          answer: null,
          answer_reason: null,
          answered_by: null,
          answered_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async close() {
      await app.close();
      await database.close();
      rmSync(mailDir, { recursive: true, force: true });
    },
  };
}

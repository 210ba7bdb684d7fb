import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type LogConfig, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrationProvider } from './migrations/index.ts';
import { lockDataDir } from './pglite-lock.ts';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /** PGlite only: the whole cluster as a tarball, to start another database from. */
  dump?: () => Promise<Blob>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without it the embedded PGlite database is used. */
  url?: string | undefined;
  /** Folder for PGlite's files; undefined keeps the database in memory (tests). */
  dataDir?: string | undefined;
  /** For an in-memory database: start from this dump (PGlite's dumpDataDir) instead of an empty cluster. */
  fromDump?: Blob | undefined;
}

// bigint ids (the audit trail) come back as strings; timestamps as Date; calendar
// dates (a phase's days, a date of birth) as 'YYYY-MM-DD' strings, free of time zones.
const BIGINT = 20;
const DATE = 1082;
pg.types.setTypeParser(BIGINT, (v) => v);
pg.types.setTypeParser(DATE, (v) => v);
const pgliteParsers = { [BIGINT]: (v: string) => v, [DATE]: (v: string) => v };

/** Set COMMONWEAL_QUERY_LOG=1 to print every query with its duration (for profiling). */
const queryLog: LogConfig | undefined =
  process.env.COMMONWEAL_QUERY_LOG === '1'
    ? (event) => {
        console.error(
          `${event.queryDurationMillis.toFixed(2)} ms  ${event.query.sql.replace(/\s+/g, ' ').slice(0, 160)}`,
        );
      }
    : undefined;

/** Statements worth keeping parsed and planned: reads and writes, not transaction control or DDL. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** Distinct statements kept per connection; beyond this (a burst of one-off texts) they run unnamed. */
const PREPARED_PER_CONNECTION = 500;

/**
 * A PostgreSQL connection that names each statement after its text, so the server parses and plans
 * it once per connection and then only binds and runs it. Planning is most of the server's work for
 * the short queries a page sends (the session, a budget with its districts): prepared, they cost a
 * third as much. The SQL is the same; only the protocol step that carries it changes.
 */
class PreparingClient extends pg.Client {
  /** Statement names by their text, on this connection. */
  readonly #named = new Map<string, string>();

  // biome-ignore lint/suspicious/noExplicitAny: pg's query has many overloads; this passes them through.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && !callback && PREPARABLE.test(config)) {
      let name = this.#named.get(config);
      if (name === undefined && this.#named.size < PREPARED_PER_CONNECTION) {
        name = `cw_${this.#named.size}`;
        this.#named.set(config, name);
      }
      if (name !== undefined) return super.query({ name, text: config, values });
    }
    return super.query(config, values, callback);
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 10, Client: PreparingClient });
    // An idle connection the server closed (a restart, a failover) must not crash the process:
    // the pool drops it and opens a new one on next use.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: queryLog });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  let unlock = () => {};
  let pglite: PGlite;
  if (options.dataDir) {
    unlock = lockDataDir(options.dataDir);
    try {
      pglite = await PGlite.create(join(options.dataDir, 'pgdata'), {
        relaxedDurability: false,
        parsers: pgliteParsers,
      });
    } catch (error) {
      unlock();
      throw error;
    }
  } else {
    pglite = await PGlite.create({ parsers: pgliteParsers, loadDataDir: options.fromDump });
  }
  // PGlite has one connection; Kysely queues callers on it (the adapter declares it single-connection).
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), log: queryLog });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      // Kysely closes PGlite only if it ever ran a query.
      if (!pglite.closed) await pglite.close();
      unlock();
    },
    dump: () => pglite.dumpDataDir('none'),
  };
}

export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function databaseIsHealthy(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

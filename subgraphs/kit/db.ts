/**
 * Database connections through knex: SQLite (better-sqlite3) for the embedded default,
 * MySQL (mysql2) in production. Every subgraph owns its own tables, named with its
 * prefix (`tax_entries`, `platform_subjects`), so they can share one database or each
 * have their own.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knex, { type Knex } from 'knex';
import { configuration, subgraphSetting } from './config/index.js';
import { isConcurrencyConflict } from './errors.js';
import { logger } from './observability/log.js';
import { shownUrl } from './shown-url.js';

export type Database = Knex & { readonly statements: StatementCounter };

/** Counts SQL statements, so tests and benchmarks can show that no request does N+1. */
export class StatementCounter {
  total = 0;
  reset(): void {
    this.total = 0;
  }
}

/**
 * Which database a subgraph uses: `<NAME>_DATABASE_URL`, else `DATABASE_URL`, else an
 * SQLite file of its own under `DATA_DIR` (default `./data`).
 * URLs: `mysql://user:password@host:3306/database`, `sqlite:path/to/file.sqlite`, `sqlite::memory:`.
 */
export function databaseUrlFor(subgraph: string, env?: NodeJS.ProcessEnv): string {
  const settings = configuration(env);
  return subgraphSetting(subgraph, 'DATABASE_URL', env) ?? settings.DATABASE_URL ?? `sqlite:${resolve(settings.DATA_DIR, `${subgraph}.sqlite`)}`;
}

/** The variable a subgraph's database comes from, for a message that says what to fix. */
export function databaseVariableFor(subgraph: string): string {
  if (subgraphSetting(subgraph, 'DATABASE_URL')) return `${subgraph.toUpperCase()}_DATABASE_URL`;
  return configuration().DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR';
}

/** Errors that mean "the database cannot be reached or entered" rather than a fault in a statement. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'SQLITE_CANTOPEN']);

function isDatabaseUnreachable(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return (typeof code === 'string' && UNREACHABLE.has(code)) || name === 'KnexTimeoutError';
}

/**
 * A database that cannot be reached, said in one line naming the variable to fix (the URL
 * without its password; `url` passed by code rather than read from a variable is shown
 * alone). Any other error is returned as it is.
 */
export function explainUnreachable(error: unknown, subgraph: string, url: string, fromVariables = true): unknown {
  if (!isDatabaseUnreachable(error)) return error;
  const source = fromVariables ? `${databaseVariableFor(subgraph)}: ${shownUrl(url)}` : shownUrl(url);
  return new Error(`cannot reach the ${subgraph} database (${source}): ${String((error as Error).message).split('\n')[0]}`);
}

export function isMysql(db: Knex): boolean {
  return db.client.config.client === 'mysql2';
}

export function connect(url: string): Database {
  let config: Knex.Config;
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    config = {
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(connection: any, done: (error: Error | null, connection: any) => void) {
          connection.pragma('journal_mode = WAL');
          connection.pragma('synchronous = NORMAL');
          connection.pragma('busy_timeout = 5000');
          cachePreparedStatements(connection);
          done(null, connection);
        },
      },
    };
  } else if (url.startsWith('mysql://')) {
    config = {
      client: 'mysql2',
      connection: { uri: url, charset: 'utf8mb4', timezone: 'Z', connectTimeout: 5000 } as any,
      pool: { min: 0, max: configuration().DATABASE_POOL_SIZE },
      acquireConnectionTimeout: 5000,
    };
  } else {
    throw new Error(`Unsupported database URL "${shownUrl(url)}": use mysql://… or sqlite:<file>`);
  }
  // knex's own warnings (a failed connection attempt, with its stack) go to the log at debug,
  // one line each: what a failure means reaches the operator once, from the caller.
  const log = logger('knex');
  const quiet = (message: unknown) => log.debug({ detail: String(message).split('\n')[0].slice(0, 200) }, 'knex warning');
  config.log = { warn: quiet, error: quiet, deprecate: quiet, debug: () => {} };
  const db = knex(config) as Database;
  const statements = new StatementCounter();
  db.on('query', () => {
    statements.total++;
  });
  Object.defineProperty(db, 'statements', { value: statements });
  return db;
}

/** Statements each SQLite connection keeps prepared (the most recently used). */
export const SQLITE_STATEMENT_CACHE_SIZE = 100;

/**
 * knex prepares every statement it runs on better-sqlite3 afresh, and SQLite compiling a batch
 * statement (an INSERT of 500 rows, an IN list of 500 keys) costs about as much as running it.
 * The same texts come back all the time — every batch of a bulk import, every consumer's
 * poll —, so the connection keeps the last SQLITE_STATEMENT_CACHE_SIZE prepared by their
 * text. Safe because knex only runs a statement to its end (`all`/`run`, never an open
 * iterator), one statement at a time on a connection, and SQLite prepares a cached statement
 * again by itself when a migration changes the schema under it.
 */
export function cachePreparedStatements(connection: { prepare(sql: string): unknown }, size = SQLITE_STATEMENT_CACHE_SIZE): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, unknown>();
  connection.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement) cache.delete(sql);
    else statement = prepare(sql);
    cache.set(sql, statement); // most recently used last
    if (cache.size > size) cache.delete(cache.keys().next().value!);
    return statement;
  };
}

/** A migration written in TypeScript beside the code that uses its tables. */
export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Brings a subgraph's tables up to date; knex's lock table makes concurrent replicas safe. */
export async function migrate(db: Knex, subgraph: string, migrations: Migration[]): Promise<void> {
  // Replicas starting together race for knex's migration lock: the loser sees it locked, or —
  // on a multi-primary cluster such as Galera — a deadlock from certification. Both mean
  // "another replica is migrating": wait and try again (the winner's work is then done).
  for (let attempt = 1; ; attempt++) {
    try {
      await db.migrate.latest(migrationSource(subgraph, migrations));
      return;
    } catch (error) {
      const contended = isConcurrencyConflict(error) || /already locked/i.test(String((error as Error)?.message));
      if (!contended || attempt >= MIGRATION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt + Math.random() * 200));
    }
  }
}

/** Tries of a migration that another replica holds the lock of: about 30 s in all. */
const MIGRATION_ATTEMPTS = 15;

/** Where knex finds a subgraph's migrations and keeps their record (migrating, and readiness). */
export function migrationSource(subgraph: string, migrations: Migration[]): Knex.MigratorConfig {
  return {
    tableName: `${subgraph}_knex_migrations`,
    migrationSource: {
      getMigrations: async () => migrations,
      getMigrationName: (migration: Migration) => migration.name,
      getMigration: async (migration: Migration) => migration,
    },
  };
}

/** Inserts rows in chunks: SQLite refuses statements with too many bound variables. */
export async function insertInChunks(db: Knex | Knex.Transaction, table: string, rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  const chunkSize = Math.max(1, Math.min(500, Math.floor(30000 / Object.keys(rows[0]).length)));
  const sqlite = db.client.config.client === 'better-sqlite3';
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const values = sqlite ? sqliteValuesInsert(table, chunk as Record<string, unknown>[]) : null;
    await (values ? db.raw(values.sql, values.bindings) : db(table).insert(chunk));
  }
}

/**
 * A multi-row INSERT … VALUES for SQLite. knex writes SQLite's multi-row insert as a SELECT per
 * row joined by UNION ALL, each value given an alias — costly to build in JavaScript for 500
 * rows of 35 columns, and for SQLite to compile. Rows carrying a value other than a plain one
 * (a raw expression such as a subquery) are left to knex (null).
 */
function sqliteValuesInsert(table: string, rows: Record<string, unknown>[]): { sql: string; bindings: Knex.Value[] } | null {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const bindings: Knex.Value[] = [];
  for (const row of rows) {
    for (const column of columns) {
      const value = row[column];
      if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return null;
      bindings.push(value === undefined ? null : (value as Knex.Value));
    }
  }
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const row = `(${columns.map(() => '?').join(', ')})`;
  return { sql: `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${Array(rows.length).fill(row).join(', ')}`, bindings };
}

/** The largest IN list one statement carries. */
export const MAX_KEYS_PER_STATEMENT = 1000;

/** Reads rows for many keys, one statement per MAX_KEYS_PER_STATEMENT keys. */
export async function selectInChunks<K, R>(keys: readonly K[], read: (chunk: K[]) => PromiseLike<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let start = 0; start < keys.length; start += MAX_KEYS_PER_STATEMENT) rows.push(...(await read(keys.slice(start, start + MAX_KEYS_PER_STATEMENT))));
  return rows;
}

/**
 * A table as its owning module lends it to others: they query it (`entryIndex(db)`,
 * `db(entryIndex.as('e'))` for an alias or a join) and alter it in a migration that spans
 * modules, without naming it. The owner alone creates and drops it, and maps its rows:
 * `fromRow(row)` to what the module gives, `toRow(value)` back (`<thing>FromRow` where one
 * table gives several things).
 */
export interface TableRef {
  (db: Knex | Knex.Transaction): Knex.QueryBuilder;
  /** `{ [alias]: table }`: a FROM or JOIN under an alias. */
  as(alias: string): Record<string, string>;
  alter(db: Knex, build: (table: Knex.AlterTableBuilder) => void): Promise<void>;
}

export function tableRef(name: string): TableRef {
  return Object.assign((db: Knex | Knex.Transaction) => db(name), {
    as: (alias: string) => ({ [alias]: name }),
    alter: async (db: Knex, build: (table: Knex.AlterTableBuilder) => void) => {
      await db.schema.alterTable(name, build);
    },
  });
}

/**
 * The databases of a benchmark run: SQLite files in a temporary directory, or a fresh MariaDB
 * database on the server of --mysql-url; each removed when the run ends (or is interrupted).
 */
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import knex from 'knex';
import type { Database } from '../../subgraphs/kit/db.js';

export interface BenchDatabase {
  label: string;
  urlFor(subgraph: string): string;
  drop(): Promise<void>;
}

const cleanups = new Set<() => Promise<void>>();

export async function createDatabase(kind: 'sqlite' | 'mysql', mysqlUrl: string): Promise<BenchDatabase> {
  if (kind === 'mysql') {
    const name = `credithub_bench_${randomBytes(4).toString('hex')}`;
    const admin = knex({ client: 'mysql2', connection: mysqlUrl });
    await admin.raw(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.destroy();
    const url = new URL(mysqlUrl);
    url.pathname = `/${name}`;
    const drop = async () => {
      cleanups.delete(drop);
      const dropper = knex({ client: 'mysql2', connection: mysqlUrl });
      await dropper.raw(`DROP DATABASE IF EXISTS ${name}`);
      await dropper.destroy();
    };
    cleanups.add(drop);
    return { label: `MariaDB database ${name}`, urlFor: () => url.toString(), drop };
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'credithub-bench-'));
  const drop = async () => {
    cleanups.delete(drop);
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(drop);
  return { label: `SQLite files in ${dir}`, urlFor: (subgraph) => `sqlite:${join(dir, `${subgraph}.sqlite`)}`, drop };
}

/** Removes every database not dropped yet. */
export async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups]) await cleanup().catch(() => {});
}

export interface MysqlServer {
  version: string;
  bufferPoolMiB: number;
  flushLogAtCommit: number;
}

export async function mysqlServer(mysqlUrl: string): Promise<MysqlServer> {
  const admin = knex({ client: 'mysql2', connection: mysqlUrl });
  try {
    const [rows] = await admin.raw('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp, @@innodb_flush_log_at_trx_commit AS flush');
    return { version: String(rows[0].v), bufferPoolMiB: Number(rows[0].bp) / 2 ** 20, flushLogAtCommit: Number(rows[0].flush) };
  } finally {
    await admin.destroy();
  }
}

/** InnoDB pages read from disk so far, server-wide (Innodb_buffer_pool_reads). */
export async function bufferPoolReads(db: Database): Promise<number> {
  const [rows] = await db.raw(`SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'`);
  return Number(rows[0].Value);
}

/** Data + indexes of `tables` in the database `db` is connected to (information_schema), in MiB. */
export async function tablesMiB(db: Database, tables: string[]): Promise<number> {
  const [sizes] = await db.raw(
    `SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN (${tables.map(() => '?').join(', ')})`,
    tables,
  );
  return Number(sizes[0].bytes) / 2 ** 20;
}

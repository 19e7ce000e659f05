/**
 * A database of its own for one hub run (tests, benchmarks): a fresh MySQL / MariaDB
 * database on the server at `mysqlUrl`, or SQLite files in a temporary directory; `drop`
 * removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import knex from 'knex';

export interface ScratchDatabase {
  urlFor(subgraph: string): string;
  drop(): Promise<void>;
}

/** `prefix` names it: `credithub_test_…` databases, `credithub-test-…` directories. */
export async function createScratchDatabase(prefix: string, mysqlUrl?: string): Promise<ScratchDatabase> {
  if (mysqlUrl) {
    const name = `${prefix.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`;
    const admin = knex({ client: 'mysql2', connection: mysqlUrl });
    await admin.raw(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.destroy();
    const url = new URL(mysqlUrl);
    url.pathname = `/${name}`;
    return {
      urlFor: () => url.toString(),
      async drop() {
        const dropper = knex({ client: 'mysql2', connection: mysqlUrl });
        await dropper.raw(`DROP DATABASE IF EXISTS ${name}`);
        await dropper.destroy();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    urlFor: (subgraph) => `sqlite:${join(dir, `${subgraph}.sqlite`)}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

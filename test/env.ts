/**
 * The test environment: a whole hub on free ports, on SQLite (default) or on MariaDB /
 * MySQL (`TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test`), with demo data, and
 * helpers that talk HTTP to it like a client. Every hub gets a database of its own
 * (a temporary directory, or a fresh MySQL database) and removes it when stopped.
 */
import { startHub, type HubOptions, type RunningHub } from '../scripts/hub.js';
import { createScratchDatabase, type ScratchDatabase } from '../scripts/scratch-database.js';
import { seed } from '../scripts/seed.js';
import type { DemoData } from '../scripts/demo-data.js';
import type { TokenClaims } from '../scripts/token.js';
import { callerHeaders, postGraphQL, type GraphQLResponse } from '../scripts/client.js';
import { resetConfiguration } from '../subgraphs/kit/config/index.js';
import { departmentNamesIn, readCheckedInSupergraph } from '../gateway/supergraph.js';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

/**
 * Sets (a string) or removes (undefined) variables of this process's environment, and makes
 * the hub read them again: `configuration()` keeps what it parsed until told.
 */
export function setEnv(variables: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfiguration();
}

export const mysqlUrl = process.env.TEST_DATABASE_URL?.startsWith('mysql://') ? process.env.TEST_DATABASE_URL : undefined;
export const dialect = mysqlUrl ? 'mysql' : 'sqlite';

export { callerHeaders, postGraphQL, type GraphQLResponse };

export type TestDatabase = ScratchDatabase;

/** A database of its own for one hub. */
export const createTestDatabase = (): Promise<TestDatabase> => createScratchDatabase('credithub-test', mysqlUrl);

export interface TestHub {
  url: string;
  hub: RunningHub;
  demo: Awaited<ReturnType<typeof seed>>;
  database: TestDatabase;
  /** Asks as a platform administrator with a stated purpose: sees everything unmasked. */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Asks as the caller `claims` describes (null: the public), optionally stating a purpose. */
  queryAs<T = any>(
    claims: TokenClaims | null,
    query: string,
    variables?: Record<string, unknown>,
    purpose?: { purpose: string; reference: string },
  ): Promise<GraphQLResponse<T>>;
  /** SQL statements each subgraph ran while `work` ran. */
  countStatements(work: () => Promise<unknown>): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface TestHubOptions {
  subjects?: number;
  subgraphTimeoutMs?: number;
  clock?: () => Date;
  /** Background workers: 'manual' (default) runs them only on `hub.hub.settle()`, so tests see what they did. */
  workers?: 'interval' | 'manual';
  /** Seed the departments' objections and credit repair too (scripts/demo-cases.ts). */
  caseRecords?: boolean;
  /** Subgraphs of a catalogue of the test's own and their supergraph (scripts/hub.ts); the demo data covers the real catalogue's departments. */
  subgraphs?: HubOptions['subgraphs'];
  supergraphSdl?: string;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const database = await createTestDatabase();
  const demo = await seed({ subjects: options.subjects ?? 300, caseRecords: options.caseRecords, databaseUrl: database.urlFor });
  const hub = await startHub({
    port: 0,
    subgraphPorts: 'random',
    databaseUrl: database.urlFor,
    subgraphTimeoutMs: options.subgraphTimeoutMs,
    clock: options.clock,
    workers: options.workers ?? 'manual',
    subgraphs: options.subgraphs,
    supergraphSdl: options.supergraphSdl,
  });
  // The departments an officer's token may name: those of the supergraph served (the test's own, when it gave one), as the gateway reads them.
  const departmentNames = departmentNamesIn(options.supergraphSdl ?? readCheckedInSupergraph());
  const adminHeaders = await callerHeaders({ role: 'admin', sub: 'test-admin' }, { purpose: 'test', reference: 'TEST-1' });
  return {
    url: hub.gateway.url,
    hub,
    demo,
    database,
    query: (query, variables, headers) => postGraphQL(hub.gateway.url, query, variables, { ...adminHeaders, ...headers }),
    queryAs: async (claims, query, variables, purpose) => postGraphQL(hub.gateway.url, query, variables, await callerHeaders(claims, purpose, departmentNames)),
    async countStatements(work) {
      const before = new Map([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total]));
      await work();
      return Object.fromEntries([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total - before.get(name)!]));
    },
    async stop() {
      await hub.stop();
      await database.drop();
    },
  };
}

/** Demo subjects that are on a list of `domain` with `status`. */
export function subjectsListedIn(demo: DemoData, department: string, status = 'ACTIVE'): string[] {
  return [...new Set(demo.entriesByDepartment.get(department)!.filter((e) => e.status === status).map((e) => e.creditCode))];
}

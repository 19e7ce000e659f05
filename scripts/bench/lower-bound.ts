/**
 * The lower bound: the same rows straight from the same databases with the fewest SQL
 * statements (one per table), in this process — no HTTP, GraphQL, authorisation or masking.
 */
import { departments } from '../../subgraphs/catalog.js';
import { connect, type Database } from '../../subgraphs/kit/db.js';
import { entriesTable } from '../../subgraphs/kit/lists/tables.js';
import { subjectsTable } from '../../subgraphs/platform/registry.js';
import { databaseNames, log } from './context.js';
import type { BenchDatabase } from './databases.js';
import { ms, summarize, type Summary } from './stats.js';

export class LowerBound {
  readonly dbs: Map<string, Database>;

  constructor(database: BenchDatabase) {
    this.dbs = new Map(databaseNames().map((name) => [name, connect(database.urlFor(name))]));
  }

  /** (a): the subject's registry row and every department's entry rows, all columns; one statement per table. */
  async profile(code: string): Promise<string> {
    const [registry, ...entries] = await Promise.all([
      this.dbs.get('platform')!(subjectsTable).whereIn('credit_code', [code]),
      ...departments.map((d) => this.dbs.get(d.name)!(entriesTable(d.name)).whereIn('credit_code', [code])),
    ]);
    return JSON.stringify({ subject: registry[0] ?? null, departments: Object.fromEntries(departments.map((d, i) => [d.name, entries[i]])) });
  }

  /** (b): the columns the batch asks for, for all codes at once; one statement per table. */
  async batch(codes: string[]): Promise<string> {
    const [registry, ...entries] = await Promise.all([
      this.dbs.get('platform')!(subjectsTable).select('credit_code', 'subject_type', 'name').whereIn('credit_code', codes),
      ...departments.map((d) =>
        this.dbs
          .get(d.name)!(entriesTable(d.name))
          .select('id', 'credit_code', 'list_type', 'list_kind', 'status', 'valid_until')
          .whereIn('credit_code', codes),
      ),
    ]);
    return JSON.stringify({ subjects: registry, departments: Object.fromEntries(departments.map((d, i) => [d.name, entries[i]])) });
  }

  statements(): number {
    return [...this.dbs.values()].reduce((sum, db) => sum + db.statements.total, 0);
  }

  async close() {
    await Promise.all([...this.dbs.values()].map((db) => db.destroy()));
  }
}

export interface Timed {
  summary: Summary;
  cpuMsPerOp: number;
}

/** `work` one at a time for `seconds` (at least `minRuns` times). */
export async function timeSequential(work: (i: number) => Promise<unknown>, seconds: number, minRuns: number): Promise<Timed> {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; performance.now() - started < seconds * 1000 || i < minRuns; i++) {
    const t = performance.now();
    await work(i);
    samples.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  return { summary: summarize(samples, (performance.now() - started) / 1000), cpuMsPerOp: (used.user + used.system) / 1000 / samples.length };
}

/** `concurrency` loops of `work` for `seconds`. */
export async function timeConcurrent(work: (i: number) => Promise<unknown>, concurrency: number, seconds: number): Promise<Timed> {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < seconds * 1000) {
        const t = performance.now();
        await work(next++);
        samples.push(performance.now() - t);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { summary: summarize(samples, (performance.now() - started) / 1000), cpuMsPerOp: (used.user + used.system) / 1000 / samples.length };
}

export interface LowerBoundResult {
  profile: Timed;
  profileConcurrent: Timed;
  batch: Timed;
  statementsProfile: number;
  statementsBatch: number;
}

/** (a) one at a time and `connections` at a time, (b) one at a time, and the statements each takes. */
export async function measureLowerBound(database: BenchDatabase, profileCodes: string[], batches: string[][], duration: number, connections: number): Promise<LowerBoundResult> {
  log('lower bound: the same rows straight from the same databases, in this process…');
  const lowerBound = new LowerBound(database);
  const lbSeconds = Math.max(1, duration / 4);
  for (let i = 0; i < 50; i++) await lowerBound.profile(profileCodes[i % profileCodes.length]);
  for (let i = 0; i < 3; i++) await lowerBound.batch(batches[i]);
  const statementsBefore = lowerBound.statements();
  await lowerBound.profile(profileCodes[0]);
  const statementsProfile = lowerBound.statements() - statementsBefore;
  await lowerBound.batch(batches[0]);
  const statementsBatch = lowerBound.statements() - statementsBefore - statementsProfile;
  const lower = {
    profile: await timeSequential((i) => lowerBound.profile(profileCodes[i % profileCodes.length]), lbSeconds, 50),
    profileConcurrent: await timeConcurrent((i) => lowerBound.profile(profileCodes[i % profileCodes.length]), connections, lbSeconds),
    batch: await timeSequential((i) => lowerBound.batch(batches[i % batches.length]), lbSeconds, 20),
    statementsProfile,
    statementsBatch,
  };
  await lowerBound.close();
  log(`  (a) p50 ${ms(lower.profile.summary.p50)}, ${connections} concurrent ${lower.profileConcurrent.summary.perSecond.toFixed(0)}/s; (b) p50 ${ms(lower.batch.summary.p50)}`);
  return lower;
}

/**
 * npm run bench -- [--subjects 10000] [--duration 10] [--connections 8] [--database sqlite|mysql]
 *                  [--mysql-url mysql://root@127.0.0.1:3306] [--scale] [--scale-subjects 1000000]
 *                  [--out BENCHMARKS.md] [--append]
 *
 * One run measures, side by side on one machine:
 *  (a) one subject's full profile (registry + every department's entries), the code rotating
 *      over listed subjects, under load (--connections) and one at a time;
 *  (b) `subjects` with 1,000 mixed codes (50% listed, 30% registered-unlisted, 10% unknown,
 *      10% invalid), one at a time, rotating over 16 different batches;
 *  (c) the `screen` mutation (pre-approval screening, recorded with a signed receipt) with the
 *      same 1,000-code batches, one at a time, after the platform has collected every
 *      department's entries (`hub.settle()`);
 * through the hub's gateway (an agency token with a stated purpose: JWT verification, masking
 * decisions, the access-register write; and without a purpose for (a)), through a peer gateway
 * (@graphql-hive/gateway) on the same running subgraphs, and for (a) and (b) as a lower bound
 * straight from the same databases with the fewest SQL statements in this process. Also: SQL
 * statements per request at 1, 100 and 1,000 codes, where each gateway's time goes, the
 * process's peak RSS, and with --scale the 1,000-code batches of (b) and (c) on MariaDB at
 * 10,000 vs 1,000,000 subjects.
 *
 * The hub (five subgraphs + gateway) and the peer run in this process; autocannon runs in a
 * child process (scripts/bench/load.ts). Hub and peer alternate in rounds: hub, peer, peer, hub.
 * Writes a markdown report with the machine and the date (--append adds it as a new section).
 */
import '../subgraphs/kit/config/startup.js';
import os from 'node:os';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import knex from 'knex';
import { decodeJwt } from 'jose';

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    database: { type: 'string', default: 'sqlite' },
    'mysql-url': { type: 'string', default: 'mysql://root@127.0.0.1:3306' },
    scale: { type: 'boolean', default: false },
    'scale-subjects': { type: 'string', default: '1000000' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    append: { type: 'boolean', default: false },
  },
});

const SUBJECTS = Number(values.subjects);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const DATABASE = values.database as 'sqlite' | 'mysql';
const SCALE_SUBJECTS = Number(values['scale-subjects']);
for (const [name, value] of Object.entries({ subjects: SUBJECTS, duration: DURATION, connections: CONNECTIONS, 'scale-subjects': SCALE_SUBJECTS })) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
}
if (DATABASE !== 'sqlite' && DATABASE !== 'mysql') {
  console.error('--database must be sqlite or mysql');
  process.exit(2);
}
// Secrets of this run only: nothing is written under ./data.
process.env.CREDITHUB_JWT_SECRET ??= randomBytes(24).toString('hex');
process.env.CREDITHUB_INTERNAL_SECRET ??= randomBytes(24).toString('hex');

// Imported after the secrets are set (the modules read them when first used).
const { startHub } = await import('./hub.js');
type RunningHub = Awaited<ReturnType<typeof startHub>>;
const { seed } = await import('./seed.js');
const { callerHeaders } = await import('../test/env.js');
const { connect } = await import('../subgraphs/kit/db.js');
type Database = ReturnType<typeof connect>;
const { departments } = await import('../subgraphs/catalog.js');
const { principalFromClaims } = await import('../subgraphs/kit/auth/principal.js');
const { SUPERGRAPH_FILE } = await import('../gateway/supergraph.js');
const { entriesTable, consumerOffsetsTable } = await import('../subgraphs/kit/lists/tables.js');
const { outboxTable } = await import('../subgraphs/kit/outbox.js');
const { subjectsTable } = await import('../subgraphs/platform/registry.js');
const { entryIndexTable, warningListTable, platformOffsetsTable } = await import('../subgraphs/platform/collection.js');
const { startPeerGateway } = await import('./bench/peer.js');
const { SpanRecorder, unionLength } = await import('./bench/spans.js');
const { summarize, median, ms, ratio, int } = await import('./bench/stats.js');
const { buildWorkload, PROFILE, PROFILES, BATCH, SCREEN } = await import('./bench/workload.js');
type Workload = ReturnType<typeof buildWorkload>;
type Summary = ReturnType<typeof summarize>;
import type { LoadJob, LoadResult } from './bench/load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_STARTED = performance.now();
const log = (line: string) => console.log(`[bench ${((performance.now() - BENCH_STARTED) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const PURPOSE = { purpose: '行政许可审批前核查', reference: 'BENCH-2026-0001' };
const CLAIMS = { role: 'agency', agency: '基准测试审批中心', sub: 'bench-agency' };
const BATCHES = 16;

// ---------------------------------------------------------------------------------------
// Databases

interface BenchDatabase {
  label: string;
  urlFor(subgraph: string): string;
  drop(): Promise<void>;
}

const cleanups = new Set<() => Promise<void>>();

async function createDatabase(kind: 'sqlite' | 'mysql'): Promise<BenchDatabase> {
  if (kind === 'mysql') {
    const name = `credithub_bench_${randomBytes(4).toString('hex')}`;
    const admin = knex({ client: 'mysql2', connection: values['mysql-url'] });
    await admin.raw(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    await admin.destroy();
    const url = new URL(values['mysql-url']!);
    url.pathname = `/${name}`;
    const drop = async () => {
      cleanups.delete(drop);
      const dropper = knex({ client: 'mysql2', connection: values['mysql-url'] });
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

interface MysqlServer {
  version: string;
  bufferPoolMiB: number;
  flushLogAtCommit: number;
}

async function mysqlServer(): Promise<MysqlServer> {
  const admin = knex({ client: 'mysql2', connection: values['mysql-url'] });
  try {
    const [rows] = await admin.raw('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp, @@innodb_flush_log_at_trx_commit AS flush');
    return { version: String(rows[0].v), bufferPoolMiB: Number(rows[0].bp) / 2 ** 20, flushLogAtCommit: Number(rows[0].flush) };
  } finally {
    await admin.destroy();
  }
}

/** InnoDB pages read from disk so far, server-wide (Innodb_buffer_pool_reads). */
async function bufferPoolReads(db: Database): Promise<number> {
  const [rows] = await db.raw(`SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'`);
  return Number(rows[0].Value);
}

/** Seeds through scripts/seed.ts, printing its progress and a heartbeat while it works. */
async function seedTimed(database: BenchDatabase, subjects: number) {
  let generationMs = NaN;
  const started = performance.now();
  const heartbeat = setInterval(() => log(`  … still seeding (${((performance.now() - started) / 1000).toFixed(0)} s)`), 15_000);
  try {
    const demo = await seed({
      subjects,
      databaseUrl: database.urlFor,
      log: (line) => {
        const generated = /generated \d+ subjects in (\d+) ms/.exec(line);
        if (generated) generationMs = Number(generated[1]);
        log(`  seed: ${line}`);
      },
    });
    return { demo, seconds: (performance.now() - started) / 1000, generationSeconds: generationMs / 1000 };
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Runs every background worker of the hub until none finds work (`hub.settle()`): the
 * platform collects every department's entries, which `screen` answers from, and each
 * department applies the cross-department rules to every department's events. Logs the
 * progress every 15 s while it works.
 */
async function collectTimed(hub: RunningHub, entries: number) {
  const platformDb = hub.subgraphs.get('platform')!.db;
  const count = async (table: string) => Number((await platformDb(table).count({ n: '*' }))[0].n);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  // Every subgraph consumes every department's change events: what the consumers have applied
  // so far, of what the departments have published (which the rules' exits add to).
  const progress = async () => {
    // Positions are dense from 1 (the relay's), so a consumer's position counts what it applied.
    const published = await Promise.all(departments.map(async (d) => Number((await hub.subgraphs.get(d.name)!.db(outboxTable(d.name)).count({ n: '*' }))[0].n ?? 0)));
    const applied = await Promise.all(
      [...hub.subgraphs].map(async ([name, s]) => Number((await s.db(name === 'platform' ? platformOffsetsTable : consumerOffsetsTable(name)).sum({ n: 'last_seq' }))[0].n ?? 0)),
    );
    return `${int(sum(applied))} of ${int(sum(published) * hub.subgraphs.size)} events applied by the ${hub.subgraphs.size} consumers, ${int(await count(entryIndexTable))} entries in the platform's index (${int(entries)} seeded)`;
  };
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  let counting = false;
  const heartbeat = setInterval(() => {
    if (counting) return;
    counting = true;
    progress()
      .then(
        (line) => log(`  … collecting (${elapsed()}): ${line}`),
        () => log(`  … still collecting (${elapsed()})`),
      )
      .finally(() => (counting = false));
  }, 15_000);
  try {
    const work = await hub.settle();
    const seconds = (performance.now() - started) / 1000;
    const collected = await count(entryIndexTable);
    const warningList = await count(warningListTable);
    log(`collected in ${seconds.toFixed(1)} s: ${int(collected)} entries in the platform's index (${int(entries)} seeded), ${int(warningList)} warning-list stays (${int(work)} units of worker work)`);
    check(collected > 0, 'the platform collected no entry');
    return { seconds, collected, warningList };
  } finally {
    clearInterval(heartbeat);
  }
}

// ---------------------------------------------------------------------------------------
// The load generator (a child process)

class LoadGenerator {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(join(ROOT, 'scripts/bench/load.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    this.child.on('message', (message: LoadResult & { error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message);
    });
    this.child.on('exit', (code) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  run(job: Omit<LoadJob, 'id'>): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...job, id });
    });
  }

  get pid() {
    return this.child.pid!;
  }

  stop() {
    this.child.disconnect();
  }
}

// ---------------------------------------------------------------------------------------
// Memory: the peak RSS of this process, by phase

// A full collection on demand, to tell memory still in use from garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

class RssSampler {
  phase = 'seeding and starting the hub';
  /** Memory in use after a full collection, at quiet points of the run. */
  readonly retained: { point: string; rss: number; heapUsed: number }[] = [];
  readonly peaks = new Map<string, { rss: number; heapUsed: number }>();
  private readonly timer = setInterval(() => this.sample(), 100);

  sample() {
    const { rss, heapUsed } = process.memoryUsage();
    const peak = this.peaks.get(this.phase) ?? { rss: 0, heapUsed: 0 };
    this.peaks.set(this.phase, { rss: Math.max(peak.rss, rss), heapUsed: Math.max(peak.heapUsed, heapUsed) });
  }

  enter(phase: string) {
    this.sample();
    this.phase = phase;
    this.sample();
  }

  /** Collects garbage fully (twice: weak references, then what they held) and records what stays. */
  settle(point: string) {
    collectGarbage();
    collectGarbage();
    const { rss, heapUsed } = process.memoryUsage();
    this.retained.push({ point, rss, heapUsed });
  }

  stop() {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------
// Requests

type Headers = Record<string, string>;

async function post(url: string, headers: Headers, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** JSON with sorted keys, to compare two gateways' data. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Statements each subgraph ran while `work` ran. */
async function statementsDuring(hub: RunningHub, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = new Map([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total]));
  await work();
  return Object.fromEntries([...hub.subgraphs].map(([name, s]) => [name, s.db.statements.total - before.get(name)!]));
}

/**
 * Waits until the subgraphs have run no statement for 500 ms (at most 10 s): requests a load
 * run left in flight when it stopped must not be counted in (or slow down) the next one.
 */
async function quiesce(hub: RunningHub): Promise<void> {
  const total = () => [...hub.subgraphs.values()].reduce((sum, s) => sum + s.db.statements.total, 0);
  const deadline = performance.now() + 10_000;
  let last = total();
  let stableSince = performance.now();
  while (performance.now() < deadline && performance.now() - stableSince < 500) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = total();
    if (now !== last) {
      last = now;
      stableSince = performance.now();
    }
  }
}

// ---------------------------------------------------------------------------------------
// The lower bound: the same rows straight from the same databases, fewest statements

class LowerBound {
  readonly dbs: Map<string, Database>;

  constructor(database: BenchDatabase) {
    this.dbs = new Map(['platform', ...departments.map((d) => d.name)].map((name) => [name, connect(database.urlFor(name))]));
  }

  /** (a): the subject's registry row and every department's entry rows, all columns; 5 statements. */
  async profile(code: string): Promise<string> {
    const [registry, ...entries] = await Promise.all([
      this.dbs.get('platform')!(subjectsTable).whereIn('credit_code', [code]),
      ...departments.map((d) => this.dbs.get(d.name)!(entriesTable(d.name)).whereIn('credit_code', [code])),
    ]);
    return JSON.stringify({ subject: registry[0] ?? null, departments: Object.fromEntries(departments.map((d, i) => [d.name, entries[i]])) });
  }

  /** (b): the columns the batch asks for, for all codes at once; 5 statements. */
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

interface Timed {
  summary: Summary;
  cpuMsPerOp: number;
}

/** `work` one at a time for `seconds` (at least `minRuns` times). */
async function timeSequential(work: (i: number) => Promise<unknown>, seconds: number, minRuns: number): Promise<Timed> {
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
async function timeConcurrent(work: (i: number) => Promise<unknown>, concurrency: number, seconds: number): Promise<Timed> {
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

// ---------------------------------------------------------------------------------------
// Load runs, in rounds

type Gateway = 'hub' | 'peer';
interface RunSpec {
  op: 'profile' | 'batch' | 'screen';
  caller: 'purpose' | 'none';
  connections: number;
}
interface RunOutcome {
  latencies: number[];
  seconds: number;
  cpuMs: number;
  failed: number;
  withErrors: number;
  errors: number;
  p50: number;
}
interface Measured {
  summary: Summary;
  /** CPU time of this process (gateway + subgraphs) per request. */
  cpuMsPerRequest: number;
  failed: number;
  withErrors: number;
  rounds: RunOutcome[];
}

const specKey = (gateway: Gateway, spec: RunSpec) => `${gateway}:${spec.op}:${spec.caller}:${spec.connections}`;

function measured(outcomes: RunOutcome[]): Measured {
  const latencies = outcomes.flatMap((o) => o.latencies);
  const seconds = outcomes.reduce((sum, o) => sum + o.seconds, 0);
  return {
    summary: summarize(latencies, seconds),
    cpuMsPerRequest: outcomes.reduce((sum, o) => sum + o.cpuMs, 0) / Math.max(1, latencies.length),
    failed: outcomes.reduce((sum, o) => sum + o.failed + o.errors, 0),
    withErrors: outcomes.reduce((sum, o) => sum + o.withErrors, 0),
    rounds: outcomes,
  };
}

// ---------------------------------------------------------------------------------------
// The suite: one database, one hub, one peer

interface SuiteResult {
  database: string;
  subjects: number;
  entries: number;
  seedSeconds: number;
  generationSeconds: number;
  hubStartSeconds: number;
  /** hub.settle(): the platform collecting every department's entries. */
  collect: { seconds: number; collected: number; warningList: number };
  mix: { listed: number; unlisted: number; unknown: number; invalid: number };
  /** What one 1,000-code screening answered, by verdict (null: an invalid code). */
  verdicts: Record<string, number>;
  results: Map<string, Measured>;
  lower: { profile: Timed; profileConcurrent: Timed; batch: Timed; statementsProfile: number; statementsBatch: number };
  statements: { operation: string; size: number; gateway: Gateway; counts: Record<string, number> }[];
  breakdown: Map<string, Breakdown>;
  dataCheck: { profiles: number; profilesEqual: number; batchEqual: boolean; hubBatchErrors: number; peerBatchErrors: number; screenEqual: boolean };
  rss: Map<string, { rss: number; heapUsed: number }>;
  retained: { point: string; rss: number; heapUsed: number }[];
  loadAverage: { start: number[]; end: number[] };
  profileSeconds: number;
  batchSeconds: number;
  rounds: number;
}

interface Breakdown {
  n: number;
  total: number;
  server: number;
  subgraphs: number;
  register: number;
  own: number;
  /** Calls per request and their median duration, by subgraph. */
  calls: Record<string, { perRequest: number; median: number }>;
}

async function runSuite(loadgen: LoadGenerator): Promise<SuiteResult> {
  const loadAverageStart = os.loadavg();
  const rss = new RssSampler();
  const database = await createDatabase(DATABASE);
  log(`database: ${database.label}`);
  log(`seeding ${int(SUBJECTS)} subjects…`);
  const seeded = await seedTimed(database, SUBJECTS);
  const workload = buildWorkload(seeded.demo);
  log(`seeded in ${seeded.seconds.toFixed(1)} s: ${int(workload.subjects)} subjects, ${int(workload.entries)} entries; ${int(workload.listed.length)} listed, ${int(workload.unlisted.length)} registered-unlisted`);

  log('starting the hub (five subgraphs + gateway, background workers manual)…');
  const hubStarted = performance.now();
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, workers: 'manual' });
  const hubStartSeconds = (performance.now() - hubStarted) / 1000;
  log(`letting the platform collect every department's entries (hub.settle(): every worker until none finds work)…`);
  rss.enter('collection (hub.settle())');
  const collect = await collectTimed(hub, workload.entries);
  rss.enter('seeding and starting the hub');
  const withPurpose = await callerHeaders(CLAIMS, PURPOSE);
  const noPurpose = await callerHeaders(CLAIMS);
  const principal = principalFromClaims(decodeJwt(withPurpose.authorization.slice('Bearer '.length)), departments.map((d) => d.name));
  if (typeof principal === 'string') throw new Error(principal);

  const profileCodes = workload.listed.slice(0, 5000);
  const batches = Array.from({ length: BATCHES }, (_, i) => workload.batch(1000, i));
  const invalidSet = new Set(workload.invalid);
  const invalidIn = (codes: string[]) => codes.filter((c) => invalidSet.has(c)).length;
  const profileBodies = profileCodes.map((code) => JSON.stringify({ query: PROFILE, variables: { code } }));
  const batchBodies = batches.map((codes) => JSON.stringify({ query: BATCH, variables: { codes } }));
  const screenBodies = batches.map((codes) => JSON.stringify({ query: SCREEN, variables: { codes } }));

  // Warm-up, and a check that every operation answers what it should.
  log('warming up and checking the answers…');
  for (let i = 0; i < 60; i++) {
    const body = await post(hub.gateway.url, i % 2 ? noPurpose : withPurpose, PROFILE, { code: profileCodes[i % profileCodes.length] });
    check(!body.errors && body.data.subject?.creditCode === profileCodes[i % profileCodes.length], `profile: ${JSON.stringify(body).slice(0, 300)}`);
    check(i % 2 ? body.extensions?.personalData?.masked === true : !body.extensions?.personalData, 'masked only without a purpose');
  }
  for (let i = 0; i < 4; i++) {
    const body = await post(hub.gateway.url, withPurpose, BATCH, { codes: batches[i] });
    check(body.data.subjects.length === 1000, 'a batch answers 1,000 items');
    check((body.errors ?? []).length === invalidIn(batches[i]), `a batch has one error per invalid code (${(body.errors ?? []).length} vs ${invalidIn(batches[i])})`);
  }
  const verdicts: Record<string, number> = {};
  for (let i = 0; i < 4; i++) {
    const body = await post(hub.gateway.url, withPurpose, SCREEN, { codes: batches[i] });
    check(!body.errors && body.data?.screen?.items?.length === 1000, `a screening answers 1,000 items and no error: ${JSON.stringify(body).slice(0, 300)}`);
    const items: { creditCode: string; verdict: string | null; measures: unknown[] }[] = body.data.screen.items;
    check(items.every((item, k) => item.creditCode === batches[i][k]), 'a screening answers in input order');
    check(items.filter((item) => item.verdict === null).length === invalidIn(batches[i]), 'a screening has one verdict-less item per invalid code');
    check(items.some((item) => item.measures.length > 0), 'a screening of listed codes triggers measures (the platform has collected)');
    if (i === 0) for (const item of items) verdicts[item.verdict ?? 'invalid'] = (verdicts[item.verdict ?? 'invalid'] ?? 0) + 1;
  }

  const hubHeaders = { purpose: withPurpose, none: noPurpose };
  const specs: RunSpec[] = [
    { op: 'profile', caller: 'purpose', connections: CONNECTIONS },
    { op: 'profile', caller: 'none', connections: CONNECTIONS },
    { op: 'profile', caller: 'purpose', connections: 1 },
    { op: 'batch', caller: 'purpose', connections: 1 },
    { op: 'screen', caller: 'purpose', connections: 1 },
  ];
  // Eight rounds, hub and peer alternating ABBA ABBA: drift on a shared machine cancels out.
  const order: Gateway[] = ['hub', 'peer', 'peer', 'hub', 'hub', 'peer', 'peer', 'hub'];
  const profileSeconds = Math.max(1, DURATION / 4);
  const batchSeconds = Math.max(2, DURATION * 0.4);
  const secondsOf = (spec: RunSpec) => (spec.op === 'profile' ? profileSeconds : batchSeconds);
  const bodiesOf = (op: RunSpec['op']) => (op === 'profile' ? profileBodies : op === 'batch' ? batchBodies : screenBodies);
  const opLabel = (op: RunSpec['op']) => (op === 'profile' ? '(a) profile' : op === 'batch' ? '(b) 1,000 codes' : '(c) screen 1,000 codes');
  const roundLoadSeconds = specs.reduce((sum, spec) => sum + secondsOf(spec), 0);
  const outcomes = new Map<string, RunOutcome[]>();
  let peer: Awaited<ReturnType<typeof startPeerGateway>> | undefined;
  const totalRuns = specs.length * order.length;
  let runNumber = 0;

  const runRound = async (gateway: Gateway, round: string) => {
    for (const spec of specs) {
      runNumber++;
      const left = Math.ceil((totalRuns - runNumber + 1) / specs.length) * roundLoadSeconds;
      log(`run ${runNumber}/${totalRuns} (${round}): ${gateway} ${opLabel(spec.op)}, ${spec.caller === 'purpose' ? 'with purpose' : 'no purpose'}, ${spec.connections} connection${spec.connections > 1 ? 's' : ''}, ${secondsOf(spec)} s (~${Math.ceil(left)} s of load left)`);
      let url = hub.gateway.url;
      let headers: Headers = hubHeaders[spec.caller];
      if (gateway === 'peer') {
        url = peer!.url;
        headers = {};
        peer!.forward(spec.caller);
      }
      const cpu = process.cpuUsage();
      const result = await loadgen.run({
        url,
        headers,
        bodies: bodiesOf(spec.op),
        connections: spec.connections,
        duration: secondsOf(spec),
        expect: '"creditCode"',
        // (b) answers an error per invalid code; (a) and (c) none.
        unexpected: spec.op === 'batch' ? undefined : '"errors"',
      });
      const used = process.cpuUsage(cpu);
      await quiesce(hub);
      peer?.forward('purpose');
      const latencies = result.latencies;
      const outcome: RunOutcome = {
        latencies,
        seconds: result.seconds,
        cpuMs: (used.user + used.system) / 1000,
        failed: result.failed + result.non2xx,
        withErrors: result.withErrors,
        errors: result.errors + result.timeouts,
        p50: summarize(latencies, 1).p50,
      };
      const key = specKey(gateway, spec);
      outcomes.set(key, [...(outcomes.get(key) ?? []), outcome]);
      const s = summarize(latencies, result.seconds);
      log(`  ${int(s.n)} requests, ${s.perSecond.toFixed(0)}/s, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}${outcome.failed + outcome.errors + outcome.withErrors ? `, ${outcome.failed} failed, ${outcome.errors} socket errors, ${outcome.withErrors} with GraphQL errors` : ''}`);
    }
  };

  /** Unmeasured load, so that both gateways start their first round with warm code. */
  const warmUp = async (gateway: Gateway) => {
    log(`warming ${gateway === 'hub' ? 'the hub' : 'the peer'} up under load (unmeasured)…`);
    for (const spec of specs) {
      if (gateway === 'peer') peer!.forward(spec.caller);
      await loadgen.run({
        url: gateway === 'hub' ? hub.gateway.url : peer!.url,
        headers: gateway === 'hub' ? hubHeaders[spec.caller] : {},
        bodies: spec.op === 'profile' ? profileBodies.slice(-500) : bodiesOf(spec.op).slice(-4),
        connections: spec.connections,
        duration: spec.op === 'profile' ? 1 : 2,
        expect: '"creditCode"',
      });
      await quiesce(hub);
    }
    peer?.forward('purpose');
  };
  rss.enter('hub warm-up under load');
  await warmUp('hub');
  rss.enter('idle');
  rss.settle('hub started and warmed up');

  // Round 1: the hub alone in this process.
  rss.enter('hub idle, after warm-up');
  await new Promise((resolve) => setTimeout(resolve, 500));
  rss.enter('hub alone, under load (round 1)');
  await runRound('hub', `round 1 of ${order.length}, hub`);
  rss.enter('idle');
  rss.settle('after round 1 (the hub alone)');

  log('lower bound: the same rows straight from the same databases, in this process…');
  const lowerBound = new LowerBound(database);
  const lbSeconds = Math.max(1, DURATION / 4);
  for (let i = 0; i < 50; i++) await lowerBound.profile(profileCodes[i % profileCodes.length]);
  for (let i = 0; i < 3; i++) await lowerBound.batch(batches[i]);
  const statementsBefore = lowerBound.statements();
  await lowerBound.profile(profileCodes[0]);
  const statementsProfile = lowerBound.statements() - statementsBefore;
  await lowerBound.batch(batches[0]);
  const statementsBatch = lowerBound.statements() - statementsBefore - statementsProfile;
  const lower = {
    profile: await timeSequential((i) => lowerBound.profile(profileCodes[i % profileCodes.length]), lbSeconds, 50),
    profileConcurrent: await timeConcurrent((i) => lowerBound.profile(profileCodes[i % profileCodes.length]), CONNECTIONS, lbSeconds),
    batch: await timeSequential((i) => lowerBound.batch(batches[i % batches.length]), lbSeconds, 20),
    statementsProfile,
    statementsBatch,
  };
  await lowerBound.close();
  log(`  (a) p50 ${ms(lower.profile.summary.p50)}, ${CONNECTIONS} concurrent ${lower.profileConcurrent.summary.perSecond.toFixed(0)}/s; (b) p50 ${ms(lower.batch.summary.p50)}`);

  log('starting the peer gateway (@graphql-hive/gateway) on the same subgraphs…');
  const subgraphUrls = Object.fromEntries([...hub.subgraphs].map(([name, s]) => [name, s.url]));
  peer = await startPeerGateway({ supergraph: readFileSync(SUPERGRAPH_FILE, 'utf8'), subgraphUrls, principal, purpose: PURPOSE });
  for (let i = 0; i < 60; i++) await post(peer.url, {}, PROFILE, { code: profileCodes[i % profileCodes.length] });
  for (let i = 0; i < 4; i++) await post(peer.url, {}, BATCH, { codes: batches[i] });
  for (let i = 0; i < 4; i++) await post(peer.url, {}, SCREEN, { codes: batches[i] });
  // The same data from both gateways.
  let profilesEqual = 0;
  const profilesChecked = 30;
  for (let i = 0; i < profilesChecked; i++) {
    const code = profileCodes[(i * 37) % profileCodes.length];
    const [a, b] = await Promise.all([post(hub.gateway.url, withPurpose, PROFILE, { code }), post(peer.url, {}, PROFILE, { code })]);
    if (canonical(a.data) === canonical(b.data)) profilesEqual++;
  }
  const [hubBatch, peerBatch] = await Promise.all([post(hub.gateway.url, withPurpose, BATCH, { codes: batches[5] }), post(peer.url, {}, BATCH, { codes: batches[5] })]);
  // Each screening is a new record (its own id): compare what it answered per code.
  const [hubScreen, peerScreen] = await Promise.all([post(hub.gateway.url, withPurpose, SCREEN, { codes: batches[5] }), post(peer.url, {}, SCREEN, { codes: batches[5] })]);
  const dataCheck = {
    profiles: profilesChecked,
    profilesEqual,
    batchEqual: canonical(hubBatch.data) === canonical(peerBatch.data),
    hubBatchErrors: (hubBatch.errors ?? []).length,
    peerBatchErrors: (peerBatch.errors ?? []).length,
    screenEqual: !hubScreen.errors && !peerScreen.errors && canonical(hubScreen.data?.screen?.items) === canonical(peerScreen.data?.screen?.items),
  };
  log(`  same data: ${profilesEqual}/${profilesChecked} profiles, batch ${dataCheck.batchEqual ? 'equal' : 'DIFFERENT'} (errors: hub ${dataCheck.hubBatchErrors}, peer ${dataCheck.peerBatchErrors}), screening items ${dataCheck.screenEqual ? 'equal' : 'DIFFERENT'}`);

  rss.enter('peer warm-up under load');
  await warmUp('peer');
  rss.enter('idle');
  rss.settle('peer started and warmed up');
  for (const [index, gateway] of order.entries()) {
    if (index === 0) continue;
    rss.enter(gateway === 'hub' ? 'hub + peer, hub under load' : 'hub + peer, peer under load');
    await runRound(gateway, `round ${index + 1} of ${order.length}, ${gateway}`);
  }
  rss.enter('idle');
  rss.settle('after all rounds');

  log('SQL statements per request…');
  const statements: SuiteResult['statements'] = [];
  for (const gateway of ['hub', 'peer'] as const) {
    const url = gateway === 'hub' ? hub.gateway.url : peer.url;
    const headers = gateway === 'hub' ? withPurpose : {};
    for (const size of [1, 100, 1000]) {
      const codes = size === 1 ? [profileCodes[7]] : workload.batch(size, 3);
      const profile = size === 1 ? () => post(url, headers, PROFILE, { code: codes[0] }) : () => post(url, headers, PROFILES, { codes });
      statements.push({ operation: size === 1 ? '(a) `subject`' : '(a) selection via `subjects`', size, gateway, counts: await statementsDuring(hub, profile) });
      statements.push({ operation: '(b) `subjects`', size, gateway, counts: await statementsDuring(hub, () => post(url, headers, BATCH, { codes })) });
      statements.push({ operation: '(c) `screen`', size, gateway, counts: await statementsDuring(hub, () => post(url, headers, SCREEN, { codes })) });
    }
  }

  log('where the time goes (one request at a time, server-side spans)…');
  const serverByPort = new Map<number, string>([
    [Number(new URL(hub.gateway.url).port), 'gateway'],
    [Number(new URL(peer.url).port), 'gateway'],
    ...[...hub.subgraphs].map(([name, s]) => [Number(new URL(s.url).port), name] as [number, string]),
  ]);
  const recorder = new SpanRecorder(serverByPort);
  const breakdown = new Map<string, Breakdown>();
  const samples = new Map<string, { total: number[]; server: number[]; subgraphs: number[]; register: number[]; own: number[]; calls: Record<string, number[]> }>();
  const breakdownRuns = [
    ...Array.from({ length: 40 }, (_, i) => ({ op: 'profile', body: profileBodies[(i * 13) % profileBodies.length] })),
    ...Array.from({ length: 8 }, (_, i) => ({ op: 'batch', body: batchBodies[i % batchBodies.length] })),
    ...Array.from({ length: 8 }, (_, i) => ({ op: 'screen', body: screenBodies[i % screenBodies.length] })),
  ];
  for (const [i, run] of breakdownRuns.entries()) {
    // Alternate which gateway goes first.
    for (const gateway of (i % 2 ? ['hub', 'peer'] : ['peer', 'hub']) as Gateway[]) {
      const url = gateway === 'hub' ? hub.gateway.url : peer.url;
      const t0 = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(gateway === 'hub' ? withPurpose : {}) }, body: run.body });
      await response.text();
      const total = performance.now() - t0;
      const spans = recorder.since(t0);
      const server = spans.find((s) => s.server === 'gateway');
      const subgraphSpans = spans.filter((s) => s.server !== 'gateway');
      const key = `${gateway}:${run.op}`;
      const entry = samples.get(key) ?? { total: [], server: [], subgraphs: [], register: [], own: [], calls: {} };
      const busy = unionLength(subgraphSpans);
      entry.total.push(total);
      entry.server.push(server ? server.end - server.start : NaN);
      entry.subgraphs.push(busy);
      entry.register.push(unionLength(subgraphSpans.filter((s) => s.path.startsWith('/internal/access-register'))));
      entry.own.push(server ? server.end - server.start - busy : NaN);
      for (const s of subgraphSpans) {
        const name = s.path.startsWith('/internal/access-register') ? 'access register' : s.server;
        (entry.calls[name] ??= []).push(s.end - s.start);
      }
      samples.set(key, entry);
    }
  }
  recorder.stop();
  for (const [key, s] of samples) {
    breakdown.set(key, {
      n: s.total.length,
      total: median(s.total),
      server: median(s.server),
      subgraphs: median(s.subgraphs),
      register: median(s.register),
      own: median(s.own),
      calls: Object.fromEntries(
        Object.entries(s.calls).map(([name, durations]) => [name, { perRequest: durations.length / s.total.length, median: median(durations) }]),
      ),
    });
  }

  rss.stop();
  await peer.stop();
  await hub.stop();
  await database.drop();
  const results = new Map([...outcomes].map(([key, list]) => [key, measured(list)]));
  return {
    database: database.label,
    subjects: workload.subjects,
    entries: workload.entries,
    seedSeconds: seeded.seconds,
    generationSeconds: seeded.generationSeconds,
    hubStartSeconds,
    collect,
    verdicts,
    mix: { listed: workload.listed.length, unlisted: workload.unlisted.length, unknown: workload.unknown.length, invalid: workload.invalid.length },
    results,
    lower,
    statements,
    breakdown,
    dataCheck,
    rss: rss.peaks,
    retained: rss.retained,
    loadAverage: { start: loadAverageStart, end: os.loadavg() },
    profileSeconds,
    batchSeconds,
    rounds: order.length,
  };
}

// ---------------------------------------------------------------------------------------
// --scale: the 1,000-code batches of (b) and (c) on MariaDB at two sizes

interface ScalePoint {
  subjects: number;
  entries: number;
  seedSeconds: number;
  generationSeconds: number;
  hubStartSeconds: number;
  /** hub.settle(): the platform collecting every department's entries. */
  collect: { seconds: number; collected: number; warningList: number };
  batch: Measured;
  /** (b) with the same 1,000 codes every time: the pages it needs stay cached. */
  batchRepeated: Measured;
  profile: Measured;
  lowerBatch: Timed;
  lowerBatchRepeated: Timed;
  /** InnoDB pages read from disk per request during the (b) runs. */
  diskReadsPerBatch: number;
  diskReadsPerRepeatedBatch: number;
  /** Data + indexes of the tables (b) reads, from information_schema. */
  tablesMiB: number;
  /** (c) `screen` with the rotating batches of (b). */
  screen: Measured;
  diskReadsPerScreen: number;
  /** (c) with the same 1,000 codes every time. */
  screenRepeated: Measured;
  diskReadsPerRepeatedScreen: number;
  /** Data + indexes of the platform's collection (entry index and warning list), which (c) reads. */
  screenTablesMiB: number;
  /** This process's JS heap in use after a full collection, before the runs. */
  heapUsed: number;
}

/**
 * Seeds, and keeps only what the runs send: the seed's data (a million subjects and their
 * entries in memory) is garbage once this returns, so the hub in this process does not run
 * its garbage collections over it.
 */
async function seedScalePoint(database: BenchDatabase, subjects: number) {
  const seeded = await seedTimed(database, subjects);
  const workload = buildWorkload(seeded.demo);
  return {
    entries: workload.entries,
    seconds: seeded.seconds,
    generationSeconds: seeded.generationSeconds,
    batches: Array.from({ length: BATCHES }, (_, i) => workload.batch(1000, i)),
    profileCodes: workload.listed.slice(0, 5000),
  };
}

async function scalePoint(loadgen: LoadGenerator, subjects: number): Promise<ScalePoint> {
  const database = await createDatabase('mysql');
  log(`scale: ${int(subjects)} subjects in ${database.label}; seeding…`);
  const seeded = await seedScalePoint(database, subjects);
  const { entries, batches, profileCodes } = seeded;
  log(`scale: seeded ${int(subjects)} subjects (${int(entries)} entries) in ${seeded.seconds.toFixed(1)} s; starting the hub…`);
  const hubStarted = performance.now();
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, workers: 'manual' });
  const hubStartSeconds = (performance.now() - hubStarted) / 1000;
  try {
    log(`scale: ${int(subjects)} subjects, letting the platform collect every department's entries (hub.settle())…`);
    const collect = await collectTimed(hub, entries);
    const headers = await callerHeaders(CLAIMS, PURPOSE);
    for (let i = 0; i < 40; i++) await post(hub.gateway.url, headers, PROFILE, { code: profileCodes[i % profileCodes.length] });
    for (let i = 0; i < 4; i++) await post(hub.gateway.url, headers, BATCH, { codes: batches[i] });
    for (let i = 0; i < 4; i++) {
      const body = await post(hub.gateway.url, headers, SCREEN, { codes: batches[i] });
      check(!body.errors && body.data?.screen?.items?.length === 1000, `a screening answers 1,000 items and no error: ${JSON.stringify(body).slice(0, 300)}`);
    }
    const labels = {
      batch: '(b) 1,000 codes',
      repeated: '(b) the same 1,000 codes repeated',
      profile: '(a) profile',
      screen: '(c) screen 1,000 codes',
      'screen-repeated': '(c) screen the same 1,000 codes repeated',
    };
    const load = async (op: keyof typeof labels, seconds: number): Promise<Measured> => {
      log(`scale: ${int(subjects)} subjects, ${labels[op]}, 1 connection, ${seconds} s…`);
      const cpu = process.cpuUsage();
      const result = await loadgen.run({
        url: hub.gateway.url,
        headers,
        bodies:
          op === 'batch'
            ? batches.map((codes) => JSON.stringify({ query: BATCH, variables: { codes } }))
            : op === 'repeated'
              ? [JSON.stringify({ query: BATCH, variables: { codes: batches[0] } })]
              : op === 'screen'
                ? batches.map((codes) => JSON.stringify({ query: SCREEN, variables: { codes } }))
                : op === 'screen-repeated'
                  ? [JSON.stringify({ query: SCREEN, variables: { codes: batches[0] } })]
                  : profileCodes.map((code) => JSON.stringify({ query: PROFILE, variables: { code } })),
        connections: 1,
        duration: seconds,
        expect: '"creditCode"',
        unexpected: op === 'batch' || op === 'repeated' ? undefined : '"errors"',
      });
      const used = process.cpuUsage(cpu);
      const m = measured([{ latencies: result.latencies, seconds: result.seconds, cpuMs: (used.user + used.system) / 1000, failed: result.failed + result.non2xx, withErrors: result.withErrors, errors: result.errors + result.timeouts, p50: NaN }]);
      log(`  ${int(m.summary.n)} requests, p50 ${ms(m.summary.p50)}, p99 ${ms(m.summary.p99)}`);
      return m;
    };
    const platformDb = hub.subgraphs.get('platform')!.db;
    collectGarbage();
    collectGarbage();
    const heapUsed = process.memoryUsage().heapUsed;
    log(`scale: JS heap in use after a full collection: ${mib(heapUsed)}`);
    let reads = await bufferPoolReads(platformDb);
    const batch = await load('batch', DURATION);
    const diskReadsPerBatch = ((await bufferPoolReads(platformDb)) - reads) / Math.max(1, batch.summary.n);
    for (let i = 0; i < 3; i++) await post(hub.gateway.url, headers, BATCH, { codes: batches[0] });
    reads = await bufferPoolReads(platformDb);
    const batchRepeated = await load('repeated', Math.max(2, DURATION / 2));
    const diskReadsPerRepeatedBatch = ((await bufferPoolReads(platformDb)) - reads) / Math.max(1, batchRepeated.summary.n);
    const profile = await load('profile', Math.max(2, DURATION / 2));
    reads = await bufferPoolReads(platformDb);
    const screen = await load('screen', DURATION);
    const diskReadsPerScreen = ((await bufferPoolReads(platformDb)) - reads) / Math.max(1, screen.summary.n);
    for (let i = 0; i < 3; i++) await post(hub.gateway.url, headers, SCREEN, { codes: batches[0] });
    reads = await bufferPoolReads(platformDb);
    const screenRepeated = await load('screen-repeated', Math.max(2, DURATION / 2));
    const diskReadsPerRepeatedScreen = ((await bufferPoolReads(platformDb)) - reads) / Math.max(1, screenRepeated.summary.n);
    const lowerBound = new LowerBound(database);
    for (let i = 0; i < 3; i++) await lowerBound.batch(batches[i]);
    const lowerBatch = await timeSequential((i) => lowerBound.batch(batches[i % batches.length]), Math.max(1, DURATION / 4), 20);
    const lowerBatchRepeated = await timeSequential(() => lowerBound.batch(batches[0]), Math.max(1, DURATION / 4), 20);
    await lowerBound.close();
    const mibOf = async (tables: string[]) => {
      const [sizes] = await platformDb.raw(
        `SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN (${tables.map(() => '?').join(', ')})`,
        tables,
      );
      return Number(sizes[0].bytes) / 2 ** 20;
    };
    return {
      subjects, entries, seedSeconds: seeded.seconds, generationSeconds: seeded.generationSeconds, hubStartSeconds, collect,
      batch, batchRepeated, profile, lowerBatch, lowerBatchRepeated, diskReadsPerBatch, diskReadsPerRepeatedBatch,
      tablesMiB: await mibOf([subjectsTable, ...departments.map((d) => entriesTable(d.name))]),
      screen, diskReadsPerScreen, screenRepeated, diskReadsPerRepeatedScreen,
      screenTablesMiB: await mibOf([entryIndexTable, warningListTable]),
      heapUsed,
    };
  } finally {
    await hub.stop();
    await database.drop();
  }
}

// ---------------------------------------------------------------------------------------
// The report

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  let dirty: string[] = [];
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3))
      .filter((file) => file !== values.out); // the report this run rewrites
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit,
    dirty,
  };
}

const mib = (bytes: number | undefined) => (bytes ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : '—');

function row(cells: (string | number)[]) {
  return `| ${cells.join(' | ')} |`;
}

function measuredRow(label: string, m: Measured | undefined, connections: number) {
  if (!m) return row([label, connections, '—', '—', '—', '—', '—', '—', '—']);
  const s = m.summary;
  const problems = m.failed + m.withErrors;
  return row([label, connections, int(s.n), s.perSecond.toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99), m.rounds.map((r) => ms(r.p50)).join(' / '), `${m.cpuMsPerRequest.toFixed(1)} ms${problems ? ` (${problems} failed)` : ''}`]);
}

function timedRow(label: string, t: Timed, connections: number) {
  const s = t.summary;
  return row([label, connections, int(s.n), s.perSecond.toFixed(0), ms(s.p50), ms(s.p90), ms(s.p99), '—', `${t.cpuMsPerOp.toFixed(2)} ms`]);
}

/** What the figures say about the hub against the peer, from this run's numbers. */
function findings(r: SuiteResult, server: MysqlServer | null): string {
  const get = (gateway: Gateway, op: RunSpec['op'], caller: RunSpec['caller'], connections: number) => r.results.get(`${gateway}:${op}:${caller}:${connections}`)!;
  const C = CONNECTIONS;
  const cpu = (gateway: Gateway, op: RunSpec['op'], caller: RunSpec['caller'], connections: number) => get(gateway, op, caller, connections).cpuMsPerRequest;
  const slower: string[] = [];
  const compare = (label: string, op: RunSpec['op'], caller: RunSpec['caller'], connections: number) => {
    const hub = get('hub', op, caller, connections).summary;
    const peer = get('peer', op, caller, connections).summary;
    const worse = [hub.p50 > peer.p50 * 1.05 ? `p50 ${ratio(hub.p50, peer.p50)}` : '', hub.p99 > peer.p99 * 1.05 ? `p99 ${ratio(hub.p99, peer.p99)}` : ''].filter(Boolean);
    if (worse.length) slower.push(`${label} (${worse.join(', ')})`);
  };
  compare(`(a) with purpose, ${C} connections`, 'profile', 'purpose', C);
  compare(`(a) without purpose, ${C} connections`, 'profile', 'none', C);
  compare('(a) with purpose, one at a time', 'profile', 'purpose', 1);
  compare('(b) with purpose', 'batch', 'purpose', 1);
  compare('(c) `screen`', 'screen', 'purpose', 1);
  const hubPurposeCost = cpu('hub', 'profile', 'purpose', C) - cpu('hub', 'profile', 'none', C);
  const peerPurposeCost = cpu('peer', 'profile', 'purpose', C) - cpu('peer', 'profile', 'none', C);
  const own = (key: string) => r.breakdown.get(key)?.own ?? NaN;
  const register = r.breakdown.get('hub:profile')?.register ?? NaN;
  return `**Findings.**

- CPU per request, gateway + subgraphs, hub vs peer: (a) without purpose ${cpu('hub', 'profile', 'none', C).toFixed(1)} vs ${cpu('peer', 'profile', 'none', C).toFixed(1)} ms (${ratio(cpu('hub', 'profile', 'none', C), cpu('peer', 'profile', 'none', C))}); (a) with purpose ${cpu('hub', 'profile', 'purpose', C).toFixed(1)} vs ${cpu('peer', 'profile', 'purpose', C).toFixed(1)} ms (${ratio(cpu('hub', 'profile', 'purpose', C), cpu('peer', 'profile', 'purpose', C))}); (b) ${cpu('hub', 'batch', 'purpose', 1).toFixed(0)} vs ${cpu('peer', 'batch', 'purpose', 1).toFixed(0)} ms (${ratio(cpu('hub', 'batch', 'purpose', 1), cpu('peer', 'batch', 'purpose', 1))}); (c) ${cpu('hub', 'screen', 'purpose', 1).toFixed(0)} vs ${cpu('peer', 'screen', 'purpose', 1).toFixed(0)} ms (${ratio(cpu('hub', 'screen', 'purpose', 1), cpu('peer', 'screen', 'purpose', 1))}).
- The gateway's own time, one request at a time: (a) hub ${ms(own('hub:profile'))} vs peer ${ms(own('peer:profile'))}; (b) hub ${ms(own('hub:batch'))} vs peer ${ms(own('peer:batch'))}; (c) hub ${ms(own('hub:screen'))} vs peer ${ms(own('peer:screen'))}.
- ${slower.length ? `The hub was slower than the peer in: ${slower.join('; ')}.` : 'The hub was not slower than the peer (by more than 5%) in any comparison of this run.'}
- Stating a purpose costs the hub ${hubPurposeCost.toFixed(1)} ms of CPU per profile; ${peerPurposeCost.toFixed(1)} ms of that
is the subgraphs' part (unmasking and reporting what personal data they returned), which the
peer pays too. The rest is what only the hub does: after the answer is complete, it posts the
reads to the platform's \`/internal/access-register\`, which appends hash-chained records in one
transaction (5 statements: BEGIN, read the chain head, insert, update the head, COMMIT — the
platform's extra statements in the table below), and answers only once that is written (fail
closed): one more HTTP round trip on the critical path (${ms(register)} one at a time) and CPU
that lowers the throughput when the process is saturated.${
    server
      ? `
- On MariaDB the register write takes ${ms(register)} one at a time, against under 1 ms on SQLite:
its transaction commits durably (\`innodb_flush_log_at_trx_commit\` = ${server.flushLogAtCommit}${server.flushLogAtCommit === 1 ? ': a redo-log flush per commit' : ''}) and
locks the chain head \`FOR UPDATE\`, so concurrent requests' register writes also wait for one another.`
      : ''
  }
- A CPU profile taken by hand (not by
every run; 2026-11-23, node:inspector, the hub under (a) load at 8 connections, SQLite, 10,000
subjects) spreads the time over undici
(the gateway's fetches, ~10%), garbage collection (8–10%), better-sqlite3 (8–10%), graphql-js
with Apollo Server and Gateway (~15%) and jose (~3%: the JWT and the forwarded identity,
verified again by each subgraph); with a purpose, better-sqlite3's \`run\` (the register's
writes) grows from 4% to 6% of the samples and knex from 3.5% to 4.8%. Waits for the platform's
single SQLite connection stay under 0.3 ms per request (tarn pool events), so the register does
not queue reads behind it: its cost is CPU and one round trip.`;
}

function suiteReport(r: SuiteResult, m: ReturnType<typeof machine>, server: MysqlServer | null, started: Date): string {
  const get = (gateway: Gateway, op: RunSpec['op'], caller: RunSpec['caller'], connections: number) => r.results.get(`${gateway}:${op}:${caller}:${connections}`);
  const C = CONNECTIONS;
  const hubA = get('hub', 'profile', 'purpose', C)!;
  const hubAnp = get('hub', 'profile', 'none', C)!;
  const hubA1 = get('hub', 'profile', 'purpose', 1)!;
  const hubB = get('hub', 'batch', 'purpose', 1)!;
  const peerA = get('peer', 'profile', 'purpose', C)!;
  const peerAnp = get('peer', 'profile', 'none', C)!;
  const peerA1 = get('peer', 'profile', 'purpose', 1)!;
  const peerB = get('peer', 'batch', 'purpose', 1)!;
  const hubC = get('hub', 'screen', 'purpose', 1)!;
  const peerC = get('peer', 'screen', 'purpose', 1)!;
  const lb = r.lower;
  const screenProblems = hubC.failed + hubC.withErrors + peerC.failed + peerC.withErrors;
  const screenRegister = r.breakdown.get('hub:screen')?.calls['access register'];
  const verdicts = ['RESTRICT', 'INCENTIVE', 'CLEAR', 'invalid'].map((v) => `${int(r.verdicts[v] ?? 0)} ${v === 'invalid' ? 'invalid codes (no verdict)' : v}`).join(', ');
  const header = '| | connections | requests | req/s | p50 | p90 | p99 | p50 by round | CPU per request |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const statementsTable = [
    '| operation | codes | gateway | platform | tax | market | courts | safety | total |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.statements.map((s) =>
      row([s.operation, int(s.size), s.gateway, ...['platform', ...departments.map((d) => d.name)].map((n) => s.counts[n] ?? 0), Object.values(s.counts).reduce((a, b) => a + b, 0)]),
    ),
    row(['lower bound (a)', 1, '—', 1, 1, 1, 1, 1, r.lower.statementsProfile]),
    row(['lower bound (b)', int(1000), '—', 1, 1, 1, 1, 1, r.lower.statementsBatch]),
  ].join('\n');
  const bd = (key: string) => r.breakdown.get(key);
  const callsOf = (b: Breakdown | undefined) =>
    b
      ? Object.entries(b.calls)
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([name, c]) => `${name}${c.perRequest === 1 ? '' : ` ×${c.perRequest.toFixed(1)}`} ${ms(c.median)}`)
          .join(', ')
      : '—';
  const breakdownRow = (label: string, key: string) => {
    const b = bd(key);
    return b ? row([label, b.n, ms(b.total), ms(b.server), ms(b.subgraphs), ms(b.register), `**${ms(b.own)}**`, callsOf(b)]) : row([label, '—', '—', '—', '—', '—', '—', '—']);
  };
  const ownDiff = (op: string) => (bd(`hub:${op}`)?.own ?? NaN) - (bd(`peer:${op}`)?.own ?? NaN);
  const subDiff = (op: string) => (bd(`hub:${op}`)?.subgraphs ?? NaN) - (bd(`peer:${op}`)?.subgraphs ?? NaN);
  const dirtyNote = m.dirty.length
    ? ` with uncommitted changes in ${m.dirty.length > 6 ? `${m.dirty.length} files` : m.dirty.join(', ')} (measured as they were)`
    : ', clean working tree';

  return `## ${DATABASE === 'mysql' ? 'MariaDB' : 'SQLite'}, ${int(r.subjects)} subjects — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC

\`npm run bench -- --subjects ${SUBJECTS} --duration ${DURATION} --connections ${CONNECTIONS} --database ${DATABASE}${values.scale ? ` --scale${SCALE_SUBJECTS !== 1_000_000 ? ` --scale-subjects ${SCALE_SUBJECTS}` : ''}` : ''}${values.append ? ' --append' : ''}\`

**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, ${m.os}${server ? `, MariaDB ${server.version} (buffer pool ${int(server.bufferPoolMiB)} MiB)` : ''}.
Load average (1 min) ${r.loadAverage.start[0].toFixed(2)} at the start and ${r.loadAverage.end[0].toFixed(2)} at the end: other work shared the machine. Commit ${m.commit}${dirtyNote}.

**How.** ${r.database.replace(/ in .*| credithub_bench_\w+/, '')}, fresh for this run. One process runs the hub (five
subgraphs + the Apollo gateway, \`startHub\`, background workers off so they do not compete for
the cores) and, from round 2, the peer gateway; autocannon runs in a child process (so its CPU
and memory are not counted as the hub's, but it shares the ${m.cores} cores). The caller is an agency
token with a stated purpose: every request goes through JWT verification, the forwarded identity,
masking decisions and, for the personal data it reads, the access-register write. Hub and peer
alternate in ${r.rounds} rounds (hub, peer, peer, hub, hub, peer, peer, hub), each with every load run: ${r.profileSeconds} s per (a) run, ${r.batchSeconds} s per (b) and per (c) run.
Percentiles are over every response of a gateway's ${r.rounds / 2} rounds (hrtime, not rounded); "p50 by round"
shows the spread between rounds. CPU per request is this process's CPU time (gateway +
subgraphs) divided by the responses: unlike latency, it does not grow when other processes take
the cores, so it is the steadiest hub-vs-peer figure on a shared machine. (a) rotates over
${int(Math.min(5000, r.mix.listed))} listed subjects; (b) and (c) rotate over the same ${BATCHES} different batches of 1,000 codes.

**Setup.** Seeding ${int(r.subjects)} subjects and ${int(r.entries)} entries with \`seed()\`: ${r.seedSeconds.toFixed(1)} s (generation ${r.generationSeconds.toFixed(1)} s, the rest writing).
Hub start: ${r.hubStartSeconds.toFixed(1)} s. Collection before any measurement (\`hub.settle()\`: every background worker
runs until none finds work; the platform collects every department's entries from their event
feeds, which (c) answers from): ${r.collect.seconds.toFixed(1)} s, ${int(r.collect.collected)} entries in the platform's index, ${int(r.collect.warningList)} warning-list stays.
Code pools: ${int(r.mix.listed)} listed (an active entry), ${int(r.mix.unlisted)} registered with no entry,
${int(r.mix.unknown)} valid unknown codes, ${int(r.mix.invalid)} codes with a wrong check character.

### (a) One subject's full profile

Registry fields, legal representative, and every department's entries with all their scalar
fields and legal representative (\`scripts/bench/workload.ts\`).

${header}
${measuredRow('hub, purpose stated', hubA, C)}
${measuredRow('hub, no purpose (masked, no register write)', hubAnp, C)}
${measuredRow('hub, purpose stated', hubA1, 1)}
${measuredRow('peer, same principal + purpose', peerA, C)}
${measuredRow('peer, same principal, no purpose', peerAnp, C)}
${measuredRow('peer, same principal + purpose', peerA1, 1)}
${timedRow('lower bound (direct SQL + JSON, in process)', lb.profileConcurrent, C)}
${timedRow('lower bound (direct SQL + JSON, in process)', lb.profile, 1)}

| ratio | p50 | p99 | throughput |
| --- | --- | --- | --- |
| hub / lower bound, one at a time | ${ratio(hubA1.summary.p50, lb.profile.summary.p50)} | ${ratio(hubA1.summary.p99, lb.profile.summary.p99)} | |
| hub / lower bound, ${C} at a time | ${ratio(hubA.summary.p50, lb.profileConcurrent.summary.p50)} | ${ratio(hubA.summary.p99, lb.profileConcurrent.summary.p99)} | ${ratio(hubA.summary.perSecond, lb.profileConcurrent.summary.perSecond)} |
| hub / peer, purpose, ${C} connections | ${ratio(hubA.summary.p50, peerA.summary.p50)} | ${ratio(hubA.summary.p99, peerA.summary.p99)} | ${ratio(hubA.summary.perSecond, peerA.summary.perSecond)} |
| hub / peer, no purpose, ${C} connections | ${ratio(hubAnp.summary.p50, peerAnp.summary.p50)} | ${ratio(hubAnp.summary.p99, peerAnp.summary.p99)} | ${ratio(hubAnp.summary.perSecond, peerAnp.summary.perSecond)} |
| hub / peer, purpose, one at a time | ${ratio(hubA1.summary.p50, peerA1.summary.p50)} | ${ratio(hubA1.summary.p99, peerA1.summary.p99)} | |
| hub: purpose / no purpose, ${C} connections | ${ratio(hubA.summary.p50, hubAnp.summary.p50)} | ${ratio(hubA.summary.p99, hubAnp.summary.p99)} | ${ratio(hubA.summary.perSecond, hubAnp.summary.perSecond)} |

### (b) \`subjects\` with 1,000 codes (50% listed, 30% registered-unlisted, 10% unknown, 10% invalid)

\`creditCode subjectType registered name\` and each department's entries (\`id listType listKind
status validUntil\`); each invalid code is an error at its position. One request at a time.

${header}
${measuredRow('hub, purpose stated', hubB, 1)}
${measuredRow('peer, same principal + purpose', peerB, 1)}
${timedRow('lower bound (direct SQL + JSON, in process)', lb.batch, 1)}

| ratio | p50 | p99 |
| --- | --- | --- |
| hub / lower bound | ${ratio(hubB.summary.p50, lb.batch.summary.p50)} | ${ratio(hubB.summary.p99, lb.batch.summary.p99)} |
| hub / peer | ${ratio(hubB.summary.p50, peerB.summary.p50)} | ${ratio(hubB.summary.p99, peerB.summary.p99)} |

${hubB.summary.n < 200 ? `With ${int(hubB.summary.n)} requests per gateway, p99 is close to the slowest request.
` : ''}
The lower bound reads the same rows with one statement per table (\`platform_subjects\`, then
\`<department>_entries\` by \`credit_code IN (…)\`) on separate connections to the same
databases and serialises them to JSON: no HTTP, no GraphQL, no authorisation, no masking, no
linked legal-representative entries, no ordering; (b) selects only the columns the query asks for.

### (c) \`screen\` with 1,000 codes (the same batches as (b))

The pre-approval screening, \`screen(creditCodes: …, scenario: GOVERNMENT_PROCUREMENT, reference: "BENCH")\`
asking \`id\` and each item's \`creditCode verdict measures { measure { id } }\`. The platform answers
it alone, from its collection: the active entries and warning-list stays of the valid codes, the
measures and memorandums in force, the data version; then it signs the receipt (ES256) and
inserts the screening record with its 1,000 items, so **every request writes**. An invalid code is
an item without a verdict, not an error (${screenProblems ? `**${int(screenProblems)} responses of these runs failed or carried \`errors\`**` : 'no response of these runs carried \`errors\`'}).
One request at a time, the same agency token and purpose as (b); ${screenRegister ? `the hub wrote to the access
register for ${(screenRegister.perRequest * 100).toFixed(0)}% of the screenings in the time breakdown below` : `the selection reads no personal data,
so the hub writes nothing to the access register`}.
One of the batches answered ${verdicts}.

${header}
${measuredRow('hub, purpose stated', hubC, 1)}
${measuredRow('peer, same principal + purpose', peerC, 1)}

| ratio | p50 | p99 |
| --- | --- | --- |
| hub / peer | ${ratio(hubC.summary.p50, peerC.summary.p50)} | ${ratio(hubC.summary.p99, peerC.summary.p99)} |
| hub: (c) \`screen\` / (b) \`subjects\`, the same codes | ${ratio(hubC.summary.p50, hubB.summary.p50)} | ${ratio(hubC.summary.p99, hubB.summary.p99)} |
${hubC.summary.n < 200 ? `\nWith ${int(hubC.summary.n)} requests through the hub, p99 is close to the slowest request.\n` : ''}
There is no direct-SQL lower bound for (c): a screening is more than the rows it reads (the
measures each code triggers, a signature, a write). Through the peer the platform records each
screening for the same principal as through the hub.

### The peer gateway

\`@graphql-hive/gateway\` ${peerVersion()} (\`createGatewayRuntime\`, default settings) serves the
checked-in \`schema/supergraph.graphql\` over node:http; \`transportEntries\` point it at the hub's
running subgraphs and add the identity header \`x-credithub-principal\`: a token signed with
\`signInternalToken\` for the same principal the hub derives from the agency's JWT (re-signed every
20 s, as such tokens live 60 s), with or without the same purpose. The peer therefore **skips the
hub's JWT verification, the signing of the forwarded identity per request and the
access-register write**: the comparison is the gateway execution (parse, validate, plan, fetch,
merge, serialise) on identical subgraph work. Both gateways answered the same data:
${r.dataCheck.profilesEqual}/${r.dataCheck.profiles} profiles identical; a 1,000-code batch ${r.dataCheck.batchEqual ? 'identical' : '**different**'} (errors: hub ${r.dataCheck.hubBatchErrors}, peer ${r.dataCheck.peerBatchErrors});
a 1,000-code screening's items ${r.dataCheck.screenEqual ? 'identical' : '**different**'} (each screening has its own id and receipt).

**Where the time goes**, one request at a time, hub and peer alternating, medians. Every HTTP
server in the process reports when it received a request and finished its response
(node:diagnostics_channel): "subgraphs" is the time at least one subgraph was working on the
request (the access-register write included), "gateway's own" is the gateway's span minus that.

| | requests | client total | gateway span | subgraphs | of which register write | gateway's own | calls (median duration) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${breakdownRow('(a) hub, purpose', 'hub:profile')}
${breakdownRow('(a) peer, purpose', 'peer:profile')}
${breakdownRow('(b) hub, purpose', 'hub:batch')}
${breakdownRow('(b) peer, purpose', 'peer:batch')}
${breakdownRow('(c) hub, purpose', 'hub:screen')}
${breakdownRow('(c) peer, purpose', 'peer:screen')}

Hub minus peer: (a) gateway's own ${ms(ownDiff('profile'))}, subgraphs ${ms(subDiff('profile'))}; (b) gateway's own ${ms(ownDiff('batch'))}, subgraphs ${ms(subDiff('batch'))}; (c) gateway's own ${ms(ownDiff('screen'))}, subgraphs ${ms(subDiff('screen'))}.
(Subgraphs share the process's one event loop, so parallel calls stretch each other's spans.)

${findings(r, server)}

### SQL statements per request

Counted by each subgraph's knex \`statements\` counter around one request (the same subgraphs
serve both gateways). (a) at 100 and 1,000 codes is the profile's selection through \`subjects\`;
the mixed batches are those of (b), and (c) screens the same codes (its statements include the
record's insert).

${statementsTable}

### Memory

Peak RSS of the one process that runs the hub's gateway and all five subgraphs (and, from round
2, the peer gateway), sampled every 100 ms; not a per-service figure — \`npm run bench:processes\`
measures each process of the production layout. The load generator is a separate process and
not included; the lower bound's connections and the workload's code lists are.

| phase | peak RSS | peak JS heap used |
| --- | --- | --- |
${[...r.rss].filter(([phase]) => phase !== 'idle').map(([phase, peak]) => row([phase, mib(peak.rss), mib(peak.heapUsed)])).join('\n')}
| whole run | ${mib(Math.max(...[...r.rss.values()].map((p) => p.rss)))} | ${mib(Math.max(...[...r.rss.values()].map((p) => p.heapUsed)))} |

What stays after a forced full garbage collection at quiet points (so peaks above are mostly
garbage not yet collected, or memory V8 keeps for the next allocations):

| point | RSS | JS heap used |
| --- | --- | --- |
${r.retained.map((p) => row([p.point, mib(p.rss), mib(p.heapUsed)])).join('\n')}
`;
}

function scaleReport(points: ScalePoint[], server: MysqlServer): string {
  const [small, large] = points;
  const growth = large.batch.summary.p50 / small.batch.summary.p50;
  const repeatedGrowth = large.batchRepeated.summary.p50 / small.batchRepeated.summary.p50;
  const screenGrowth = large.screen.summary.p50 / small.screen.summary.p50;
  const goal = (x: number) => (x <= 1.5 ? `met (${x.toFixed(2)}×)` : `**not met** (${x.toFixed(2)}×)`);
  const screenProblems = points.reduce((sum, p) => sum + p.screen.failed + p.screen.withErrors, 0);
  const screenRepeatedGrowth = large.screenRepeated.summary.p50 / small.screenRepeated.summary.p50;
  const screenCpuGrowth = large.screen.cpuMsPerRequest / small.screen.cpuMsPerRequest;
  const screenNote = `(c) reads the platform's collection, not the departments' tables: \`platform_entry_index\` and
\`platform_warning_list\` hold ${int(small.screenTablesMiB)} MiB at ${int(small.subjects)} subjects and ${int(large.screenTablesMiB)} MiB at ${int(large.subjects)}${large.screenTablesMiB > server.bufferPoolMiB ? ', more than the buffer pool' : ', within the buffer pool'};
with rotating batches it read about ${int(large.diskReadsPerScreen)} pages from disk per request at ${int(large.subjects)} subjects (${int(small.diskReadsPerScreen)} at ${int(small.subjects)}),
and every screening also inserts its record (1,000 items as JSON) and commits. With the same 1,000
codes every time (${int(large.diskReadsPerRepeatedScreen)} disk reads per request at ${int(large.subjects)} subjects) the growth is ${screenRepeatedGrowth.toFixed(2)}×${
    screenGrowth <= 1.5
      ? '.'
      : screenRepeatedGrowth <= 1.5
        ? `: most of the
growth with rotating batches is the database reading pages from disk.`
        : `, so the database
cache is not the whole of the growth of (c).`
  } CPU per request in this process (gateway and subgraphs,
database not included) went from ${small.screen.cpuMsPerRequest.toFixed(1)} to ${large.screen.cpuMsPerRequest.toFixed(1)} ms (${screenCpuGrowth.toFixed(2)}×) with rotating batches.${screenProblems ? ` **${int(screenProblems)} screenings failed or carried errors.**` : ''}`;
  const cacheNote =
    large.tablesMiB > server.bufferPoolMiB
      ? `At ${int(large.subjects)} subjects the tables (b) reads hold ${int(large.tablesMiB)} MiB of data and indexes
against a buffer pool of ${int(server.bufferPoolMiB)} MiB (\`innodb_buffer_pool_size\`, this server's setting, left as it is):
${BATCHES} rotating batches of random codes touch more pages than it holds, so each request reads
about ${int(large.diskReadsPerBatch)} pages from disk (${int(small.diskReadsPerBatch)} at ${int(small.subjects)} subjects; server-wide
\`Innodb_buffer_pool_reads\` per request). The plans use the indexes (primary key on
\`platform_subjects\`, \`<department>_entries_by_subject\`), and with the same 1,000 codes every
time — their pages cached (${int(large.diskReadsPerRepeatedBatch)} disk reads per request) — the growth is ${repeatedGrowth.toFixed(2)}×
through the hub and ${ratio(large.lowerBatchRepeated.summary.p50, small.lowerBatchRepeated.summary.p50)} straight from the database. The growth is the database
cache, not the hub${growth > 1.5 ? ': a buffer pool that holds the working set is what meets the goal at this size' : ''}.`
      : `The tables (b) reads hold ${int(large.tablesMiB)} MiB against a buffer pool of ${int(server.bufferPoolMiB)} MiB.`;
  return `### Scale on MariaDB: ${int(small.subjects)} vs ${int(large.subjects)} subjects

MariaDB ${server.version}; each size in a fresh database, seeded with \`seed()\`, then the hub
started on it and the platform left to collect every department's entries (\`hub.settle()\`), then
one request at a time: (b) for ${DURATION} s (p50 over ${int(small.batch.summary.n)} and ${int(large.batch.summary.n)} requests), the same batch repeated,
(a), then (c) for ${DURATION} s (${int(small.screen.summary.n)} and ${int(large.screen.summary.n)} requests) on the same ${BATCHES} rotating batches as (b), and the
same batch repeated. The seed's data is dropped before the runs (only the code lists stay in this
process), so the larger size does not also give the hub's garbage collector a larger heap to scan.

| | ${int(small.subjects)} subjects | ${int(large.subjects)} subjects | ${int(large.subjects / 1000)}k / ${int(small.subjects / 1000)}k |
| --- | --- | --- | --- |
| entries | ${int(small.entries)} | ${int(large.entries)} | |
| seeding (generation + writing) | ${small.seedSeconds.toFixed(1)} s (${small.generationSeconds.toFixed(1)} s + ${(small.seedSeconds - small.generationSeconds).toFixed(1)} s) | ${large.seedSeconds.toFixed(1)} s (${large.generationSeconds.toFixed(1)} s + ${(large.seedSeconds - large.generationSeconds).toFixed(1)} s) | |
| hub start | ${small.hubStartSeconds.toFixed(1)} s | ${large.hubStartSeconds.toFixed(1)} s | |
| JS heap in use before the runs, after a full collection | ${mib(small.heapUsed)} | ${mib(large.heapUsed)} | |
| collection (\`hub.settle()\`), entries collected | ${small.collect.seconds.toFixed(1)} s, ${int(small.collect.collected)} | ${large.collect.seconds.toFixed(1)} s, ${int(large.collect.collected)} | |
| **(b) 1,000 codes, p50** | ${ms(small.batch.summary.p50)} | ${ms(large.batch.summary.p50)} | **${ratio(large.batch.summary.p50, small.batch.summary.p50)}** |
| (b) 1,000 codes, p99 | ${ms(small.batch.summary.p99)} | ${ms(large.batch.summary.p99)} | ${ratio(large.batch.summary.p99, small.batch.summary.p99)} |
| (b) pages read from disk per request | ${int(small.diskReadsPerBatch)} | ${int(large.diskReadsPerBatch)} | |
| (b) CPU per request (gateway + subgraphs) | ${small.batch.cpuMsPerRequest.toFixed(1)} ms | ${large.batch.cpuMsPerRequest.toFixed(1)} ms | ${ratio(large.batch.cpuMsPerRequest, small.batch.cpuMsPerRequest)} |
| (b) the same 1,000 codes repeated, p50 / p99 | ${ms(small.batchRepeated.summary.p50)} / ${ms(small.batchRepeated.summary.p99)} | ${ms(large.batchRepeated.summary.p50)} / ${ms(large.batchRepeated.summary.p99)} | ${ratio(large.batchRepeated.summary.p50, small.batchRepeated.summary.p50)} |
| (a) profile, p50 / p99 | ${ms(small.profile.summary.p50)} / ${ms(small.profile.summary.p99)} | ${ms(large.profile.summary.p50)} / ${ms(large.profile.summary.p99)} | ${ratio(large.profile.summary.p50, small.profile.summary.p50)} |
| lower bound for (b), p50 / p99 | ${ms(small.lowerBatch.summary.p50)} / ${ms(small.lowerBatch.summary.p99)} | ${ms(large.lowerBatch.summary.p50)} / ${ms(large.lowerBatch.summary.p99)} | ${ratio(large.lowerBatch.summary.p50, small.lowerBatch.summary.p50)} |
| lower bound, the same codes repeated, p50 | ${ms(small.lowerBatchRepeated.summary.p50)} | ${ms(large.lowerBatchRepeated.summary.p50)} | ${ratio(large.lowerBatchRepeated.summary.p50, small.lowerBatchRepeated.summary.p50)} |
| data + indexes of the tables (b) reads | ${int(small.tablesMiB)} MiB | ${int(large.tablesMiB)} MiB | |
| **(c) \`screen\` 1,000 codes, p50** | ${ms(small.screen.summary.p50)} | ${ms(large.screen.summary.p50)} | **${ratio(large.screen.summary.p50, small.screen.summary.p50)}** |
| (c) \`screen\` 1,000 codes, p99 | ${ms(small.screen.summary.p99)} | ${ms(large.screen.summary.p99)} | ${ratio(large.screen.summary.p99, small.screen.summary.p99)} |
| (c) CPU per request (gateway + subgraphs) | ${small.screen.cpuMsPerRequest.toFixed(1)} ms | ${large.screen.cpuMsPerRequest.toFixed(1)} ms | ${ratio(large.screen.cpuMsPerRequest, small.screen.cpuMsPerRequest)} |
| (c) pages read from disk per request | ${int(small.diskReadsPerScreen)} | ${int(large.diskReadsPerScreen)} | |
| (c) the same 1,000 codes repeated, p50 / p99 | ${ms(small.screenRepeated.summary.p50)} / ${ms(small.screenRepeated.summary.p99)} | ${ms(large.screenRepeated.summary.p50)} / ${ms(large.screenRepeated.summary.p99)} | ${ratio(large.screenRepeated.summary.p50, small.screenRepeated.summary.p50)} |
| (c) the same codes repeated, pages read from disk per request | ${int(small.diskReadsPerRepeatedScreen)} | ${int(large.diskReadsPerRepeatedScreen)} | |
| data + indexes of the tables (c) reads | ${int(small.screenTablesMiB)} MiB | ${int(large.screenTablesMiB)} MiB | |

The goal is at most 1.5× from ${int(small.subjects)} to ${int(large.subjects)} subjects for a 1,000-code batch with rotating batches: (b) \`subjects\` ${goal(growth)}; (c) \`screen\` ${goal(screenGrowth)}.
${cacheNote}

${screenNote}
`;
}

function peerVersion(): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/@graphql-hive/gateway/package.json'), 'utf8')).version;
  } catch {
    return '';
  }
}

/** A section this script writes: "## SQLite, 10,000 subjects — …" or "## MariaDB, … — …". */
const OWN_SECTION = /^## (SQLite|MariaDB), [\d,]+ subjects — /;

/** Sections other scripts write into the report (bench:processes, bench:statistics…), kept as they are. */
function keptSections(previous: string): string {
  const sections = previous
    .split(/^(?=## )/m)
    .filter((s) => s.startsWith('## ') && !OWN_SECTION.test(s));
  return sections.length ? `\n${sections.map((s) => s.trimEnd()).join('\n\n')}\n` : '';
}

const FILE_HEADER = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.ts); each section below is one run, with its
command, machine and date. A run measures everything side by side: the hub's gateway, a peer
gateway on the same subgraphs and a direct-SQL lower bound. Read ratios, percentiles and counts:
the machine is shared, and one process hosts the whole hub, so absolute times are this machine's.
`;

// ---------------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  const m = machine();
  log(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}; load average ${os.loadavg()[0].toFixed(2)}`);
  const expectedSeconds = 8 * (3 * Math.max(1, DURATION / 4) + 2 * Math.max(2, DURATION * 0.4) + 2) + 3 * Math.max(1, DURATION / 4) + 60;
  log(`database ${DATABASE}, ${int(SUBJECTS)} subjects, ${CONNECTIONS} connections, 8 rounds: about ${Math.ceil(expectedSeconds / 10) * 10} s${values.scale ? ` plus the scale comparison (${int(SCALE_SUBJECTS)} subjects on MariaDB: seeding and collection take several minutes each)` : ''}`);
  const loadgen = new LoadGenerator();
  try {
    const server = DATABASE === 'mysql' || values.scale ? await mysqlServer() : null;
    const suite = await runSuite(loadgen);
    let report = suiteReport(suite, m, DATABASE === 'mysql' ? server : null, started);
    if (values.scale) {
      const points = [await scalePoint(loadgen, 10_000), await scalePoint(loadgen, SCALE_SUBJECTS)];
      report += `\n${scaleReport(points, server!)}`;
    }
    const out = values.out!;
    if (values.append && existsSync(out)) {
      // Before the sections other scripts keep at the end (bench:processes, bench:statistics), else at the end.
      const previous = readFileSync(out, 'utf8');
      // The first section another script wrote (after every section of this one).
      const sections = [...previous.matchAll(/^## .*$/gm)];
      const lastOwn = sections.reduce((last, m, i) => (OWN_SECTION.test(m[0]) ? i : last), -1);
      const firstForeign = sections.slice(lastOwn + 1)[0];
      const at = firstForeign ? firstForeign.index! : -1;
      if (at >= 0) writeFileSync(out, `${previous.slice(0, at)}${report}\n${previous.slice(at)}`);
      else appendFileSync(out, `\n${report}`);
    } else {
      const kept = existsSync(out) ? keptSections(readFileSync(out, 'utf8')) : '';
      writeFileSync(out, `${FILE_HEADER}\n${report}${kept}`);
    }
    log(`wrote ${out} (${values.append ? 'appended' : 'rewritten'}) in ${((performance.now() - BENCH_STARTED) / 1000).toFixed(0)} s`);
    console.log(`\n${report}`);
  } finally {
    loadgen.stop();
  }
}

async function cleanUp() {
  for (const cleanup of [...cleanups]) await cleanup().catch(() => {});
}

process.on('SIGINT', () => {
  log('interrupted: removing the benchmark databases…');
  cleanUp().finally(() => process.exit(130));
});

main()
  .then(() => process.exit(0))
  .catch(async (error) => {
    console.error(`bench failed: ${error?.stack ?? error}`);
    await cleanUp();
    process.exit(1);
  });

/**
 * --scale: the 1,000-code batches of (b) and (c) on MariaDB at two sizes, each in a fresh
 * database seeded, collected by the platform, then measured one request at a time.
 */
import { callerHeaders } from '../client.js';
import { startHub, type RunningHub } from '../hub.js';
import { departments } from '../../subgraphs/catalog.js';
import { entriesTable } from '../../subgraphs/kit/lists/tables.js';
import { subjectsTable } from '../../subgraphs/platform/registry.js';
import { entryIndexTable, warningListTable } from '../../subgraphs/platform/collection.js';
import { BATCHES, CLAIMS, PURPOSE, check, log } from './context.js';
import { bufferPoolReads, createDatabase, tablesMiB, type BenchDatabase } from './databases.js';
import type { LoadGenerator } from './loadgen.js';
import { LowerBound, timeSequential, type Timed } from './lower-bound.js';
import { measured, outcomeOf, type Measured } from './measured.js';
import { collectGarbage } from './memory.js';
import type { BenchOptions } from './options.js';
import { mib } from './report/format.js';
import { post, type Headers } from './requests.js';
import { collectTimed, seedTimed, type Prepared } from './setup.js';
import { int, ms } from './stats.js';
import { bodiesOf } from './suite-setup.js';
import { BATCH, PROFILE, SCREEN, buildWorkload } from './workload.js';

export interface ScalePoint extends Prepared {
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

const LABELS = {
  batch: '(b) 1,000 codes',
  repeated: '(b) the same 1,000 codes repeated',
  profile: '(a) profile',
  screen: '(c) screen 1,000 codes',
  'screen-repeated': '(c) screen the same 1,000 codes repeated',
};
type ScaleRun = keyof typeof LABELS;

interface ScaleTarget {
  loadgen: LoadGenerator;
  hub: RunningHub;
  headers: Headers;
  subjects: number;
  bodies: Record<ScaleRun, string[]>;
}

/** One load run at one connection, and the pages the database read from disk per request meanwhile. */
async function loadRun(t: ScaleTarget, op: ScaleRun, seconds: number): Promise<{ m: Measured; diskReads: number }> {
  log(`scale: ${int(t.subjects)} subjects, ${LABELS[op]}, 1 connection, ${seconds} s…`);
  const platformDb = t.hub.subgraphs.get('platform')!.db;
  const reads = await bufferPoolReads(platformDb);
  const cpu = process.cpuUsage();
  const result = await t.loadgen.run({
    url: t.hub.gateway.url,
    headers: t.headers,
    bodies: t.bodies[op],
    connections: 1,
    duration: seconds,
    expect: '"creditCode"',
    unexpected: op === 'batch' || op === 'repeated' ? undefined : '"errors"',
  });
  const m = measured([outcomeOf(result, process.cpuUsage(cpu))]);
  log(`  ${int(m.summary.n)} requests, p50 ${ms(m.summary.p50)}, p99 ${ms(m.summary.p99)}`);
  return { m, diskReads: ((await bufferPoolReads(platformDb)) - reads) / Math.max(1, m.summary.n) };
}

/** Warm-up, and a check that a screening answers. */
async function warmScale(hub: RunningHub, headers: Headers, profileCodes: string[], batches: string[][]): Promise<void> {
  for (let i = 0; i < 40; i++) await post(hub.gateway.url, headers, PROFILE, { code: profileCodes[i % profileCodes.length] });
  for (let i = 0; i < 4; i++) await post(hub.gateway.url, headers, BATCH, { codes: batches[i] });
  for (let i = 0; i < 4; i++) {
    const body = await post(hub.gateway.url, headers, SCREEN, { codes: batches[i] });
    check(!body.errors && body.data?.screen?.items?.length === 1000, `a screening answers 1,000 items and no error: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/** The runs of one size: (b) rotating and repeated, (a), (c) rotating and repeated. */
async function scaleRuns(t: ScaleTarget, batches: string[][], duration: number) {
  const batch = await loadRun(t, 'batch', duration);
  for (let i = 0; i < 3; i++) await post(t.hub.gateway.url, t.headers, BATCH, { codes: batches[0] });
  const batchRepeated = await loadRun(t, 'repeated', Math.max(2, duration / 2));
  const profile = await loadRun(t, 'profile', Math.max(2, duration / 2));
  const screen = await loadRun(t, 'screen', duration);
  for (let i = 0; i < 3; i++) await post(t.hub.gateway.url, t.headers, SCREEN, { codes: batches[0] });
  const screenRepeated = await loadRun(t, 'screen-repeated', Math.max(2, duration / 2));
  return {
    batch: batch.m, diskReadsPerBatch: batch.diskReads,
    batchRepeated: batchRepeated.m, diskReadsPerRepeatedBatch: batchRepeated.diskReads,
    profile: profile.m,
    screen: screen.m, diskReadsPerScreen: screen.diskReads,
    screenRepeated: screenRepeated.m, diskReadsPerRepeatedScreen: screenRepeated.diskReads,
  };
}

export async function scalePoint(options: BenchOptions, loadgen: LoadGenerator, subjects: number): Promise<ScalePoint> {
  const database = await createDatabase('mysql', options.mysqlUrl);
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
    await warmScale(hub, headers, profileCodes, batches);
    const rotating = bodiesOf(profileCodes, batches);
    const repeated = bodiesOf([], [batches[0]]);
    const bodies = { batch: rotating.batch, repeated: repeated.batch, profile: rotating.profile, screen: rotating.screen, 'screen-repeated': repeated.screen };
    collectGarbage();
    collectGarbage();
    const heapUsed = process.memoryUsage().heapUsed;
    log(`scale: JS heap in use after a full collection: ${mib(heapUsed)}`);
    const runs = await scaleRuns({ loadgen, hub, headers, subjects, bodies }, batches, options.duration);
    const lowerBound = new LowerBound(database);
    for (let i = 0; i < 3; i++) await lowerBound.batch(batches[i]);
    const lowerBatch = await timeSequential((i) => lowerBound.batch(batches[i % batches.length]), Math.max(1, options.duration / 4), 20);
    const lowerBatchRepeated = await timeSequential(() => lowerBound.batch(batches[0]), Math.max(1, options.duration / 4), 20);
    await lowerBound.close();
    const platformDb = hub.subgraphs.get('platform')!.db;
    return {
      subjects, entries, seedSeconds: seeded.seconds, generationSeconds: seeded.generationSeconds, hubStartSeconds, collect,
      ...runs, lowerBatch, lowerBatchRepeated,
      tablesMiB: await tablesMiB(platformDb, [subjectsTable, ...departments.map((d) => entriesTable(d.name))]),
      screenTablesMiB: await tablesMiB(platformDb, [entryIndexTable, warningListTable]),
      heapUsed,
    };
  } finally {
    await hub.stop();
    await database.drop();
  }
}

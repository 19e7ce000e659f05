/**
 * npm run bench:import -- [--rows 100000] [--export-rows 1000000] [--dialects sqlite,mysql] [--export-only] [--out BENCHMARKS.md]
 *
 * Bulk delivery, measured on a whole hub in this process (subgraphs, gateway, workers on
 * their intervals), on an empty database per dialect (SQLite in a temporary directory;
 * MariaDB/MySQL at MYSQL_URL, default mysql://root@127.0.0.1:3306/, a database of its own):
 * 1. `npm run import`'s code path: a generated CSV of --rows valid courts rows through the
 *    gateway as a courts officer (batches of 500, 2 in flight), entries per second;
 * 2. the platform's collection: seconds after the import's last answer until the platform's
 *    entry index holds every imported entry;
 * 3. the lower bound: the same number of rows written straight by the department's store;
 * 4. (SQLite) the export: the table brought to --export-rows entries (the rows there copied
 *    with INSERT … SELECT), GET /export/courts.csv as an administrator without a purpose
 *    (masked), rows per second and the process's peak RSS.
 * Writes its section of BENCHMARKS.md. With --export-only, step 4 alone (on SQLite, 10,000
 * entries written by the store, then copied; workers manual, so none competes with it), and
 * only the section's export paragraph is rewritten.
 */
import '../subgraphs/kit/config/startup.js';
import { benchEnvironment } from './bench/run-environment.js';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startHub, type RunningHub } from './hub.js';
import { configuration } from '../subgraphs/kit/config/index.js';
import { isMysql } from '../subgraphs/kit/db.js';
import { mintDevelopmentToken } from './token.js';
import { writeSection } from './bench/section.js';
import { createScratchDatabase } from './scratch-database.js';
import { copyEntriesUpTo, directInsert } from './bench/direct-insert.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { importFile } from './import/import-file.js';
import { gatewaySender } from './import/send.js';
import { writeSampleCsv } from './import/sample-file.js';
import { department as courts } from '../subgraphs/courts/department.js';
import { entryIndexTable } from '../subgraphs/platform/collection.js';
import { DbTimer, type DbTiming } from './bench/db-timing.js';
import { transactionRetries } from '../subgraphs/kit/transactions.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'export-rows': { type: 'string', default: '1000000' },
    dialects: { type: 'string', default: 'sqlite,mysql' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
    'export-only': { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const EXPORT_ROWS = Number(values['export-rows']);
const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const SECTION = '## Bulk delivery: file import and export (`npm run bench:import`)';
const log = (line: string) => console.log(`[bench:import] ${line}`);

interface Measured {
  dialect: string;
  importSeconds: number;
  accepted: number;
  refused: number;
  collectionSeconds: number | null;
  directSeconds: number;
  /** Database time of the import and the collection after it, by subgraph. */
  timings: DbTiming[];
  /** The process's event-loop utilisation during the import (0–1): below 1, it waited rather than computed. */
  utilisation: number;
  /** CPU seconds the process used during the import, and from its start until the collection caught up. */
  importCpuSeconds: number;
  totalCpuSeconds: number;
  /** Transactions run again after a conflict (or an unreachable database) during the import and collection. */
  retries: { conflict: number; unavailable: number };
  export?: { rows: number; seconds: number; bytes: number; peakRssMb: number; baseRssMb: number };
}

function commitOf(): string {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function collected(hub: RunningHub): Promise<number> {
  const [{ total }] = await hub.subgraphs.get('platform')!.db(entryIndexTable).where('domain', courts.domain).count({ total: '*' });
  return Number(total);
}

/** Seconds until the platform's index holds `expected` courts entries (null: not within 10 minutes). */
async function collectionCatchUp(hub: RunningHub, expected: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < 600_000) {
    if ((await collected(hub)) >= expected) return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** GET /export/courts.csv to the end, sampling this process's RSS. */
async function measureExport(hub: RunningHub): Promise<NonNullable<Measured['export']>> {
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const token = await mintDevelopmentToken({ role: 'admin', sub: 'bench-export' });
  const started = performance.now();
  const response = await fetch(new URL('/export/courts.csv', hub.gateway.url), { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`export answered HTTP ${response.status}: ${await response.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) {
      if (byte !== 0x0a) continue;
      if (++lines % 100_000 === 0) log(`  ${lines.toLocaleString('en')} lines after ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${Math.round(process.memoryUsage().rss / 1024 / 1024)} MB`);
    }
  }
  clearInterval(sampler);
  const mb = (n: number) => Math.round(n / 1024 / 1024);
  return { rows: lines - 1, seconds: (performance.now() - started) / 1000, bytes, peakRssMb: mb(peakRss), baseRssMb: mb(baseRss) };
}

async function measure(dialect: string): Promise<Measured> {
  const database = await createScratchDatabase('credithub-bench-import', dialect === 'mysql' ? MYSQL_URL : undefined);
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, workers: 'interval' });
  const dir = mkdtempSync(join(tmpdir(), 'credithub-bench-file-'));
  try {
    const file = join(dir, 'courts.csv');
    await writeSampleCsv(file, ROWS, { referencePrefix: `BENCH-${dialect}` });
    const token = await mintDevelopmentToken({ role: 'officer', department: 'courts', sub: 'bench-import' });
    log(`${dialect}: importing ${ROWS} rows through the gateway…`);
    const timers = [...hub.subgraphs].map(([name, subgraph]) => new DbTimer(name, subgraph.db));
    const loopBefore = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const retriesBefore = { ...transactionRetries };
    const summary = await importFile({ file, department: courts, sender: gatewaySender({ url: hub.gateway.url, token, department: 'courts' }), quiet: !process.stderr.isTTY });
    const utilisation = performance.eventLoopUtilization(loopBefore).utilization;
    const cpuSeconds = () => {
      const used = process.cpuUsage(cpuBefore);
      return (used.user + used.system) / 1e6;
    };
    const importCpuSeconds = cpuSeconds();
    log(`${dialect}: ${summary.accepted} accepted, ${summary.refused} refused in ${summary.seconds.toFixed(1)} s; waiting for the platform's collection…`);
    const collectionSeconds = await collectionCatchUp(hub, summary.accepted);
    const timings = timers.map((timer) => timer.stop());
    const totalCpuSeconds = cpuSeconds();
    const retries = { conflict: transactionRetries.conflict - retriesBefore.conflict, unavailable: transactionRetries.unavailable - retriesBefore.unavailable };
    log(`${dialect}: collection caught up after ${collectionSeconds?.toFixed(1)} s; direct store insert of ${ROWS} rows…`);
    const directSeconds = await directInsert(hub.subgraphs.get('courts')!.db, courts, ROWS, `DIRECT-${dialect}`);
    const result: Measured = { dialect, importSeconds: summary.seconds, accepted: summary.accepted, refused: summary.refused, collectionSeconds, directSeconds, timings, utilisation, importCpuSeconds, totalCpuSeconds, retries };
    if (dialect === 'sqlite' && EXPORT_ROWS > 0) {
      const missing = EXPORT_ROWS - 2 * ROWS;
      log(`sqlite: bringing the courts' table to ${EXPORT_ROWS} entries, then exporting…`);
      if (missing > 0) await copyEntriesUpTo(hub.subgraphs.get('courts')!.db, courts, EXPORT_ROWS);
      result.export = await measureExport(hub);
      log(`sqlite: exported ${result.export.rows} rows in ${result.export.seconds.toFixed(1)} s, peak RSS ${result.export.peakRssMb} MB`);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await hub.stop();
    await database.drop();
  }
}

/** The export alone: 10,000 entries written by the store, copied up to --export-rows, exported. */
async function measureExportOnly(): Promise<NonNullable<Measured['export']>> {
  const database = await createScratchDatabase('credithub-bench-export');
  const hub = await startHub({ port: 0, subgraphPorts: 'random', databaseUrl: database.urlFor, workers: 'manual' });
  try {
    const db = hub.subgraphs.get('courts')!.db;
    const seeded = Math.min(10_000, EXPORT_ROWS);
    log(`sqlite: writing ${seeded} entries by the store, copying them up to ${EXPORT_ROWS}…`);
    const direct = await directInsert(db, courts, seeded, 'EXPORT');
    const copied = await copyEntriesUpTo(db, courts, EXPORT_ROWS);
    if (!isMysql(db)) await db.raw('PRAGMA wal_checkpoint(TRUNCATE)'); // the copies out of the write-ahead log, as after any quiet while
    log(`sqlite: seeded in ${direct.toFixed(1)} s + ${copied.toFixed(1)} s; exporting…`);
    const result = await measureExport(hub);
    log(`sqlite: exported ${result.rows} rows in ${result.seconds.toFixed(1)} s, peak RSS ${result.peakRssMb} MB`);
    return result;
  } finally {
    await hub.stop();
    await database.drop();
  }
}

const rate = (rows: number, seconds: number) => `${Math.round(rows / seconds).toLocaleString('en')}/s`;

function exportParagraph(exported: NonNullable<Measured['export']>, how: string): string[] {
  return [
    `Export: \`GET /export/courts.csv\` of ${exported.rows.toLocaleString('en')} entries (SQLite) as an administrator without a purpose`,
    `(natural persons masked), pages of ${configuration().EXPORT_PAGE_SIZE.toLocaleString('en')} from the courts subgraph's export path, one read ahead: ${exported.seconds.toFixed(1)} s`,
    `(${rate(exported.rows, exported.seconds)}), ${Math.round(exported.bytes / 1024 / 1024)} MB of CSV; the whole process's RSS ${exported.baseRssMb} MB before, peak ${exported.peakRssMb} MB during the export.`,
    how,
    '',
  ];
}

/** Where the database time of one dialect's import and collection went: the costliest statements, and waits for a connection. */
function breakdown(r: Measured): string[] {
  const name = r.dialect === 'mysql' ? 'MariaDB' : 'SQLite';
  const statements = r.timings
    .flatMap((t) => t.statements.map((s) => ({ ...s, subgraph: t.subgraph })))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
  const waits = r.timings.filter((t) => t.acquires > 0).sort((a, b) => b.acquireWaitMs - a.acquireWaitMs);
  const seconds = (x: number) => `${(x / 1000).toFixed(2)} s`;
  const perEntry = (cpu: number) => `${((cpu / r.accepted) * 1000).toFixed(2)} ms`;
  return [
    `${name}: the process's event loop was busy ${Math.round(r.utilisation * 100)}% of the import's time; the process used ${r.importCpuSeconds.toFixed(1)} CPU-seconds during`,
    `the import (${perEntry(r.importCpuSeconds)} per entry) and ${r.totalCpuSeconds.toFixed(1)} until the collection caught up (${perEntry(r.totalCpuSeconds)} per entry, ${Math.round(r.accepted / r.totalCpuSeconds).toLocaleString('en')} entries`,
    'imported and collected per CPU-second; one process, so one core at most). From the first request until the collection caught up, database time',
    'by statement (the costliest; BEGIN and COMMIT are not among the statements knex reports) and time spent waiting for a pooled connection',
    `(transactions run again after a conflict: ${r.retries.conflict}, after the database was unreachable: ${r.retries.unavailable}):`,
    '',
    '| subgraph | statement | count | total | mean | max |',
    '| --- | --- | --- | --- | --- | --- |',
    ...statements.map((s) => `| ${s.subgraph} | \`${s.statement}\` | ${s.count.toLocaleString('en')} | ${seconds(s.ms)} | ${(s.ms / s.count).toFixed(2)} ms | ${s.maxMs.toFixed(0)} ms |`),
    ...waits.map((t) => `| ${t.subgraph} | (waiting for a connection) | ${t.acquires.toLocaleString('en')} | ${seconds(t.acquireWaitMs)} | ${(t.acquireWaitMs / t.acquires).toFixed(2)} ms | ${t.acquireMaxMs.toFixed(0)} ms |`),
    '',
  ];
}

async function main() {
  benchEnvironment();
  if (values['export-only']) {
    const exported = await measureExportOnly();
    const paragraph = exportParagraph(
      exported,
      `(\`npm run bench:import -- --export-only --export-rows ${EXPORT_ROWS}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commitOf()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}: 10,000 entries written by the store, copied up to ${EXPORT_ROWS.toLocaleString('en')}, workers idle.)`,
    ).join('\n');
    const text = readFileSync(values.out!, 'utf8');
    const start = text.indexOf('Export: `GET /export/courts.csv`', text.indexOf(SECTION));
    if (text.indexOf(SECTION) < 0 || start < 0) throw new Error(`${values.out} has no export paragraph under "${SECTION}": run without --export-only first`);
    const end = text.indexOf('\n\n', start);
    writeFileSync(values.out!, `${text.slice(0, start)}${paragraph.trimEnd()}${text.slice(end)}`);
    console.log(paragraph);
    return;
  }
  const results: Measured[] = [];
  for (const dialect of values.dialects!.split(',').map((d) => d.trim())) results.push(await measure(dialect));
  const commit = commitOf();
  const GOAL: Record<string, number> = { sqlite: 2000, mysql: 1000 };
  const exported = results.find((r) => r.export)?.export;
  const section = [
    SECTION,
    '',
    `\`npm run bench:import -- --rows ${ROWS} --export-rows ${EXPORT_ROWS} --dialects ${values.dialects}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
    `commit ${commit}, ${os.cpus().length} cores (shared), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end.`,
    'One process: every subgraph, the gateway and the workers on their intervals, on an empty database. The import is',
    "`npm run import`'s code (scripts/import/import-file.ts) on a generated CSV of valid courts rows (1 in 10 a natural",
    'person), batches of 500 through `courts.recogniseMany` at the gateway, 2 requests in flight, as a courts officer.',
    '"Collection" is from the last answer until the platform\'s entry index holds every imported entry. "Direct" is the',
    "lower bound: the same number of rows written by the department's store (entries, history, outbox; 1,000 per",
    'transaction), no HTTP, no GraphQL, no checks. Rerun: `npm run bench:import` (the issue\'s sizes, 100,000 rows and',
    '1,000,000 exported, about an hour on a shared 2-core machine) or smaller with `--rows` and `--export-rows`.',
    '',
    '| database | rows | import | entries/s | goal | collection caught up after | direct store insert | direct rows/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => {
      const perSecond = r.accepted / r.importSeconds;
      return `| ${r.dialect === 'mysql' ? 'MariaDB' : 'SQLite'} | ${r.accepted.toLocaleString('en')} (${r.refused} refused) | ${r.importSeconds.toFixed(1)} s | ${rate(r.accepted, r.importSeconds)} | ` +
        `≥ ${GOAL[r.dialect]}/s ${perSecond >= GOAL[r.dialect] ? 'met' : '**missed**'} | ${r.collectionSeconds === null ? 'not within 10 min' : `${r.collectionSeconds.toFixed(1)} s`} | ` +
        `${r.directSeconds.toFixed(1)} s | ${rate(ROWS, r.directSeconds)} |`;
    }),
    '',
    ...results.flatMap((r) => breakdown(r)),
    ...(exported ? exportParagraph(exported, '') .slice(0, 3).concat(['']) : []),
  ].join('\n');
  writeSection(values.out!, SECTION, section);
  console.log(section);
}

main().catch((error) => {
  console.error(`bench:import failed: ${error.stack ?? error}`);
  process.exit(1);
});

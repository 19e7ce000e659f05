/**
 * One convergence scenario of the production layout, end to end: a fresh MariaDB database
 * (on the shared server, or on a Galera cluster started for it), demo data, every subgraph
 * and the gateway as separate processes (with replicas), NATS JetStream under a random
 * prefix, the mixed workload with its faults, then the checks: every committed event in the
 * change feed exactly once, every cross-department consequence, screening right — and how
 * long after the last commit the hub had converged. Used by the `*.cluster.test.ts` tests
 * and `npm run bench:convergence`; everything it starts it removes, also on failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { connect as connectNats } from 'nats';
import { seed } from '../seed.js';
import { subgraphs } from '../../subgraphs/catalog.js';
import { relayStateTable } from '../../subgraphs/kit/events/tables.js';
import { startGaleraCluster, type GaleraCluster } from './galera.js';
import { processTree, startProcessLayout, type ProcessLayout } from './processes.js';
import {
  checkFeed, checkScreening, commitLate, connectForChecks, readChangeFeed, runWorkload, waitForConvergence,
  type FeedCheck, type WorkloadResult,
} from './workload.js';

export type ScenarioMode = 'single' | 'replicas' | 'galera';

export interface ScenarioOptions {
  mode: ScenarioMode;
  /** The MariaDB server for `single` and `replicas` (root, may create databases). */
  mysqlUrl?: string;
  natsUrl?: string;
  subjects?: number;
  /** How long the hub has to converge after the last commit before the scenario says it did not. */
  convergenceTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ScenarioReport {
  mode: ScenarioMode;
  processes: string[];
  faults: string[];
  startMs: number;
  /** From the processes being up until the demo data's events were all in the change feed. */
  backlogMs: number | null;
  backlogEvents: number;
  workload: WorkloadResult | null;
  /** From the last commit until every event was in the feed and every consequence happened. */
  convergenceMs: number | null;
  feed: FeedCheck | null;
  redNotExited: number;
  screeningWrong: string[];
  /** The processes' output, for a failure message. */
  output: string;
}

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/';

/** Deletes the JetStream streams (and with them their consumers) a scenario's processes created. */
async function removeStreams(natsUrl: string, prefix: string): Promise<void> {
  const nats = await connectNats({ servers: natsUrl, timeout: 2000 }).catch(() => undefined);
  if (!nats) return;
  try {
    const manager = await nats.jetstreamManager();
    for await (const stream of manager.streams.list()) {
      const named = [stream.config.name, ...(stream.config.subjects ?? [])].some((s) => s.toLowerCase().includes(prefix.toLowerCase()));
      if (named) await manager.streams.delete(stream.config.name);
    }
  } catch {
    // No JetStream here (or nothing created): nothing to remove.
  } finally {
    await nats.close();
  }
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const log = options.log ?? (() => {});
  const natsUrl = options.natsUrl ?? 'nats://127.0.0.1:4222';
  const suffix = randomBytes(4).toString('hex');
  const database = `credithub_cluster_${suffix}`;
  // Stream, subject and durable-consumer names of this scenario carry it (NATS is shared).
  const streamPrefix = `ch${suffix}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'credithub-layout-'));
  const report: ScenarioReport = {
    mode: options.mode, processes: [], faults: [], startMs: 0, backlogMs: null, backlogEvents: 0, workload: null,
    convergenceMs: null, feed: null, redNotExited: 0, screeningWrong: [], output: '',
  };
  let cluster: GaleraCluster | undefined;
  let layout: ProcessLayout | undefined;
  let adminUrl = options.mysqlUrl ?? DEFAULT_MYSQL_URL;
  let nodeUrl = (_k: number) => new URL(database, adminUrl).toString();
  const checksDb = () => connectForChecks(nodeUrl(0));
  let db: ReturnType<typeof connectForChecks> | undefined;
  try {
    if (options.mode === 'galera') {
      cluster = await startGaleraCluster({ log });
      adminUrl = cluster.nodes[0].url();
      nodeUrl = (k) => cluster!.nodes[k % cluster!.nodes.length].url(database);
    }
    const admin = connectForChecks(adminUrl);
    await admin.raw(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
    await admin.destroy();
    const demo = await seed({ subjects: options.subjects ?? 300, databaseUrl: () => nodeUrl(0) });
    log(`seeded ${options.subjects ?? 300} subjects into ${database}`);

    const replicated = options.mode !== 'single';
    const names = subgraphs.map((s) => s.name);
    const started = Date.now();
    layout = await startProcessLayout({
      replicas: replicated ? { platform: 2, tax: 2 } : {},
      loadBalancer: true,
      // On the cluster, the processes are spread over its nodes (each replica of a subgraph on
      // another node): every node takes writes.
      databaseUrl: (name, replica) => nodeUrl(names.indexOf(name) + replica),
      env: {
        NATS_URL: natsUrl,
        NATS_PREFIX: streamPrefix,
        DATA_DIR: dataDir,
        DATABASE_POOL_SIZE: '4',
      },
    });
    report.startMs = Date.now() - started;
    report.processes = [...layout.subgraphs.values()].flat().map((p) => p.name).concat('gateway');
    log(`${report.processes.length} processes up in ${report.startMs} ms`);
    db = checksDb();

    // The demo data's own events first: the layout collects its backlog.
    const backlog = await waitForConvergence(db, [], 40_000);
    report.backlogEvents = backlog.state.expected.size;
    if (backlog.convergedAt === null) {
      const collected = [...backlog.state.expected].filter((id) => backlog.state.inFeed.has(id)).length;
      throw new ScenarioFailure(`the layout did not collect the demo data: ${collected} of ${backlog.state.expected.size} department events reached the change feed in 40 s`);
    }
    report.backlogMs = backlog.convergedAt - started - report.startMs;
    log(`backlog of ${report.backlogEvents} events collected in ${report.backlogMs} ms`);

    const running = layout;
    // On every layout: a tax transaction that writes its exit early and commits 8 s later,
    // while the workload's own tax changes commit after it.
    let late: { creditCode: string; committedAt: number } | undefined;
    const faults: { at: number; run: () => Promise<void> }[] = [{
      at: 0.15,
      run: async () => {
        try {
          late = await commitLate(nodeUrl(1), 'tax', demo, 8000);
          report.faults.push('a tax exit committed 8 s after it took its place');
        } catch (error) {
          if (options.mode !== 'galera') throw error;
          // Held open across the Galera node's kill, its commit may be refused (its node briefly out
          // of the primary component): then nothing of it committed, and the truth read from the
          // tables afterwards simply does not hold it.
          report.faults.push(`a tax exit meant to commit 8 s late did not commit (${(error as Error).message})`);
        }
      },
    }];
    if (options.mode === 'replicas') {
      faults.push({
        at: 0.3,
        run: async () => {
          // The worst case: the replica that relays tax's events now (holds the relay's lease).
          const holder = await killRelayHolder(running, db!, 'tax');
          report.faults.push(`the tax relay's holder SIGKILL at 30% (${holder})`);
        },
      });
      faults.push({ at: 0.6, run: async () => { await running.subgraphs.get('platform')![0].kill(); report.faults.push('platform#1 SIGKILL at 60%'); } });
    }
    if (options.mode === 'galera') {
      faults.push({
        at: 0.35,
        run: async () => {
          await cluster!.kill(2);
          report.faults.push('galera node 2 SIGKILL at 35%');
          await new Promise((resolve) => setTimeout(resolve, 2000));
          await cluster!.restart(2);
          report.faults.push('galera node 2 restarted and synced');
        },
      });
    }
    const workload = await runWorkload({ gatewayUrl: layout.url, demo, faults });
    report.workload = workload;
    log(`workload: ${workload.succeeded} operations succeeded, ${workload.failed.length} failed`);

    const lastCommitAt = Math.max(workload.lastCommitAt, late?.committedAt ?? 0);
    const after = await waitForConvergence(db, workload.crossCodes, options.convergenceTimeoutMs ?? 30_000);
    report.convergenceMs = after.convergedAt === null ? null : Math.max(0, after.convergedAt - lastCommitAt);
    report.redNotExited = after.state.redNotExited.length;
    report.feed = checkFeed(after.state.expected, await readChangeFeed(layout.url));
    report.screeningWrong = await checkScreening(layout.url, db, [...workload.codes, ...(late ? [late.creditCode] : [])]);
    return report;
  } catch (error) {
    if (error instanceof ScenarioFailure) {
      report.screeningWrong.push(error.message);
      return report;
    }
    throw Object.assign(error as Error, { message: `${(error as Error).message}\n${layout ? outputOf(layout) : ''}` });
  } finally {
    report.output = layout ? outputOf(layout) : '';
    await layout?.stop().catch(() => {});
    await db?.destroy().catch(() => {});
    if (!cluster) {
      const dropper = connectForChecks(adminUrl);
      await dropper.raw(`DROP DATABASE IF EXISTS ${database}`).catch(() => {});
      await dropper.destroy();
    }
    await cluster?.stop();
    await removeStreams(natsUrl, streamPrefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Kills (SIGKILL) the replica of `department` that holds its outbox relay's lease now; the first one if none does. */
async function killRelayHolder(layout: ProcessLayout, db: Knex, department: string): Promise<string> {
  const state = await db(relayStateTable(department)).where({ id: 1 }).first().catch(() => undefined);
  const pid = Number(String(state?.holder ?? '').split(':')[0]);
  const replicas = layout.subgraphs.get(department)!;
  const holder = replicas.find((p) => p.child.pid !== undefined && processTree(p.child.pid).includes(pid)) ?? replicas[0];
  await holder.kill();
  return holder.name;
}

/** A process's lines without stack frames, and each repeated line once with its count (a node down repeats itself). */
function readable(lines: string[]): string[] {
  const out: string[] = [];
  let repeats = 0;
  for (const line of lines.filter((l) => !/^\s+at /.test(l))) {
    if (out.at(-1) === line) repeats++;
    else {
      if (repeats) out.push(`  (the line above ${repeats} more times)`);
      repeats = 0;
      out.push(line);
    }
  }
  if (repeats) out.push(`  (the line above ${repeats} more times)`);
  return out;
}

/** Every process's output, for a failure message. */
function outputOf(layout: ProcessLayout): string {
  return [...[...layout.subgraphs.values()].flat(), layout.gateway]
    .map((p) => `--- ${p.name} (${p.child.exitCode === null && p.child.signalCode === null ? 'running' : 'exited'})\n${readable(p.output).slice(-40).join('\n')}`)
    .join('\n');
}

/** The hub did not get there: a finding, reported, not a crash of the scenario. */
class ScenarioFailure extends Error {}

/** One line of figures per scenario, for the log and BENCHMARKS.md. */
export function summarise(report: ScenarioReport): string {
  const feed = report.feed;
  return `${report.mode}: ${report.processes.length} processes up in ${report.startMs} ms; faults: ${report.faults.join(', ') || 'none'}; ` +
    `${report.workload?.succeeded ?? 0} operations ok, ${report.workload?.failed.length ?? 0} failed, ${report.workload?.retries ?? 0} retries; ` +
    `converged ${report.convergenceMs === null ? 'never' : `${report.convergenceMs} ms`} after the last commit; ` +
    `events expected ${feed?.expected ?? '?'}, seen ${feed?.seen ?? '?'}, duplicated ${feed?.duplicated ?? '?'}; red entries not exited ${report.redNotExited}`;
}

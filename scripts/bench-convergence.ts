/**
 * npm run bench:convergence -- [--modes single,replicas,galera] [--subjects 300] [--out BENCHMARKS.md]
 *
 * How fast, and how completely, the event path converges in the production layout: every
 * subgraph and the gateway as separate processes on MariaDB (MYSQL_URL, default
 * mysql://root@127.0.0.1:3306/) with NATS JetStream (NATS_URL, default nats://127.0.0.1:4222):
 * one replica each; two replicas of the platform and of tax with one of each killed
 * mid-work; and on a 3-node Galera cluster started for the run, with a node killed and
 * restarted. The same workload and checks as test/*.cluster.test.ts (scripts/cluster/convergence.ts).
 * Writes its section of BENCHMARKS.md; exits 1 when a layout misses the goal (every event,
 * no duplicates, within 2 s of the last commit on one node, 5 s on the cluster).
 */
import '../subgraphs/kit/config/startup.js';
import { benchEnvironment } from './bench/run-environment.js';
import os from 'node:os';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { writeSection } from './bench/section.js';
import { DEFAULT_MYSQL_URL, runScenario, summarise, type ScenarioMode, type ScenarioReport } from './cluster/convergence.js';
import { galeraPrerequisites } from './cluster/galera.js';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'single,replicas,galera' },
    subjects: { type: 'string', default: '300' },
    out: { type: 'string', default: 'BENCHMARKS.md' },
  },
});
benchEnvironment();
const log = (line: string) => console.log(`[bench:convergence] ${line}`);
const SECTION = '## Convergence of the event path (`npm run bench:convergence`)';
const GOAL_MS: Record<ScenarioMode, number> = { single: 2000, replicas: 2000, galera: 5000 };
const LAYOUT: Record<ScenarioMode, string> = {
  single: 'one process per subgraph, one MariaDB',
  replicas: 'platform ×2, tax ×2, one MariaDB',
  galera: 'platform ×2, tax ×2, 3-node Galera',
};

function meetsGoal(report: ScenarioReport): boolean {
  const feed = report.feed;
  return !!feed && feed.missing.length === 0 && feed.duplicated === 0 && report.redNotExited === 0 && report.screeningWrong.length === 0 &&
    report.convergenceMs !== null && report.convergenceMs < GOAL_MS[report.mode];
}

async function main() {
  const modes = values.modes!.split(',').map((m) => m.trim()) as ScenarioMode[];
  const reports: ScenarioReport[] = [];
  const skipped: string[] = [];
  for (const mode of modes) {
    const prerequisites = galeraPrerequisites();
    if (mode === 'galera' && 'missing' in prerequisites) {
      skipped.push(`galera (missing ${prerequisites.missing})`);
      continue;
    }
    log(`${mode}…`);
    const report = await runScenario({
      mode,
      mysqlUrl: process.env.MYSQL_URL ?? DEFAULT_MYSQL_URL,
      natsUrl: process.env.NATS_URL,
      subjects: Number(values.subjects),
      log: (line) => log(`  ${line}`),
    });
    log(summarise(report));
    reports.push(report);
  }
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const cell = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));
  const rows = reports.map((r) =>
    `| ${LAYOUT[r.mode]} | ${r.faults.join('; ') || '—'} | ${r.workload?.succeeded ?? 0} / ${r.workload?.failed.length ?? 0} | ` +
    `${cell(r.feed?.expected)} | ${cell(r.feed?.seen)} | ${cell(r.feed?.duplicated)} | ${r.redNotExited} | ${r.screeningWrong.length} | ` +
    `${r.convergenceMs === null ? 'not converged' : `${(r.convergenceMs / 1000).toFixed(2)} s`} | ${(GOAL_MS[r.mode] / 1000).toFixed(0)} s ${meetsGoal(r) ? 'met' : '**missed**'} |`);
  const section = [
    SECTION,
    '',
    `\`npm run bench:convergence -- --modes ${modes.join(',')} --subjects ${values.subjects}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
    `commit ${commit}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end.`,
    'Every subgraph replica and the gateway a separate process (`tsx scripts/subgraph.ts <name>`, `tsx scripts/gateway.ts`),',
    'NATS JetStream at 127.0.0.1:4222 under a random prefix, demo data, then a bounded mixed workload through the gateway',
    '(black listings of subjects on another department\'s red list, tax black entries recognised, confirmed and exited by',
    'credit repair, safety recognitions left preliminary) and, on every layout, a tax exit whose transaction commits 8 s',
    'after writing its event while later tax changes commit. "Events expected" are the departments\' outbox rows (what',
    'committed, whatever a client heard); "seen" those the change feed holds, read through the gateway page by page;',
    '"converged" is from the last commit until every event is in the feed and every red entry of a black-listed subject',
    'has exited. Screening of every touched subject is compared with the departments\' tables.',
    '',
    '| layout | faults | operations ok / failed | events expected | seen | duplicated | red entries not exited | screening wrong | converged after the last commit | goal |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...(skipped.length ? ['', `Not run: ${skipped.join(', ')}.`] : []),
    '',
  ].join('\n');
  writeSection(values.out!, SECTION, section);
  console.log(section);
  if (reports.some((r) => !meetsGoal(r))) {
    log('FAIL: a layout missed the goal (every event, no duplicates, converged within the goal after the last commit)');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench:convergence failed: ${error.stack ?? error}`);
  process.exit(1);
});

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
 * The hub (the platform's subgraph, one per department of the catalogue, and the gateway) and
 * the peer run in this process; autocannon runs in a child process (scripts/bench/load.ts). Hub
 * and peer alternate in rounds: hub, peer, peer, hub. Writes a markdown report with the machine
 * and the date (--append adds it as a new section).
 *
 * The parts, in scripts/bench/: main.ts (a run), suite.ts (the suite: suite-setup.ts, rounds.ts,
 * lower-bound.ts, peer-check.ts, statements.ts, breakdown.ts), scale.ts (--scale), report/ (the
 * markdown: suite.ts, details.ts, findings.ts, scale.ts, file.ts).
 */
import '../subgraphs/kit/config/startup.js';
import { benchEnvironment } from './bench/run-environment.js';
import { parseBenchOptions } from './bench/options.js';

const options = parseBenchOptions();
// Secrets of this run only: nothing is written under ./data.
benchEnvironment();

// Imported after the secrets are set (the modules read them when first used).
const { main } = await import('./bench/main.js');
const { cleanUp } = await import('./bench/databases.js');
const { log } = await import('./bench/context.js');

process.on('SIGINT', () => {
  log('interrupted: removing the benchmark databases…');
  cleanUp().finally(() => process.exit(130));
});

main(options)
  .then(() => process.exit(0))
  .catch(async (error) => {
    console.error(`bench failed: ${error?.stack ?? error}`);
    await cleanUp();
    process.exit(1);
  });

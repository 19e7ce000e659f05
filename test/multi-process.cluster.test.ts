/**
 * The production layout on MariaDB, as an operator runs it: every subgraph its own process
 * (`tsx scripts/subgraph.ts <name>`), two replicas of the platform and of tax behind a load
 * balancer, a gateway process, NATS JetStream (a random stream prefix). A bounded mixed
 * workload — recognitions, confirmations, exits, cross-department black→red exits — with the
 * tax replica that relays tax's events and then a platform replica killed (SIGKILL) mid-work,
 * and a tax transaction that commits 8 s after writing its event. Then: every committed
 * change is in the change feed exactly once, every red entry of a subject black-listed
 * elsewhere has exited, screening matches the departments, all within seconds of the last
 * commit. The same on one replica each, without a fault, as the baseline.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioMode } from '../scripts/cluster/convergence.js';
import { expectConverged } from './convergence-expect.js';

const mysqlUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

describe('the production layout as separate processes on MariaDB, with NATS JetStream', () => {
  it.each<[ScenarioMode, number]>([
    // The goals: within 2 s of the last commit on one database node (with or without replicas).
    ['single', 2_000],
    ['replicas', 2_000],
  ])('%s: every committed change in the change feed once, every consequence, screening right', async (mode, withinMs) => {
    const report = await runScenario({ mode, mysqlUrl, log: (line) => console.log(`[${mode}] ${line}`) });
    const late = 'a tax exit committed 8 s after it took its place';
    expectConverged(report, withinMs);
    expect(report.faults.map((f) => f.replace(/ \(.*\)$/, '')).sort()).toEqual(
      (mode === 'replicas' ? [late, 'platform#1 SIGKILL at 60%', "the tax relay's holder SIGKILL at 30%"] : [late]).sort(),
    );
  });
});

/** One run of `npm run bench` (scripts/bench.ts): the suite, --scale, the report written and printed. */
import os from 'node:os';
import { BENCH_STARTED, log } from './context.js';
import { mysqlServer } from './databases.js';
import { LoadGenerator } from './loadgen.js';
import type { BenchOptions } from './options.js';
import { writeReport } from './report/file.js';
import { machine } from './report/machine.js';
import { scaleReport } from './report/scale.js';
import { suiteReport } from './report/suite.js';
import { scalePoint } from './scale.js';
import { int } from './stats.js';
import { runSuite } from './suite.js';

export async function main(options: BenchOptions): Promise<void> {
  const started = new Date();
  const m = machine(options.out);
  const { duration, subjects, connections } = options;
  log(`${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}; load average ${os.loadavg()[0].toFixed(2)}`);
  const expectedSeconds = 8 * (3 * Math.max(1, duration / 4) + 2 * Math.max(2, duration * 0.4) + 2) + 3 * Math.max(1, duration / 4) + 60;
  log(`database ${options.database}, ${int(subjects)} subjects, ${connections} connections, 8 rounds: about ${Math.ceil(expectedSeconds / 10) * 10} s${options.scale ? ` plus the scale comparison (${int(options.scaleSubjects)} subjects on MariaDB: seeding and collection take several minutes each)` : ''}`);
  const loadgen = new LoadGenerator();
  try {
    const server = options.database === 'mysql' || options.scale ? await mysqlServer(options.mysqlUrl) : null;
    const suite = await runSuite(options, loadgen);
    let report = suiteReport(suite, m, options.database === 'mysql' ? server : null, started, options);
    if (options.scale) {
      const points = [await scalePoint(options, loadgen, 10_000), await scalePoint(options, loadgen, options.scaleSubjects)];
      report += `\n${scaleReport(points, server!, duration)}`;
    }
    writeReport(options.out, options.append, report);
    log(`wrote ${options.out} (${options.append ? 'appended' : 'rewritten'}) in ${((performance.now() - BENCH_STARTED) / 1000).toFixed(0)} s`);
    console.log(`\n${report}`);
  } finally {
    loadgen.stop();
  }
}

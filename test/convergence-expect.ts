/** The assertions every convergence scenario must pass, with the figures and the processes' output on failure. */
import { expect } from 'vitest';
import { summarise, type ScenarioReport } from '../scripts/cluster/convergence.js';

export function expectConverged(report: ScenarioReport, withinMs: number) {
  console.log(summarise(report));
  const summary = JSON.stringify({
    ...report,
    output: undefined,
    workload: report.workload && { ...report.workload, codes: undefined, crossCodes: undefined },
    feed: report.feed && { ...report.feed, missing: report.feed.missing.slice(0, 10) },
  });
  const context = `${summary}\n${report.output.split('\n').slice(-80).join('\n')}`;
  expect(report.screeningWrong, context).toEqual([]);
  // What fails is typed (unavailable, conflict), never an internal error.
  expect(report.workload!.failed.filter((f) => /INTERNAL_SERVER_ERROR/.test(f.error)), context).toEqual([]);
  expect(report.workload!.succeeded, context).toBeGreaterThan(report.workload!.failed.length);
  expect(report.convergenceMs, `not converged: ${context}`).not.toBeNull();
  expect(report.feed!.missing, context).toEqual([]);
  expect(report.feed!.duplicated, context).toBe(0);
  expect(report.feed!.unexplained, context).toBe(0);
  expect(report.redNotExited, context).toBe(0);
  expect(report.convergenceMs!, context).toBeLessThan(withinMs);
}

/** What a load run measured, and how runs of the same kind add up over the rounds. */
import type { LoadResult } from './load.js';
import { summarize, type Summary } from './stats.js';

export type Gateway = 'hub' | 'peer';
export type Operation = 'profile' | 'batch' | 'screen';
export type Caller = 'purpose' | 'none';

export interface RunSpec {
  op: Operation;
  caller: Caller;
  connections: number;
}

export interface RunOutcome {
  latencies: number[];
  seconds: number;
  cpuMs: number;
  failed: number;
  withErrors: number;
  errors: number;
  p50: number;
}

export interface Measured {
  summary: Summary;
  /** CPU time of this process (gateway + subgraphs) per request. */
  cpuMsPerRequest: number;
  failed: number;
  withErrors: number;
  rounds: RunOutcome[];
}

export const specKey = (gateway: Gateway, spec: RunSpec) => `${gateway}:${spec.op}:${spec.caller}:${spec.connections}`;

/** One load run: the load generator's result and the CPU this process used (`process.cpuUsage(before)`) meanwhile. */
export function outcomeOf(result: LoadResult, used: NodeJS.CpuUsage): RunOutcome {
  return {
    latencies: result.latencies,
    seconds: result.seconds,
    cpuMs: (used.user + used.system) / 1000,
    failed: result.failed + result.non2xx,
    withErrors: result.withErrors,
    errors: result.errors + result.timeouts,
    p50: summarize(result.latencies, 1).p50,
  };
}

export function measured(outcomes: RunOutcome[]): Measured {
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

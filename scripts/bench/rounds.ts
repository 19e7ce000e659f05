/**
 * The load runs of the suite, in rounds: every run spec through one gateway per round, hub and
 * peer alternating ABBA ABBA so that drift on a shared machine cancels out; autocannon in the
 * child process (scripts/bench/load.ts), one subject per request for (a), 1,000 codes for (b) and (c).
 */
import type { LoadGenerator } from './loadgen.js';
import { log } from './context.js';
import { outcomeOf, specKey, type Gateway, type Operation, type RunOutcome, type RunSpec } from './measured.js';
import type { PeerGateway } from './peer.js';
import { quiesce, type Headers } from './requests.js';
import { int, ms, summarize } from './stats.js';
import type { SuiteTarget } from './suite-setup.js';

/** Eight rounds, hub and peer alternating. */
export const ORDER: Gateway[] = ['hub', 'peer', 'peer', 'hub', 'hub', 'peer', 'peer', 'hub'];

const opLabel = (op: Operation) => (op === 'profile' ? '(a) profile' : op === 'batch' ? '(b) 1,000 codes' : '(c) screen 1,000 codes');

export class Rounds {
  readonly specs: RunSpec[];
  readonly profileSeconds: number;
  readonly batchSeconds: number;
  readonly outcomes = new Map<string, RunOutcome[]>();
  /** Started after round 1 (the hub alone in this process). */
  peer: PeerGateway | undefined;
  private runNumber = 0;

  constructor(
    private readonly t: SuiteTarget,
    private readonly loadgen: LoadGenerator,
    duration: number,
    connections: number,
  ) {
    this.specs = [
      { op: 'profile', caller: 'purpose', connections },
      { op: 'profile', caller: 'none', connections },
      { op: 'profile', caller: 'purpose', connections: 1 },
      { op: 'batch', caller: 'purpose', connections: 1 },
      { op: 'screen', caller: 'purpose', connections: 1 },
    ];
    this.profileSeconds = Math.max(1, duration / 4);
    this.batchSeconds = Math.max(2, duration * 0.4);
  }

  secondsOf(spec: RunSpec): number {
    return spec.op === 'profile' ? this.profileSeconds : this.batchSeconds;
  }

  /** Where a run goes: the hub's gateway with the caller's headers, or the peer forwarding the caller's identity. */
  private target(gateway: Gateway, spec: RunSpec): { url: string; headers: Headers } {
    if (gateway === 'hub') return { url: this.t.hub.gateway.url, headers: this.t.headers[spec.caller] };
    this.peer!.forward(spec.caller);
    return { url: this.peer!.url, headers: {} };
  }

  /** One round: every spec once through `gateway`. */
  async run(gateway: Gateway, round: string): Promise<void> {
    const totalRuns = this.specs.length * ORDER.length;
    const roundLoadSeconds = this.specs.reduce((sum, spec) => sum + this.secondsOf(spec), 0);
    for (const spec of this.specs) {
      this.runNumber++;
      const left = Math.ceil((totalRuns - this.runNumber + 1) / this.specs.length) * roundLoadSeconds;
      log(`run ${this.runNumber}/${totalRuns} (${round}): ${gateway} ${opLabel(spec.op)}, ${spec.caller === 'purpose' ? 'with purpose' : 'no purpose'}, ${spec.connections} connection${spec.connections > 1 ? 's' : ''}, ${this.secondsOf(spec)} s (~${Math.ceil(left)} s of load left)`);
      const outcome = await this.runOne(gateway, spec);
      const key = specKey(gateway, spec);
      this.outcomes.set(key, [...(this.outcomes.get(key) ?? []), outcome]);
      const s = summarize(outcome.latencies, outcome.seconds);
      log(`  ${int(s.n)} requests, ${s.perSecond.toFixed(0)}/s, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}${outcome.failed + outcome.errors + outcome.withErrors ? `, ${outcome.failed} failed, ${outcome.errors} socket errors, ${outcome.withErrors} with GraphQL errors` : ''}`);
    }
  }

  private async runOne(gateway: Gateway, spec: RunSpec): Promise<RunOutcome> {
    const cpu = process.cpuUsage();
    const result = await this.loadgen.run({
      ...this.target(gateway, spec),
      bodies: this.t.bodies[spec.op],
      connections: spec.connections,
      duration: this.secondsOf(spec),
      expect: '"creditCode"',
      // (b) answers an error per invalid code; (a) and (c) none.
      unexpected: spec.op === 'batch' ? undefined : '"errors"',
    });
    const used = process.cpuUsage(cpu);
    await quiesce(this.t.hub);
    this.peer?.forward('purpose');
    return outcomeOf(result, used);
  }

  /** Unmeasured load, so that both gateways start their first round with warm code. */
  async warmUp(gateway: Gateway): Promise<void> {
    log(`warming ${gateway === 'hub' ? 'the hub' : 'the peer'} up under load (unmeasured)…`);
    for (const spec of this.specs) {
      await this.loadgen.run({
        ...this.target(gateway, spec),
        bodies: spec.op === 'profile' ? this.t.bodies.profile.slice(-500) : this.t.bodies[spec.op].slice(-4),
        connections: spec.connections,
        duration: spec.op === 'profile' ? 1 : 2,
        expect: '"creditCode"',
      });
      await quiesce(this.t.hub);
    }
    this.peer?.forward('purpose');
  }
}

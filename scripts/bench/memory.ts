/** Memory: the peak RSS of this process, by phase, and what stays after a full collection. */
import v8 from 'node:v8';
import vm from 'node:vm';

// A full collection on demand, to tell memory still in use from garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
export const collectGarbage = vm.runInNewContext('gc') as () => void;

export interface Peak {
  rss: number;
  heapUsed: number;
}

export class RssSampler {
  phase = 'seeding and starting the hub';
  /** Memory in use after a full collection, at quiet points of the run. */
  readonly retained: ({ point: string } & Peak)[] = [];
  readonly peaks = new Map<string, Peak>();
  private readonly timer = setInterval(() => this.sample(), 100);

  sample() {
    const { rss, heapUsed } = process.memoryUsage();
    const peak = this.peaks.get(this.phase) ?? { rss: 0, heapUsed: 0 };
    this.peaks.set(this.phase, { rss: Math.max(peak.rss, rss), heapUsed: Math.max(peak.heapUsed, heapUsed) });
  }

  enter(phase: string) {
    this.sample();
    this.phase = phase;
    this.sample();
  }

  /** Collects garbage fully (twice: weak references, then what they held) and records what stays. */
  settle(point: string) {
    collectGarbage();
    collectGarbage();
    const { rss, heapUsed } = process.memoryUsage();
    this.retained.push({ point, rss, heapUsed });
  }

  stop() {
    clearInterval(this.timer);
  }
}

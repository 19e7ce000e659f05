/**
 * Background work of a subgraph — event consumers, the expiry scheduler. Each worker
 * runs `runOnce` on an interval, and at once again while it finds work; every run is
 * safe to repeat and safe beside the same worker in another replica.
 */
import { notifier, type Notifier, type Wakeup } from './events/notifier.js';
import { logger } from './observability/log.js';
import { workerRuns } from './observability/metrics.js';

export interface Worker {
  name: string;
  /** What it does, in a few words (said at start by `npm run subgraph`). */
  description?: string;
  intervalMs: number;
  /** Notification topics that wake the worker before its interval is up. */
  wakeOn?: string[];
  /** Does what is due; returns how much it did. */
  runOnce(): Promise<number>;
}

export class WorkerLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private lastError = '';
  /** The notifications heard since the current (or last) run began; see `Notifier.listen`. */
  private wakeup: Wakeup | undefined;
  /** Resolved at start for a worker that wakes on notifications. */
  private notifier: Notifier | undefined;
  private readonly log;

  constructor(readonly worker: Worker) {
    this.log = logger(`worker:${worker.name}`);
  }

  start(): void {
    if (!this.worker.wakeOn?.length) return this.schedule(0);
    notifier().then((n) => {
      this.notifier = n;
      this.schedule(0);
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const wakeup = this.wakeup;
    if (delayMs > 0 && wakeup) {
      // Sleep until the interval is up or a notification comes, whichever is first; one
      // that came while the last run was reading counts, so it wakes the loop at once.
      wakeup.wait(delayMs).then(() => {
        if (this.wakeup === wakeup && !this.stopped) this.schedule(0);
      });
      return;
    }
    wakeup?.cancel();
    this.timer = setTimeout(() => {
      // Listen before looking: a commit announced while this run reads still wakes the next.
      this.wakeup = this.notifier?.listen(this.worker.wakeOn!);
      this.running = this.worker.runOnce().then(
        (done) => {
          workerRuns.inc({ worker: this.worker.name, outcome: 'ok' });
          if (this.lastError) this.log.info('recovered');
          if (done > 0) this.log.debug({ done }, 'batch');
          this.lastError = '';
          this.schedule(done > 0 ? 0 : this.worker.intervalMs);
        },
        (error) => {
          // Say it once per kind of failure (a peer down says so every second otherwise).
          workerRuns.inc({ worker: this.worker.name, outcome: 'error' });
          const message = (error as Error).message;
          if (message !== this.lastError) this.log.warn({ err: error }, 'run failed; retrying');
          this.lastError = message;
          this.schedule(Math.max(this.worker.intervalMs, 1000));
        },
      );
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup?.cancel();
    clearTimeout(this.timer);
    await this.running.catch(() => {});
  }
}

import { configuration } from '../subgraphs/kit/config/index.js';
import { flushLogs, logger } from '../subgraphs/kit/observability/log.js';
import { stopTracing } from '../subgraphs/kit/observability/tracing.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM: stop cleanly — stop accepting, let in-flight requests finish
 * (up to SHUTDOWN_GRACE_MS), close subscriptions with 1001, let workers finish their batch,
 * close pools, export the last spans — and exit anyway if that takes 5 s longer than the grace.
 */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const log = logger('shutdown');
  const exit = (code: number) => {
    flushLogs();
    process.exit(code);
  };
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const limitMs = configuration().SHUTDOWN_GRACE_MS + 5_000;
    log.info({ signal }, 'stopping: draining in-flight requests');
    setTimeout(() => {
      log.error({ limitMs }, 'stopping took too long: exiting anyway');
      exit(1);
    }, limitMs).unref();
    stop()
      .then(() => stopTracing())
      .then(
        () => {
          log.info('stopped');
          exit(0);
        },
        (error) => {
          log.error({ err: error }, 'stopping failed');
          exit(1);
        },
      );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

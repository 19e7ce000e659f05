/**
 * What a subgraph needs to take traffic (/health/ready): its database answers, its
 * migrations are all applied, the broker is connected when one is configured (NATS_URL),
 * and its event consumer does not lag behind a source beyond the bound.
 */
import type { Knex } from 'knex';
import type { ReadinessCheck } from '../http.js';
import type { Migration } from '../db.js';
import { migrationSource } from '../db.js';
import { configuration } from '../config/index.js';
import { sharedNatsLink } from '../events/nats.js';
import { worstConsumerLag } from './metrics.js';
import { shownUrl } from '../shown-url.js';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

async function check(name: string, probe: () => Promise<string | undefined>): Promise<ReadinessCheck> {
  try {
    const problem = await withTimeout(probe());
    return problem ? { name, ok: false, detail: problem } : { name, ok: true };
  } catch (error) {
    // The kind of failure only: a driver's message may quote connection details.
    return { name, ok: false, detail: `unreachable (${(error as any)?.code ?? (error as Error).message.slice(0, 80)})` };
  }
}

export function subgraphReadiness(subgraph: string, db: Knex, migrations: Migration[]): () => Promise<ReadinessCheck[]> {
  return async () => {
    const checks = [
      check('database', async () => {
        await db.raw('select 1');
        return undefined;
      }),
      check('migrations', async () => {
        const [, pending] = await db.migrate.list(migrationSource(subgraph, migrations));
        return pending.length ? `${pending.length} migration(s) not applied` : undefined;
      }),
    ];
    const nats = sharedNatsLink();
    if (nats) checks.push(check('broker', async () => (nats.current() ? undefined : `NATS at ${shownUrl(nats.url)} is not connected`)));
    const bound = configuration().READY_MAX_CONSUMER_LAG_SECONDS;
    const worst = worstConsumerLag(subgraph);
    const lagging = worst && worst.seconds > bound;
    const results = await Promise.all(checks);
    results.push(
      lagging
        ? { name: 'consumer-lag', ok: false, detail: `${worst.consumer} has not caught up with ${worst.source} for ${Math.round(worst.seconds)} s (bound ${bound} s)` }
        : { name: 'consumer-lag', ok: true },
    );
    return results;
  };
}

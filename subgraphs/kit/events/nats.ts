/**
 * The process's one connection to NATS (NATS_URL), shared by the notifier and the JetStream
 * event log. It connects whenever NATS is there — also when NATS was down at start — and
 * reconnects for as long as the process runs (nats.js re-subscribes on reconnect).
 * Names in NATS carry NATS_PREFIX (default `credithub`): subjects `<prefix>.…`, streams
 * and durable consumers `<PREFIX>_…`, so several hubs (or tests) can share one server.
 */
import { connect, type NatsConnection } from 'nats';
import { configuration } from '../config/index.js';
import { logger } from '../observability/log.js';
import { shownUrl } from '../shown-url.js';
import { outsideTrace } from '../observability/tracing.js';

export const natsPrefix = (env?: NodeJS.ProcessEnv) => configuration(env).NATS_PREFIX;
/** For stream and consumer names (no dots, no wildcards). */
export const natsNamePrefix = (env?: NodeJS.ProcessEnv) => natsPrefix(env).toUpperCase();

export interface NatsLink {
  url: string;
  /** Resolves once connected (at once if connected; later if NATS is down now). */
  connected: Promise<NatsConnection>;
  /** The connection if it is up right now. */
  current(): NatsConnection | undefined;
  close(): Promise<void>;
}

/** Connects to `url`, retrying until NATS is reachable; never rejects while not closed. */
export function linkToNats(url: string, name = 'credithub'): NatsLink {
  let connection: NatsConnection | undefined;
  let closed = false;
  let warned = false;
  const connected = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const nc = await connect({ servers: url, name, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500, timeout: 2000 });
        if (closed) {
          await nc.close();
          throw new Error('closed');
        }
        connection = nc;
        if (warned) logger('nats').info({ url: shownUrl(url) }, 'NATS is reachable again');
        return nc;
      } catch (error) {
        if (closed) throw error;
        if (!warned) logger('nats').warn({ url: shownUrl(url), err: error }, 'NATS is not reachable; retrying, notifications stay in this process meanwhile');
        warned = true;
        // Unref'd: a command that is done exits even while NATS stays away.
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)).unref());
      }
    }
  })();
  connected.catch(() => {});
  return {
    url,
    connected,
    current: () => (connection && !connection.isClosed() ? connection : undefined),
    async close() {
      closed = true;
      await connection?.drain().catch(() => {});
    },
  };
}

let shared: NatsLink | undefined;

/** The process's link to NATS_URL, or undefined without it. */
export function sharedNatsLink(): NatsLink | undefined {
  const url = configuration().NATS_URL;
  if (!url) return undefined;
  if (!shared || shared.url !== url) shared = outsideTrace(() => linkToNats(url));
  return shared;
}

/** Closes the process's link (a command that ends, such as the seed, must not stay connected). */
export async function closeSharedNatsLink(): Promise<void> {
  const link = shared;
  shared = undefined;
  await link?.close();
}

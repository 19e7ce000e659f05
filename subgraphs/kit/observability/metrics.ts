/**
 * The process's Prometheus metrics (prom-client, one registry a process: in the embedded
 * layout the gateway and every subgraph share it) and the /metrics route that serves them
 * to the monitoring system only: with METRICS_TOKEN it asks for that bearer token, without
 * it it answers loopback callers only.
 */
import { Kind, type OperationDefinitionNode } from 'graphql';
import { timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import client from 'prom-client';
import { configuration } from '../config/index.js';
import type { Route } from '../http.js';

const registry = client.register;
client.collectDefaultMetrics({ register: registry, prefix: 'credithub_process_' });

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const requestsTotal = new client.Counter({
  name: 'credithub_requests_total',
  help: 'GraphQL requests answered by the gateway, by operation name and outcome (ok, or the first error code)',
  labelNames: ['operation', 'outcome'],
});
export const requestDuration = new client.Histogram({
  name: 'credithub_request_duration_seconds',
  help: 'Time from receiving a GraphQL request at the gateway to its answer',
  labelNames: ['operation'],
  buckets: seconds,
});
export const subgraphFetchDuration = new client.Histogram({
  name: 'credithub_subgraph_fetch_duration_seconds',
  help: 'Time of one gateway call to a subgraph, by subgraph and outcome (ok, error)',
  labelNames: ['subgraph', 'outcome'],
  buckets: seconds,
});
export const subgraphFetchErrors = new client.Counter({
  name: 'credithub_subgraph_fetch_errors_total',
  help: 'Gateway calls to a subgraph that failed, by subgraph and error code',
  labelNames: ['subgraph', 'code'],
});
export const domainUnavailable = new client.Counter({
  name: 'credithub_domain_unavailable_total',
  help: 'Answers that carried DOMAIN_UNAVAILABLE for a subgraph (its fields null, the rest answered)',
  labelNames: ['subgraph'],
});
export const accessRegisterWriteDuration = new client.Histogram({
  name: 'credithub_access_register_write_duration_seconds',
  help: 'Time to write reads of unmasked personal data to the access register, by outcome (ok, refused)',
  labelNames: ['outcome'],
  buckets: seconds,
});
export const accessRegisterRefusals = new client.Counter({
  name: 'credithub_access_register_refusals_total',
  help: 'Access register writes that failed, so the personal data was withheld, by reason (HTTP status, timeout, unreachable)',
  labelNames: ['reason'],
});
export const webhookBacklog = new client.Gauge({
  name: 'credithub_webhook_backlog',
  help: 'Webhooks with events waiting to be delivered, at the last delivery pass (at most 200 a pass)',
});
export const webhookDeadLetters = new client.Counter({
  name: 'credithub_webhook_dead_letters_total',
  help: 'Webhook events given up on after the last attempt (dead-lettered)',
});
export const subscriptionsActive = new client.Gauge({
  name: 'credithub_subscriptions_active',
  help: 'GraphQL subscriptions running at the gateway',
});
export const workerRuns = new client.Counter({
  name: 'credithub_worker_runs_total',
  help: 'Runs of a background worker, by worker and outcome (ok, error)',
  labelNames: ['worker', 'outcome'],
});

/** Per consumer and source: when it last had nothing waiting, and how many events waited at its last read. */
const consumerLag = new Map<string, { consumer: string; source: string; caughtUpAt: number; waiting: number }>();

/** Told by a consumer after each read of a source: `waiting` events were there, `caughtUp` if that was all. */
export function recordConsumerRead(consumer: string, source: string, waiting: number, caughtUp: boolean): void {
  const key = `${consumer}\u0000${source}`;
  const entry = consumerLag.get(key) ?? { consumer, source, caughtUpAt: Date.now(), waiting: 0 };
  entry.waiting = caughtUp ? 0 : waiting;
  if (caughtUp) entry.caughtUpAt = Date.now();
  consumerLag.set(key, entry);
}

/** Starts the clock of a source the consumer has not read yet (it lags from its start until its first read). */
export function watchConsumerSource(consumer: string, source: string): void {
  const key = `${consumer}\u0000${source}`;
  if (!consumerLag.has(key)) consumerLag.set(key, { consumer, source, caughtUpAt: Date.now(), waiting: 0 });
}

/**
 * The most consumer `consumer` (a subgraph's consumer is named after it) lags behind a source,
 * in seconds (readiness: in the embedded layout one process runs every subgraph's consumer).
 */
export function worstConsumerLag(consumer: string): { consumer: string; source: string; seconds: number } | undefined {
  let worst: { consumer: string; source: string; seconds: number } | undefined;
  for (const entry of consumerLag.values()) {
    if (entry.consumer !== consumer) continue;
    const lag = (Date.now() - entry.caughtUpAt) / 1000;
    if (!worst || lag > worst.seconds) worst = { consumer: entry.consumer, source: entry.source, seconds: lag };
  }
  return worst;
}

new client.Gauge({
  name: 'credithub_consumer_lag_seconds',
  help: 'Seconds since an event consumer last had nothing waiting from a source (grows while the source is unreachable or the consumer is behind)',
  labelNames: ['consumer', 'source'],
  collect() {
    this.reset();
    for (const entry of consumerLag.values()) this.set({ consumer: entry.consumer, source: entry.source }, (Date.now() - entry.caughtUpAt) / 1000);
  },
});
new client.Gauge({
  name: 'credithub_consumer_lag_events',
  help: 'Events that were waiting from a source at the consumer\'s last read (0 once caught up; a full batch means at least that many)',
  labelNames: ['consumer', 'source'],
  collect() {
    this.reset();
    for (const entry of consumerLag.values()) this.set({ consumer: entry.consumer, source: entry.source }, entry.waiting);
  },
});

/** The connection pools to report on, by subgraph. */
const pools = new Map<string, Knex>();

export function watchPool(subgraph: string, db: Knex): void {
  pools.set(subgraph, db);
}

export function forgetPool(subgraph: string): void {
  pools.delete(subgraph);
}

new client.Gauge({
  name: 'credithub_db_pool_connections',
  help: 'Database connections of a subgraph\'s pool: used, free, and acquisitions waiting for one (pending)',
  labelNames: ['subgraph', 'state'],
  collect() {
    this.reset();
    for (const [subgraph, db] of pools) {
      const pool = (db.client as any).pool;
      if (!pool) continue;
      this.set({ subgraph, state: 'used' }, pool.numUsed());
      this.set({ subgraph, state: 'free' }, pool.numFree());
      this.set({ subgraph, state: 'pending' }, pool.numPendingAcquires());
    }
  },
});

/**
 * The label of a request: its operation type and first root field (`query subject`,
 * `mutation tax`), which the schema bounds. Never the client's operation name: anyone may send
 * any name, so names would let the public fill the label set (and could carry personal data).
 */
export function operationLabel(operation: OperationDefinitionNode | undefined | null): string {
  if (!operation) return 'unresolved';
  const first = operation.selectionSet.selections[0];
  const field = first?.kind === Kind.FIELD ? first.name.value : 'fragment';
  return `${operation.operation} ${field.startsWith('__') ? 'introspection' : field}`;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GET /metrics, in the Prometheus text format, for the monitoring system only. */
export function metricsRoute(): Route {
  return async (req, res) => {
    const token = configuration().METRICS_TOKEN;
    const allowed = token ? tokenMatches(req.headers.authorization, token) : isLoopback(req.socket.remoteAddress);
    if (!allowed) {
      res.statusCode = token ? 401 : 403;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      const message = token
        ? 'Metrics are for the monitoring system: send Authorization: Bearer <METRICS_TOKEN>'
        : 'Metrics are served to loopback callers only: set METRICS_TOKEN to scrape them from elsewhere';
      res.end(JSON.stringify({ errors: [{ message, extensions: { code: token ? 'UNAUTHENTICATED' : 'FORBIDDEN' } }] }));
      return;
    }
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  };
}

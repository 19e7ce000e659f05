/**
 * A resumable, idempotent consumer of the departments' change events.
 *
 * Guarantees (the README's "Guarantees of the event path"):
 * - Events are read by delivery position (given by each department's relay, events/relay.ts),
 *   never by `seq`: nothing here waits on a hole or assumes commit order of seq.
 * - Per source, events are applied in position order, so per entry in the order the entry
 *   changed. A batch's effects, the ids of the events it applied and the consumer's new
 *   position commit in one transaction: a crash between steps loses nothing.
 * - Idempotent by event id: an event whose id is already recorded as applied (a replay, a
 *   duplicate publish, a replica that applied it first) is skipped inside that transaction.
 * - Several replicas may run the same consumer: the position is advanced with a
 *   compare-and-set, so a batch applied by two replicas at once commits once.
 * - Transactions aborted by deadlocks or cluster certification are retried (kit/transactions.ts).
 */
import type { Knex } from 'knex';
import { signInternalToken } from '../auth/internal-token.js';
import { systemPrincipal } from '../auth/principal.js';
import type { StoredChangeEvent } from '../outbox.js';
import { inTransaction } from '../transactions.js';
import { EVENTS_ROUTE } from './feed.js';
import { processedEventsTable } from './tables.js';
import { logger } from '../observability/log.js';
import { recordConsumerRead, watchConsumerSource } from '../observability/metrics.js';

export type EventHandler = (trx: Knex.Transaction, event: StoredChangeEvent) => Promise<void>;
/** Applies a whole batch at once, for consumers that can do it in fewer statements. */
export type BatchHandler = (trx: Knex.Transaction, events: StoredChangeEvent[]) => Promise<void>;

/** Where a consumer reads a source's events from: the HTTP feed (embedded) or JetStream. */
export interface EventSource {
  /** Events of `source` after position `after`, in position order. */
  read(source: string, after: number, limit: number): Promise<StoredChangeEvent[]>;
  /** Told once the events up to `position` are committed as applied (JetStream acks). */
  applied?(source: string, position: number): Promise<void>;
}

export interface ConsumerOptions {
  db: Knex;
  /** Table holding this consumer's positions (source → last position, column `last_seq`). */
  offsetsTable: string;
  /** Prefix of this consumer's processed-events table (events/tables.ts). */
  prefix: string;
  /** The sources: subgraph name → its GraphQL URL (the feed is beside it). */
  sources: Record<string, string>;
  /** Default: each source's HTTP feed. */
  eventSource?: EventSource;
  /** The key of a source's position in the offsets table (JetStream positions are kept apart). */
  positionKey?: (source: string) => string;
  handle?: EventHandler;
  handleBatch?: BatchHandler;
  secret: Uint8Array;
  name: string;
  batchSize?: number;
}

/** Reads each department's /internal/events feed, with the identity the hub signs. */
export function httpEventSource(sources: Record<string, string>, name: string, secret: Uint8Array): EventSource {
  // The same identity every time: one token serves the reads of a while (it is valid 60 s),
  // rather than an HMAC signature per read of every source.
  let signed = { token: '', until: 0 };
  const token = async () => {
    if (Date.now() >= signed.until) {
      const fresh = await signInternalToken({ principal: systemPrincipal(name), purpose: null, requestId: `consumer:${name}` }, secret);
      signed = { token: fresh, until: Date.now() + CONSUMER_TOKEN_REUSE_MS };
    }
    return signed.token;
  };
  return {
    async read(source, after, limit) {
      const principal = await token();
      const url = new URL(EVENTS_ROUTE, sources[source]);
      url.searchParams.set('after', String(after));
      url.searchParams.set('limit', String(limit));
      const response = await fetch(url, { headers: { 'x-credithub-principal': principal }, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`event feed of ${source} answered HTTP ${response.status}`);
      return (await response.json()).events;
    },
  };
}

/** How long a consumer reuses its feed token: well within the token's 60 s. */
const CONSUMER_TOKEN_REUSE_MS = 20_000;

export class EventConsumer {
  private readonly source: EventSource;
  /** One child logger for the consumer's life, not one per batch. */
  private readonly log: ReturnType<typeof logger>;

  constructor(private readonly options: ConsumerOptions) {
    this.log = logger(`consumer:${options.name}`);
    this.source = options.eventSource ?? httpEventSource(options.sources, options.name, options.secret);
    // Lag is measured from now until a source is first read up to its end.
    for (const source of Object.keys(options.sources)) watchConsumerSource(options.name, source);
  }

  /** Applies what is waiting in every source; returns how many events were applied. */
  async pollOnce(): Promise<number> {
    let applied = 0;
    for (const source of Object.keys(this.options.sources)) applied += await this.pollSource(source);
    return applied;
  }

  private key(source: string): string {
    return this.options.positionKey?.(source) ?? source;
  }

  /** The position kept under `source` (a source's key), created at 0 the first time. */
  private async position(source: string): Promise<number> {
    const { db, offsetsTable } = this.options;
    const row = await db(offsetsTable).where({ source }).first();
    if (row) return Number(row.last_seq);
    await db(offsetsTable).insert({ source, last_seq: 0, updated_at: new Date().toISOString() }).onConflict('source').ignore();
    return 0;
  }

  private async pollSource(source: string): Promise<number> {
    const key = this.key(source);
    const after = await this.position(key);
    const batchSize = this.options.batchSize ?? 500;
    const read = await this.source.read(source, after, batchSize);
    const events = read.filter((event) => event.position > after);
    if (events.length === 0) {
      recordConsumerRead(this.options.name, source, 0, true);
      return 0;
    }
    const { db, offsetsTable, handle, handleBatch, prefix } = this.options;
    const processed = processedEventsTable(prefix);
    const last = events.at(-1)!.position;
    const applied = await inTransaction(db, async (trx) => {
      const moved = await trx(offsetsTable).where({ source: key, last_seq: after }).update({ last_seq: last, updated_at: new Date().toISOString() });
      // Another replica applied this batch first: nothing to do.
      if (moved !== 1) return -1;
      const seen = new Set<string>();
      const ids = events.map((event) => event.eventId);
      for (let start = 0; start < ids.length; start += 500) {
        for (const row of await trx(processed).whereIn('event_id', ids.slice(start, start + 500)).select('event_id')) seen.add(row.event_id);
      }
      // Applied before, or twice in this batch (a duplicate publish): once only.
      const fresh = events.filter((event) => !seen.has(event.eventId) && Boolean(seen.add(event.eventId)));
      if (fresh.length === 0) return 0;
      if (handleBatch) await handleBatch(trx, fresh);
      else for (const event of fresh) await handle!(trx, event);
      const at = new Date().toISOString();
      for (let start = 0; start < fresh.length; start += 500) {
        await trx(processed).insert(fresh.slice(start, start + 500).map((event) => ({ event_id: event.eventId, source, applied_at: at })));
      }
      return fresh.length;
    });
    if (applied < 0) return 0;
    await this.source.applied?.(source, last);
    // A short batch was everything there was: caught up. A full one may have more behind it.
    recordConsumerRead(this.options.name, source, events.length, read.length < batchSize);
    this.log.debug({ source, events: events.length, applied, position: last }, 'batch applied');
    // A batch of duplicates only moved the position: there may be more behind it.
    return applied === 0 ? this.pollSource(source) : applied;
  }
}

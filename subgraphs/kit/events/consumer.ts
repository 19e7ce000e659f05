/**
 * A resumable, idempotent consumer of other subgraphs' change events.
 *
 * Guarantees (documented in the README):
 * - Per source, events are applied in `seq` order; a batch's effects and the consumer's
 *   new position commit in one transaction, so a crash between steps loses nothing and
 *   applies nothing twice.
 * - Several replicas may run the same consumer: the position is advanced with a
 *   compare-and-set, so a batch applied by two replicas at once commits once.
 * - A gap in `seq` (a transaction that took a number but has not committed yet) stops
 *   the batch until it fills, or until it has stayed open for `gapWaitMs` (then it was
 *   rolled back and is skipped).
 */
import type { Knex } from 'knex';
import { signInternalToken } from '../auth/internal-token.js';
import { systemPrincipal } from '../auth/principal.js';
import type { StoredChangeEvent } from '../outbox.js';
import { EVENTS_ROUTE } from './feed.js';

export type EventHandler = (trx: Knex.Transaction, event: StoredChangeEvent) => Promise<void>;
/** Applies a whole batch at once, for consumers that can do it in fewer statements. */
export type BatchHandler = (trx: Knex.Transaction, events: StoredChangeEvent[]) => Promise<void>;

export interface ConsumerOptions {
  db: Knex;
  /** Table holding this consumer's positions (source → last seq). */
  offsetsTable: string;
  /** The sources: subgraph name → its GraphQL URL (the feed is beside it). */
  sources: Record<string, string>;
  handle?: EventHandler;
  handleBatch?: BatchHandler;
  secret: Uint8Array;
  name: string;
  batchSize?: number;
  gapWaitMs?: number;
}

export class EventConsumer {
  private readonly gapsSeen = new Map<string, { seq: number; since: number }>();

  constructor(private readonly options: ConsumerOptions) {}

  /** Applies what is waiting in every source; returns how many events were applied. */
  async pollOnce(): Promise<number> {
    let applied = 0;
    for (const source of Object.keys(this.options.sources)) applied += await this.pollSource(source);
    return applied;
  }

  private async position(source: string): Promise<number> {
    const { db, offsetsTable } = this.options;
    const row = await db(offsetsTable).where({ source }).first();
    if (row) return Number(row.last_seq);
    await db(offsetsTable).insert({ source, last_seq: 0, updated_at: new Date().toISOString() }).onConflict('source').ignore();
    return 0;
  }

  private async fetchEvents(source: string, after: number): Promise<StoredChangeEvent[]> {
    const token = await signInternalToken({ principal: systemPrincipal(this.options.name), purpose: null, requestId: `consumer:${this.options.name}` }, this.options.secret);
    const url = new URL(EVENTS_ROUTE, this.options.sources[source]);
    url.searchParams.set('after', String(after));
    url.searchParams.set('limit', String(this.options.batchSize ?? 500));
    const response = await fetch(url, { headers: { 'x-credithub-principal': token }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`event feed of ${source} answered HTTP ${response.status}`);
    return (await response.json()).events;
  }

  /** The events that can be applied now: contiguous from `after`, or past a gap that has stayed open too long. */
  private applicable(source: string, after: number, events: StoredChangeEvent[]): StoredChangeEvent[] {
    const ready: StoredChangeEvent[] = [];
    let expected = after + 1;
    for (const event of events) {
      if (event.seq !== expected) {
        const gap = this.gapsSeen.get(source);
        const waitMs = this.options.gapWaitMs ?? 5_000;
        if (!gap || gap.seq !== expected) {
          this.gapsSeen.set(source, { seq: expected, since: Date.now() });
          break;
        }
        if (Date.now() - gap.since < waitMs) break;
        this.gapsSeen.delete(source);
      }
      ready.push(event);
      expected = event.seq + 1;
    }
    return ready;
  }

  private async pollSource(source: string): Promise<number> {
    const after = await this.position(source);
    const events = this.applicable(source, after, await this.fetchEvents(source, after));
    if (events.length === 0) return 0;
    const { db, offsetsTable, handle, handleBatch } = this.options;
    const committed = await db.transaction(async (trx) => {
      if (handleBatch) await handleBatch(trx, events);
      else for (const event of events) await handle!(trx, event);
      const moved = await trx(offsetsTable)
        .where({ source, last_seq: after })
        .update({ last_seq: events.at(-1)!.seq, updated_at: new Date().toISOString() });
      if (moved !== 1) {
        // Another replica applied this batch first: undo ours.
        await trx.rollback(new ConsumerRaceLost());
      }
      return true;
    }).catch((error) => {
      if (error instanceof ConsumerRaceLost) return false;
      throw error;
    });
    return committed ? events.length : 0;
  }
}

class ConsumerRaceLost extends Error {}

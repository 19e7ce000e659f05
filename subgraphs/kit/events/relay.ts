/**
 * The outbox relay of one department: takes committed events that have no delivery
 * position yet and gives them one — the next numbers of the department's own counter — and,
 * with JetStream (NATS_URL), publishes them to the department's stream in that order.
 *
 * Why: `seq` is taken when a transaction inserts its event, not when it commits, so seq order
 * is not commit order and rolled-back transactions leave holes. Positions are given only to
 * committed events, by one relay transaction at a time (the relay's state row is locked and
 * compare-and-set), so a position is never committed after a higher one: a consumer that
 * resumes after its last position misses nothing, without waiting on any hole.
 *
 * Per-entry order: the events of one entry are positioned in the order of the entry's
 * version (each change of an entry waits for the previous one to commit), whatever their seq.
 * A batch takes, with each entry it touches, every not-yet-positioned event of that entry.
 *
 * Replicas: a lease (holder + until) makes one replica the relay of its department at a
 * time; another takes over when the lease runs out (a replica killed mid-work). Safety does
 * not depend on the lease or on clocks: the state row's compare-and-set does.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isMysql } from '../db.js';
import { outboxTable, toStoredEvent, type StoredChangeEvent } from '../outbox.js';
import { inTransaction } from '../transactions.js';
import { announceAfterCommit } from './notifier.js';
import { relayStateTable } from './tables.js';
import { configuration } from '../config/index.js';

/** Publishes events, in order, to a durable log (JetStream), de-duplicated there by event id. */
export interface OutboxPublisher {
  publish(events: StoredChangeEvent[]): Promise<void>;
}

export interface RelayOptions {
  db: Knex;
  /** The department (outbox prefix). */
  prefix: string;
  /** A JetStream publisher: events are published there before their positions commit. */
  publisher?: OutboxPublisher;
  /** This replica's name in the lease. */
  holder?: string;
  leaseMs?: number;
  batchSize?: number;
}

/** Woken when a department's outbox has new committed events (store.recordChanges). */
export const outboxTopic = (prefix: string) => `outbox.${prefix}`;
/** Woken when the relay has given a department's events their positions: consumers read then. */
export const relayedTopic = (prefix: string) => `relayed.${prefix}`;

/** The version an event of a purge carries: after every other change of its entry. */
export const PURGE_VERSION = 2_147_483_647;

export class OutboxRelay {
  readonly holder: string;

  constructor(private readonly options: RelayOptions) {
    this.holder = options.holder ?? `${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** Positions (and publishes) what is waiting; returns how many events it relayed. */
  async relayOnce(): Promise<number> {
    const { db, prefix } = this.options;
    const outbox = outboxTable(prefix);
    const state = relayStateTable(prefix);
    const leaseMs = this.options.leaseMs ?? configuration().RELAY_LEASE_MS;
    return inTransaction(db, async (trx) => {
      const stateQuery = trx(state).where({ id: 1 });
      const head = await (isMysql(trx) ? stateQuery.forUpdate() : stateQuery).first();
      const now = Date.now();
      if (head.holder && head.holder !== this.holder && head.lease_until && Date.parse(head.lease_until) > now) return 0;
      const first = await trx(outbox).whereNull('position').orderBy('seq').limit(this.options.batchSize ?? 500);
      if (first.length === 0) return 0;
      const seqs = new Set(first.map((row: any) => Number(row.seq)));
      const entryIds = [...new Set(first.map((row: any) => row.entry_id as string))];
      const more: any[] = [];
      for (let start = 0; start < entryIds.length; start += 500) {
        more.push(...(await trx(outbox).whereNull('position').whereIn('entry_id', entryIds.slice(start, start + 500))));
      }
      const rows = perEntryOrder([...first, ...more.filter((row) => !seqs.has(Number(row.seq)))]);
      const last = Number(head.last_position);
      const positions = rows.map((_row, index) => last + index + 1);
      // Published first: if the commit below fails, the next run publishes them again, and
      // JetStream keeps one copy of each (Nats-Msg-Id = event id).
      await this.options.publisher?.publish(rows.map((row, index) => ({ ...toStoredEvent(row), position: positions[index] })));
      for (let start = 0; start < rows.length; start += 200) {
        const chunk = rows.slice(start, start + 200);
        const cases = chunk.map(() => 'WHEN ? THEN ?').join(' ');
        const bindings = chunk.flatMap((row: any, index) => [Number(row.seq), positions[start + index]]);
        await trx(outbox)
          .whereIn('seq', chunk.map((row: any) => Number(row.seq)))
          .whereNull('position')
          .update({ position: trx.raw(`CASE seq ${cases} END`, bindings) });
      }
      const moved = await trx(state)
        .where({ id: 1, last_position: head.last_position })
        .update({ last_position: last + rows.length, holder: this.holder, lease_until: new Date(now + leaseMs).toISOString() });
      // Another relay moved first (its lease ran out under us): undo, and let the retry look again.
      if (moved !== 1) throw Object.assign(new Error('relay position moved meanwhile'), { code: 'ER_LOCK_DEADLOCK' });
      announceAfterCommit(trx, relayedTopic(prefix));
      return rows.length;
    });
  }
}

/**
 * Insertion order (`seqOf`), except that each entry's rows take the places its rows hold in
 * the order of `versionOf` (a later change of an entry never goes before an earlier one).
 * Rows of no entry keep their place.
 */
export function keepPerEntryOrder<T>(rows: T[], seqOf: (row: T) => number, entryOf: (row: T) => string | null, versionOf: (row: T) => number): T[] {
  const sorted = [...rows].sort((a, b) => seqOf(a) - seqOf(b));
  const slots = new Map<string, number[]>();
  sorted.forEach((row, index) => {
    const entry = entryOf(row);
    if (entry == null) return;
    const list = slots.get(entry) ?? [];
    list.push(index);
    slots.set(entry, list);
  });
  const result = [...sorted];
  for (const indexes of slots.values()) {
    if (indexes.length < 2) continue;
    const inOrder = indexes.map((i) => sorted[i]).sort((a, b) => versionOf(a) - versionOf(b) || seqOf(a) - seqOf(b));
    indexes.forEach((slot, k) => (result[slot] = inOrder[k]));
  }
  return result;
}

const perEntryOrder = (rows: any[]) =>
  keepPerEntryOrder(rows, (row) => Number(row.seq), (row) => row.entry_id, (row) => (row.entry_version == null ? 0 : Number(row.entry_version)));

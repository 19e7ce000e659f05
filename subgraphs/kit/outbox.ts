/**
 * The transactional outbox: every change of a list entry writes one event in the same
 * transaction as the change, so an event exists exactly when its change was committed.
 * `event_id` is its stable identity. `seq` is only the row's key: it may have holes (rolled
 * back transactions) and need not follow commit order (long transactions, multi-primary
 * clusters, per-node id ranges). The relay (events/relay.ts) gives committed events their
 * delivery `position`, which consumers read forward from.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Migration } from './db.js';

export interface ChangeEvent {
  type: string;
  entryId: string;
  creditCode: string;
  domain: string;
  listType: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export interface StoredChangeEvent extends ChangeEvent {
  seq: number;
  /** Delivery position: given by the relay in commit order per entry; what consumers resume from. */
  position: number;
  eventId: string;
}

export const outboxTable = (prefix: string) => `${prefix}_outbox`;

export function outboxMigration(prefix: string): Migration {
  const table = outboxTable(prefix);
  return {
    name: `${prefix}_000_outbox`,
    async up(db) {
      await db.schema.createTable(table, (t) => {
        t.bigIncrements('seq').primary();
        t.string('event_id', 36).notNullable().unique();
        t.string('event_type', 48).notNullable();
        t.string('entry_id', 36).notNullable();
        t.string('credit_code', 18).notNullable();
        t.string('domain', 24).notNullable();
        t.string('list_type', 16).notNullable();
        // JSON as text: one representation for both dialects (mysql2 would parse a JSON column).
        t.text('payload').notNullable();
        t.string('occurred_at', 24).notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTable(table);
    },
  };
}

export function toOutboxRow(event: ChangeEvent, eventId: string = randomUUID()) {
  return {
    event_id: eventId,
    event_type: event.type,
    entry_id: event.entryId,
    credit_code: event.creditCode,
    domain: event.domain,
    list_type: event.listType,
    payload: JSON.stringify(event.payload),
    occurred_at: event.occurredAt,
  };
}

/** Relayed events after position `after`, in position order. */
export async function readOutbox(db: Knex, prefix: string, after: number, limit: number): Promise<StoredChangeEvent[]> {
  const rows = await db(outboxTable(prefix)).where('position', '>', after).orderBy('position').limit(limit);
  return rows.map(toStoredEvent);
}

export function toStoredEvent(row: any): StoredChangeEvent {
  return {
    seq: Number(row.seq),
    position: row.position == null ? 0 : Number(row.position),
    eventId: row.event_id,
    type: row.event_type,
    entryId: row.entry_id,
    creditCode: row.credit_code,
    domain: row.domain,
    listType: row.list_type,
    occurredAt: row.occurred_at,
    payload: JSON.parse(row.payload),
  };
}

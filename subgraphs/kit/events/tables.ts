/**
 * Tables of the event path, beside the outbox (kit/outbox.ts):
 * - on each department: the outbox's delivery `position` (given by the relay, not by the
 *   insert), the entry's version the event left it at (per-entry order), and the relay's
 *   one-row state (last position given, which replica holds the lease and until when);
 * - on every consumer: the events it has applied, by event id, so a replay or a duplicate
 *   publish applies nothing twice.
 */
import type { Migration } from '../db.js';
import { outboxTable } from '../outbox.js';

export const relayStateTable = (prefix: string) => `${prefix}_outbox_relay`;
export const processedEventsTable = (prefix: string) => `${prefix}_processed_events`;

/** The relay's columns and state; rows already in the outbox keep their `seq` as position. */
export function outboxRelayMigration(prefix: string, name: string): Migration {
  const outbox = outboxTable(prefix);
  return {
    name,
    async up(db) {
      await db.schema.alterTable(outbox, (t) => {
        t.bigInteger('position').nullable();
        t.integer('entry_version').nullable();
        t.unique(['position'], { indexName: `${outbox}_by_position` });
      });
      await db(outbox).update({ position: db.ref('seq') });
      const [{ last }] = await db(outbox).max({ last: 'seq' });
      await db.schema.createTable(relayStateTable(prefix), (t) => {
        t.integer('id').primary();
        t.bigInteger('last_position').notNullable();
        t.string('holder', 100).nullable();
        t.string('lease_until', 24).nullable();
      });
      await db(relayStateTable(prefix)).insert({ id: 1, last_position: Number(last ?? 0), holder: null, lease_until: null });
    },
    async down(db) {
      await db.schema.dropTable(relayStateTable(prefix));
      await db.schema.alterTable(outbox, (t) => {
        t.dropUnique(['position'], `${outbox}_by_position`);
        t.dropColumn('position');
        t.dropColumn('entry_version');
      });
    },
  };
}

export function processedEventsMigration(prefix: string, name: string): Migration {
  return {
    name,
    async up(db) {
      await db.schema.createTable(processedEventsTable(prefix), (t) => {
        t.string('event_id', 36).primary();
        t.string('source', 32).notNullable();
        t.string('applied_at', 24).notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTable(processedEventsTable(prefix));
    },
  };
}

/**
 * The stored side of the register's keying (access-register-integrity.ts): a chain's head row
 * as its state, the head columns with their MAC, and the migration that keys the register.
 */
import type { Migration } from '../kit/db.js';
import { accessRegisterKey } from '../kit/auth/secrets.js';
import { accessRegisterHeadTable, accessRegisterTable } from './access-register-tables.js';
import { headMac, type ChainState } from './access-register-integrity.js';

export const accessRegisterCheckpointsTable = 'platform_access_register_checkpoints';

export function headStateOf(row: any): ChainState {
  return { chain: Number(row.id), records: Number(row.record_count), lastHash: row.last_hash, keyedFrom: Number(row.keyed_from) };
}

/** The columns of a head at `state`, its MAC included. */
export const headColumns = (key: Uint8Array, state: ChainState) => ({
  record_count: state.records, last_hash: state.lastHash, keyed_from: state.keyedFrom, mac: headMac(key, state),
});

/**
 * Keys the register: a MAC column on records and heads, each head's keyed start (records
 * written before stay unkeyed: they are covered by the first checkpoint, which signs where
 * each chain's keyed records start), the heads' MACs, and the checkpoints' table.
 */
export const accessRegisterKeysMigration: Migration = {
  name: 'platform_014_access_register_keys',
  async up(db) {
    await db.schema.alterTable(accessRegisterTable, (t) => {
      t.string('mac', 64).nullable();
      // Each record's random salt (access-register-integrity.ts): records written before have none.
      t.string('salt', 32).nullable();
    });
    await db.schema.alterTable(accessRegisterHeadTable, (t) => {
      t.bigInteger('keyed_from').notNullable().defaultTo(1);
      t.string('mac', 64).nullable();
    });
    const key = accessRegisterKey();
    for (const row of await db(accessRegisterHeadTable)) {
      const state = { ...headStateOf(row), keyedFrom: Number(row.record_count) + 1 };
      await db(accessRegisterHeadTable).where({ id: row.id }).update(headColumns(key, state));
    }
    await db.schema.createTable(accessRegisterCheckpointsTable, (t) => {
      t.increments('id').primary();
      t.string('signed_at', 24).notNullable();
      t.bigInteger('records').notNullable();
      t.text('checkpoint').notNullable();
    });
  },
  async down(db) {
    await db.schema.dropTable(accessRegisterCheckpointsTable);
    await db.schema.alterTable(accessRegisterHeadTable, (t) => {
      t.dropColumn('mac');
      t.dropColumn('keyed_from');
    });
    await db.schema.alterTable(accessRegisterTable, (t) => {
      t.dropColumn('salt');
      t.dropColumn('mac');
    });
  },
};

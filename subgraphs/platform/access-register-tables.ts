/** The access register's tables and their first migration (the chains and keys add theirs: access-register-chains.ts, -keys.ts). */
import type { Migration } from '../kit/db.js';
import { RECORDED_LENGTHS } from '../kit/auth/principal.js';
import { GENESIS_HASH } from './access-register-integrity.js';

export const accessRegisterTable = 'platform_access_register';
export const accessRegisterHeadTable = 'platform_access_register_head';
export { GENESIS_HASH };

/** Lengths of the register's VARCHAR columns that a filter names (the migration below; the platform's input limits). */
export const ACCESS_REGISTER_COLUMNS = { principalId: RECORDED_LENGTHS.who } as const;

/** The register and the head of its chain. */
export const accessRegisterMigration: Migration = {
  name: 'platform_002_access_register',
  async up(db) {
    // 个人信息查询使用登记 (1798 (24)): append-only, each record chained to the previous by a hash.
    await db.schema.createTable(accessRegisterTable, (t) => {
      t.bigIncrements('seq').primary();
      t.string('recorded_at', 24).notNullable();
      t.string('request_id', 36).notNullable();
      t.string('principal_id', ACCESS_REGISTER_COLUMNS.principalId).notNullable();
      t.string('role', 16).notNullable();
      t.string('organisation', RECORDED_LENGTHS.agency).nullable();
      t.string('subject_code', 18).notNullable();
      t.string('subject_type', 16).notNullable();
      t.text('fields').notNullable();
      t.string('purpose', RECORDED_LENGTHS.purpose).notNullable();
      t.string('reference', RECORDED_LENGTHS.reference).notNullable();
      t.string('prev_hash', 64).notNullable();
      t.string('hash', 64).notNullable();
      t.index(['subject_code', 'seq'], 'platform_access_register_by_subject');
      t.index(['principal_id', 'seq'], 'platform_access_register_by_principal');
    });
    // The head of the chain: one row, locked while a record is appended, so replicas
    // writing at the same time still build one unbroken chain.
    await db.schema.createTable(accessRegisterHeadTable, (t) => {
      t.integer('id').primary();
      t.bigInteger('record_count').notNullable();
      t.string('last_hash', 64).notNullable();
    });
    await db(accessRegisterHeadTable).insert({ id: 1, record_count: 0, last_hash: GENESIS_HASH });
  },
  async down(db) {
    await db.schema.dropTable(accessRegisterHeadTable);
    await db.schema.dropTable(accessRegisterTable);
  },
};

/** The tables of the list engine, created under each department's prefix. */
import type { Migration } from '../db.js';

export const entriesTable = (prefix: string) => `${prefix}_entries`;
export const historyTable = (prefix: string) => `${prefix}_entry_history`;

export function listTablesMigration(prefix: string): Migration {
  const entries = entriesTable(prefix);
  const history = historyTable(prefix);
  return {
    name: `${prefix}_001_list_entries`,
    async up(db) {
      // One row per list record, with every item 1798 (9) requires.
      await db.schema.createTable(entries, (t) => {
        t.string('id', 36).primary();
        t.string('list_kind', 48).notNullable();
        t.string('list_type', 16).notNullable();
        t.string('credit_code', 18).notNullable();
        t.string('subject_name', 200).notNullable();
        t.string('subject_type', 16).notNullable();
        t.string('region_code', 6).notNullable();
        t.string('lei', 20).nullable();
        t.string('legal_rep_name', 100).nullable();
        t.string('legal_rep_id_type', 32).nullable();
        t.string('legal_rep_id_number', 40).nullable();
        t.text('facts').notNullable();
        t.string('recognising_authority', 200).notNullable();
        t.string('legal_basis', 500).notNullable();
        t.string('recognised_on', 10).notNullable();
        t.string('valid_from', 10).notNullable();
        t.string('valid_until', 10).notNullable();
        t.string('status', 16).notNullable();
        t.boolean('published').notNullable();
        t.string('publicity_until', 10).nullable();
        t.boolean('repairable').notNullable();
        t.text('repair_method').nullable();
        t.string('rectification_deadline', 10).nullable();
        t.string('exit_way', 32).nullable();
        t.string('exited_on', 10).nullable();
        t.text('exit_reason').nullable();
        t.string('shared_at', 24).nullable();
        t.string('created_at', 24).notNullable();
        t.string('updated_at', 24).notNullable();
        t.integer('version').notNullable().defaultTo(1);
        t.index(['credit_code'], `${entries}_by_subject`);
        // Keyset pagination walks (recognised_on, id) within the usual filters.
        t.index(['list_type', 'status', 'recognised_on', 'id'], `${entries}_by_type_status`);
        t.index(['recognised_on', 'id'], `${entries}_by_recognised`);
        t.index(['region_code', 'recognised_on'], `${entries}_by_region`);
      });
      // Every transition of an entry: who, when, from, to, why, evidence.
      await db.schema.createTable(history, (t) => {
        t.bigIncrements('id').primary();
        t.string('entry_id', 36).notNullable();
        t.string('at', 24).notNullable();
        t.string('actor', 200).notNullable();
        t.string('action', 48).notNullable();
        t.string('from_status', 16).nullable();
        t.string('to_status', 16).notNullable();
        t.text('reason').nullable();
        t.string('evidence_ref', 200).nullable();
        t.index(['entry_id', 'id'], `${history}_by_entry`);
      });
    },
    async down(db) {
      await db.schema.dropTable(history);
      await db.schema.dropTable(entries);
    },
  };
}

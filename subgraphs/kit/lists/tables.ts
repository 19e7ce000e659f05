/** The tables of the list engine, created under each department's prefix. */
import type { Migration } from '../db.js';
import { COLUMN_LIMITS } from './limits.js';
import { referenceKey } from './references.js';
import { RECORDED_LENGTHS } from '../auth/principal.js';

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
        t.string('subject_name', COLUMN_LIMITS.subjectName).notNullable();
        t.string('subject_type', 16).notNullable();
        t.string('region_code', 6).notNullable();
        t.string('lei', COLUMN_LIMITS.lei).nullable();
        t.string('legal_rep_name', COLUMN_LIMITS.legalRepresentativeName).nullable();
        t.string('legal_rep_id_type', 32).nullable();
        t.string('legal_rep_id_number', COLUMN_LIMITS.legalRepresentativeIdNumber).nullable();
        t.text('facts').notNullable();
        t.string('recognising_authority', 200).notNullable();
        t.string('legal_basis', COLUMN_LIMITS.legalBasis).notNullable();
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
        t.string('actor', RECORDED_LENGTHS.who).notNullable();
        t.string('action', 48).notNullable();
        t.string('from_status', 16).nullable();
        t.string('to_status', 16).notNullable();
        t.text('reason').nullable();
        t.string('evidence_ref', COLUMN_LIMITS.evidenceRef).nullable();
        t.index(['entry_id', 'id'], `${history}_by_entry`);
      });
    },
    async down(db) {
      await db.schema.dropTable(history);
      await db.schema.dropTable(entries);
    },
  };
}

export const foreignListingsTable = (prefix: string) => `${prefix}_foreign_listings`;
export const consumerOffsetsTable = (prefix: string) => `${prefix}_consumer_offsets`;

/** The lifecycle's columns and tables: notification, linked entries, what other departments list, consumer positions. */
export function lifecycleMigration(prefix: string): Migration {
  const entries = entriesTable(prefix);
  return {
    name: `${prefix}_002_lifecycle`,
    async up(db) {
      await db.schema.alterTable(entries, (t) => {
        t.string('notified_on', 10).nullable();
        t.string('notification_method', COLUMN_LIMITS.notificationMethod).nullable();
        t.string('follows_entry_id', 36).nullable();
        // The expiry scheduler walks active entries by validity.
        t.index(['status', 'valid_until'], `${entries}_by_validity`);
      });
      // What every department (this one included) has listed, as its change events told:
      // enough to apply the cross-department rules without reading anyone's tables.
      await db.schema.createTable(foreignListingsTable(prefix), (t) => {
        t.string('entry_id', 36).primary();
        t.string('domain', 24).notNullable();
        t.string('credit_code', 18).notNullable();
        t.string('list_type', 16).notNullable();
        t.string('status', 16).notNullable();
        t.index(['credit_code'], `${foreignListingsTable(prefix)}_by_subject`);
      });
      // How far this subgraph has consumed each source's events.
      await db.schema.createTable(consumerOffsetsTable(prefix), (t) => {
        t.string('source', 32).primary();
        t.bigInteger('last_seq').notNullable();
        t.string('updated_at', 24).notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTable(consumerOffsetsTable(prefix));
      await db.schema.dropTable(foreignListingsTable(prefix));
      await db.schema.alterTable(entries, (t) => {
        t.dropIndex(['status', 'valid_until'], `${entries}_by_validity`);
        t.dropColumn('notified_on');
        t.dropColumn('notification_method');
        t.dropColumn('follows_entry_id');
      });
    },
  };
}

export const objectionsTable = (prefix: string) => `${prefix}_objections`;
export const repairStepsTable = (prefix: string) => `${prefix}_repair_steps`;
export const exitApplicationsTable = (prefix: string) => `${prefix}_exit_applications`;
export const subjectFileTable = (prefix: string) => `${prefix}_subject_file`;

/** Objections and appeals (1798 (21)–(23)), credit repair (893 §2, §3, §9–§13) and the subject's file. */
export function objectionsAndRepairMigration(prefix: string): Migration {
  return {
    name: `${prefix}_003_objections_and_repair`,
    async up(db) {
      await db.schema.createTable(objectionsTable(prefix), (t) => {
        t.string('id', 36).primary();
        t.string('entry_id', 36).notNullable();
        t.string('credit_code', 18).notNullable();
        t.string('kind', 24).notNullable();
        t.string('filed_by', RECORDED_LENGTHS.who).notNullable();
        t.text('grounds').notNullable();
        t.text('evidence_refs').notNullable();
        t.string('status', 16).notNullable();
        t.string('filed_at', 24).notNullable();
        t.string('accepted_at', 24).nullable();
        t.string('decided_at', 24).nullable();
        t.text('decision').nullable();
        t.index(['entry_id'], `${objectionsTable(prefix)}_by_entry`);
      });
      await db.schema.createTable(repairStepsTable(prefix), (t) => {
        t.string('id', 36).primary();
        t.string('entry_id', 36).notNullable();
        t.string('kind', 24).notNullable();
        t.text('details').notNullable();
        t.decimal('class_hours', 5, 1).nullable();
        t.string('issuer', COLUMN_LIMITS.issuer).nullable();
        t.string('reference', COLUMN_LIMITS.evidenceRef).nullable();
        t.string('recorded_at', 24).notNullable();
        t.string('recorded_by', RECORDED_LENGTHS.who).notNullable();
        t.index(['entry_id'], `${repairStepsTable(prefix)}_by_entry`);
      });
      await db.schema.createTable(exitApplicationsTable(prefix), (t) => {
        t.string('id', 36).primary();
        t.string('entry_id', 36).notNullable();
        t.string('status', 16).notNullable();
        t.string('reference', COLUMN_LIMITS.evidenceRef).nullable();
        t.string('applied_at', 24).notNullable();
        t.string('decided_at', 24).nullable();
        t.text('decision').nullable();
        t.index(['entry_id'], `${exitApplicationsTable(prefix)}_by_entry`);
      });
      // The subject's file (信用档案): interviews, corrections, apologies, claw-backs.
      await db.schema.createTable(subjectFileTable(prefix), (t) => {
        t.bigIncrements('id').primary();
        t.string('credit_code', 18).notNullable();
        t.string('entry_id', 36).nullable();
        t.string('kind', 32).notNullable();
        t.text('details').notNullable();
        t.boolean('refused').notNullable().defaultTo(false);
        t.string('recorded_at', 24).notNullable();
        t.string('recorded_by', RECORDED_LENGTHS.who).notNullable();
        t.index(['credit_code', 'id'], `${subjectFileTable(prefix)}_by_subject`);
      });
    },
    async down(db) {
      for (const table of [subjectFileTable, exitApplicationsTable, repairStepsTable, objectionsTable]) await db.schema.dropTable(table(prefix));
    },
  };
}

/** Finding an organisation's entries by its legal representative (893 §8). */
export function legalRepresentativeIndexMigration(prefix: string): Migration {
  const entries = entriesTable(prefix);
  return {
    name: `${prefix}_004_legal_representative_index`,
    async up(db) {
      await db.schema.alterTable(entries, (t) => t.index(['legal_rep_id_number'], `${entries}_by_legal_rep`));
    },
    async down(db) {
      await db.schema.alterTable(entries, (t) => t.dropIndex(['legal_rep_id_number'], `${entries}_by_legal_rep`));
    },
  };
}

/**
 * The department's own decision numbers (决定文书号 / 案号): the key of an idempotent retry. An
 * entry carries its recognition's reference, a history row its confirmation's or exit's; each
 * unique within the department (NULLs do not collide), so two replicas writing the same
 * decision at once end with one record. The digest is the canonical content it was written with.
 */
export function externalReferenceMigration(prefix: string): Migration {
  const entries = entriesTable(prefix);
  const history = historyTable(prefix);
  return {
    name: `${prefix}_009_external_references`,
    async up(db) {
      for (const table of [entries, history]) {
        await db.schema.alterTable(table, (t) => {
          t.string('external_reference', COLUMN_LIMITS.externalReference).nullable();
          t.string('external_digest', 64).nullable();
          t.unique(['external_reference'], { indexName: `${table}_by_external_reference` });
        });
      }
    },
    async down(db) {
      for (const table of [history, entries]) {
        await db.schema.alterTable(table, (t) => {
          t.dropUnique(['external_reference'], `${table}_by_external_reference`);
          t.dropColumn('external_digest');
          t.dropColumn('external_reference');
        });
      }
    },
  };
}

/**
 * Decision numbers stored before they were normalised (`referenceKey`: NFKC, trimmed, spaces
 * collapsed, upper-cased) rewritten to their key, so that a retry in any rendering finds them.
 * Two numbers that now have one key were two decisions: the later row keeps its number as it
 * was (the unique index allows no other), and a retry of it is told CONFLICT as before.
 */
export function normalisedReferencesMigration(prefix: string): Migration {
  return {
    name: `${prefix}_010_normalised_references`,
    async up(db) {
      for (const table of [entriesTable(prefix), historyTable(prefix)]) {
        let after: string | number | null = null;
        for (;;) {
          const query = db(table).whereNotNull('external_reference').orderBy('id').limit(1000).select('id', 'external_reference');
          if (after !== null) query.where('id', '>', after);
          const rows: { id: string | number; external_reference: string }[] = await query;
          if (rows.length === 0) break;
          after = rows.at(-1)!.id;
          const changed = rows.filter((row) => referenceKey(row.external_reference) !== row.external_reference);
          for (const row of changed) {
            const key = referenceKey(row.external_reference);
            if (await db(table).where({ external_reference: key }).first()) continue;
            await db(table).where({ id: row.id }).update({ external_reference: key });
          }
        }
      }
    },
    // The numbers' earlier renderings are not kept: nothing to undo.
    async down() {},
  };
}

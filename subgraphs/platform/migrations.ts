/** The platform's tables. */
import type { Migration } from '../kit/db.js';

export const subjectsTable = 'platform_subjects';

export const migrations: Migration[] = [
  {
    name: 'platform_001_subject_registry',
    async up(db) {
      // The subject registry (主体名录): who a credit code belongs to.
      await db.schema.createTable(subjectsTable, (t) => {
        t.string('credit_code', 18).primary();
        t.string('subject_type', 16).notNullable();
        t.string('name', 200).notNullable();
        t.string('region_code', 6).notNullable();
        t.string('industry_code', 8).nullable();
        t.string('industry_name', 100).nullable();
        t.string('legal_rep_name', 100).nullable();
        t.string('legal_rep_id_type', 32).nullable();
        t.string('legal_rep_id_number', 40).nullable();
        t.string('registered_at', 24).notNullable();
        t.string('updated_at', 24).notNullable();
        t.index(['region_code'], 'platform_subjects_by_region');
        t.index(['legal_rep_id_number'], 'platform_subjects_by_legal_rep');
      });
    },
    async down(db) {
      await db.schema.dropTable(subjectsTable);
    },
  },
];

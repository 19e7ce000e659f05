/** Data access of the subject registry. */
import type { Knex } from 'knex';
import { insertInChunks } from '../kit/db.js';
import { tableRef, type Migration } from '../kit/db.js';
import type { LegalRepresentative } from '../kit/lists/store.js';

/** The subject registry's table: this module's; others read it through `subjects`. */
export const subjectsTable = 'platform_subjects';
export const subjects = tableRef(subjectsTable);

/** The subject registry. */
export const subjectRegistryMigration: Migration = {
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
};

export interface RegisteredSubject {
  creditCode: string;
  subjectType: 'ORGANISATION' | 'NATURAL_PERSON';
  name: string;
  regionCode: string;
  industry: { code: string; name: string } | null;
  legalRepresentative: LegalRepresentative | null;
  registeredAt: string;
  updatedAt: string;
}

export class SubjectRegistry {
  constructor(readonly db: Knex) {}

  /** The registered subjects among `codes`, in their order (null where unknown), in one statement. */
  async findMany(codes: readonly string[]): Promise<(RegisteredSubject | null)[]> {
    const rows = await this.db(subjectsTable).whereIn('credit_code', codes as string[]);
    const byCode = new Map(rows.map((row: any) => [row.credit_code, fromRow(row)]));
    return codes.map((code) => byCode.get(code) ?? null);
  }

  async insertMany(subjects: RegisteredSubject[], trx?: Knex.Transaction): Promise<void> {
    await insertInChunks(trx ?? this.db, subjectsTable, subjects.map(toRow));
  }
}

function fromRow(row: any): RegisteredSubject {
  return {
    creditCode: row.credit_code,
    subjectType: row.subject_type,
    name: row.name,
    regionCode: row.region_code,
    industry: row.industry_code ? { code: row.industry_code, name: row.industry_name } : null,
    legalRepresentative:
      row.legal_rep_name || row.legal_rep_id_number
        ? {
            name: row.legal_rep_name,
            idDocumentType: row.legal_rep_id_type,
            idDocumentNumber: row.legal_rep_id_number,
            // Whose personal data this is, for masking and the access register: the representative's own.
            // The registry is no published list: the name is personal data, as on an unpublished entry.
            owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: false, person: row.legal_rep_id_number },
          }
        : null,
    registeredAt: row.registered_at,
    updatedAt: row.updated_at,
  };
}

function toRow(subject: RegisteredSubject) {
  return {
    credit_code: subject.creditCode,
    subject_type: subject.subjectType,
    name: subject.name,
    region_code: subject.regionCode,
    industry_code: subject.industry?.code ?? null,
    industry_name: subject.industry?.name ?? null,
    legal_rep_name: subject.legalRepresentative?.name ?? null,
    legal_rep_id_type: subject.legalRepresentative?.idDocumentType ?? null,
    legal_rep_id_number: subject.legalRepresentative?.idDocumentNumber ?? null,
    registered_at: subject.registeredAt,
    updated_at: subject.updatedAt,
  };
}

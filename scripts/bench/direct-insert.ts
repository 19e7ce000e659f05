/**
 * The lower bound of an import: the same rows written straight into a department's tables
 * by its store (entries, first history record, outbox event; chunks of 1,000 per
 * transaction), with no HTTP, GraphQL, checks or idempotency look-ups.
 */
import { randomUUID } from 'node:crypto';
import { checkSubjectCode } from '../../subgraphs/kit/codes.js';
import { toIsoInstant } from '../../subgraphs/kit/dates.js';
import { listDefinition, type DepartmentConfig } from '../../subgraphs/kit/lists/department.js';
import { ListStore, type ListEntry } from '../../subgraphs/kit/lists/store.js';
import { isMysql, type Database } from '../../subgraphs/kit/db.js';
import { entriesTable } from '../../subgraphs/kit/lists/tables.js';
import { random } from '../demo-data.js';
import { sampleRow } from '../import/sample-file.js';

/** The entry a sample row becomes (what recognition would store, without its checks). */
function entryOf(department: DepartmentConfig, row: Record<string, string>): ListEntry {
  const list = listDefinition(department, row.listKind)!;
  const code = checkSubjectCode(row.creditCode);
  const now = toIsoInstant(new Date());
  return {
    id: randomUUID(), domain: department.domain, listKind: list.kind, listType: list.type, listName: list.title,
    creditCode: row.creditCode, subjectName: row.subjectName, subjectType: code.valid ? code.kind : 'ORGANISATION',
    regionCode: code.valid ? code.regionCode : '000000', lei: null,
    legalRepresentative: row.legalRepresentativeName
      ? { name: row.legalRepresentativeName, idDocumentType: row.legalRepresentativeIdType, idDocumentNumber: row.legalRepresentativeIdNumber }
      : null,
    facts: row.facts, recognisingAuthority: department.authority, legalBasis: list.legalBasis,
    recognisedOn: row.recognisedOn, validFrom: row.recognisedOn, validUntil: row.validUntil, status: 'PRELIMINARY', published: list.publishedByDefault,
    publicityUntil: null, repair: { repairable: true, method: row.repairMethod, rectificationDeadline: null }, exit: null, sharedAt: null,
    notification: row.notifiedOn ? { notifiedOn: row.notifiedOn, method: row.notificationMethod } : null, followsEntryId: null,
    externalReference: row.externalReference, externalDigest: null, createdAt: now, updatedAt: now,
  };
}

/** Inserts `count` sample rows; returns the seconds it took. */
export async function directInsert(db: Database, department: DepartmentConfig, count: number, referencePrefix: string, seed = 18): Promise<number> {
  const store = new ListStore(db, department);
  const rng = random(seed);
  const started = performance.now();
  for (let done = 0; done < count; done += 1000) {
    const entries = Array.from({ length: Math.min(1000, count - done) }, (_, i) => entryOf(department, sampleRow(rng, done + i, referencePrefix)));
    await store.insertEntries(entries, 'bench:direct-insert');
  }
  return (performance.now() - started) / 1000;
}

/**
 * Brings a department's entries table to `total` rows for an export measurement, fast: the
 * entries already there (written by `directInsert`) copied with `INSERT … SELECT` under new
 * ids, doubling until enough. Only the entries table — an export reads nothing else — and
 * no decision numbers on the copies (they are unique). Returns the seconds it took.
 */
export async function copyEntriesUpTo(db: Database, department: DepartmentConfig, total: number): Promise<number> {
  const started = performance.now();
  const table = entriesTable(department.name);
  const columns = Object.keys(await db(table).columnInfo()).filter((column) => column !== 'id' && column !== 'external_reference' && column !== 'external_digest');
  const newId = isMysql(db) ? 'uuid()' : 'lower(hex(randomblob(16)))';
  for (;;) {
    const [{ count }] = await db(table).count({ count: '*' });
    const missing = total - Number(count);
    if (missing <= 0) break;
    const list = columns.map((column) => db.raw('??', [column]).toQuery()).join(', ');
    await db.raw(`INSERT INTO ?? (id, ${list}) SELECT ${newId}, ${list} FROM ?? LIMIT ${Math.min(missing, Number(count))}`, [table, table]);
  }
  return (performance.now() - started) / 1000;
}

/**
 * The access register (个人信息查询使用登记, 1798 (24)(25)): every read of unmasked personal
 * data — who, for which organisation, which subject and fields, why, for which matter,
 * when, in which request. Append-only; each record carries the SHA-256 of its content and
 * of the previous record's hash in its chain, so changing or deleting any record breaks the
 * chain (several chains, access-register-chains.ts, so concurrent appends meet rarely).
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { insertInChunks, isMysql } from '../kit/db.js';
import type { Principal, Purpose } from '../kit/auth/principal.js';
import type { Clock } from '../kit/dates.js';
import { decodeCursor, encodeCursor } from '../kit/cursor.js';
import { checkSubjectCode } from '../kit/codes.js';
import { accessRegisterHeadTable, accessRegisterTable, GENESIS_HASH } from './migrations.js';
import { inTransaction } from '../kit/transactions.js';
import { configuration } from '../kit/config/index.js';

export interface AccessRecord {
  seq: number;
  recordedAt: string;
  requestId: string;
  principalId: string;
  role: string;
  organisation: string | null;
  subjectCode: string;
  subjectType: string;
  fields: string[];
  purpose: string;
  reference: string;
  prevHash: string;
  hash: string;
  /** Whose personal data the subject code is, for masking. */
  owner: { creditCode: string; subjectType: string; published: boolean };
}

export interface AccessRecordFilter {
  subjectCode?: string | null;
  principalId?: string | null;
  from?: string | null;
  to?: string | null;
}

type HashedContent = Omit<AccessRecord, 'seq' | 'hash' | 'owner'>;

/** The hash of a record: over its content in a fixed field order and the previous hash. */
export function recordHash(record: HashedContent): string {
  const canonical = JSON.stringify([
    record.prevHash, record.recordedAt, record.requestId, record.principalId, record.role, record.organisation,
    record.subjectCode, record.subjectType, record.fields, record.purpose, record.reference,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export class AccessRegister {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
  ) {}

  /** Appends one record per subject read in a request, in one transaction. */
  async append(principal: Principal, purpose: Purpose, requestId: string, reads: { creditCode: string; field: string; subjectType?: string }[]): Promise<number> {
    const fieldsBySubject = new Map<string, Set<string>>();
    const typeOf = new Map<string, string>();
    for (const read of reads) {
      if (!fieldsBySubject.has(read.creditCode)) fieldsBySubject.set(read.creditCode, new Set());
      fieldsBySubject.get(read.creditCode)!.add(read.field);
      if (read.subjectType === 'NATURAL_PERSON' || read.subjectType === 'ORGANISATION') typeOf.set(read.creditCode, read.subjectType);
    }
    const recordedAt = this.clock().toISOString();
    const chains = configuration().ACCESS_REGISTER_CHAINS;
    await inTransaction(this.db, async (trx) => {
      // One chain's head, picked at random (again on a retry): replicas rarely meet on one row.
      const chain = 1 + Math.floor(Math.random() * chains);
      const lockHead = () => {
        const query = trx(accessRegisterHeadTable).where({ id: chain });
        return (isMysql(this.db) ? query.forUpdate() : query).first();
      };
      let head = await lockHead();
      if (!head) {
        // A chain added since the migration (ACCESS_REGISTER_CHAINS raised): it starts now.
        await trx(accessRegisterHeadTable).insert({ id: chain, record_count: 0, last_hash: GENESIS_HASH }).onConflict('id').ignore();
        head = await lockHead();
      }
      let prevHash: string = head.last_hash;
      let index = Number(head.record_count);
      const rows = [...fieldsBySubject].map(([subjectCode, fields]) => {
        const check = checkSubjectCode(subjectCode);
        const content: HashedContent = {
          recordedAt, requestId, principalId: principal.id, role: principal.role,
          organisation: principal.agency ?? principal.department ?? null,
          subjectCode, subjectType: check.valid ? check.kind : (typeOf.get(subjectCode) ?? 'ORGANISATION'),
          fields: [...fields].sort(), purpose: purpose.purpose, reference: purpose.reference, prevHash,
        };
        prevHash = recordHash(content);
        return { ...toRow(content), hash: prevHash, chain, chain_index: ++index };
      });
      await insertInChunks(trx, accessRegisterTable, rows);
      await trx(accessRegisterHeadTable)
        .where({ id: chain })
        .update({ record_count: index, last_hash: prevHash });
    });
    return fieldsBySubject.size;
  }

  async page(filter: AccessRecordFilter, first: number, after?: string | null) {
    const query = filteredRecords(this.db, filter).orderBy('seq', 'desc').limit(first + 1);
    if (after) query.where('seq', '<', Number(decodeCursor(after, 1)[0]));
    const rows = await query;
    const records = rows.slice(0, first).map(fromRow);
    return {
      edges: records.map((record) => ({ cursor: encodeCursor([record.seq]), node: record })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: records.length ? encodeCursor([records.at(-1)!.seq]) : null },
    };
  }

  /** Walks every chain in its order, recomputing every hash. */
  async verify(): Promise<{ valid: boolean; checkedRecords: number; firstInvalidSeq: number | null; problem: string | null }> {
    let checked = 0;
    const heads = await this.db(accessRegisterHeadTable).orderBy('id');
    for (const head of heads) {
      let prevHash = GENESIS_HASH;
      let inChain = 0;
      let afterIndex = 0;
      for (;;) {
        const rows = await this.db(accessRegisterTable).where({ chain: head.id }).andWhere('chain_index', '>', afterIndex).orderBy('chain_index').limit(1000);
        for (const row of rows) {
          const record = fromRow(row);
          const problem =
            record.prevHash !== prevHash ? 'it is not chained to the record before it (a record was removed or inserted)'
            : recordHash(record) !== record.hash ? 'its content does not match its hash (it was changed)'
            : null;
          if (problem) return { valid: false, checkedRecords: checked, firstInvalidSeq: record.seq, problem: `record ${record.seq}: ${problem}` };
          prevHash = record.hash;
          checked++;
          inChain++;
        }
        if (rows.length < 1000) break;
        afterIndex = Number(rows.at(-1).chain_index);
      }
      if (head.last_hash !== prevHash || Number(head.record_count) !== inChain) {
        return { valid: false, checkedRecords: checked, firstInvalidSeq: null, problem: `records were removed: chain ${head.id} does not end at its recorded head` };
      }
    }
    return { valid: true, checkedRecords: checked, firstInvalidSeq: null, problem: null };
  }
}

function filteredRecords(db: Knex, filter: AccessRecordFilter) {
  const query = db(accessRegisterTable);
  if (filter.subjectCode) query.where('subject_code', filter.subjectCode);
  if (filter.principalId) query.where('principal_id', filter.principalId);
  if (filter.from) query.where('recorded_at', '>=', filter.from);
  if (filter.to) query.where('recorded_at', '<=', filter.to);
  return query;
}

function toRow(content: HashedContent) {
  return {
    recorded_at: content.recordedAt,
    request_id: content.requestId,
    principal_id: content.principalId,
    role: content.role,
    organisation: content.organisation,
    subject_code: content.subjectCode,
    subject_type: content.subjectType,
    fields: JSON.stringify(content.fields),
    purpose: content.purpose,
    reference: content.reference,
    prev_hash: content.prevHash,
  };
}

function fromRow(row: any): AccessRecord {
  return {
    seq: Number(row.seq),
    recordedAt: row.recorded_at,
    requestId: row.request_id,
    principalId: row.principal_id,
    role: row.role,
    organisation: row.organisation,
    subjectCode: row.subject_code,
    subjectType: row.subject_type,
    fields: JSON.parse(row.fields),
    purpose: row.purpose,
    reference: row.reference,
    prevHash: row.prev_hash,
    hash: row.hash,
    owner: { creditCode: row.subject_code, subjectType: row.subject_type, published: true },
  };
}

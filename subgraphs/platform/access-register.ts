/**
 * The access register (个人信息查询使用登记, 1798 (24)(25)): every read of unmasked personal
 * data — who, for which organisation, which subject and fields, why, for which matter,
 * when, in which request. Append-only; each record carries the SHA-256 of its content and
 * of the previous record's hash in its chain, and a MAC with the register key, so changing
 * or deleting any record shows (access-register-integrity.ts; signed checkpoints that leave
 * the database: access-register-checkpoints.ts; several chains, access-register-chains.ts,
 * so concurrent appends meet rarely).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { insertInChunks, isMysql } from '../kit/db.js';
import type { Principal, Purpose } from '../kit/auth/principal.js';
import type { Clock } from '../kit/dates.js';
import { keysetPage } from '../kit/pagination.js';
import { checkSubjectCode } from '../kit/codes.js';
import { accessRegisterHeadTable, accessRegisterTable, GENESIS_HASH } from './access-register-tables.js';
import { inTransaction } from '../kit/transactions.js';
import { checkChain, headMac, macMatches, recordHash, recordMac, type ChainedRecord, type ChainState, type Checkpoint, type HashedContent } from './access-register-integrity.js';
import { headColumns, headStateOf } from './access-register-keys.js';
import { configuration } from '../kit/config/index.js';

/** A record as GraphQL reads it: its chained content, and whose personal data it names. */
export interface AccessRecord extends Omit<ChainedRecord, 'mac'> {
  /** Whose personal data the subject code is, for masking. */
  owner: { creditCode: string; subjectType: string; published: boolean };
}

export interface AccessRecordFilter {
  subjectCode?: string | null;
  principalId?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface RegisterVerification {
  valid: boolean;
  checkedRecords: number;
  firstInvalidSeq: number | null;
  problem: string | null;
}

export class AccessRegister {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    /** The register key (CREDITHUB_REGISTER_KEY): MACs of records and heads. */
    private readonly key: Uint8Array,
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
        const start = { chain, records: 0, lastHash: GENESIS_HASH, keyedFrom: 1 };
        await trx(accessRegisterHeadTable).insert({ id: chain, ...headColumns(this.key, start) }).onConflict('id').ignore();
        head = await lockHead();
      }
      let prevHash: string = head.last_hash;
      let index = Number(head.record_count);
      const rows = [...fieldsBySubject].map(([subjectCode, fields]) => {
        const check = checkSubjectCode(subjectCode);
        const content: HashedContent = {
          recordedAt, requestId, principalId: principal.id, role: principal.role,
          organisation: principal.agency ?? principal.department ?? null,
          // An unreadable code of unknown type counts as a person's: its record is masked, never open.
          subjectCode, subjectType: check.valid ? check.kind : (typeOf.get(subjectCode) ?? 'NATURAL_PERSON'),
          fields: [...fields].sort(), purpose: purpose.purpose, reference: purpose.reference, prevHash,
          salt: randomBytes(16).toString('hex'),
        };
        prevHash = recordHash(content);
        index++;
        return { ...toRow(content), hash: prevHash, chain, chain_index: index, mac: recordMac(this.key, chain, index, prevHash) };
      });
      await insertInChunks(trx, accessRegisterTable, rows);
      await trx(accessRegisterHeadTable)
        .where({ id: chain })
        .update(headColumns(this.key, { chain, records: index, lastHash: prevHash, keyedFrom: Number(head.keyed_from) }));
    });
    return fieldsBySubject.size;
  }

  async page(filter: AccessRecordFilter, first: number, after?: string | null) {
    return keysetPage(filteredRecords(this.db, filter), { keys: [{ column: 'seq', order: 'desc', value: (row) => Number(row.seq), numeric: true }], kind: 'access', first, after, nodes: (rows) => rows.map(fromRow) });
  }

  heads = () => registerHeads(this.db);

  /**
   * Walks every chain in its order, recomputing every hash and checking every MAC, and that
   * each head is the key's and where its chain ends; against `checkpoint` (a signed one,
   * verified by the caller), that every chain reaches the checkpoint's state unchanged.
   * `onlySinceCheckpoint` reads only the records after the checkpoint (before signing the next).
   */
  async verify(checkpoint?: Checkpoint | null, options: { onlySinceCheckpoint?: boolean } = {}): Promise<RegisterVerification & { heads: ChainState[] }> {
    let checked = 0;
    const heads = await this.heads();
    const invalid = (problem: string, seq: number | null = null) => ({ valid: false, checkedRecords: checked, firstInvalidSeq: seq, problem, heads });
    const anchors = new Map((checkpoint?.chains ?? []).map((state) => [state.chain, state]));
    for (const missing of anchors.keys()) {
      if (!heads.some((head) => head.chain === missing)) return invalid(`records were removed: chain ${missing} of the checkpoint signed at ${checkpoint!.signedAt} is gone`);
    }
    for (const head of heads) {
      const anchor = anchors.get(head.chain);
      if (anchor && head.records < anchor.records) {
        return invalid(`records were removed: chain ${head.chain} has ${head.records} records, the checkpoint signed at ${checkpoint!.signedAt} has ${anchor.records}`);
      }
      const after = options.onlySinceCheckpoint ? anchor : undefined;
      // Up to the head as read: records appended meanwhile are the next verification's.
      const chain = await checkChain(head.chain, chainRecords(this.db, head.chain, after?.records, head.records), {
        // The checkpoint's keyed start is signed; the head's only MACed.
        anchor, after, key: this.key, keyedFrom: anchor?.keyedFrom ?? head.keyedFrom, signedAt: checkpoint?.signedAt,
      });
      checked += chain.records - (after?.records ?? 0);
      if (chain.problem) return invalid(chain.problem, chain.seq);
      // The records are sound: is the head (where the chain must end) the key's?
      if (!macMatches(headMac(this.key, head), head.mac)) {
        return invalid(`the head of chain ${head.chain} was changed without the register key (records removed or added, or its keyed start moved)`);
      }
      if (chain.records !== head.records || chain.lastHash !== head.lastHash) {
        return invalid(`records were removed or added: chain ${head.chain} does not end at its recorded head`);
      }
      if (await this.hasRecordsPastHead(head)) return invalid(`records were added: chain ${head.chain} has records past its head`);
    }
    return { valid: true, checkedRecords: checked, firstInvalidSeq: null, problem: null, heads };
  }

  /** Records past `head` that no append since accounts for (an append writes its records and head in one transaction). */
  private async hasRecordsPastHead(head: ChainState): Promise<boolean> {
    const past = await this.db(accessRegisterTable).where({ chain: head.chain }).andWhere('chain_index', '>', head.records).max({ last: 'chain_index' }).first();
    if (past?.last == null) return false;
    const now = await this.db(accessRegisterHeadTable).where({ id: head.chain }).first();
    return Number(now.record_count) < Number(past.last);
  }
}

/** Every chain's head, in chain order. */
export async function registerHeads(db: Knex): Promise<(ChainState & { mac: string | null })[]> {
  return (await db(accessRegisterHeadTable).orderBy('id')).map((row: any) => ({ ...headStateOf(row), mac: row.mac ?? null }));
}

/** One chain's records in their order (after place `afterIndex`, up to place `upTo`), read a page at a time. */
export async function* chainRecords(db: Knex, chain: number, afterIndex = 0, upTo = Number.MAX_SAFE_INTEGER): AsyncGenerator<ChainedRecord> {
  for (;;) {
    const rows = await db(accessRegisterTable).where({ chain }).andWhere('chain_index', '>', afterIndex).andWhere('chain_index', '<=', upTo).orderBy('chain_index').limit(1000);
    for (const row of rows) yield chainedRecordFromRow(row);
    if (rows.length < 1000) return;
    afterIndex = Number(rows.at(-1).chain_index);
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
    salt: content.salt ?? null,
  };
}

function chainedRecordFromRow(row: any): ChainedRecord {
  const { owner: _owner, ...record } = fromRow(row);
  return { ...record, mac: row.mac ?? null };
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
    salt: row.salt ?? null,
    hash: row.hash,
    chain: Number(row.chain),
    chainIndex: Number(row.chain_index),
    owner: { creditCode: row.subject_code, subjectType: row.subject_type, published: true },
  };
}

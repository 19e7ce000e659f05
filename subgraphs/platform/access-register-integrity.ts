/**
 * What makes the access register's tampering show, without trusting the database — pure
 * functions, shared by the hub's `verifyAccessRegister` and the offline verifier
 * (scripts/verify-register.ts), which has no hub, no database and no secret key.
 *
 * - Every record carries the SHA-256 of its content and of the previous record's hash in its
 *   chain (public: anyone can recompute it, so on its own it only shows careless edits).
 * - Every record also carries an HMAC-SHA-256 with the register key (CREDITHUB_REGISTER_KEY)
 *   over its chain, its place and its hash, and every chain's head an HMAC over its count,
 *   last hash and the place keyed records start from: whoever controls the database but not
 *   the key cannot rewrite a record, nor cut a chain's tail and fix its head.
 * - A signed checkpoint (ES256, CREDITHUB_REGISTER_SIGNING_KEY) states every chain's record
 *   count and last hash at one time and leaves the database (a file an auditor keeps, NATS).
 *   With only the public key, a chain is then checked to reach at least the checkpoint's count
 *   with the same hash there: nothing up to the checkpoint can be changed, removed or reordered.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
/** The hash the first record of every chain is chained to. */
export const GENESIS_HASH = '0'.repeat(64);

export const CHECKPOINT_TYPE = 'credithub-register-checkpoint+jwt';

/** What a record's hash is taken over. */
export interface HashedContent {
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
  /**
   * Random per record, stored but never shown through the API: without it, a record's hash
   * (and a checkpoint's last hash) could be inverted by trying the few codes a masked identity
   * number leaves open. Null on records written before salting.
   */
  salt?: string | null;
}

/** A record in its chain, as the register stores it and the export writes it (one JSON line each). */
export interface ChainedRecord extends HashedContent {
  seq: number;
  chain: number;
  chainIndex: number;
  hash: string;
  /** Null on records written before records were keyed (below the chain's `keyedFrom`). */
  mac: string | null;
}

/** One chain's state as a head row holds it and a checkpoint signs it. */
export interface ChainState {
  chain: number;
  records: number;
  lastHash: string;
  /** The first place in the chain whose record must carry a MAC (records before were written unkeyed). */
  keyedFrom: number;
}

export interface Checkpoint {
  signedAt: string;
  chains: ChainState[];
}

/** The hash of a record: over its content in a fixed field order and the previous hash. */
export function recordHash(record: HashedContent): string {
  const content = [
    record.prevHash, record.recordedAt, record.requestId, record.principalId, record.role, record.organisation,
    record.subjectCode, record.subjectType, record.fields, record.purpose, record.reference,
  ];
  const canonical = JSON.stringify(record.salt ? [record.salt, ...content] : content);
  return createHash('sha256').update(canonical).digest('hex');
}

const hmac = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest('hex');

/** A record's MAC: its chain and place too, so a keyed record cannot be moved elsewhere. */
export const recordMac = (key: Uint8Array, chain: number, chainIndex: number, hash: string) => hmac(key, `record:${chain}:${chainIndex}:${hash}`);

export const headMac = (key: Uint8Array, head: ChainState) => hmac(key, `head:${head.chain}:${head.records}:${head.lastHash}:${head.keyedFrom}`);

export function macMatches(expected: string, actual: string | null | undefined): boolean {
  if (typeof actual !== 'string' || actual.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

/**
 * The checkpoint JWSs of a checkpoint file, in order: JSON lines {"signedAt", "records",
 * "checkpoint"} (as the hub appends them), or lines holding the bare JWS.
 */
export function checkpointJwsLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line, i) => {
    if (!line.startsWith('{')) return line;
    let parsed: any;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`its line ${i + 1} is not JSON: a line of the checkpoint file is {"signedAt": …, "records": …, "checkpoint": "<JWS>"}`);
    }
    if (typeof parsed?.checkpoint !== 'string') throw new Error(`its line ${i + 1} has no "checkpoint" (the JWS)`);
    return parsed.checkpoint;
  });
}

/**
 * The newest checkpoint of a checkpoint file: every line's signature verified, and the one
 * covering the most records taken (then the latest signed), never simply the last line. An
 * older checkpoint appended again at the end — to hide records deleted since a newer one —
 * changes nothing; two replicas signing at once may append out of order, which is no fault.
 * Undefined for an empty file.
 */
export async function newestCheckpoint(text: string, verify: (jws: string) => Promise<Record<string, unknown>>): Promise<{ jws: string; claims: Checkpoint } | undefined> {
  const total = (checkpoint: Checkpoint) => checkpoint.chains.reduce((sum, chain) => sum + chain.records, 0);
  let newest: { jws: string; claims: Checkpoint } | undefined;
  for (const [i, jws] of checkpointJwsLines(text).entries()) {
    let claims: Checkpoint;
    try {
      claims = checkpointOf(await verify(jws));
    } catch (error) {
      throw new Error(`its checkpoint on line ${i + 1} does not verify (${(error as Error).message})`);
    }
    const newer = !newest || total(claims) > total(newest.claims) || (total(claims) === total(newest.claims) && claims.signedAt > newest.claims.signedAt);
    if (newer) newest = { jws, claims };
  }
  return newest;
}

/** A verified checkpoint's claims, checked for shape (a well-signed but malformed one is refused too). */
export function checkpointOf(claims: Record<string, unknown>): Checkpoint {
  const chains = claims.chains;
  const wellFormed =
    typeof claims.signedAt === 'string' && Array.isArray(chains) &&
    chains.every((c: any) => Number.isInteger(c?.chain) && Number.isInteger(c?.records) && typeof c?.lastHash === 'string' && Number.isInteger(c?.keyedFrom));
  if (!wellFormed) throw new Error('the checkpoint is signed but does not state {signedAt, chains: [{chain, records, lastHash, keyedFrom}]}');
  return { signedAt: claims.signedAt as string, chains: chains as ChainState[] };
}

export interface ChainCheck {
  /** How far the chain reaches, with its last hash. */
  records: number;
  lastHash: string;
  /** The first problem, with the seq of the record it is at (null: at the chain's end). */
  problem: string | null;
  seq: number | null;
}

export interface ChainCheckOptions {
  /** The signed checkpoint's state of this chain: the chain must reach it unchanged. */
  anchor?: ChainState;
  /** Walk only the records after this state (`records` must start at the place after it). */
  after?: Pick<ChainState, 'records' | 'lastHash'>;
  /** With the register key (the hub), every record from `keyedFrom` on must carry its MAC. */
  key?: Uint8Array;
  keyedFrom: number;
  signedAt?: string;
}

/** Walks one chain's records in their order, stopping at the first problem. */
export async function checkChain(chain: number, records: AsyncIterable<ChainedRecord> | Iterable<ChainedRecord>, options: ChainCheckOptions): Promise<ChainCheck> {
  let prevHash = options.after?.lastHash ?? GENESIS_HASH;
  let index = options.after?.records ?? 0;
  const { anchor, key } = options;
  const fail = (problem: string, seq: number | null): ChainCheck => ({ records: index, lastHash: prevHash, problem, seq });
  for await (const record of records) {
    const place = index + 1;
    const problem =
      record.chainIndex !== place ? `it is at place ${record.chainIndex} of chain ${chain} where place ${place} was expected (a record was removed or the order changed)`
      : record.prevHash !== prevHash ? 'it is not chained to the record before it (a record was removed, inserted or reordered)'
      : recordHash(record) !== record.hash ? 'its content does not match its hash (it was changed)'
      : key && place >= options.keyedFrom && !macMatches(recordMac(key, chain, place, record.hash), record.mac)
        ? 'its MAC does not match (it was changed, or written, without the register key)'
      : anchor && place === anchor.records && record.hash !== anchor.lastHash
        ? `chain ${chain} differs from the checkpoint signed at ${options.signedAt} at place ${place} (a record up to the checkpoint was changed, removed or reordered)`
      : null;
    if (problem) return fail(`record ${record.seq}: ${problem}`, record.seq);
    prevHash = record.hash;
    index = place;
  }
  if (anchor && index < anchor.records) {
    return fail(`records were removed: chain ${chain} has ${index} records, the checkpoint signed at ${options.signedAt} has ${anchor.records}`, null);
  }
  return { records: index, lastHash: prevHash, problem: null, seq: null };
}

export interface OfflineVerification {
  valid: boolean;
  checkedRecords: number;
  /** Records after the checkpoint: chained, but their MACs need the register key (the hub's check). */
  recordsAfterCheckpoint: number;
  problem: string | null;
}

/**
 * The offline check of an export against a signed checkpoint (its signature verified by the
 * caller): every chain, in its order, chained from the genesis hash, and reaching the
 * checkpoint's count with the checkpoint's hash there. No key: MACs are not checked.
 */
export async function verifyExport(records: ChainedRecord[], checkpoint: Checkpoint): Promise<OfflineVerification> {
  const byChain = new Map<number, ChainedRecord[]>();
  for (const record of records) {
    if (!byChain.has(record.chain)) byChain.set(record.chain, []);
    byChain.get(record.chain)!.push(record);
  }
  const anchors = new Map(checkpoint.chains.map((state) => [state.chain, state]));
  const chains = [...new Set([...anchors.keys(), ...byChain.keys()])].sort((a, b) => a - b);
  let checked = 0;
  let after = 0;
  for (const chain of chains) {
    const inOrder = (byChain.get(chain) ?? []).sort((a, b) => a.chainIndex - b.chainIndex);
    const anchor = anchors.get(chain);
    const result = await checkChain(chain, inOrder, { anchor, keyedFrom: anchor?.keyedFrom ?? 1, signedAt: checkpoint.signedAt });
    checked += result.records;
    if (result.problem) return { valid: false, checkedRecords: checked, recordsAfterCheckpoint: after, problem: result.problem };
    after += result.records - (anchor?.records ?? 0);
  }
  return { valid: true, checkedRecords: checked, recordsAfterCheckpoint: after, problem: null };
}

/** A line of an export as a record, or why it is not one. */
export function exportedRecordOf(value: unknown): ChainedRecord | string {
  const record = value as Record<string, unknown>;
  if (typeof record !== 'object' || record === null) return 'not a JSON object';
  const strings = ['recordedAt', 'requestId', 'principalId', 'role', 'subjectCode', 'subjectType', 'purpose', 'reference', 'prevHash', 'hash'];
  const missing = [
    ...strings.filter((field) => typeof record[field] !== 'string'),
    ...['seq', 'chain', 'chainIndex'].filter((field) => !Number.isInteger(record[field])),
    ...(Array.isArray(record.fields) && record.fields.every((f) => typeof f === 'string') ? [] : ['fields']),
    ...(record.organisation === null || typeof record.organisation === 'string' ? [] : ['organisation']),
  ];
  if (missing.length) return `missing or mistyped: ${missing.join(', ')}`;
  return { ...(record as unknown as ChainedRecord), mac: typeof record.mac === 'string' ? record.mac : null };
}

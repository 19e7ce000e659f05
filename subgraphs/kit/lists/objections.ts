/**
 * Objections and appeals (异议申诉, 1798 (21)–(23)). Anyone may object to a red entry; a
 * listed subject appeals a black entry with evidence; implementing agencies report a
 * suspected error to the recognising department. The department answers whether it
 * accepts, verifies, and decides:
 * - upheld against a black entry: the listing was mistaken — the entry is removed and its
 *   data purged (not kept, 1798 (20): "对于因主体认定有误而列入名单的，相关信息不予保存"); the
 *   correction and the written apology are recorded on the subject's file (1798 (22)); the
 *   key-attention entry that followed its exit goes with it (it exists only because of the
 *   mistaken listing), and the red entries it removed are restored or flagged for
 *   restoration by the cross-department rule (cross-department.ts);
 * - upheld against a key-attention entry: purged the same way (a mistaken listing is not
 *   kept, whatever the list), and the red entries it removed come back;
 * - upheld against a red entry: purged the same way (1798 (19) 一 "经异议处理，“红名单”主体
 *   认定有误的…删除", (20)), and the claw-back of incentives is recorded on the subject's
 *   file (1798 (23)), which the purge leaves;
 * - an entry that has already exited can still be found mistaken: upheld, it is purged
 *   the same way, whatever its list (its record is kept only while it was not mistaken);
 * - while an objection is open, a publicised entry is not confirmed (1798 (8)).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { badInput, ErrorCode, typedError } from '../errors.js';
import { checkLength, COLUMN_LIMITS, TEXT_LIMITS } from './limits.js';
import type { Clock } from '../dates.js';
import type { ListLifecycle } from './lifecycle.js';
import type { ListEntry, ListStore } from './store.js';
import { exitApplicationsTable, objectionsTable, repairStepsTable, subjectFileTable } from './tables.js';
import { groupByKey } from '../group.js';
import { inTransaction } from '../transactions.js';
import type { DecideObjectionInput, FileObjectionInput, ObjectionKind, ObjectionStatus } from './__generated__/resolvers-types.js';
import { selectInChunks } from '../db.js';

export type { ObjectionKind, ObjectionStatus };

export interface Objection {
  id: string;
  entryId: string;
  creditCode: string;
  kind: ObjectionKind;
  filedBy: string;
  grounds: string;
  evidenceRefs: string[];
  status: ObjectionStatus;
  filedAt: string;
  acceptedAt: string | null;
  decidedAt: string | null;
  decision: string | null;
}

/** What an objection is filed and decided with: the SDL's inputs (schema/shared/lists.graphql). */
export type { DecideObjectionInput, FileObjectionInput };

const OPEN: ObjectionStatus[] = ['FILED', 'ACCEPTED'];

/**
 * Open objections (filed or accepted) against these entries of department `prefix`, read in
 * `trx`: one objection id per entry that has one. The guard of every confirmation (1798 (8)),
 * single or batched, reads them here.
 */
export async function openObjectionsOf(trx: Knex.Transaction, prefix: string, entryIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await selectInChunks(entryIds, (chunk) => trx(objectionsTable(prefix)).whereIn('entry_id', chunk).whereIn('status', OPEN).select('id', 'entry_id'));
  return new Map(rows.map((row: any) => [row.entry_id, row.id]));
}

export class Objections {
  private readonly table: string;

  constructor(
    readonly db: Knex,
    readonly prefix: string,
    readonly store: ListStore,
    readonly lifecycle: ListLifecycle,
    readonly clock: Clock,
  ) {
    this.table = objectionsTable(prefix);
  }

  async ofEntries(entryIds: readonly string[]): Promise<Objection[][]> {
    const rows = await this.db(this.table).whereIn('entry_id', entryIds as string[]).orderBy('filed_at');
    return groupByKey(entryIds, rows, (row: any) => row.entry_id, toObjection);
  }

  async file(actor: string, input: FileObjectionInput): Promise<Objection> {
    if (!input.grounds?.trim()) throw badInput('State the grounds of the objection', { argument: 'input.grounds' });
    checkLength(input.grounds, TEXT_LIMITS.grounds, 'input.grounds');
    (input.evidenceRefs ?? []).forEach((ref, index) => checkLength(ref.trim(), COLUMN_LIMITS.evidenceRef, `input.evidenceRefs[${index}]`));
    return inTransaction(this.db, async (trx) => {
      const entry = await this.store.findById(input.entryId, trx);
      if (!entry) throw typedError(ErrorCode.NOT_FOUND, `No entry "${input.entryId}" on the ${this.prefix} department's lists`);
      // An exited entry is kept with its history (1798 (20)); if it was listed by mistake it
      // must not be, so an objection against it is received like any other.
      const evidence = (input.evidenceRefs ?? []).map((ref) => ref.trim()).filter(Boolean);
      if (entry.listType === 'BLACK' && input.kind === 'SUBJECT_APPEAL' && evidence.length === 0) {
        throw badInput('An appeal against a black-list entry comes with evidence (1798 (21)): give evidenceRefs', { argument: 'input.evidenceRefs' });
      }
      const objection: Objection = {
        id: randomUUID(),
        entryId: entry.id,
        creditCode: entry.creditCode,
        kind: input.kind,
        filedBy: actor,
        grounds: input.grounds.trim(),
        evidenceRefs: evidence,
        status: 'FILED',
        filedAt: this.clock().toISOString(),
        acceptedAt: null,
        decidedAt: null,
        decision: null,
      };
      // The entry's list type and region go with it, so the figures can be filtered by them
      // even after an upheld objection has purged the entry.
      await trx(this.table).insert({ ...toRow(objection), list_type: entry.listType, region_code: entry.regionCode });
      return objection;
    });
  }

  /** The entry an objection is against, while it exists (a decision upholding it purges it). */
  async entryOf(objectionId: string): Promise<ListEntry | null> {
    const row = await this.db(this.table).where({ id: objectionId }).first('entry_id');
    return row ? this.store.findById(String(row.entry_id)) : null;
  }

  private async requireObjection(id: string, trx: Knex.Transaction): Promise<Objection> {
    const row = await trx(this.table).where({ id }).first();
    if (!row) throw typedError(ErrorCode.NOT_FOUND, `No objection "${id}" with the ${this.prefix} department`);
    return toObjection(row);
  }

  /** The department answers whether it accepts the objection for verification. */
  async accept(actor: string, objectionId: string, accept: boolean, reason: string): Promise<Objection> {
    checkLength(reason, TEXT_LIMITS.reason, 'reason');
    return inTransaction(this.db, async (trx) => {
      const objection = await this.requireObjection(objectionId, trx);
      if (objection.status !== 'FILED') {
        throw typedError(ErrorCode.INVALID_TRANSITION, `Objection ${objection.id} is ${objection.status}: only a FILED objection is accepted or rejected`);
      }
      const now = this.clock().toISOString();
      const status: ObjectionStatus = accept ? 'ACCEPTED' : 'REJECTED';
      await trx(this.table).where({ id: objection.id, status: 'FILED' }).update({
        status,
        accepted_at: accept ? now : null,
        decided_at: accept ? null : now,
        decision: accept ? null : `${actor}: ${reason}`,
      });
      return { ...objection, status, acceptedAt: accept ? now : null, decidedAt: accept ? null : now, decision: accept ? null : `${actor}: ${reason}` };
    });
  }

  /** The outcome after verification. */
  async decide(actor: string, input: DecideObjectionInput): Promise<{ objection: Objection; entry: ListEntry | null; purged: boolean }> {
    if (!input.finding?.trim()) throw badInput('State the finding of the verification', { argument: 'input.finding' });
    checkLength(input.finding, TEXT_LIMITS.reason, 'input.finding');
    checkLength(input.correction, TEXT_LIMITS.reason, 'input.correction');
    checkLength(input.apology, TEXT_LIMITS.reason, 'input.apology');
    return inTransaction(this.db, async (trx) => {
      const objection = await this.requireObjection(input.objectionId, trx);
      if (objection.status !== 'ACCEPTED') {
        throw typedError(ErrorCode.INVALID_TRANSITION, `Objection ${objection.id} is ${objection.status}: only an ACCEPTED objection is decided`);
      }
      const now = this.clock().toISOString();
      const decided: Objection = { ...objection, status: input.upheld ? 'UPHELD' : 'DISMISSED', decidedAt: now, decision: `${actor}: ${input.finding}` };
      await trx(this.table).where({ id: objection.id }).update({ status: decided.status, decided_at: now, decision: decided.decision });
      if (!input.upheld) return { objection: decided, entry: await this.store.findById(objection.entryId, trx), purged: false };

      const entry = await this.store.findById(objection.entryId, trx);
      if (!entry) throw typedError(ErrorCode.NOT_FOUND, `Entry ${objection.entryId} is no longer on the ${this.prefix} department's lists`);
      const file = (kind: string, details: string) =>
        trx(subjectFileTable(this.prefix)).insert({
          credit_code: entry.creditCode,
          entry_id: null,
          kind,
          details,
          refused: false,
          recorded_at: now,
          recorded_by: actor,
        });
      // A listing found mistaken is not kept, whatever its list and status (1798 (20); for red,
      // 1798 (19) 一 "经异议处理，“红名单”主体认定有误的…删除"); purged, its ENTRY_PURGED event
      // gives back the red entries it removed (correction.ts) and the platform erases its copies.
      if (!input.correction?.trim() || (entry.listType === 'BLACK' && !input.apology?.trim())) {
        throw badInput(
          entry.listType === 'BLACK'
            ? 'A black listing found mistaken is corrected with a written apology (1798 (22)): give correction and apology'
            : 'A mistaken listing is corrected (1798 (23)): give correction',
          { argument: !input.correction?.trim() ? 'input.correction' : 'input.apology' },
        );
      }
      await this.purgeMistakenListing(trx, actor, entry, objection, now);
      await file('CORRECTION', `${input.correction}（异议 ${objection.id} 成立，原列入记录已删除）`);
      if (input.apology?.trim()) await file('APOLOGY', input.apology);
      // The incentives a mistaken red listing gave are clawed back (1798 (23)); the record stays on the subject's file.
      if (entry.listType === 'RED') await file('INCENTIVE_CLAWBACK', `红名单认定有误（异议 ${objection.id} 成立）：已享受的激励措施应予追回`);
      return { objection: decided, entry: null, purged: true };
    });
  }

  /**
   * 1798 (20): a record listed by mistake is not kept — neither its content nor its
   * history — and neither is the key-attention entry its exit put the subject on
   * ("误列入“黑名单”的除外", 1798 (18)). A key-attention entry it was escalated from, which
   * exited because of it, is flagged on the subject's file for the department to restore.
   * Each purge is an ENTRY_PURGED event, on which the other departments and the platform
   * erase their copies.
   */
  private async purgeMistakenListing(trx: Knex.Transaction, actor: string, entry: ListEntry, objection: Objection, now: string): Promise<void> {
    const change = { action: 'PURGE_MISTAKEN_LISTING', actor, eventType: 'ENTRY_PURGED', at: now };
    const purgedIds = [entry.id];
    for (const follower of await this.store.followersOf(entry.id, trx)) {
      if (follower.listType !== 'KEY_ATTENTION') continue;
      purgedIds.push(follower.id);
      if (!(await this.store.purge(trx, follower, { ...change, action: 'PURGE_FOLLOWING_MISTAKEN_LISTING' }))) {
        throw typedError(ErrorCode.INVALID_TRANSITION, `Entry ${follower.id} changed meanwhile; read it again`);
      }
    }
    if (!(await this.store.purge(trx, entry, change))) throw typedError(ErrorCode.INVALID_TRANSITION, `Entry ${entry.id} changed meanwhile; read it again`);
    // Nor is the case work on it kept: repair steps, exit applications, the interviews and
    // other records it led to on the subject's file (the correction and apology are written after).
    for (const table of [repairStepsTable(this.prefix), exitApplicationsTable(this.prefix), subjectFileTable(this.prefix)]) {
      await trx(table).whereIn('entry_id', purgedIds).delete();
    }
    const escalatedFrom = entry.followsEntryId ? await this.store.findById(entry.followsEntryId, trx) : null;
    if (escalatedFrom?.listType === 'KEY_ATTENTION' && escalatedFrom.exit?.way === 'ESCALATED_TO_BLACK_LIST') {
      await trx(subjectFileTable(this.prefix)).insert({
        credit_code: entry.creditCode,
        entry_id: escalatedFrom.id,
        kind: 'RESTORATION_DUE',
        details: `转入的黑名单条目认定有误已删除（异议 ${objection.id} 成立）：重点关注条目 ${escalatedFrom.id} 因此移出，应核实恢复`,
        refused: false,
        recorded_at: now,
        recorded_by: actor,
      });
    }
  }
}

function toRow(objection: Objection) {
  return {
    id: objection.id,
    entry_id: objection.entryId,
    credit_code: objection.creditCode,
    kind: objection.kind,
    filed_by: objection.filedBy,
    grounds: objection.grounds,
    evidence_refs: JSON.stringify(objection.evidenceRefs),
    status: objection.status,
    filed_at: objection.filedAt,
    accepted_at: objection.acceptedAt,
    decided_at: objection.decidedAt,
    decision: objection.decision,
  };
}

function toObjection(row: any): Objection {
  return {
    id: row.id,
    entryId: row.entry_id,
    creditCode: row.credit_code,
    kind: row.kind,
    filedBy: row.filed_by,
    grounds: row.grounds,
    evidenceRefs: JSON.parse(row.evidence_refs),
    status: row.status,
    filedAt: row.filed_at,
    acceptedAt: row.accepted_at,
    decidedAt: row.decided_at,
    decision: row.decision,
  };
}

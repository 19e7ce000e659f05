/**
 * After a mistaken listing is purged (1798 (20): "对于因主体认定有误而列入名单的，相关信息不予保存"),
 * the red entries it removed under 1798 (19) ("有效期内被有关部门列入“黑名单”、重点关注名单…
 * 应将相关主体从“红名单”中删除") lost their place for no ground at all. Each department, on
 * the ENTRY_PURGED event, puts them back where it can: still within validity and the
 * subject on no other black or key-attention list → back to the status it had (ACTIVE, or
 * still in publicity, to be confirmed as usual) (RESTORE_AFTER_CORRECTION);
 * otherwise a RESTORATION_DUE record on the subject's file for the department to decide.
 * Idempotent: a replayed event finds nothing left to restore and flags nothing twice.
 */
import type { Knex } from 'knex';
import { toIsoDate } from '../dates.js';
import type { ListLifecycle } from './lifecycle.js';
import type { EntryStatus, ListStore } from './store.js';
import { foreignListingsTable, historyTable, subjectFileTable } from './tables.js';

export async function restoreRedAfterCorrection(
  trx: Knex.Transaction,
  store: ListStore,
  lifecycle: ListLifecycle,
  purgedEntryId: string,
  creditCode: string,
): Promise<void> {
  const prefix = lifecycle.department.name;
  const removed = (await store.entriesOfSubject(creditCode, trx)).filter(
    (entry) => entry.listType === 'RED' && entry.status === 'EXITED' && entry.exit?.way === 'LISTED_FOR_DISHONESTY',
  );
  if (removed.length === 0) return;
  const exits = await trx(historyTable(prefix))
    .whereIn('entry_id', removed.map((entry) => entry.id))
    .where({ action: 'EXIT_LISTED_FOR_DISHONESTY', evidence_ref: `listing:${purgedEntryId}` })
    .select('entry_id', 'from_status');
  if (exits.length === 0) return;
  // Each goes back to where it was: an entry still in publicity is confirmed as usual afterwards.
  const statusBefore = new Map<string, EntryStatus>(exits.map((row: any) => [row.entry_id, row.from_status]));
  const now = lifecycle.clock().toISOString();
  const today = toIsoDate(lifecycle.clock());
  const stillListed = await trx(foreignListingsTable(prefix))
    .where({ credit_code: creditCode, status: 'ACTIVE' })
    .whereIn('list_type', ['BLACK', 'KEY_ATTENTION'])
    .whereNot('entry_id', purgedEntryId)
    .first();
  for (const entry of removed.filter((e) => statusBefore.has(e.id))) {
    if (!stillListed && today <= entry.validUntil) {
      await store.transition(
        trx,
        entry,
        { status: statusBefore.get(entry.id)!, exit: null, updatedAt: now },
        {
          action: 'RESTORE_AFTER_CORRECTION',
          actor: 'rule:1798(20)',
          eventType: statusBefore.get(entry.id) === 'ACTIVE' ? 'ENTRY_ACTIVATED' : 'ENTRY_RECOGNISED',
          reason: `移出所依据的列入（条目 ${purgedEntryId}）认定有误已删除，恢复红名单`,
          evidenceRef: `purged:${purgedEntryId}`,
        },
      );
      continue;
    }
    const details = `移出所依据的列入（条目 ${purgedEntryId}）认定有误已删除；${stillListed ? '主体仍在其他黑名单或重点关注名单上' : `有效期已于 ${entry.validUntil} 届满`}，待核实是否恢复`;
    const flagged = await trx(subjectFileTable(prefix)).where({ credit_code: creditCode, entry_id: entry.id, kind: 'RESTORATION_DUE' }).first();
    if (!flagged) {
      await trx(subjectFileTable(prefix)).insert({
        credit_code: creditCode, entry_id: entry.id, kind: 'RESTORATION_DUE', details, refused: false, recorded_at: now, recorded_by: 'rule:1798(20)',
      });
    }
  }
}

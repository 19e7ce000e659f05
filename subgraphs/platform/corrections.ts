/**
 * The correction cascade on the platform (1798 (20)(22)(23)). "对于因主体认定有误而列入名单的，
 * 相关信息不予保存" (1798 (20)), and 1798 (23): "名单信息不准确的，应及时告知认定部门（单位）核实，
 * 认定部门（单位）应及时核实…更正". When a department purges a mistaken listing, its
 * ENTRY_PURGED event reaches the platform like every other event; here the platform erases
 * the facts of that listing from everything it copied them into:
 * - the entry index: removed (collection.ts, as before);
 * - the change feed: the listing's earlier events stay in their positions (readers resume
 *   on them) but say only that they were corrected — status CORRECTED, no list kind, exit
 *   way or details; webhooks deliver what the feed says;
 * - joint-measure cases: the entry leaves the case's triggering entries and the case is no
 *   longer published; the case itself (what the agency did) stays, marked corrected;
 * - screenings: the measures the entry triggered leave the stored result, the verdict is
 *   worked out again from what remains, and the item and screening are marked corrected;
 * - the warning list: a stay that needed a purged key-attention listing is removed, its
 *   events corrected, and the warning-list measures of the screenings during it dropped.
 *   The receipt an agency already holds was signed over the old verdict and stays valid
 *   as a record of what was answered then; `corrected_at` records that the screening was
 *   corrected since, and `screening(id)` answers the corrected items.
 * Idempotent: a replayed event finds nothing left to erase.
 */
import type { Knex } from 'knex';
import type { StoredChangeEvent } from '../kit/outbox.js';
import type { Clock } from '../kit/dates.js';
import type { Migration } from '../kit/db.js';
import { WARNING_LIST_MIN_DOMAINS, warningList } from './collection.js';
import { cases } from './feedback.js';
import { screenings } from './screening.js';
import type { ChangeFeed } from './change-feed.js';
import type { StoredItem } from './screening.js';

export const correctionsMigration: Migration = {
  name: 'platform_009_corrections',
  async up(db) {
    for (const table of [cases, screenings]) await table.alter(db, (t) => t.string('corrected_at', 24).nullable());
  },
  async down(db) {
    for (const table of [cases, screenings]) await table.alter(db, (t) => t.dropColumn('corrected_at'));
  },
};

type CorrectedItem = StoredItem & { corrected?: boolean };

export class Corrections {
  constructor(
    readonly clock: Clock,
    readonly feed: ChangeFeed,
  ) {}

  /** Applies the purge events of a batch, in the consumer's transaction. */
  handleBatch = async (trx: Knex.Transaction, events: StoredChangeEvent[]): Promise<void> => {
    const purged = events.filter((event) => String(event.payload.status) === 'PURGED');
    if (purged.length === 0) return;
    const now = this.clock().toISOString();
    const ids = purged.map((event) => event.entryId);
    await this.feed.correctEntries(trx, ids);
    for (const event of purged) {
      await this.correctCases(trx, event.entryId, now);
      await this.correctScreenings(trx, event.creditCode, event.entryId, now);
      if (event.listType === 'KEY_ATTENTION') await this.correctWarningList(trx, event, now);
    }
  };

  /**
   * A warning-list stay (three key-attention domains or more) that the mistaken listing was
   * needed for never should have been: it is removed, its feed events are marked corrected,
   * and the screenings answered during it lose the measures it triggered. A stay that keeps
   * enough domains without it only forgets its domain.
   */
  private async correctWarningList(trx: Knex.Transaction, event: StoredChangeEvent, now: string): Promise<void> {
    for (const stay of await warningList(trx).where({ credit_code: event.creditCode })) {
      const domains = JSON.parse(stay.domains) as string[];
      if (!domains.includes(event.domain)) continue;
      const remaining = domains.filter((domain) => domain !== event.domain);
      if (remaining.length >= WARNING_LIST_MIN_DOMAINS) {
        await warningList(trx).where({ id: stay.id }).update({ domains: JSON.stringify(remaining) });
        continue;
      }
      const during = screenings(trx).where('result', 'like', `%"WARNING_LIST"%`).where('screened_at', '>=', stay.entered_at);
      if (stay.left_at) during.where('screened_at', '<=', stay.left_at);
      const dropped = await this.dropTrigger(trx, await during.select('id', 'result'), event.creditCode, 'WARNING_LIST', now);
      // The cases recorded on a measure the stay alone triggered: kept, marked corrected, no longer published.
      for (const [screeningId, measureIds] of dropped) {
        await cases(trx)
          .where({ screening_id: screeningId, credit_code: event.creditCode })
          .whereIn('measure_id', measureIds)
          .update({ published: false, corrected_at: now });
      }
      await warningList(trx).where({ id: stay.id }).delete();
      await this.feed.correctEvents(trx, [`warning-list:${stay.id}:entered`, `warning-list:${stay.id}:left`]);
    }
  }

  private async correctCases(trx: Knex.Transaction, entryId: string, now: string): Promise<void> {
    const rows = await cases(trx).where('entry_ids', 'like', `%"${entryId}"%`);
    for (const row of rows) {
      const entryIds = (JSON.parse(row.entry_ids) as string[]).filter((id) => id !== entryId);
      await cases(trx).where({ id: row.id }).update({ entry_ids: JSON.stringify(entryIds), published: false, corrected_at: now });
    }
  }

  private async correctScreenings(trx: Knex.Transaction, creditCode: string, entryId: string, now: string): Promise<void> {
    const rows = await screenings(trx).where('result', 'like', `%"${entryId}"%`).select('id', 'result');
    await this.dropTrigger(trx, rows, creditCode, entryId, now);
  }

  /**
   * Removes `trigger` (an entry id, or WARNING_LIST) from the measures of `creditCode`'s items;
   * the verdict is worked out again. Returns, per screening changed, the measures that had no
   * other trigger and so left it.
   */
  private async dropTrigger(trx: Knex.Transaction, rows: { id: string; result: string }[], creditCode: string, trigger: string, now: string): Promise<Map<string, string[]>> {
    const dropped = new Map<string, string[]>();
    for (const row of rows) {
      let changed = false;
      const items = (JSON.parse(row.result) as CorrectedItem[]).map((item) => {
        if (item.code !== creditCode || !item.measures.some((m) => m.triggeredBy.includes(trigger))) return item;
        changed = true;
        const measures = item.measures
          .map((m) => ({ ...m, triggeredBy: m.triggeredBy.filter((by) => by !== trigger) }))
          .filter((m) => m.triggeredBy.length > 0);
        const left = item.measures.filter((m) => !measures.some((kept) => kept.id === m.id)).map((m) => m.id);
        dropped.set(row.id, [...(dropped.get(row.id) ?? []), ...left]);
        const verdict = !item.valid
          ? item.verdict
          : measures.some((m) => m.kind === 'PUNISHMENT')
            ? 'RESTRICT'
            : measures.some((m) => m.kind === 'INCENTIVE')
              ? 'INCENTIVE'
              : 'CLEAR';
        return { ...item, measures, verdict, corrected: true } as CorrectedItem;
      });
      if (changed) await screenings(trx).where({ id: row.id }).update({ result: JSON.stringify(items), corrected_at: now });
    }
    return dropped;
  }
}

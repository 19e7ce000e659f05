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
 *   worked out again from what remains, and the item and screening are marked corrected.
 *   The receipt an agency already holds was signed over the old verdict and stays valid
 *   as a record of what was answered then; `corrected_at` records that the screening was
 *   corrected since, and `screening(id)` answers the corrected items.
 * Idempotent: a replayed event finds nothing left to erase.
 */
import type { Knex } from 'knex';
import type { StoredChangeEvent } from '../kit/outbox.js';
import type { Clock } from '../kit/dates.js';
import type { Migration } from '../kit/db.js';
import { casesTable, screeningsTable } from './migrations.js';
import type { ChangeFeed } from './change-feed.js';
import type { StoredItem } from './screening.js';

export const correctionsMigration: Migration = {
  name: 'platform_009_corrections',
  async up(db) {
    for (const table of [casesTable, screeningsTable]) {
      await db.schema.alterTable(table, (t) => t.string('corrected_at', 24).nullable());
    }
  },
  async down(db) {
    for (const table of [casesTable, screeningsTable]) await db.schema.alterTable(table, (t) => t.dropColumn('corrected_at'));
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
    }
  };

  private async correctCases(trx: Knex.Transaction, entryId: string, now: string): Promise<void> {
    const rows = await trx(casesTable).where('entry_ids', 'like', `%"${entryId}"%`);
    for (const row of rows) {
      const entryIds = (JSON.parse(row.entry_ids) as string[]).filter((id) => id !== entryId);
      await trx(casesTable).where({ id: row.id }).update({ entry_ids: JSON.stringify(entryIds), published: false, corrected_at: now });
    }
  }

  private async correctScreenings(trx: Knex.Transaction, creditCode: string, entryId: string, now: string): Promise<void> {
    const rows = await trx(screeningsTable).where('result', 'like', `%"${entryId}"%`).select('id', 'result');
    for (const row of rows) {
      const items = (JSON.parse(row.result) as CorrectedItem[]).map((item) => {
        if (item.code !== creditCode || !item.measures.some((m) => m.triggeredBy.includes(entryId))) return item;
        const measures = item.measures
          .map((m) => ({ ...m, triggeredBy: m.triggeredBy.filter((by) => by !== entryId) }))
          .filter((m) => m.triggeredBy.length > 0);
        const verdict = !item.valid
          ? item.verdict
          : measures.some((m) => m.kind === 'PUNISHMENT')
            ? 'RESTRICT'
            : measures.some((m) => m.kind === 'INCENTIVE')
              ? 'INCENTIVE'
              : 'CLEAR';
        return { ...item, measures, verdict, corrected: true } as CorrectedItem;
      });
      await trx(screeningsTable).where({ id: row.id }).update({ result: JSON.stringify(items), corrected_at: now });
    }
  }
}

/**
 * Rules that span departments, applied by each department to every department's change
 * events (its own included):
 * - 1798 (7): once a subject is black-listed anywhere, it leaves every domain's red list;
 *   1798 (19): so does a key-attention listing.
 * - 1798 (20): a purged (mistaken) listing gives back the red entries it removed (correction.ts).
 * - 1798 (8): what every department has listed is remembered, so a red-list recognition
 *   can be refused while the subject is black-listed anywhere.
 * Handlers are idempotent: applying an event twice changes nothing the second time.
 */
import type { Knex } from 'knex';
import type { StoredChangeEvent } from '../outbox.js';
import type { ListLifecycle } from './lifecycle.js';
import type { ListStore } from './store.js';
import { foreignListingsTable } from './tables.js';
import { restoreRedAfterCorrection } from './correction.js';

const DISQUALIFYING = ['BLACK', 'KEY_ATTENTION'];

export function crossDepartmentHandler(prefix: string, store: ListStore, lifecycle: ListLifecycle) {
  const listings = foreignListingsTable(prefix);
  // A batch is one source's events in position order: what follows an event in it is what
  // became of its entry since, so a listing read late is judged for the time it was in force.
  return async (trx: Knex.Transaction, events: StoredChangeEvent[]): Promise<void> => {
    // What each event says of its listing is written in one statement per run of events (a
    // bulk recognition is hundreds at once); the run is written before anything that reads
    // the listings (a purge's correction, an exit from the red list), so every rule sees the
    // listings as they would be had each event been applied alone, in order.
    let pending = new Map<string, { entry_id: string; domain: string; credit_code: string; list_type: string; status: string }>();
    const flush = async () => {
      if (pending.size === 0) return;
      const rows = [...pending.values()];
      pending = new Map();
      for (let start = 0; start < rows.length; start += LISTINGS_PER_STATEMENT) {
        await trx(listings).insert(rows.slice(start, start + LISTINGS_PER_STATEMENT)).onConflict('entry_id').merge(['status']);
      }
    };
    for (const [index, event] of events.entries()) {
      const status = String(event.payload.status);
      if (status === 'PURGED') {
        await flush();
        await trx(listings).where({ entry_id: event.entryId }).delete();
        // 1798 (20): the red entries the mistaken listing removed are restored, or flagged.
        if (DISQUALIFYING.includes(event.listType)) await restoreRedAfterCorrection(trx, store, lifecycle, event.entryId, event.creditCode);
        continue;
      }
      // Several events of one entry in a run: the listing ends as the last one says (as
      // applying them one by one would leave it), and one statement never names a key twice.
      pending.set(event.entryId, { entry_id: event.entryId, domain: event.domain, credit_code: event.creditCode, list_type: event.listType, status });
      if (status !== 'ACTIVE' || !DISQUALIFYING.includes(event.listType)) continue;
      await flush();
      await exitRedEntries(store, lifecycle, trx, event, events.find((later, at) => at > index && later.entryId === event.entryId && String(later.payload.status) !== 'ACTIVE'));
    }
    await flush();
  };
}

/** Listings one upsert writes (5 values each). */
const LISTINGS_PER_STATEMENT = 500;

/**
 * 1798 (7), (19): the subject's red entries leave the red list when it is listed black or
 * key attention. "有效期内被…列入": a red entry recognised only after the listing had ended
 * (its end, `ended`, read in the same batch, arriving late) was never on a red list while it
 * was in force.
 */
async function exitRedEntries(store: ListStore, lifecycle: ListLifecycle, trx: Knex.Transaction, event: StoredChangeEvent, ended: StoredChangeEvent | undefined): Promise<void> {
  const redEntries = (await store.entriesOfSubject(event.creditCode, trx)).filter(
    (entry) => entry.listType === 'RED' && entry.status !== 'EXITED' && (!ended || entry.createdAt < ended.occurredAt),
  );
  for (const red of redEntries) {
    await lifecycle.exit(
      `rule:1798(${event.listType === 'BLACK' ? '7' : '19'})`,
      {
        entryId: red.id,
        grounds: { way: 'LISTED_FOR_DISHONESTY', listedEntryId: event.entryId },
        reason: `${event.listType === 'BLACK' ? '被列入黑名单' : '被列入重点关注名单'}（${event.domain}，条目 ${event.entryId}）`,
      },
      trx,
    );
  }
}

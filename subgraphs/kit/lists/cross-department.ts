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
  const apply = crossDepartmentEventHandler(prefix, store, lifecycle);
  // A batch is one source's events in position order: what follows an event in it is what
  // became of its entry since, so a listing read late is judged for the time it was in force.
  return async (trx: Knex.Transaction, events: StoredChangeEvent[]): Promise<void> => {
    for (const [index, event] of events.entries()) await apply(trx, event, (next) => events.find((later, at) => at > index && next(later)));
  };
}

function crossDepartmentEventHandler(prefix: string, store: ListStore, lifecycle: ListLifecycle) {
  const listings = foreignListingsTable(prefix);
  return async (trx: Knex.Transaction, event: StoredChangeEvent, findLater: (match: (later: StoredChangeEvent) => boolean) => StoredChangeEvent | undefined): Promise<void> => {
    const status = String(event.payload.status);
    if (status === 'PURGED') {
      await trx(listings).where({ entry_id: event.entryId }).delete();
      // 1798 (20): the red entries the mistaken listing removed are restored, or flagged.
      if (DISQUALIFYING.includes(event.listType)) await restoreRedAfterCorrection(trx, store, lifecycle, event.entryId, event.creditCode);
      return;
    }
    await trx(listings)
      .insert({ entry_id: event.entryId, domain: event.domain, credit_code: event.creditCode, list_type: event.listType, status })
      .onConflict('entry_id')
      .merge(['status']);

    if (status !== 'ACTIVE' || !DISQUALIFYING.includes(event.listType)) return;
    // 1798 (19) "有效期内被…列入": a red entry recognised only after the listing had ended (its
    // end read in the same batch, arriving late) was never on a red list while it was in force.
    const ended = findLater((next) => next.entryId === event.entryId && String(next.payload.status) !== 'ACTIVE');
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
  };
}

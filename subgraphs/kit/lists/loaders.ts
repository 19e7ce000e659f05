/** Per-request DataLoaders of the list engine: one statement per batch of subjects or entries. */
import DataLoader from 'dataloader';
import { MAX_KEYS_PER_STATEMENT, type EntryTransition, type ListEntry, type ListStore } from './store.js';

export interface ListLoaders {
  entriesBySubject: DataLoader<string, ListEntry[]>;
  historyByEntry: DataLoader<string, EntryTransition[]>;
}

export function createListLoaders(store: ListStore): ListLoaders {
  return {
    entriesBySubject: new DataLoader((codes) => store.entriesOfSubjects(codes), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
    historyByEntry: new DataLoader((ids) => store.historyOfEntries(ids), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
  };
}

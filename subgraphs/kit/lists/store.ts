/**
 * Data access of the list engine: the only code that reads or writes a department's
 * entry, history and outbox tables. Reads for many subjects take one statement.
 */
import type { Knex } from 'knex';
import { entriesTable, historyTable } from './tables.js';
import { outboxTable, toOutboxRow } from '../outbox.js';
import { PURGE_VERSION } from '../events/relay.js';
import { insertInChunks, MAX_KEYS_PER_STATEMENT, selectInChunks } from '../db.js';
import { keysetPage } from '../pagination.js';
import { announceAfterCommit } from '../events/notifier.js';
import { groupByKey } from '../group.js';
import type { DepartmentConfig, ListType } from './department.js';
import type { DataOwner, EntryVisibility } from '../auth/policy.js';
import { inTransaction } from '../transactions.js';
import { ChangedMeanwhile } from './references.js';
import type { EntryStatus } from './__generated__/resolvers-types.js';

export type { EntryStatus };

export interface ListEntry {
  id: string;
  domain: string;
  listKind: string;
  listType: ListType;
  listName: string;
  creditCode: string;
  subjectName: string;
  subjectType: 'ORGANISATION' | 'NATURAL_PERSON';
  regionCode: string;
  lei: string | null;
  legalRepresentative: LegalRepresentative | null;
  facts: string;
  recognisingAuthority: string;
  legalBasis: string;
  recognisedOn: string;
  validFrom: string;
  validUntil: string;
  status: EntryStatus;
  published: boolean;
  publicityUntil: string | null;
  repair: { repairable: boolean; method: string | null; rectificationDeadline: string | null };
  exit: { way: string; on: string; reason: string | null } | null;
  sharedAt: string | null;
  /** A natural person is told before listing (事前告知, 1798 (7)). */
  notification: { notifiedOn: string; method: string } | null;
  /** The entry this one follows: the black entry a key-attention entry follows after exit, or the key-attention entry escalated to black. */
  followsEntryId: string | null;
  /** Set when an organisation's entry is shown on its legal representative's subject. */
  linkedAs?: 'LEGAL_REPRESENTATIVE' | null;
  /** The department's decision number it was recognised under, and the digest of that recognition's content (see `recognitionDigest`). */
  externalReference: string | null;
  externalDigest: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LegalRepresentative {
  name: string | null;
  idDocumentType: string | null;
  idDocumentNumber: string | null;
  owner?: DataOwner;
}

export interface EntryTransition {
  at: string;
  actor: string;
  action: string;
  fromStatus: EntryStatus | null;
  toStatus: EntryStatus;
  reason: string | null;
  evidenceRef: string | null;
  externalReference: string | null;
}

/** One change of an entry, as its history row and its outbox event record it. */
export interface Change {
  entry: ListEntry;
  action: string;
  fromStatus: EntryStatus | null;
  actor: string;
  eventType: string;
  reason?: string | null;
  evidenceRef?: string | null;
  at?: string;
  /** The department's decision number of this action (confirmation, exit) and the digest of its content. */
  externalReference?: string | null;
  externalDigest?: string | null;
  /** The version the change left the entry at, when the writer knows it (a new entry's is 1); else read in the transaction. */
  entryVersion?: number;
}

/** One entry's move in a batch: from the state it was read in to the next, with its history and event. */
export interface Move {
  from: ListEntry;
  next: ListEntry;
  change: Omit<Change, 'entry' | 'fromStatus'>;
}

/** The version an entry is written at; each change adds one. */
const NEW_ENTRY_VERSION = 1;

/** Rows one batched UPDATE moves: its CASE expressions bind 12 values a row. */
const MOVES_PER_STATEMENT = 500;

/** A confirmation or exit recorded under a department's decision number. */
export interface ReferencedAction {
  entryId: string;
  action: string;
  digest: string | null;
  /** The evidence the action recorded (an exit's evidenceRef, given or its ground's reference). */
  evidenceRef?: string | null;
}

export interface EntryFilter {
  listTypes?: ListType[] | null;
  listKinds?: string[] | null;
  statuses?: EntryStatus[] | null;
  regionCode?: string | null;
  recognisedFrom?: string | null;
  recognisedTo?: string | null;
  creditCode?: string | null;
}

/** The lists whose entries are also shown on the organisation's legal representative (893 §8). */
const LINKED_LIST_TYPES: ListType[] = ['BLACK', 'KEY_ATTENTION'];

/** The largest IN list one statement carries; loaders batch up to this size. */
export { MAX_KEYS_PER_STATEMENT };

export class ListStore {
  private readonly entries: string;
  private readonly history: string;

  constructor(
    readonly db: Knex,
    readonly department: DepartmentConfig,
  ) {
    this.entries = entriesTable(department.name);
    this.history = historyTable(department.name);
  }

  /** All entries of each subject, newest first, in the order of `codes`. */
  /**
   * All entries of each subject, newest first, in the order of `codes` — one statement.
   * A natural person also gets the black and key-attention entries of the organisations
   * it represents, marked as linked (失信单位负责人责任追溯, 893 §8).
   */
  async entriesOfSubjects(codes: readonly string[]): Promise<ListEntry[][]> {
    const persons = codes.filter((code) => /^\d{17}[\dX]$/.test(code));
    const query = this.db(this.entries).whereIn('credit_code', codes as string[]);
    if (persons.length > 0) {
      query.orWhere((linked) => linked.whereIn('legal_rep_id_number', persons).whereIn('list_type', LINKED_LIST_TYPES));
    }
    const rows = await query.orderBy([
      { column: 'recognised_on', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    const bySubject = new Map<string, ListEntry[]>(codes.map((code) => [code, []]));
    for (const row of rows) {
      bySubject.get(row.credit_code)?.push(this.toEntry(row));
      if (row.legal_rep_id_number && row.legal_rep_id_number !== row.credit_code && LINKED_LIST_TYPES.includes(row.list_type)) {
        bySubject.get(row.legal_rep_id_number)?.push({ ...this.toEntry(row), linkedAs: 'LEGAL_REPRESENTATIVE' });
      }
    }
    return codes.map((code) => bySubject.get(code)!);
  }

  /** Transitions of each entry, oldest first, in the order of `entryIds`. */
  async historyOfEntries(entryIds: readonly string[]): Promise<EntryTransition[][]> {
    const rows = await this.db(this.history).whereIn('entry_id', entryIds as string[]).orderBy('id');
    return groupByKey(entryIds, rows, (row: any) => row.entry_id, (row: any) => ({
      at: row.at,
      actor: row.actor,
      action: row.action,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      reason: row.reason,
      evidenceRef: row.evidence_ref,
      externalReference: row.external_reference ?? null,
    }));
  }

  /** One page of entries matching `filter`, newest recognition first (keyset pagination). */
  async page(filter: EntryFilter, visibility: EntryVisibility, first: number, after?: string | null) {
    return keysetPage(this.filtered(filter, visibility), {
      keys: [{ column: 'recognised_on', order: 'desc' }, { column: 'id', order: 'desc' }],
      kind: `${this.department.name}Entries`,
      first,
      after,
      nodes: (rows) => rows.map((row: any) => this.toEntry(row)),
    });
  }

  async count(filter: EntryFilter, visibility: EntryVisibility): Promise<number> {
    const [{ total }] = await this.filtered(filter, visibility).count({ total: '*' });
    return Number(total);
  }

  /**
   * Writes new entries, their first history record and one outbox event each, in one
   * transaction: either all of it is committed or none.
   */
  async insertEntries(entries: ListEntry[], actor: string, trx?: Knex.Transaction): Promise<void> {
    const write = async (tx: Knex.Transaction) => {
      await insertInChunks(tx, this.entries, entries.map((entry) => this.toRow(entry)));
      await this.recordChanges(
        tx,
        entries.map((entry) => ({ entry, action: 'RECOGNISE', fromStatus: null, actor, eventType: 'ENTRY_RECOGNISED', at: entry.createdAt, entryVersion: NEW_ENTRY_VERSION })),
      );
    };
    if (trx) await write(trx);
    else await inTransaction(this.db, write);
  }

  /** Active entries whose validity ended before `today`, soonest first. */
  async dueForExpiry(today: string, limit: number): Promise<ListEntry[]> {
    const rows = await this.db(this.entries).where('status', 'ACTIVE').andWhere('valid_until', '<', today).orderBy('valid_until').limit(limit);
    return rows.map((row: any) => this.toEntry(row));
  }

  /** One entry, read inside `trx` when given (for a read-then-update in one transaction). */
  async findById(id: string, trx?: Knex.Transaction): Promise<ListEntry | null> {
    const row = await (trx ?? this.db)(this.entries).where({ id }).first();
    return row ? this.toEntry(row) : null;
  }

  /** Entries by id, in one statement (any order). */
  async findByIds(ids: readonly string[]): Promise<ListEntry[]> {
    if (ids.length === 0) return [];
    const rows = await this.db(this.entries).whereIn('id', ids as string[]);
    return rows.map((row: any) => this.toEntry(row));
  }

  /** The entries recognised under these decision numbers, by number, read inside `trx` (one statement per 1,000). */
  async findByExternalReferences(references: readonly string[], trx: Knex.Transaction): Promise<Map<string, ListEntry>> {
    const rows = await selectInChunks(references, (chunk) => trx(this.entries).whereIn('external_reference', chunk));
    return new Map(rows.map((row: any) => [row.external_reference, this.toEntry(row)]));
  }

  /** The confirmations and exits recorded under these decision numbers, by number (one statement per 1,000). */
  async actionsByExternalReferences(references: readonly string[], trx: Knex.Transaction): Promise<Map<string, ReferencedAction>> {
    const rows = await selectInChunks(references, (chunk) =>
      trx(this.history).whereIn('external_reference', chunk).select('external_reference', 'entry_id', 'action', 'external_digest', 'evidence_ref'),
    );
    return new Map(
      rows.map((row: any) => [row.external_reference, { entryId: row.entry_id, action: row.action, digest: row.external_digest, evidenceRef: row.evidence_ref }]),
    );
  }

  /** Entries by id inside `trx`, by id (one statement per 1,000). */
  async findByIdsIn(ids: readonly string[], trx: Knex.Transaction): Promise<Map<string, ListEntry>> {
    const rows = await selectInChunks(ids, (chunk) => trx(this.entries).whereIn('id', chunk));
    return new Map(rows.map((row: any) => [row.id, this.toEntry(row)]));
  }

  /** The entries that follow `entryId`: the key attention after a black exit, the black entry escalated from key attention. */
  async followersOf(entryId: string, trx: Knex.Transaction): Promise<ListEntry[]> {
    const rows = await trx(this.entries).where({ follows_entry_id: entryId });
    return rows.map((row: any) => this.toEntry(row));
  }

  /** The key-attention entry that followed each of these (exited black) entries, by the exited entry's id. */
  async keyAttentionFollowersOf(entryIds: readonly string[], trx: Knex.Transaction): Promise<Map<string, ListEntry>> {
    const rows = await selectInChunks(entryIds, (chunk) => trx(this.entries).whereIn('follows_entry_id', chunk).where('list_type', 'KEY_ATTENTION'));
    return new Map(rows.map((row: any) => [row.follows_entry_id, this.toEntry(row)]));
  }

  /** A subject's entries inside a transaction. */
  async entriesOfSubject(creditCode: string, trx: Knex.Transaction): Promise<ListEntry[]> {
    const rows = await trx(this.entries).where({ credit_code: creditCode });
    return rows.map((row: any) => this.toEntry(row));
  }

  /** The subjects' active entries of these list types inside a transaction (one statement per 1,000 codes). */
  async activeEntriesOfSubjects(creditCodes: readonly string[], types: readonly ListType[], trx: Knex.Transaction): Promise<ListEntry[]> {
    const rows = await selectInChunks(creditCodes, (chunk) =>
      trx(this.entries).whereIn('credit_code', chunk).where('status', 'ACTIVE').whereIn('list_type', types as ListType[]),
    );
    return rows.map((row: any) => this.toEntry(row));
  }

  /**
   * Moves an entry from `from` to the state in `changes`, only if it is still in `from`:
   * of two replicas or requests racing for the same transition, exactly one wins (the
   * other gets false and changes nothing).
   */
  async transition(trx: Knex.Transaction, entry: ListEntry, changes: Partial<ListEntry>, change: Omit<Change, 'entry' | 'fromStatus'>): Promise<ListEntry | null> {
    const next: ListEntry = { ...entry, ...changes };
    const row = this.toRow(next);
    const { id: _id, version: _version, created_at: _created, ...updates } = row;
    const updated = await trx(this.entries)
      .where({ id: entry.id, status: entry.status })
      .update({ ...updates, version: trx.raw('version + 1') });
    if (updated !== 1) return null;
    await this.recordChanges(trx, [{ ...change, entry: next, fromStatus: entry.status }]);
    return next;
  }

  /**
   * Moves many entries at once, each only if it is still in the status it was read in — one
   * UPDATE per 500 entries, the new values chosen by id — and records their history rows and
   * events (`recordChanges`). If another writer moved one of them meanwhile, throws
   * ChangedMeanwhile: the transaction is rolled back and the caller reads again.
   */
  async transitionMany(trx: Knex.Transaction, moves: readonly Move[]): Promise<void> {
    for (let start = 0; start < moves.length; start += MOVES_PER_STATEMENT) {
      const chunk = moves.slice(start, start + MOVES_PER_STATEMENT);
      const byId = (value: (move: Move) => Knex.Value) =>
        trx.raw(`CASE ?? ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END`, ['id', ...chunk.flatMap((move) => [move.from.id, value(move)])]);
      const updated = await trx(this.entries)
        .whereIn('id', chunk.map((move) => move.from.id))
        .where('status', byId((move) => move.from.status))
        .update({
          status: byId((move) => move.next.status),
          updated_at: byId((move) => move.next.updatedAt),
          exit_way: byId((move) => move.next.exit?.way ?? null),
          exited_on: byId((move) => move.next.exit?.on ?? null),
          exit_reason: byId((move) => move.next.exit?.reason ?? null),
          version: trx.raw('version + 1'),
        });
      if (updated !== chunk.length) throw new ChangedMeanwhile();
    }
    await this.recordChanges(trx, moves.map((move) => ({ ...move.change, entry: move.next, fromStatus: move.from.status })));
  }

  /** Removes an entry and its history for good (a listing found mistaken is not kept, 1798 (20)). */
  async purge(trx: Knex.Transaction, entry: ListEntry, change: Omit<Change, 'entry' | 'fromStatus'>): Promise<boolean> {
    const deleted = await trx(this.entries).where({ id: entry.id, status: entry.status }).delete();
    if (deleted !== 1) return false;
    await trx(this.history).where({ entry_id: entry.id }).delete();
    announceAfterCommit(trx, `outbox.${this.department.name}`);
    // The event says that it happened and to whom, never what the mistaken record said.
    await trx(outboxTable(this.department.name)).insert({
      ...toOutboxRow({
        type: change.eventType,
        entryId: entry.id,
        creditCode: entry.creditCode,
        domain: entry.domain,
        listType: entry.listType,
        occurredAt: change.at ?? new Date().toISOString(),
        // previousStatus: the feed shows a purge only to those who could see the entry before.
        payload: { status: 'PURGED', previousStatus: entry.status, listKind: entry.listKind, subjectType: entry.subjectType, regionCode: entry.regionCode },
      }),
      // After every other change of the entry, for the relay's per-entry order.
      entry_version: PURGE_VERSION,
    });
    return true;
  }

  /** History rows and outbox events of changes already applied to the entries table. */
  async recordChanges(trx: Knex.Transaction, changes: Change[]): Promise<void> {
    announceAfterCommit(trx, `outbox.${this.department.name}`);
    await insertInChunks(
      trx,
      this.history,
      changes.map(({ entry, action, fromStatus, actor, reason, evidenceRef, at, externalReference, externalDigest }) => ({
        entry_id: entry.id,
        at: at ?? entry.updatedAt,
        actor,
        action,
        from_status: fromStatus,
        to_status: entry.status,
        reason: reason ?? null,
        evidence_ref: evidenceRef ?? null,
        external_reference: externalReference ?? null,
        external_digest: externalDigest ?? null,
      })),
    );
    await insertInChunks(
      trx,
      outboxTable(this.department.name),
      changes.map(({ entry, eventType, at, action, fromStatus, entryVersion }) => ({
        ...toOutboxRow({
          type: eventType,
          entryId: entry.id,
          creditCode: entry.creditCode,
          domain: entry.domain,
          listType: entry.listType,
          occurredAt: at ?? entry.updatedAt,
          payload: {
            action,
            listKind: entry.listKind,
            status: entry.status,
            // The status before this change: an exit is shown only where the entry could be seen before it.
            // An entry recorded already ended (a past listing, its exit recorded with it) had been in force.
            previousStatus: fromStatus ?? (entry.status === 'EXITED' ? 'ACTIVE' : null),
            subjectType: entry.subjectType,
            regionCode: entry.regionCode,
            recognisedOn: entry.recognisedOn,
            validUntil: entry.validUntil,
            published: entry.published,
            exitWay: entry.exit?.way ?? null,
            exitedOn: entry.exit?.on ?? null,
            sharedAt: entry.sharedAt,
          },
        }),
        // The version the change left the entry at (read in this transaction unless the writer
        // knows it): the relay keeps each entry's events in this order, whatever order their seq says.
        entry_version: entryVersion ?? trx.raw('(select version from ?? where id = ?)', [this.entries, entry.id]),
      })),
    );
  }

  private filtered(filter: EntryFilter, visibility: EntryVisibility) {
    const query = this.db(this.entries);
    if (visibility.statuses) query.whereIn('status', visibility.statuses);
    if (visibility.listTypes) query.whereIn('list_type', visibility.listTypes);
    if (visibility.publishedOnly) query.where('published', true);
    if (filter.listTypes?.length) query.whereIn('list_type', filter.listTypes);
    if (filter.listKinds?.length) query.whereIn('list_kind', filter.listKinds);
    if (filter.statuses?.length) query.whereIn('status', filter.statuses);
    if (filter.regionCode) query.where('region_code', 'like', `${filter.regionCode}%`);
    if (filter.recognisedFrom) query.where('recognised_on', '>=', filter.recognisedFrom);
    if (filter.recognisedTo) query.where('recognised_on', '<=', filter.recognisedTo);
    if (filter.creditCode) query.where('credit_code', filter.creditCode);
    return query;
  }

  private toEntry(row: any): ListEntry {
    const list = this.department.lists.find((l) => l.kind === row.list_kind);
    const hasLegalRep = row.legal_rep_name != null || row.legal_rep_id_number != null;
    return {
      id: row.id,
      domain: this.department.domain,
      listKind: row.list_kind,
      listType: row.list_type,
      listName: list?.title ?? row.list_kind,
      creditCode: row.credit_code,
      subjectName: row.subject_name,
      subjectType: row.subject_type,
      regionCode: row.region_code,
      lei: row.lei,
      legalRepresentative: hasLegalRep
        ? {
            name: row.legal_rep_name,
            idDocumentType: row.legal_rep_id_type,
            idDocumentNumber: row.legal_rep_id_number,
            // Whose personal data this is, for masking and the access register: the representative's own.
            owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: Boolean(row.published), person: row.legal_rep_id_number },
          }
        : null,
      facts: row.facts,
      recognisingAuthority: row.recognising_authority,
      legalBasis: row.legal_basis,
      recognisedOn: row.recognised_on,
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      status: row.status,
      published: Boolean(row.published),
      publicityUntil: row.publicity_until,
      repair: { repairable: Boolean(row.repairable), method: row.repair_method, rectificationDeadline: row.rectification_deadline },
      exit: row.exit_way ? { way: row.exit_way, on: row.exited_on, reason: row.exit_reason } : null,
      sharedAt: row.shared_at,
      notification: row.notified_on ? { notifiedOn: row.notified_on, method: row.notification_method } : null,
      followsEntryId: row.follows_entry_id ?? null,
      externalReference: row.external_reference ?? null,
      externalDigest: row.external_digest ?? null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private toRow(entry: ListEntry) {
    return {
      id: entry.id,
      list_kind: entry.listKind,
      list_type: entry.listType,
      credit_code: entry.creditCode,
      subject_name: entry.subjectName,
      subject_type: entry.subjectType,
      region_code: entry.regionCode,
      lei: entry.lei,
      legal_rep_name: entry.legalRepresentative?.name ?? null,
      legal_rep_id_type: entry.legalRepresentative?.idDocumentType ?? null,
      legal_rep_id_number: entry.legalRepresentative?.idDocumentNumber ?? null,
      facts: entry.facts,
      recognising_authority: entry.recognisingAuthority,
      legal_basis: entry.legalBasis,
      recognised_on: entry.recognisedOn,
      valid_from: entry.validFrom,
      valid_until: entry.validUntil,
      status: entry.status,
      published: entry.published,
      publicity_until: entry.publicityUntil,
      repairable: entry.repair.repairable,
      repair_method: entry.repair.method,
      rectification_deadline: entry.repair.rectificationDeadline,
      exit_way: entry.exit?.way ?? null,
      exited_on: entry.exit?.on ?? null,
      exit_reason: entry.exit?.reason ?? null,
      shared_at: entry.sharedAt,
      notified_on: entry.notification?.notifiedOn ?? null,
      notification_method: entry.notification?.method ?? null,
      follows_entry_id: entry.followsEntryId,
      external_reference: entry.externalReference,
      external_digest: entry.externalDigest,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
      version: NEW_ENTRY_VERSION,
    };
  }
}

/**
 * Collection (归集, 893 §5): the platform keeps an index of every department's entries,
 * built from their change events, and from it the big-data warning list (1798 (17)): a
 * subject on key-attention lists in 3 or more different domains is on it, and leaves it
 * when it drops below 3.
 */
import type { Knex } from 'knex';
import type { StoredChangeEvent } from '../kit/outbox.js';
import type { Clock } from '../kit/dates.js';
import { keysetPage } from '../kit/pagination.js';
import { workingDaysBetween, type WorkingCalendar } from '../kit/working-days.js';
import { tableRef, type Migration } from '../kit/db.js';
import { checkSubjectCode } from '../kit/codes.js';
import { exitEventsAfter, type ChangeFeed, type FeedEvent } from './change-feed.js';
import type { CrossDepartmentVisibility } from '../kit/auth/policy.js';
import { whereVisible } from './visibility-sql.js';
import { feedEventOf } from './feed-events.js';

/**
 * The collection's tables: the entry index (every department's entries under one subject),
 * the warning list and the consumer's offsets. Other modules read them through `entryIndex`
 * and `warningList`, never by name.
 */
export const entryIndexTable = 'platform_entry_index';
export const warningListTable = 'platform_warning_list';
export const platformOffsetsTable = 'platform_consumer_offsets';
export const entryIndex = tableRef(entryIndexTable);
export const warningList = tableRef(warningListTable);
/** How far the collection has read each department's events: what a screening's data version names. */
export const collectedOffsets = tableRef(platformOffsetsTable);

/** The entry index, the warning list and the offsets. */
export const collectionMigration: Migration = {
  name: 'platform_003_collection',
  async up(db) {
    // 归集 (893 §5): every department's entries collected under one subject, from their events.
    await db.schema.createTable(entryIndexTable, (t) => {
      t.string('entry_id', 36).primary();
      t.string('domain', 24).notNullable();
      t.string('credit_code', 18).notNullable();
      t.string('list_type', 16).notNullable();
      t.string('list_kind', 48).notNullable();
      t.string('status', 16).notNullable();
      t.string('subject_type', 16).notNullable();
      t.string('region_code', 6).notNullable();
      t.string('recognised_on', 10).notNullable();
      t.string('valid_until', 10).notNullable();
      // When the entry reached the platform (1798 (10): within 10 working days of recognition).
      t.string('reached_platform_at', 24).notNullable();
      t.integer('sharing_working_days').notNullable();
      t.string('updated_at', 24).notNullable();
      t.index(['credit_code'], 'platform_entry_index_by_subject');
      t.index(['list_type', 'status', 'credit_code'], 'platform_entry_index_by_type');
      t.index(['sharing_working_days'], 'platform_entry_index_by_sharing');
    });
    // The big-data warning list (1798 (17)): one row per stay on it.
    await db.schema.createTable(warningListTable, (t) => {
      t.bigIncrements('id').primary();
      t.string('credit_code', 18).notNullable();
      t.string('subject_type', 16).notNullable();
      t.text('domains').notNullable();
      t.string('entered_at', 24).notNullable();
      t.string('left_at', 24).nullable();
      t.index(['credit_code', 'left_at'], 'platform_warning_list_by_subject');
      t.index(['left_at', 'entered_at'], 'platform_warning_list_current');
    });
    await db.schema.createTable(platformOffsetsTable, (t) => {
      t.string('source', 32).primary();
      t.bigInteger('last_seq').notNullable();
      t.string('updated_at', 24).notNullable();
    });
  },
  async down(db) {
    await db.schema.dropTable(platformOffsetsTable);
    await db.schema.dropTable(warningListTable);
    await db.schema.dropTable(entryIndexTable);
  },
};

/** The statistics columns and indexes (runs after the change feed exists: its backfill reads it). */
export const statisticsColumnsMigration: Migration = {
  name: 'platform_005_statistics',
  async up(db) {
    // The statistics count exits by way and date, and group by columns an index covers,
    // so every figure is an index range scan and a GROUP BY, never a table walk.
    await db.schema.alterTable(entryIndexTable, (t) => {
      t.string('exit_way', 32).nullable();
      t.string('exited_on', 10).nullable();
    });
    await db.schema.alterTable(entryIndexTable, (t) => {
      t.index(['recognised_on', 'list_type', 'domain', 'region_code', 'status', 'exited_on'], 'platform_entry_index_stats_recognised');
      t.index(['exited_on', 'exit_way', 'list_type', 'domain', 'region_code'], 'platform_entry_index_stats_exited');
      t.index(['list_type', 'credit_code', 'domain', 'status', 'recognised_on', 'exited_on', 'region_code'], 'platform_entry_index_stats_subjects');
    });
    await db.schema.alterTable(warningListTable, (t) => {
      t.string('region_code', 6).notNullable().defaultTo('');
      t.index(['entered_at', 'left_at'], 'platform_warning_list_by_time');
    });
    await backfillStatisticsColumns(db);
  },
  async down(db) {
    await db.schema.alterTable(warningListTable, (t) => {
      t.dropIndex(['entered_at', 'left_at'], 'platform_warning_list_by_time');
      t.dropColumn('region_code');
    });
    await db.schema.alterTable(entryIndexTable, (t) => {
      t.dropIndex([], 'platform_entry_index_stats_subjects');
      t.dropIndex([], 'platform_entry_index_stats_exited');
      t.dropIndex([], 'platform_entry_index_stats_recognised');
      t.dropColumn('exited_on');
      t.dropColumn('exit_way');
    });
  },
};

/** The covering index of screenings. */
export const screeningIndexMigration: Migration = {
  name: 'platform_008_screening_index',
  async up(db) {
    // A screening reads, for up to 1,000 random codes, their active entries' kind, type,
    // domain and dates: an index that holds those columns answers it without visiting the
    // table's rows (clustered by entry id, so one random page per entry), and is small
    // enough to stay cached where the table is not.
    await db.schema.alterTable(entryIndexTable, (t) => {
      t.index(['credit_code', 'status', 'list_kind', 'list_type', 'domain', 'recognised_on', 'valid_until'], 'platform_entry_index_screening');
    });
  },
  async down(db) {
    await db.schema.alterTable(entryIndexTable, (t) => t.dropIndex([], 'platform_entry_index_screening'));
  },
};

/**
 * Fills the statistics columns of what was collected before they existed: each exited
 * entry's way and date from its last exit in the change feed (the day of the exit event,
 * or for an entry recorded already exited its validity's end), and each warning-list
 * stay's division code from its credit code. Nothing to do on a new database.
 */
async function backfillStatisticsColumns(db: Knex): Promise<void> {
  const exits = new Map<string, { way: string; on: string }>();
  let after = 0;
  for (;;) {
    const rows = await exitEventsAfter(db, after, 5000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const validUntil = JSON.parse(row.detail ?? '{}').validUntil;
      const on = row.type === 'ENTRY_EXITED' || !validUntil ? String(row.occurred_at).slice(0, 10) : String(validUntil);
      exits.set(row.entry_id, { way: row.exit_way ?? 'UNKNOWN', on });
    }
    after = Number(rows.at(-1).position);
  }
  const ids = [...exits.keys()];
  for (let start = 0; start < ids.length; start += 200) {
    const chunk = ids.slice(start, start + 200);
    const cases = (pick: (exit: { way: string; on: string }) => string) =>
      db.raw(`CASE entry_id ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END`, chunk.flatMap((id) => [id, pick(exits.get(id)!)]));
    await entryIndex(db).whereIn('entry_id', chunk).andWhere('status', 'EXITED')
      .update({ exit_way: cases((exit) => exit.way), exited_on: cases((exit) => exit.on) });
  }
  const stays = await warningList(db).where('region_code', '').select('id', 'credit_code');
  for (const stay of stays) {
    const check = checkSubjectCode(stay.credit_code);
    await warningList(db).where({ id: stay.id }).update({ region_code: check.valid ? check.regionCode : '' });
  }
}


export const WARNING_LIST_MIN_DOMAINS = 3;
/** 1798 (10): a recognised entry reaches the platform within 10 working days. */
export const SHARING_DEADLINE_WORKING_DAYS = 10;

export interface WarningListStay {
  creditCode: string;
  subjectType: string;
  domains: string[];
  enteredAt: string;
  leftAt: string | null;
}

/**
 * Whose code an event concerns. The department says so in the event; an event that does not
 * (an older producer) is read from the code itself, and a code that reads as neither counts as
 * a natural person's: masking fails closed, never open.
 */
export function subjectTypeOf(event: { creditCode: string; payload: Record<string, unknown> }): 'NATURAL_PERSON' | 'ORGANISATION' {
  const stated = event.payload.subjectType;
  if (stated === 'NATURAL_PERSON' || stated === 'ORGANISATION') return stated;
  const check = checkSubjectCode(event.creditCode);
  return check.valid ? check.kind : 'NATURAL_PERSON';
}

export class Collection {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    readonly calendar: WorkingCalendar,
    readonly feed: ChangeFeed,
  ) {}

  /**
   * Applies a batch of department events to the index, the change feed and the warning
   * list, in a few statements whatever the batch size. Idempotent: an event applied twice
   * changes nothing the second time.
   */
  handleBatch = async (trx: Knex.Transaction, events: StoredChangeEvent[]): Promise<void> => {
    const now = this.clock().toISOString();
    const upserts = new Map<string, Record<string, unknown>>();
    const purged: string[] = [];
    for (const event of events) {
      const status = String(event.payload.status);
      if (status === 'PURGED') {
        upserts.delete(event.entryId);
        purged.push(event.entryId);
        continue;
      }
      const recognisedOn = String(event.payload.recognisedOn ?? event.occurredAt.slice(0, 10));
      // An entry reaches the shared platform when it is recorded in the hub (its first event);
      // the delay that counts is from recognition to then (1798 (10)). An existing row keeps its own.
      const reached = String(upserts.get(event.entryId)?.reached_platform_at ?? event.payload.sharedAt ?? event.occurredAt);
      const validUntil = String(event.payload.validUntil ?? '');
      upserts.set(event.entryId, {
        entry_id: event.entryId,
        domain: event.domain,
        credit_code: event.creditCode,
        list_type: event.listType,
        list_kind: String(event.payload.listKind),
        status,
        // The status before this change: entryChanges shows an exit only where the entry could be seen before.
        previous_status: event.payload.previousStatus == null ? null : String(event.payload.previousStatus),
        // Unknown stays unknown (null): counts as unpublished.
        published: event.payload.published == null ? null : Boolean(event.payload.published),
        subject_type: subjectTypeOf(event),
        region_code: String(event.payload.regionCode ?? ''),
        recognised_on: recognisedOn,
        valid_until: validUntil,
        reached_platform_at: reached,
        sharing_working_days: workingDaysBetween(recognisedOn, reached.slice(0, 10), this.calendar),
        updated_at: now,
        // For the statistics: how and when the entry left its list.
        exit_way: status === 'EXITED' ? String(event.payload.exitWay ?? 'UNKNOWN') : null,
        exited_on: status === 'EXITED' ? exitDate(event, validUntil) : null,
      });
    }
    if (purged.length) await trx(entryIndexTable).whereIn('entry_id', purged).delete();
    const rows = [...upserts.values()];
    for (let start = 0; start < rows.length; start += 200) {
      await trx(entryIndexTable).insert(rows.slice(start, start + 200)).onConflict('entry_id').merge(['status', 'previous_status', 'published', 'valid_until', 'updated_at', 'exit_way', 'exited_on']);
    }
    await this.feed.append(trx, events.map(feedEventOf));
    // The warning list depends on key-attention entries only: review the subjects they touched.
    const touched = new Map<string, string>();
    for (const event of events) {
      if (event.listType === 'KEY_ATTENTION') touched.set(event.creditCode, subjectTypeOf(event));
    }
    for (const [creditCode, subjectType] of touched) await this.reviewWarningList(trx, creditCode, subjectType, now);
  };

  private async reviewWarningList(trx: Knex.Transaction, creditCode: string, subjectType: string, now: string): Promise<void> {
    const rows = await trx(entryIndexTable).where({ credit_code: creditCode, list_type: 'KEY_ATTENTION', status: 'ACTIVE' }).distinct('domain');
    const domains = rows.map((row: any) => row.domain as string).sort();
    const current = await trx(warningListTable).where({ credit_code: creditCode }).whereNull('left_at').first();
    if (domains.length >= WARNING_LIST_MIN_DOMAINS) {
      if (!current) {
        const [id] = await trx(warningListTable).insert({
          credit_code: creditCode, subject_type: subjectType, region_code: regionOfCode(creditCode), domains: JSON.stringify(domains), entered_at: now, left_at: null,
        });
        await this.feed.append(trx, [warningEvent('WARNING_LIST_ENTERED', id, creditCode, subjectType, domains, now)]);
      }
      else if (current.domains !== JSON.stringify(domains)) await trx(warningListTable).where({ id: current.id }).update({ domains: JSON.stringify(domains) });
    } else if (current) {
      await trx(warningListTable).where({ id: current.id }).update({ left_at: now });
      await this.feed.append(trx, [warningEvent('WARNING_LIST_LEFT', current.id, creditCode, subjectType, domains, now)]);
    }
  }

  /** Entries that reached the platform later than the sharing deadline, latest recognition first. */
  async lateShared(first: number, after: string | null | undefined, domain: string | null | undefined, visibility: CrossDepartmentVisibility) {
    const query = this.db(entryIndexTable).where('sharing_working_days', '>', SHARING_DEADLINE_WORKING_DAYS);
    whereVisible(query, visibility, this.feed.domains);
    if (domain) query.where('domain', domain);
    return keysetPage(query, {
      keys: [{ column: 'recognised_on', order: 'desc' }, { column: 'entry_id', order: 'desc' }],
      kind: 'late',
      first,
      after,
      nodes: (rows) => rows.map(lateSharedFromRow),
    });
  }

  /**
   * Directed push as a pull (定向推送, 893 §6): entries recognised or changed after `after`,
   * of the list kinds that trigger the measures an agency applies, or of a region.
   */
  async changesSince(
    after: string | null | undefined,
    first: number,
    filter: { listKinds?: string[] | null; regionPrefix?: string | null },
    visibility: CrossDepartmentVisibility,
  ) {
    const query = this.db(entryIndexTable);
    // What the reader may see, as the change feed shows it (the policy's feed visibility).
    whereVisible(query, visibility, this.feed.domains);
    if (filter.listKinds) query.whereIn('list_kind', filter.listKinds);
    if (filter.regionPrefix) query.where('region_code', 'like', `${filter.regionPrefix}%`);
    return keysetPage(query, {
      keys: [{ column: 'updated_at' }, { column: 'entry_id' }],
      kind: 'changed',
      first,
      after,
      nodes: (rows) => rows.map(entryChangeFromRow),
    });
  }

  /** The current stays on the warning list of `codes`, in their order (null where not on it). */
  async currentStays(codes: readonly string[]): Promise<(WarningListStay | null)[]> {
    const rows = await this.db(warningListTable).whereIn('credit_code', codes as string[]).whereNull('left_at');
    const byCode = new Map(rows.map((row: any) => [row.credit_code, stayFromRow(row)]));
    return codes.map((code) => byCode.get(code) ?? null);
  }

  /** Subjects on the warning list now, most recent first. */
  async page(first: number, after?: string | null, subjectTypes?: ('ORGANISATION' | 'NATURAL_PERSON')[]) {
    const query = this.db(warningListTable).whereNull('left_at');
    // A natural person's key is personal data: callers that may not read it do not get such rows.
    if (subjectTypes) query.whereIn('subject_type', subjectTypes);
    return keysetPage(query, {
      keys: [{ column: 'entered_at', order: 'desc' }, { column: 'id', order: 'desc', value: (row) => Number(row.id), numeric: true }],
      kind: 'warning',
      first,
      after,
      nodes: (rows) => rows.map(stayFromRow),
    });
  }
}

function warningEvent(type: string, stayId: number | string, creditCode: string, subjectType: string, domains: string[], at: string): FeedEvent {
  return {
    eventId: `warning-list:${stayId}:${type === 'WARNING_LIST_ENTERED' ? 'entered' : 'left'}`,
    type,
    creditCode,
    subjectType,
    listType: 'KEY_ATTENTION',
    regionCode: checkSubjectCode(creditCode).valid ? (checkSubjectCode(creditCode) as any).regionCode : null,
    occurredAt: at,
    detail: { domains },
  };
}

/**
 * The day an entry left its list: the exit's own date when the event carries it; else the
 * day of the exit event, or for an entry recorded already exited (a seeded history) the end
 * of its validity.
 */
function exitDate(event: StoredChangeEvent, validUntil: string): string {
  if (event.payload.exitedOn) return String(event.payload.exitedOn);
  return event.payload.action === 'RECOGNISE' && validUntil ? validUntil : event.occurredAt.slice(0, 10);
}

/** The division code a credit code carries ('' when it carries none). */
export function regionOfCode(creditCode: string): string {
  const check = checkSubjectCode(creditCode);
  return check.valid ? check.regionCode : '';
}

function stayFromRow(row: any): WarningListStay {
  return { creditCode: row.credit_code, subjectType: row.subject_type, domains: JSON.parse(row.domains), enteredAt: row.entered_at, leftAt: row.left_at };
}

/** A late-shared entry as GraphQL shows it. */
function lateSharedFromRow(row: any) {
  return {
    entryId: row.entry_id,
    domain: row.domain,
    creditCode: row.credit_code,
    listType: row.list_type,
    recognisedOn: row.recognised_on,
    reachedPlatformAt: row.reached_platform_at,
    workingDays: Number(row.sharing_working_days),
    owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: true },
  };
}

/** An entry's change as `entryChanges` shows it. */
function entryChangeFromRow(row: any) {
  return {
    entryId: row.entry_id, domain: row.domain, creditCode: row.credit_code, listType: row.list_type, listKind: row.list_kind,
    status: row.status, regionCode: row.region_code, recognisedOn: row.recognised_on, validUntil: row.valid_until, changedAt: row.updated_at,
    owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: true },
  };
}

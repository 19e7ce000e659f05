/**
 * The change feed for integration partners (banks, associations, credit agencies, local
 * platforms; 1798 (13), 893 §7): every committed change that matters — an entry
 * recognised, activated, exited (with the way), purged after an upheld objection, the
 * warning list in or out, a memorandum changed — as one event with a stable id, a type,
 * the subject's code, the domain, the time and a global, resumable position.
 *
 * Appends happen in the transaction of the change they record, into a pending table (no
 * shared row, so replicas do not queue on one); the sequencer worker moves committed
 * pending events into the feed under a locked head row, so positions commit in order: a
 * reader that resumes after its last position misses nothing and sees nothing twice.
 * Appends are idempotent on the event id.
 */
import type { Knex } from 'knex';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { decodeCursor, encodeCursor } from '../kit/cursor.js';
import { keysetPage, type CursorCodec, type Page } from '../kit/pagination.js';
import { insertInChunks, isMysql, tableRef, type Migration } from '../kit/db.js';
import type { Route } from '../kit/http.js';
import { authenticateForwarded } from '../kit/auth/context.js';
import { inTransaction } from '../kit/transactions.js';
import { keepPerEntryOrder } from '../kit/events/relay.js';
import { announceAfterCommit, FEED_PENDING_TOPIC, FEED_TOPIC } from '../kit/events/notifier.js';
import { feedVisibilityAcross, visibleWarningListDomains, type CrossDepartmentVisibility, type DepartmentRef } from '../kit/auth/policy.js';
import type { Principal } from '../kit/auth/principal.js';
import { whereVisible } from './visibility-sql.js';
import { ChangeType } from './__generated__/resolvers-types.js';
import { departments as catalogue } from '../departments.js';

/** The feed's tables: this module's; others go through ChangeFeed (and `changeFeed` in a migration). */
export const changeFeedTable = 'platform_change_feed';
export const changeFeedHeadTable = 'platform_change_feed_head';
const changeFeedPendingTable = 'platform_change_feed_pending';
export const changeFeed = tableRef(changeFeedTable);

/** The feed and its head. */
export const changeFeedMigration: Migration = {
  name: 'platform_006_change_feed',
  async up(db) {
    // The change feed for integration partners: every change that matters, in one global
    // order (position), appended under a locked head row so positions commit in order.
    await db.schema.createTable(changeFeedTable, (t) => {
      t.bigInteger('position').primary();
      t.string('event_id', 120).notNullable().unique();
      t.string('type', 48).notNullable();
      t.string('domain', 24).nullable();
      t.string('credit_code', 18).nullable();
      t.string('subject_type', 16).nullable();
      t.string('list_type', 16).nullable();
      t.string('list_kind', 48).nullable();
      t.string('region_code', 6).nullable();
      t.string('entry_id', 36).nullable();
      t.string('status', 16).nullable();
      t.string('exit_way', 32).nullable();
      t.string('occurred_at', 24).notNullable();
      t.text('detail').notNullable();
      t.index(['occurred_at'], 'platform_change_feed_by_time');
    });
    await db.schema.createTable(changeFeedHeadTable, (t) => {
      t.integer('id').primary();
      t.bigInteger('last_position').notNullable();
    });
    await db(changeFeedHeadTable).insert({ id: 1, last_position: 0 });
  },
  async down(db) {
    await db.schema.dropTable(changeFeedHeadTable);
    await db.schema.dropTable(changeFeedTable);
  },
};

/** The events waiting for their positions. */
export const changeFeedPendingMigration: Migration = {
  name: 'platform_011_change_feed_pending',
  async up(db) {
    // Appended events wait here for their feed position (ChangeFeed.sequence).
    await db.schema.createTable(changeFeedPendingTable, (t) => {
      t.bigIncrements('id').primary();
      t.string('event_id', 120).notNullable().unique();
      t.string('entry_id', 36).nullable();
      t.bigInteger('entry_order').nullable();
      t.text('event').notNullable();
      t.index(['entry_id'], 'platform_change_feed_pending_by_entry');
    });
  },
  async down(db) {
    await db.schema.dropTable(changeFeedPendingTable);
  },
};

export interface FeedEvent {
  eventId: string;
  type: string;
  domain?: string | null;
  creditCode?: string | null;
  subjectType?: string | null;
  listType?: string | null;
  listKind?: string | null;
  regionCode?: string | null;
  entryId?: string | null;
  status?: string | null;
  /** The entry's status before the change: an exit or purge is shown where the entry could be seen in it. */
  previousStatus?: string | null;
  exitWay?: string | null;
  occurredAt: string;
  detail?: Record<string, unknown>;
  /** The event's place in its department's log: keeps one entry's events in order. */
  order?: number | null;
}

function toRow(event: FeedEvent, position: number) {
  return {
    position,
    event_id: event.eventId,
    type: event.type,
    domain: event.domain ?? null,
    credit_code: event.creditCode ?? null,
    subject_type: event.subjectType ?? null,
    list_type: event.listType ?? null,
    list_kind: event.listKind ?? null,
    region_code: event.regionCode ?? null,
    entry_id: event.entryId ?? null,
    status: event.status ?? null,
    previous_status: event.previousStatus ?? null,
    exit_way: event.exitWay ?? null,
    occurred_at: event.occurredAt,
    detail: JSON.stringify(event.detail ?? {}),
  };
}

export interface StoredFeedEvent extends FeedEvent {
  position: number;
  /** Whose personal data the code is, for masking. */
  owner: { creditCode: string | null; subjectType: string | null; published: boolean };
}

export interface ChangeFilter {
  domains?: string[] | null;
  listTypes?: string[] | null;
  types?: string[] | null;
  regionCode?: string | null;
  creditCode?: string | null;
  /** Only entries of the list kinds that trigger these measures (resolved by the caller). */
  listKinds?: string[] | null;
  /** Leave out the events of listings purged as mistaken (the public channel announces none of them, 1798 (20)). */
  excludeCorrected?: boolean;
}

/** Every event type, in the order of the `ChangeType` enum of schema/platform.graphql (notices.ts appends the notices). */
export const FEED_TYPES: string[] = Object.values(ChangeType);
/** The catalogue's domains (subgraphs/departments.ts); a feed built for other departments (tests) knows its own (`ChangeFeed.domains`). */
export const FEED_DOMAINS: readonly string[] = catalogue.map((department) => department.domain);

/** Cursors are opaque: base64url of ["feed", position]. */
export const feedCursor = (position: number) => encodeCursor(['feed', position]);

export function validateChangeFilter(filter: ChangeFilter | null | undefined, domains: readonly string[] = FEED_DOMAINS): ChangeFilter {
  const f = filter ?? {};
  const unknownDomain = f.domains?.find((d) => !domains.includes(d));
  if (unknownDomain) throw badInput(`Unknown domain "${unknownDomain}": use ${domains.join(', ')}`, { argument: 'filter.domains' });
  const unknownType = f.types?.find((t) => !FEED_TYPES.includes(t));
  if (unknownType) throw badInput(`Unknown event type "${unknownType}": use ${FEED_TYPES.join(', ')}`, { argument: 'filter.types' });
  if (f.regionCode != null && !/^\d{2,6}$/.test(f.regionCode)) throw badInput('regionCode is 2 to 6 digits', { argument: 'filter.regionCode' });
  return f;
}

export class ChangeFeed {
  /** `departments`: whose domains the feed's events carry, so an officer sees its own department's in full. */
  constructor(
    readonly db: Knex,
    readonly departments: readonly DepartmentRef[] = [],
  ) {
    this.domains = departments.length ? departments.map((department) => department.domain) : FEED_DOMAINS;
  }

  /** The domains whose events this feed carries. */
  readonly domains: readonly string[];

  /**
   * Appends events in `trx`, in order, skipping any already appended (same event id). They
   * wait in the pending table, without a position and without locking a shared row; the
   * sequencer (`sequence`) gives them their positions once committed.
   */
  async append(trx: Knex.Transaction, events: FeedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const ids = events.map((e) => e.eventId);
    const existing = new Set<string>();
    for (const table of [changeFeedTable, changeFeedPendingTable]) {
      for (const row of await trx(table).whereIn('event_id', ids).select('event_id')) existing.add(row.event_id);
    }
    const rows = events
      .filter((event) => !existing.has(event.eventId) && Boolean(existing.add(event.eventId)))
      .map((event) => ({ event_id: event.eventId, entry_id: event.entryId ?? null, entry_order: event.order ?? null, event: JSON.stringify(event) }));
    if (rows.length === 0) return 0;
    await insertInChunks(trx, changeFeedPendingTable, rows);
    announceAfterCommit(trx, FEED_PENDING_TOPIC);
    return rows.length;
  }

  /**
   * A mistaken listing (1798 (20)): these entries' events keep their places but say only that
   * they were corrected — no list kind, exit way or details —, whether already positioned or
   * still pending (appended in this very batch, say).
   */
  async correctEntries(trx: Knex.Transaction, entryIds: string[]): Promise<void> {
    return this.correct(trx, 'entry_id', entryIds);
  }

  /** The same, for events of no entry (the warning list's), by event id. */
  async correctEvents(trx: Knex.Transaction, eventIds: string[]): Promise<void> {
    return this.correct(trx, 'event_id', eventIds);
  }

  private async correct(trx: Knex.Transaction, column: 'entry_id' | 'event_id', ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const corrected = { status: 'CORRECTED', listKind: null, exitWay: null, detail: { corrected: true } };
    await trx(changeFeedTable)
      .whereIn(column, ids)
      .whereNot('type', 'ENTRY_PURGED')
      .update({ status: corrected.status, list_kind: null, exit_way: null, detail: JSON.stringify(corrected.detail) });
    for (const row of await trx(changeFeedPendingTable).whereIn(column, ids).select('id', 'event')) {
      const event = JSON.parse(row.event) as FeedEvent;
      if (event.type === 'ENTRY_PURGED') continue;
      await trx(changeFeedPendingTable).where({ id: row.id }).update({ event: JSON.stringify({ ...event, ...corrected }) });
    }
  }

  /**
   * Gives committed pending events their feed positions, in one transaction on the locked,
   * compare-and-set head row, so positions commit in order: a reader that resumes after its
   * last position misses nothing and sees nothing twice. Each entry's events keep the order
   * they had in their department's log. Returns how many it placed.
   */
  async sequence(limit = 500): Promise<number> {
    return inTransaction(this.db, async (trx) => {
      const headQuery = trx(changeFeedHeadTable).where({ id: 1 });
      const head = await (isMysql(trx) ? headQuery.forUpdate() : headQuery).first();
      const first = await trx(changeFeedPendingTable).orderBy('id').limit(limit);
      if (first.length === 0) return 0;
      const taken = new Set(first.map((row: any) => Number(row.id)));
      const entryIds = [...new Set(first.map((row: any) => row.entry_id).filter((id: string | null) => id != null))] as string[];
      const more: any[] = [];
      for (let start = 0; start < entryIds.length; start += 500) {
        more.push(...(await trx(changeFeedPendingTable).whereIn('entry_id', entryIds.slice(start, start + 500))).filter((row: any) => !taken.has(Number(row.id))));
      }
      const rows = keepPerEntryOrder([...first, ...more], (row: any) => Number(row.id), (row: any) => row.entry_id, (row: any) => Number(row.entry_order ?? 0));
      let position = Number(head.last_position);
      await insertInChunks(trx, changeFeedTable, rows.map((row: any) => toRow(JSON.parse(row.event), ++position)));
      for (let start = 0; start < rows.length; start += 500) {
        await trx(changeFeedPendingTable).whereIn('id', rows.slice(start, start + 500).map((row: any) => row.id)).delete();
      }
      const moved = await trx(changeFeedHeadTable).where({ id: 1, last_position: head.last_position }).update({ last_position: position });
      if (moved !== 1) throw Object.assign(new Error('change feed head moved meanwhile'), { code: 'ER_LOCK_DEADLOCK' });
      announceAfterCommit(trx, FEED_TOPIC);
      return rows.length;
    });
  }

  /**
   * Events after `after`, in order, matching the filter and what `reader` may see (the
   * policy's feed visibility; a warning-list event names only the domains the reader may see).
   */
  async read(
    after: string | null | undefined,
    first: number,
    filter: ChangeFilter,
    reader: Principal,
    visibility: CrossDepartmentVisibility = feedVisibilityAcross(reader, this.departments),
  ): Promise<Page<StoredFeedEvent>> {
    // Retention removed what followed this cursor: say so rather than skip silently.
    if (after) await this.requireKept(positionOf(after), after, 'after');
    const query = this.db(changeFeedTable);
    if (filter.domains?.length) query.whereIn('domain', filter.domains);
    if (filter.types?.length) query.whereIn('type', filter.types);
    if (filter.listTypes?.length) query.whereIn('list_type', filter.listTypes);
    if (filter.regionCode) query.where('region_code', 'like', `${filter.regionCode}%`);
    if (filter.creditCode) query.where('credit_code', filter.creditCode);
    if (filter.listKinds) query.whereIn('list_kind', filter.listKinds);
    if (filter.excludeCorrected) query.where((w) => w.whereNull('status').orWhereNot('status', 'CORRECTED'));
    whereVisible(query, visibility, this.domains, 'LIST_TYPE');
    return keysetPage(query, {
      keys: [{ column: 'position', value: (row) => Number(row.position) }],
      first,
      after,
      cursor: FEED_CURSOR,
      // Where to resume even when nothing matched: the reader's place.
      emptyEndCursor: after ?? null,
      nodes: (rows) =>
        rows.map((row) => {
          const event = fromRow(row);
          if (Array.isArray(event.detail?.domains)) event.detail.domains = visibleWarningListDomains(reader, this.departments, event.detail.domains as string[]);
          return event;
        }),
    });
  }

  /**
   * The cursor of the last positioned event: a reader that resumes after it sees every event
   * positioned later. Read before a snapshot (an export), it is where to follow the feed from
   * without a gap: whatever the feed held up to it was committed before the snapshot was read.
   */
  async headCursor(): Promise<string> {
    return feedCursor(await this.head());
  }

  /**
   * The first position the feed still has: the oldest event kept, or — when retention removed
   * every event — the next position to be given.
   */
  async firstKept(): Promise<number> {
    const oldest = await this.db(changeFeedTable).min({ position: 'position' }).first();
    if (oldest?.position != null) return Number(oldest.position);
    return (await this.head()) + 1;
  }

  /** The last position given: every event up to it has committed. */
  async head(): Promise<number> {
    const row = await this.db(changeFeedHeadTable).where({ id: 1 }).first();
    return Number(row?.last_position ?? 0);
  }

  /** CURSOR_EXPIRED when events right after `position` were removed by retention (`cursor` as given, under `argument`). */
  async requireKept(position: number, cursor: string, argument: string): Promise<void> {
    const first = await this.firstKept();
    if (first <= position + 1) return;
    throw typedError(
      ErrorCode.CURSOR_EXPIRED,
      `Cursor "${cursor}" is older than the change feed keeps (CHANGE_FEED_RETENTION_DAYS): the oldest cursor it resumes from is "${feedCursor(first - 1)}". ` +
        'To resync, read the feed without a cursor to its end and keep that endCursor, take a snapshot of the lists (GET /export/<department>.csv or npm run export), then follow the feed from the kept endCursor',
      { argument, oldestCursor: feedCursor(first - 1) },
    );
  }

  /**
   * Retention: removes, from the oldest on, the events that occurred before `before`, at most
   * `limit` per call (the worker calls again while it removes some). It stops at the first
   * event kept, so the feed stays one unbroken run of positions whose every cursor older than
   * its first event expires (CURSOR_EXPIRED) — never a gap in the middle. Returns how many it removed.
   */
  async prune(before: string, limit = 1000): Promise<number> {
    const oldest = await this.db(changeFeedTable).orderBy('position').limit(limit).select('position', 'occurred_at');
    const kept = oldest.findIndex((row: any) => String(row.occurred_at) >= before);
    const removable = kept === -1 ? oldest.length : kept;
    if (removable === 0) return 0;
    return this.db(changeFeedTable).where('position', '<=', Number(oldest[removable - 1].position)).delete();
  }
}

/** Exits of entries after `after`, oldest first, at most `limit`: the statistics backfill's reading (collection.ts). */
export function exitEventsAfter(db: Knex, after: number, limit: number): Promise<any[]> {
  return db(changeFeedTable)
    .where('position', '>', after).andWhere('status', 'EXITED').whereNotNull('entry_id')
    .orderBy('position').limit(limit)
    .select('position', 'entry_id', 'type', 'exit_way', 'occurred_at', 'detail');
}

const FEED_CURSOR: CursorCodec = { encode: ([position]) => feedCursor(Number(position)), decode: (cursor) => [positionOf(cursor)] };

export function positionOf(cursor: string): number {
  const [kind, position] = decodeCursor(cursor, 2);
  if (kind !== 'feed' || typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
    throw badInput(`"${cursor}" is not a change-feed cursor: pass the endCursor (or an event's cursor) of a previous read`, { argument: 'after' });
  }
  return position;
}

function fromRow(row: any): StoredFeedEvent {
  return {
    position: Number(row.position),
    eventId: row.event_id,
    type: row.type,
    domain: row.domain,
    creditCode: row.credit_code,
    subjectType: row.subject_type,
    listType: row.list_type,
    listKind: row.list_kind,
    regionCode: row.region_code,
    entryId: row.entry_id,
    status: row.status,
    previousStatus: row.previous_status ?? null,
    exitWay: row.exit_way,
    occurredAt: row.occurred_at,
    detail: JSON.parse(row.detail),
    owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: true },
  };
}


/** GET /internal/feed-position, with the identity the gateway signs: `{ "cursor": "…" }`, the feed's head now. */
export function feedPositionRoute(feed: ChangeFeed, secret: Uint8Array): Route {
  return async (req, res) => {
    const auth = await authenticateForwarded(req, secret);
    res.setHeader('content-type', 'application/json');
    if (!auth.principal) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: auth.authProblem }));
      return;
    }
    res.end(JSON.stringify({ cursor: await feed.headCursor() }));
  };
}

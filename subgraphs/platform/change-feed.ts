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
import { insertInChunks, isMysql } from '../kit/db.js';
import type { Route } from '../kit/http.js';
import { authenticateForwarded } from '../kit/auth/context.js';
import { changeFeedHeadTable, changeFeedPendingTable, changeFeedTable } from './migrations.js';
import { inTransaction } from '../kit/transactions.js';
import { keepPerEntryOrder } from '../kit/events/relay.js';
import { announceAfterCommit, FEED_PENDING_TOPIC, FEED_TOPIC } from '../kit/events/notifier.js';
import { feedVisibilityAcross, visibleWarningListDomains, type CrossDepartmentVisibility, type DepartmentRef } from '../kit/auth/policy.js';
import type { Principal } from '../kit/auth/principal.js';
import { whereVisible } from './visibility-sql.js';

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

function toFeedRow(event: FeedEvent, position: number) {
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

export const FEED_TYPES = [
  'ENTRY_RECOGNISED', 'ENTRY_ACTIVATED', 'ENTRY_EXITED', 'ENTRY_PURGED',
  'WARNING_LIST_ENTERED', 'WARNING_LIST_LEFT', 'MEMORANDUM_CHANGED',
  // Notices (notices.ts).
  'EXIT_NOTICE', 'UNIT_NOTICE', 'VALIDITY_REMINDER',
];
export const FEED_DOMAINS = ['TAX', 'MARKET_SUPERVISION', 'COURTS', 'WORK_SAFETY'];

/** Cursors are opaque: base64url of ["feed", position]. */
export const feedCursor = (position: number) => encodeCursor(['feed', position]);

export function validateChangeFilter(filter: ChangeFilter | null | undefined): ChangeFilter {
  const f = filter ?? {};
  const unknownDomain = f.domains?.find((d) => !FEED_DOMAINS.includes(d));
  if (unknownDomain) throw badInput(`Unknown domain "${unknownDomain}": use ${FEED_DOMAINS.join(', ')}`, { argument: 'filter.domains' });
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
  ) {}

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
      await insertInChunks(trx, changeFeedTable, rows.map((row: any) => toFeedRow(JSON.parse(row.event), ++position)));
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
  ) {
    const afterPosition = after ? positionOf(after) : 0;
    if (afterPosition > 0) {
      const oldest = await this.db(changeFeedTable).min({ position: 'position' }).first();
      // Retention removed what followed this cursor: say so rather than skip silently.
      if (oldest?.position != null && Number(oldest.position) > afterPosition + 1) {
        throw typedError(ErrorCode.CURSOR_EXPIRED, `Cursor ${after} is older than the feed keeps: start again from a recent cursor or from the beginning`, {
          argument: 'after',
        });
      }
    }
    const query = this.db(changeFeedTable).where('position', '>', afterPosition).orderBy('position').limit(first + 1);
    if (filter.domains?.length) query.whereIn('domain', filter.domains);
    if (filter.types?.length) query.whereIn('type', filter.types);
    if (filter.listTypes?.length) query.whereIn('list_type', filter.listTypes);
    if (filter.regionCode) query.where('region_code', 'like', `${filter.regionCode}%`);
    if (filter.creditCode) query.where('credit_code', filter.creditCode);
    if (filter.listKinds) query.whereIn('list_kind', filter.listKinds);
    if (filter.excludeCorrected) query.where((w) => w.whereNull('status').orWhereNot('status', 'CORRECTED'));
    whereVisible(query, visibility, FEED_DOMAINS, 'LIST_TYPE');
    const rows = await query;
    const events = rows.slice(0, first).map(toEvent);
    for (const event of events) {
      if (Array.isArray(event.detail?.domains)) event.detail.domains = visibleWarningListDomains(reader, this.departments, event.detail.domains as string[]);
    }
    return {
      edges: events.map((event) => ({ cursor: feedCursor(event.position), node: event })),
      hasNextPage: rows.length > first,
      // Where to resume even when nothing matched: the last position read.
      endCursor: events.length ? feedCursor(events.at(-1)!.position) : after ?? null,
    };
  }

  /**
   * The cursor of the last positioned event: a reader that resumes after it sees every event
   * positioned later. Read before a snapshot (an export), it is where to follow the feed from
   * without a gap: whatever the feed held up to it was committed before the snapshot was read.
   */
  async headCursor(): Promise<string> {
    const head = await this.db(changeFeedHeadTable).where({ id: 1 }).first();
    return feedCursor(Number(head?.last_position ?? 0));
  }

  /** Removes events older than `before` (retention); cursors before them then expire. */
  async prune(before: string): Promise<number> {
    return this.db(changeFeedTable).where('occurred_at', '<', before).delete();
  }
}

export function positionOf(cursor: string): number {
  const [kind, position] = decodeCursor(cursor, 2);
  if (kind !== 'feed' || typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
    throw badInput(`"${cursor}" is not a change-feed cursor: pass the endCursor (or an event's cursor) of a previous read`, { argument: 'after' });
  }
  return position;
}

function toEvent(row: any): StoredFeedEvent {
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

export const FEED_POSITION_ROUTE = '/internal/feed-position';

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

/**
 * Collection (归集, 893 §5): the platform keeps an index of every department's entries,
 * built from their change events, and from it the big-data warning list (1798 (17)): a
 * subject on key-attention lists in 3 or more different domains is on it, and leaves it
 * when it drops below 3.
 */
import type { Knex } from 'knex';
import type { StoredChangeEvent } from '../kit/outbox.js';
import type { Clock } from '../kit/dates.js';
import { decodeCursor, encodeCursor } from '../kit/cursor.js';
import { workingDaysBetween, type WorkingCalendar } from '../kit/working-days.js';
import { entryIndexTable, warningListTable } from './migrations.js';
import { checkSubjectCode } from '../kit/codes.js';
import type { ChangeFeed, FeedEvent } from './change-feed.js';
import type { CrossDepartmentVisibility } from '../kit/auth/policy.js';
import { whereVisible } from './visibility-sql.js';
import { feedEventOf } from './feed-events.js';

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
    const query = this.db(entryIndexTable)
      .where('sharing_working_days', '>', SHARING_DEADLINE_WORKING_DAYS)
      .orderBy([{ column: 'recognised_on', order: 'desc' }, { column: 'entry_id', order: 'desc' }])
      .limit(first + 1);
    whereVisible(query, visibility, this.feed.domains);
    if (domain) query.where('domain', domain);
    if (after) {
      const [recognisedOn, id] = decodeCursor(after, 2);
      query.where((w) => w.where('recognised_on', '<', recognisedOn).orWhere((s) => s.where('recognised_on', recognisedOn).andWhere('entry_id', '<', id)));
    }
    const rows = await query;
    return {
      edges: rows.slice(0, first).map((row: any) => ({
        cursor: encodeCursor([row.recognised_on, row.entry_id]),
        node: {
          entryId: row.entry_id,
          domain: row.domain,
          creditCode: row.credit_code,
          listType: row.list_type,
          recognisedOn: row.recognised_on,
          reachedPlatformAt: row.reached_platform_at,
          workingDays: Number(row.sharing_working_days),
          owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: true },
        },
      })),
      hasNextPage: rows.length > first,
    };
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
    const query = this.db(entryIndexTable).orderBy([{ column: 'updated_at' }, { column: 'entry_id' }]).limit(first + 1);
    // What the reader may see, as the change feed shows it (the policy's feed visibility).
    whereVisible(query, visibility, this.feed.domains);
    if (filter.listKinds) query.whereIn('list_kind', filter.listKinds);
    if (filter.regionPrefix) query.where('region_code', 'like', `${filter.regionPrefix}%`);
    if (after) {
      const [updatedAt, id] = decodeCursor(after, 2);
      query.where((w) => w.where('updated_at', '>', updatedAt).orWhere((s) => s.where('updated_at', updatedAt).andWhere('entry_id', '>', id)));
    }
    const rows = await query;
    return {
      edges: rows.slice(0, first).map((row: any) => ({
        cursor: encodeCursor([row.updated_at, row.entry_id]),
        node: {
          entryId: row.entry_id, domain: row.domain, creditCode: row.credit_code, listType: row.list_type, listKind: row.list_kind,
          status: row.status, regionCode: row.region_code, recognisedOn: row.recognised_on, validUntil: row.valid_until, changedAt: row.updated_at,
          owner: { creditCode: row.credit_code, subjectType: row.subject_type, published: true },
        },
      })),
      hasNextPage: rows.length > first,
    };
  }

  /** The current stays on the warning list of `codes`, in their order (null where not on it). */
  async currentStays(codes: readonly string[]): Promise<(WarningListStay | null)[]> {
    const rows = await this.db(warningListTable).whereIn('credit_code', codes as string[]).whereNull('left_at');
    const byCode = new Map(rows.map((row: any) => [row.credit_code, toStay(row)]));
    return codes.map((code) => byCode.get(code) ?? null);
  }

  /** Subjects on the warning list now, most recent first. */
  async page(first: number, after?: string | null, subjectTypes?: ('ORGANISATION' | 'NATURAL_PERSON')[]) {
    const query = this.db(warningListTable).whereNull('left_at').orderBy([{ column: 'entered_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(first + 1);
    if (after) {
      const [enteredAt, id] = decodeCursor(after, 2);
      query.where((w) => w.where('entered_at', '<', enteredAt).orWhere((s) => s.where('entered_at', enteredAt).andWhere('id', '<', id)));
    }
    // A natural person's key is personal data: callers that may not read it do not get such rows.
    if (subjectTypes) query.whereIn('subject_type', subjectTypes);
    const rows = await query;
    const stays = rows.slice(0, first);
    return {
      edges: stays.map((row: any) => ({ cursor: encodeCursor([row.entered_at, Number(row.id)]), node: toStay(row) })),
      hasNextPage: rows.length > first,
    };
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

function toStay(row: any): WarningListStay {
  return { creditCode: row.credit_code, subjectType: row.subject_type, domains: JSON.parse(row.domains), enteredAt: row.entered_at, leftAt: row.left_at };
}

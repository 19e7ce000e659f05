/**
 * Notices (公告、通报、提示), as change-feed events: records an integration partner or a
 * department pulls (`changes(filter: { types: [...] })`), that webhooks deliver like every
 * feed event, and — for the public ones — the public channel `exitNotices`.
 * - EXIT_NOTICE, when a published entry exits from publicity or active (never a preliminary one,
 *   which was never shown — policy `exitIsAnnounced`): 1798 (20) "相关主体退出红黑名单后，认定部门（单位）
 *   及时通过原发布渠道发布名单退出公告" — published lists were on the public channel, so is the
 *   notice of their exit;
 * - UNIT_NOTICE, when an entry of a list that is not published takes effect or exits:
 *   1798 (11) "对依法不能公开的名单信息，可通报当事人所在单位或其相关主管部门依法依规处理";
 * - VALIDITY_REMINDER, to key-attention subjects before their validity ends: 1798 (17)
 *   "认定部门（单位）应通过适当方式，向重点关注名单主体发出警示并提示重点关注有效期" — once per
 *   entry and validity, `VALIDITY_REMINDER_DAYS` (30) days ahead.
 * Each notice's event id derives from what caused it, so a replayed event or a second
 * run of the reminder worker adds nothing.
 */
import type { Knex } from 'knex';
import type { StoredChangeEvent } from '../kit/outbox.js';
import { addDays, toIsoDate, type Clock } from '../kit/dates.js';
import { pageSize } from '../kit/cursor.js';
import type { ChangeFeed, FeedEvent } from './change-feed.js';
import { entryIndex } from './collection.js';
import { inTransaction } from '../kit/transactions.js';
import { feedEventOf } from './feed-events.js';
import { exitIsAnnounced, exitNoticeVisibilityAcross } from '../kit/auth/policy.js';
import type { SubgraphContext } from '../kit/server.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

export const NOTICE_TYPES = ['EXIT_NOTICE', 'UNIT_NOTICE', 'VALIDITY_REMINDER'];
export const VALIDITY_REMINDER_DAYS = 30;

const noticeOf = (event: StoredChangeEvent, type: string, detail: Record<string, unknown>): FeedEvent => ({
  ...feedEventOf(event),
  eventId: `${type.toLowerCase()}:${event.eventId}`,
  type,
  detail,
});

export class Notices {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    readonly feed: ChangeFeed,
  ) {}

  /** The notices a batch of department events calls for, in the consumer's transaction. */
  handleBatch = async (trx: Knex.Transaction, events: StoredChangeEvent[]): Promise<void> => {
    const notices: FeedEvent[] = [];
    for (const event of events) {
      const status = String(event.payload.status);
      const published = Boolean(event.payload.published);
      // Only the exit of an entry that was ever shown is announced: never a preliminary one's (policy).
      if (status === 'EXITED' && event.type === 'ENTRY_EXITED' && exitIsAnnounced(event.payload.previousStatus as string | null)) {
        notices.push(
          noticeOf(event, published ? 'EXIT_NOTICE' : 'UNIT_NOTICE', {
            notice: published ? '名单退出公告' : '名单退出通报（当事人所在单位或其主管部门）',
            channel: published ? 'PUBLIC' : 'UNIT',
            exitedOn: event.payload.exitedOn ?? null,
          }),
        );
      } else if (status === 'ACTIVE' && (event.type === 'ENTRY_ACTIVATED' || event.type === 'ENTRY_RECOGNISED') && !published) {
        // Taking effect: confirmed, or recorded active at once (the key attention after a black exit).
        notices.push(noticeOf(event, 'UNIT_NOTICE', { notice: '列入名单通报（当事人所在单位或其主管部门）', channel: 'UNIT', validUntil: event.payload.validUntil ?? null }));
      }
    }
    await this.feed.append(trx, notices);
  };

  /** Reminds key-attention subjects whose validity ends within the reminder window; returns how many were new. */
  async remindValidity(): Promise<number> {
    const today = toIsoDate(this.clock());
    const rows = await entryIndex(this.db)
      .where({ list_type: 'KEY_ATTENTION', status: 'ACTIVE' })
      .whereBetween('valid_until', [today, addDays(today, VALIDITY_REMINDER_DAYS)])
      .orderBy('entry_id')
      .limit(1000);
    if (rows.length === 0) return 0;
    const at = this.clock().toISOString();
    const reminders: FeedEvent[] = rows.map((row: any) => ({
      eventId: `validity_reminder:${row.entry_id}:${row.valid_until}`,
      type: 'VALIDITY_REMINDER',
      domain: row.domain,
      creditCode: row.credit_code,
      subjectType: row.subject_type,
      listType: row.list_type,
      listKind: row.list_kind,
      regionCode: row.region_code,
      entryId: row.entry_id,
      status: row.status,
      exitWay: null,
      occurredAt: at,
      detail: { notice: '重点关注有效期提示', channel: 'SUBJECT', validUntil: row.valid_until },
    }));
    // append skips the reminders already sent (same event id): it counts only the new ones.
    return inTransaction(this.db, (trx) => this.feed.append(trx, reminders));
  }
}

/** `exitNotices`: the public channel of exit notices (1798 (20)), newest last, resumable like the feed. */
export function noticeResolvers(feed: ChangeFeed): Resolvers<SubgraphContext> {
  return {
    Query: {
      async exitNotices(_, args, ctx) {
        // The notice of a listing since found mistaken is not kept (1798 (20)): it leaves the channel.
        const visibility = exitNoticeVisibilityAcross(ctx.principal!, feed.departments);
        const page = await feed.read(args.after, pageSize(args.first, 500, 100), { types: ['EXIT_NOTICE'], excludeCorrected: true }, ctx.principal!, visibility);
        return {
          edges: page.edges.map(({ cursor, node }) => ({ cursor, node: { ...node, detail: JSON.stringify(node.detail ?? {}) } })),
          pageInfo: page.pageInfo,
        };
      },
    },
  };
}

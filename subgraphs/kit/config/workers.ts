/** The subgraphs' background work and the working-day calendar. */
import { integer, list, oneOf } from './variable.js';

const dates = { item: /^\d{4}-\d{2}-\d{2}$/, allowed: 'comma-separated dates YYYY-MM-DD' };

export const workers = {
  CREDITHUB_WORKERS: oneOf(['on', 'off'], { default: 'on', doc: '`off`: a subgraph process serves the API only, no background workers' }),
  EXPIRY_INTERVAL_MS: integer({ min: 100, max: 86_400_000, default: 60_000, unit: 'ms', doc: 'the expiry scheduler' }),
  NOTICE_INTERVAL_MS: integer({ min: 1_000, max: 86_400_000 * 7, default: 3_600_000, unit: 'ms', doc: 'the platform\'s reminders to key-attention subjects before their validity ends' }),
  ACCESS_REGISTER_CHAINS: integer({ min: 1, max: 1024, default: 8, doc: 'hash chains of the access register (appends pick one at random; raising it adds chains)' }),
  REGISTER_CHECKPOINT_INTERVAL_MS: integer({ min: 1_000, max: 86_400_000, default: 300_000, unit: 'ms', doc: 'how often the platform signs and publishes a checkpoint of the access register when it grew: the most a deletion of the newest records can go unnoticed' }),
  CHANGE_FEED_RETENTION_DAYS: integer({
    min: 60,
    max: 36_500,
    orZero: true,
    default: 0,
    defaultText: '0 (kept forever)',
    unit: 'days',
    doc: 'the platform removes change-feed events older than this (worker `change-feed-retention`, hourly); older cursors get `CURSOR_EXPIRED`, a webhook behind it skips to what is kept. At least 60: a validity reminder is not sent twice, and partners have two months to catch up',
  }),
  CREDITHUB_HOLIDAYS: list({ ...dates, doc: 'holidays skipped by working-day counts' }),
  CREDITHUB_WORKDAYS: list({ ...dates, doc: 'weekend days worked instead (调休)' }),
};

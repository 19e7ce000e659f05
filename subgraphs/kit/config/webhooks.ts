/** Webhook delivery by the platform. */
import { integer, text } from './variable.js';

const ms = (value: number, doc: string, max = 3_600_000) => integer({ min: 1, max, default: value, unit: 'ms', doc });
const count = (value: number, doc: string, max = 10_000) => integer({ min: 1, max, default: value, doc });

export const webhooks = {
  WEBHOOK_POLL_MS: ms(1000, 'how often the delivery worker looks for events without a notification'),
  WEBHOOK_TIMEOUT_MS: ms(5000, 'deadline of one delivery'),
  WEBHOOK_BACKOFF_MS: ms(1000, 'first wait after a failed delivery (doubled each time, with jitter)'),
  WEBHOOK_MAX_BACKOFF_MS: ms(300_000, 'longest wait between attempts', 86_400_000),
  WEBHOOK_MAX_ATTEMPTS: count(8, 'attempts before a webhook is suspended', 1000),
  WEBHOOK_LEASE_MS: ms(15_000, 'how long a replica holds a webhook without renewing its lease'),
  WEBHOOK_BATCH_SIZE: count(100, 'events per webhook per pass'),
  WEBHOOK_CONCURRENCY: count(8, 'webhooks one replica delivers to at once', 1000),
  WEBHOOK_CONCURRENCY_PER_OWNER: count(2, 'of them, at most this many of one owner', 1000),
  WEBHOOK_ALLOWED_TARGETS: text({ pattern: /^[A-Za-z0-9.:\[\]\/, _-]*$/, allowed: 'comma-separated host names, IP addresses and CIDR ranges', doc: 'internal targets deliveries may reach besides public addresses' }),
};

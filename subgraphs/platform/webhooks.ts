/**
 * Webhooks for integration partners: the change feed pushed to a URL the partner
 * registers, one event per request, signed, in order, at least once.
 *
 * - Signature: `x-credithub-signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
 *   with `x-credithub-timestamp` and `x-credithub-event-id` (receivers drop duplicates by it).
 * - A failure or timeout is retried with exponential backoff and full jitter; after
 *   `maxAttempts` the event is dead-lettered (logged) and delivery moves on; `replay`
 *   re-delivers from a cursor.
 * - Each webhook is delivered by one replica at a time: a lease taken by compare-and-set
 *   and renewed per event. A replica that dies mid-delivery loses nothing: its lease
 *   expires and another resumes from the last acknowledged position.
 * - A webhook carries what its owner could query: the same list types, and natural
 *   persons' codes always masked (a webhook states no purpose of use).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { decodeCursor, encodeCursor } from '../kit/cursor.js';
import { maskIdentityNumber } from '../kit/masking.js';
import { scopedListTypes } from '../kit/auth/policy.js';
import type { Principal } from '../kit/auth/principal.js';
import { feedCursor, positionOf, validateChangeFilter, type ChangeFeed, type ChangeFilter, type StoredFeedEvent } from './change-feed.js';
import { webhookDeliveriesTable, webhooksTable } from './migrations.js';

export interface WebhookOptions {
  timeoutMs: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
  leaseMs: number;
}

export const webhookOptionsFromEnv = (env: NodeJS.ProcessEnv = process.env): WebhookOptions => ({
  timeoutMs: Number(env.WEBHOOK_TIMEOUT_MS ?? 5000),
  backoffMs: Number(env.WEBHOOK_BACKOFF_MS ?? 1000),
  maxBackoffMs: Number(env.WEBHOOK_MAX_BACKOFF_MS ?? 300_000),
  maxAttempts: Number(env.WEBHOOK_MAX_ATTEMPTS ?? 8),
  leaseMs: Number(env.WEBHOOK_LEASE_MS ?? 15_000),
});

export function sign(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class Webhooks {
  /** This replica, as a lease holder. */
  readonly replica = randomBytes(8).toString('hex');

  constructor(
    readonly db: Knex,
    readonly feed: ChangeFeed,
    readonly options: WebhookOptions,
  ) {}

  async register(owner: Principal, input: { url: string; filter?: ChangeFilter | null; secret: string }) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw badInput(`"${input.url}" is not a URL: give an absolute http(s) URL, e.g. https://partner.example/credithub`, { argument: 'input.url' });
    }
    if (!['http:', 'https:'].includes(url.protocol) || !url.hostname) {
      throw badInput(`Webhooks are delivered over http(s) only, not ${url.protocol}`, { argument: 'input.url' });
    }
    if (!input.secret || input.secret.length < 16) throw badInput('The secret has at least 16 characters', { argument: 'input.secret' });
    const filter = validateChangeFilter(input.filter);
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    await this.db(webhooksTable).insert({
      id, owner_id: owner.id, owner: JSON.stringify(owner), url: url.toString(), filter: JSON.stringify(filter), secret: input.secret,
      position: 0, attempts: 0, next_attempt_at: 0, lease_owner: null, lease_until: 0, removed: false, created_at: createdAt,
    });
    return this.describe(await this.db(webhooksTable).where({ id }).first());
  }

  private async owned(owner: Principal, id: string) {
    const row = await this.db(webhooksTable).where({ id, removed: false }).first();
    if (!row || (row.owner_id !== owner.id && owner.role !== 'ADMIN')) throw typedError(ErrorCode.NOT_FOUND, `No webhook "${id}" of yours`);
    return row;
  }

  async list(owner: Principal) {
    const rows = await this.db(webhooksTable).where({ owner_id: owner.id, removed: false }).orderBy('created_at');
    return rows.map((row: any) => this.describe(row));
  }

  async remove(owner: Principal, id: string): Promise<boolean> {
    await this.owned(owner, id);
    await this.db(webhooksTable).where({ id }).update({ removed: true });
    return true;
  }

  /** Delivers again from `fromCursor` (the beginning when absent): dead letters included. */
  async replay(owner: Principal, id: string, fromCursor?: string | null) {
    await this.owned(owner, id);
    const position = fromCursor ? positionOf(fromCursor) : 0;
    await this.db(webhooksTable).where({ id }).update({ position, attempts: 0, next_attempt_at: 0 });
    return this.describe(await this.db(webhooksTable).where({ id }).first());
  }

  async deliveries(owner: Principal, id: string, first: number, after?: string | null) {
    await this.owned(owner, id);
    const query = this.db(webhookDeliveriesTable).where({ webhook_id: id }).orderBy('id', 'desc').limit(first + 1);
    if (after) query.where('id', '<', Number(decodeCursor(after, 1)[0]));
    const rows = await query;
    return {
      edges: rows.slice(0, first).map((row: any) => ({
        cursor: encodeCursor([Number(row.id)]),
        node: {
          eventId: row.event_id, cursor: feedCursor(Number(row.position)), attempt: row.attempt, statusCode: row.status_code,
          latencyMs: row.latency_ms, error: row.error, outcome: row.outcome, at: row.at,
        },
      })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: rows.length ? encodeCursor([Number(rows[Math.min(first, rows.length) - 1].id)]) : null },
    };
  }

  private describe(row: any) {
    return { id: row.id, url: row.url, filter: row.filter, cursor: feedCursor(Number(row.position)), createdAt: row.created_at };
  }

  /** One pass of the delivery worker: every due webhook whose lease this replica gets. */
  async deliverDue(): Promise<number> {
    const now = Date.now();
    const due = await this.db(webhooksTable).where({ removed: false }).andWhere('next_attempt_at', '<=', now).andWhere('lease_until', '<', now).select('id');
    let delivered = 0;
    for (const { id } of due) delivered += await this.deliverOne(id);
    return delivered;
  }

  private async takeLease(id: string): Promise<boolean> {
    const now = Date.now();
    const taken = await this.db(webhooksTable)
      .where({ id, removed: false })
      .andWhere('lease_until', '<', now)
      .update({ lease_owner: this.replica, lease_until: now + this.options.leaseMs });
    return taken === 1;
  }

  private async deliverOne(id: string): Promise<number> {
    if (!(await this.takeLease(id))) return 0;
    let delivered = 0;
    try {
      const row = await this.db(webhooksTable).where({ id }).first();
      const owner: Principal = JSON.parse(row.owner);
      const visible = owner.role === 'PARTNER' || owner.role === 'AGENCY' ? scopedListTypes(owner) : null;
      const page = await this.feed.read(feedCursor(Number(row.position)), 50, JSON.parse(row.filter), visible);
      let attempts = Number(row.attempts);
      for (const { node } of page.edges) {
        const outcome = await this.post(row, node, attempts + 1);
        if (outcome === 'DELIVERED' || outcome === 'DEAD_LETTERED') {
          attempts = 0;
          delivered++;
          // Acknowledged (or given up on): move past it, and keep the lease alive.
          await this.db(webhooksTable).where({ id, lease_owner: this.replica }).update({
            position: node.position, attempts: 0, next_attempt_at: 0, lease_until: Date.now() + this.options.leaseMs,
          });
          continue;
        }
        attempts++;
        const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attempts - 1));
        await this.db(webhooksTable).where({ id, lease_owner: this.replica }).update({
          attempts, next_attempt_at: Date.now() + Math.floor(Math.random() * backoff),
        });
        break;
      }
    } finally {
      await this.db(webhooksTable).where({ id, lease_owner: this.replica }).update({ lease_owner: null, lease_until: 0 });
    }
    return delivered;
  }

  private async post(row: any, event: StoredFeedEvent, attempt: number): Promise<'DELIVERED' | 'FAILED' | 'DEAD_LETTERED'> {
    const { owner: _owner, position, ...visible } = event;
    const masked = { ...visible, cursor: feedCursor(position) } as Record<string, unknown>;
    if (event.subjectType === 'NATURAL_PERSON' && event.creditCode) masked.creditCode = maskIdentityNumber(event.creditCode);
    const body = JSON.stringify({ event: masked });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-credithub-event-id': event.eventId,
          'x-credithub-timestamp': timestamp,
          'x-credithub-signature': sign(row.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      statusCode = response.status;
      await response.arrayBuffer().catch(() => {});
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (failure) {
      error = (failure as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (failure as Error).message;
    }
    const outcome = !error ? 'DELIVERED' : attempt >= this.options.maxAttempts ? 'DEAD_LETTERED' : 'FAILED';
    await this.db(webhookDeliveriesTable).insert({
      webhook_id: row.id, event_id: event.eventId, position, attempt, status_code: statusCode,
      latency_ms: Date.now() - started, error, outcome, at: new Date().toISOString(),
    });
    return outcome;
  }
}

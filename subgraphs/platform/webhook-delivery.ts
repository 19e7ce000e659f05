/**
 * The webhook delivery worker, run in every replica of the platform.
 *
 * Per webhook, in feed order: take the events after its acknowledged position that its
 * owner may see, POST each as `{ "event": … }`, signed. A 2xx moves the position past the
 * event. A failure or timeout is retried with exponential backoff and full jitter; after
 * the last attempt the event is dead-lettered (recorded) and delivery moves on. Every
 * attempt is logged.
 *
 * One replica at a time: a replica delivers to a webhook only while it holds the
 * webhook's lease, taken by a conditional UPDATE (compare-and-set on `lease_until`) under a
 * token of its own, renewed by a heartbeat while it delivers and released after. Every
 * write of a delivery is conditional on that token and on the webhook's generation (a
 * replay or a removal bumps it), so a replica that lost its lease, or was overtaken by a
 * replay, changes nothing and stops; a request in flight is aborted as soon as the lease is
 * lost or about to run out. A replica that dies mid-delivery loses nothing: its lease
 * expires and another replica resumes from the last acknowledged position — the event in
 * flight is delivered again (at least once; receivers drop duplicates by event id).
 *
 * Replicas compare lease times with their own clocks: keep them in step (NTP) to well
 * within the lease's safety margin (a fifth of the lease, at most a second).
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../kit/errors.js';
import type { Clock } from '../kit/dates.js';
import { maskedValue, personalFieldInSdl, personalValue, type PersonalDataRead } from '../kit/auth/masking.js';
import { parseSdl } from '../kit/schema.js';
import type { Principal } from '../kit/auth/principal.js';
import { feedCursor, type ChangeFeed, type ChangeFilter, type StoredFeedEvent } from './change-feed.js';
import { sign, webhookDeadLettersTable, webhookDeliveriesTable, webhooksTable, type WebhookFilter, type WebhookOptions } from './webhooks.js';
import { deliveryFailure, postChecked, TargetRefused } from './webhook-targets.js';
import { inTransaction } from '../kit/transactions.js';
import { logger } from '../kit/observability/log.js';
import { webhookBacklog, webhookDeadLetters } from '../kit/observability/metrics.js';
import type { DeliveryOutcome } from './__generated__/resolvers-types.js';

export type { DeliveryOutcome };

/** The wait before the next attempt after `failures` failed ones: full jitter below min(cap, base · 2^(failures-1)). */
export function backoffDelay(failures: number, options: Pick<WebhookOptions, 'backoffMs' | 'maxBackoffMs' | 'random'>): number {
  const ceiling = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(Math.min(options.random(), 0.999999) * ceiling);
}

/** How the SDL marks `ChangeEvent.creditCode`, the one personal field of the event a webhook posts. */
const EVENT_CODE = personalFieldInSdl(parseSdl(['platform.graphql']), 'ChangeEvent.creditCode');

/**
 * The event as the webhook's owner may see it: the fields of the GraphQL `ChangeEvent`,
 * the cursor to replay from, and `detail` as an object. Its code goes through the one rule
 * (`personalValue`) as GraphQL answers the owner without a stated purpose — a webhook
 * states none: a natural person's code (or one whose owner is unknown) is masked.
 */
export function webhookEvent(event: StoredFeedEvent, owner: Principal) {
  const noPurpose = { principal: owner, purpose: null, personalDataReads: [] as PersonalDataRead[] };
  let creditCode = event.creditCode ? personalValue(EVENT_CODE, 'platform', event.creditCode, event, noPurpose) : null;
  // Nothing registers what a delivery shows: should the policy ever unmask without a purpose, mask anyway.
  if (noPurpose.personalDataReads.length && event.creditCode) creditCode = maskedValue(EVENT_CODE, event.creditCode);
  return {
    eventId: event.eventId,
    cursor: feedCursor(event.position),
    type: event.type,
    domain: event.domain ?? null,
    creditCode,
    listType: event.listType ?? null,
    listKind: event.listKind ?? null,
    regionCode: event.regionCode ?? null,
    entryId: event.entryId ?? null,
    status: event.status ?? null,
    exitWay: event.exitWay ?? null,
    occurredAt: event.occurredAt,
    detail: event.detail ?? {},
  };
}

interface Attempt {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

/** A replica's hold on one webhook: renewed by a heartbeat, lost when a renewal fails or comes too late. */
class Lease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing = false;
  private renewedAt: number;
  reason = '';

  constructor(
    private readonly db: Knex,
    readonly webhookId: string,
    readonly token: string,
    readonly generation: number,
    private until: number,
    private readonly leaseMs: number,
  ) {
    this.renewedAt = Date.now();
    const margin = Math.min(1000, Math.floor(leaseMs / 5));
    this.timer = setInterval(() => {
      const now = Date.now();
      // Stop before the lease runs out: another replica may take it from then on.
      if (now >= this.until - margin) return this.lose('the lease ran out before it could be renewed');
      if (!this.renewing && now - this.renewedAt >= leaseMs / 3) void this.renew();
    }, Math.max(20, Math.floor(leaseMs / 6)));
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  /** Writes of this delivery: only while the lease and the generation are still ours. */
  mine(query: Knex.QueryBuilder): Knex.QueryBuilder {
    return query.where({ id: this.webhookId, lease_owner: this.token, generation: this.generation, removed: false });
  }

  private async renew(): Promise<void> {
    this.renewing = true;
    const at = Date.now();
    try {
      const renewed = await this.mine(this.db(webhooksTable)).update({ lease_until: at + this.leaseMs });
      if (renewed === 1) {
        this.until = at + this.leaseMs;
        this.renewedAt = at;
      } else {
        this.lose('the webhook was replayed, removed or taken over');
      }
    } catch (error) {
      this.lose(`the lease could not be renewed (${(error as Error).message.slice(0, 80)})`);
    } finally {
      this.renewing = false;
    }
  }

  lose(reason: string): void {
    if (this.lost) return;
    this.reason = reason;
    clearInterval(this.timer);
    this.controller.abort(new Error(reason));
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.db(webhooksTable).where({ id: this.webhookId, lease_owner: this.token }).update({ lease_owner: null, lease_until: 0 });
  }
}

/** Round robin over owners, each owner's webhooks in their order (a, b, c, a, b, a, …), at most `perOwner` of each. */
export function fairOrder<T extends { owner: string }>(due: T[], perOwner: number): T[] {
  const byOwner = new Map<string, T[]>();
  for (const hook of due) byOwner.set(hook.owner, [...(byOwner.get(hook.owner) ?? []), hook]);
  const order: T[] = [];
  for (let round = 0; round < perOwner; round++) {
    for (const hooks of byOwner.values()) if (round < hooks.length) order.push(hooks[round]);
  }
  return order;
}

export interface WebhookDeliveryDeps {
  clock: Clock;
  /** The list kinds that trigger these measures today (a webhook may follow measures). */
  measureTriggers(measureIds: string[]): Promise<string[]>;
}

export class WebhookDelivery {
  /** This replica, as a lease holder: random, so two replicas never share it. */
  readonly replica = randomBytes(8).toString('hex');
  /** Webhooks this instance is delivering to now (a second pass here skips them). */
  private readonly busy = new Set<string>();

  constructor(
    readonly db: Knex,
    readonly feed: ChangeFeed,
    readonly options: WebhookOptions,
    private readonly deps: WebhookDeliveryDeps,
  ) {}

  /** One pass of the worker: every due webhook whose lease this replica gets. Returns the events it moved past. */
  async deliverDue(): Promise<number> {
    const now = Date.now();
    const head = await this.head();
    const due: { id: string; owner: string }[] = (
      await this.db(webhooksTable)
        .where({ removed: false })
        .andWhere('position', '<', head)
        .andWhere('next_attempt_at', '<=', now)
        .andWhere('lease_until', '<', now)
        .orderBy('next_attempt_at')
        .limit(200)
        .select('id', 'owner_key')
    )
      .map((row: any) => ({ id: row.id, owner: row.owner_key }))
      .filter((hook: { id: string }) => !this.busy.has(hook.id));
    webhookBacklog.set(due.length);
    let done = 0;
    // Several webhooks at once, so one slow receiver holds up its own deliveries only. Owners
    // take turns, and a pass takes at most concurrencyPerOwner webhooks of one owner (the
    // rest wait for the next pass): one owner's many unanswering webhooks neither fill the
    // lanes nor make the pass, and so another owner's next delivery, wait longer than one
    // receiver's timeout.
    const queue = fairOrder(due, this.options.concurrencyPerOwner);
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
      while (next < queue.length) {
        const moved = await this.deliverWebhook(queue[next++].id);
        done += moved;
      }
    });
    await Promise.all(lanes);
    return done;
  }

  private head(): Promise<number> {
    return this.feed.head();
  }

  private async takeLease(id: string): Promise<{ lease: Lease; row: any } | null> {
    const now = Date.now();
    const token = `${this.replica}.${randomBytes(4).toString('hex')}`;
    // Compare-and-set: of all replicas trying, one matches `lease_until < now` and sets it.
    const taken = await this.db(webhooksTable)
      .where({ id, removed: false })
      .andWhere('lease_until', '<', now)
      .andWhere('next_attempt_at', '<=', now)
      .update({ lease_owner: token, lease_until: now + this.options.leaseMs });
    if (taken !== 1) return null;
    const row = await this.db(webhooksTable).where({ id, lease_owner: token }).first();
    if (!row) return null;
    return { lease: new Lease(this.db, id, token, Number(row.generation), now + this.options.leaseMs, this.options.leaseMs), row };
  }

  private async deliverWebhook(id: string): Promise<number> {
    if (this.busy.has(id)) return 0;
    this.busy.add(id);
    let held: { lease: Lease; row: any } | null = null;
    try {
      held = await this.takeLease(id);
      if (!held) return 0;
      return await this.deliverLeased(held.lease, held.row);
    } finally {
      this.busy.delete(id);
      await held?.lease.release().catch(() => {});
    }
  }

  private async deliverLeased(lease: Lease, row: any): Promise<number> {
    const owner: Principal = JSON.parse(row.owner);
    const filter = await this.feedFilter(JSON.parse(row.filter));
    let position = Number(row.position);
    let attempts = Number(row.attempts);
    // Read the head first: every event up to it has committed, so once the page below is the
    // last one, nothing up to the head is left to deliver, matching or not.
    const head = await this.head();
    let page;
    try {
      page = await this.feed.read(feedCursor(position), this.options.batchSize, filter, owner);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.CURSOR_EXPIRED) return this.skipRetained(lease, row, position);
      throw error;
    }
    let done = 0;
    for (const { node } of page.edges) {
      if (lease.lost) return done;
      const attempt = attempts + 1;
      const result = await this.post(row, node, owner, attempt, lease);
      const outcome: DeliveryOutcome = result.error === null ? 'DELIVERED' : attempt >= this.options.maxAttempts ? 'DEAD_LETTERED' : 'FAILED';
      const kept = await this.record(lease, row, node, attempt, result, outcome);
      if (!kept || outcome === 'FAILED') return done;
      position = node.position;
      attempts = 0;
      done++;
    }
    if (!page.pageInfo.hasNextPage && head > position && !lease.lost) {
      // Nothing else up to the head matches: skip it, so the next pass reads only what is new.
      await lease.mine(this.db(webhooksTable)).andWhere('position', position).update({ position: head });
    }
    return done;
  }

  /** The stored filter as the feed reads it: the measures followed, as list kinds in force today. */
  private async feedFilter(stored: WebhookFilter): Promise<ChangeFilter> {
    const { measureIds, ...filter } = stored;
    if (measureIds?.length) return { ...filter, listKinds: await this.deps.measureTriggers(measureIds) };
    return filter;
  }

  private async post(row: any, event: StoredFeedEvent, owner: Principal, attempt: number, lease: Lease): Promise<Attempt> {
    const body = JSON.stringify({ event: webhookEvent(event, owner) });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const started = Date.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'CreditHub-Webhooks/1',
      'x-credithub-event-id': event.eventId,
      'x-credithub-timestamp': timestamp,
      'x-credithub-signature': sign(row.secret, timestamp, body),
      'x-credithub-webhook-id': row.id,
      'x-credithub-attempt': String(attempt),
    };
    try {
      // To the address checked at this delivery (webhook-targets.ts); a redirect is an
      // answer other than 2xx: never followed.
      const response = await postChecked(row.url, headers, body, AbortSignal.any([timeout, lease.signal]), this.options.targets);
      const latencyMs = Date.now() - started;
      if (response.status >= 200 && response.status < 300) return { statusCode: response.status, error: null, latencyMs };
      const error = response.status >= 300 && response.status < 400 ? `HTTP ${response.status}: redirects are not followed` : `HTTP ${response.status}`;
      return { statusCode: response.status, error, latencyMs };
    } catch (failure) {
      const latencyMs = Date.now() - started;
      if (lease.lost) return { statusCode: null, error: `stopped: ${lease.reason}`, latencyMs };
      if (timeout.aborted) return { statusCode: null, error: `no answer within ${this.options.timeoutMs} ms`, latencyMs };
      // The kind of failure only: which address or port refused is the platform's network, not the owner's business.
      return { statusCode: null, error: deliveryFailure(failure), latencyMs: failure instanceof TargetRefused ? 0 : latencyMs };
    }
  }

  /**
   * The attempt, in the log; and, while the lease and generation are still ours, its effect on
   * the webhook in the same transaction: past the event (delivered, dead-lettered) or the next
   * attempt scheduled. False when the webhook is no longer ours to deliver.
   */
  private async record(lease: Lease, row: any, event: StoredFeedEvent, attempt: number, result: Attempt, outcome: DeliveryOutcome): Promise<boolean> {
    const at = this.deps.clock().toISOString();
    const kept = await inTransaction(this.db, async (trx) => {
      const update =
        outcome === 'FAILED'
          ? { attempts: attempt, next_attempt_at: Date.now() + backoffDelay(attempt, this.options) }
          : { position: event.position, attempts: 0, next_attempt_at: 0 };
      const changed = await lease.mine(trx(webhooksTable)).update(update);
      // Given up on only when that took effect; otherwise whoever delivers next tries again.
      const logged = changed === 1 || outcome !== 'DEAD_LETTERED' ? outcome : 'FAILED';
      await trx(webhookDeliveriesTable).insert({
        webhook_id: row.id,
        event_id: event.eventId,
        position: event.position,
        attempt,
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        error: result.error,
        outcome: logged,
        at,
      });
      if (changed === 1 && outcome === 'DEAD_LETTERED') {
        webhookDeadLetters.inc();
        logger('webhooks').warn({ webhookId: row.id, eventId: event.eventId, attempts: attempt, error: result.error }, 'webhook event dead-lettered');
        await trx(webhookDeadLettersTable).insert({
          webhook_id: row.id, event_id: event.eventId, position: event.position, attempts: attempt, error: result.error, dead_at: at, requeued_at: null,
        });
      }
      return changed === 1;
    });
    if (!kept) lease.lose('the webhook was replayed, removed or taken over');
    return kept && !lease.lost;
  }

  /** Retention removed events this webhook had not delivered: say so in its log, and go on from what is kept. */
  private async skipRetained(lease: Lease, row: any, position: number): Promise<number> {
    const oldest = await this.feed.firstKept();
    await inTransaction(this.db, async (trx) => {
      const changed = await lease.mine(trx(webhooksTable)).andWhere('position', position).update({ position: oldest - 1, attempts: 0, next_attempt_at: 0 });
      if (changed !== 1) return;
      await trx(webhookDeliveriesTable).insert({
        webhook_id: row.id,
        event_id: `retention:${position + 1}-${oldest - 1}`,
        position: oldest - 1,
        attempt: 0,
        status_code: null,
        latency_ms: 0,
        error: `Events after cursor ${feedCursor(position)} up to ${feedCursor(oldest - 1)} were removed by retention before they were delivered`,
        outcome: 'DEAD_LETTERED',
        at: this.deps.clock().toISOString(),
      });
    });
    return 1;
  }
}

/**
 * Webhooks for integration partners: the change feed pushed to a URL the partner
 * registers, one event per request, signed, in order, at least once.
 *
 * This file is the registry (register, list, remove, replay, the delivery log) and what
 * both halves share: the options, the signature. The delivery worker, with its leases,
 * retries and dead letters, is in webhook-delivery.ts.
 *
 * A webhook delivers as the principal that registered it: its role, organisation and
 * scopes are stored with it, and the worker reads the feed with them — the same events
 * `changes` gives that principal. A webhook states no purpose of use, so natural persons'
 * codes are always masked in what it delivers.
 */
import { isAdministrator } from '../kit/auth/policy.js';
import { createHmac, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isMysql, type Migration } from '../kit/db.js';
import { GraphQLError } from 'graphql';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { keysetPage } from '../kit/pagination.js';
import type { Clock } from '../kit/dates.js';
import { MAX_PRINCIPAL_ID_LENGTH, RECORDED_LENGTHS, type Principal } from '../kit/auth/principal.js';
import { requireValidCode } from '../kit/lists/resolvers.js';
import { notifier } from '../kit/events/notifier.js';
import { ChangeFeed, feedCursor, positionOf, validateChangeFilter, type ChangeFilter } from './change-feed.js';
import { hostProblem, targetPolicyFromEnv, type TargetPolicy } from './webhook-targets.js';
import { inTransaction } from '../kit/transactions.js';
import { configuration } from '../kit/config/index.js';
import { shownUrl } from '../kit/shown-url.js';

/** Webhooks' tables: this module's and the delivery worker's (webhook-delivery.ts). */
export const webhooksTable = 'platform_webhooks';
export const webhookDeliveriesTable = 'platform_webhook_deliveries';
export const webhookDeadLettersTable = 'platform_webhook_dead_letters';

/** Lengths of the webhooks' VARCHAR columns that take what a partner sends (the migration below, the checks, the platform's input limits). */
export const WEBHOOK_COLUMNS = { url: 2_000, secret: 200 } as const;

/**
 * How long an owner key may be: the JSON of [role, organisation, id] at the longest the
 * principal allows (RECORDED_LENGTHS.agency, MAX_PRINCIPAL_ID_LENGTH), every character escaped
 * to two (`"` and `\`; control characters are refused in claims), plus the brackets and quotes.
 */
export const OWNER_KEY_LENGTH = 2 * (RECORDED_LENGTHS.agency + MAX_PRINCIPAL_ID_LENGTH) + 32;

/**
 * Widens `owner_key` (400 in platform_007) to what the longest owner takes, and compares it
 * byte for byte: MySQL's default collation would take `Partner-A` for `partner-a` (and ignore
 * accents and trailing spaces), listing one owner's webhooks to another. SQLite checks no
 * lengths and compares exactly already.
 */
export const webhookOwnerKeyMigration: Migration = {
  name: 'platform_016_webhook_owner_key',
  async up(db) {
    if (isMysql(db)) await db.schema.alterTable(webhooksTable, (t) => t.string('owner_key', OWNER_KEY_LENGTH).notNullable().collate('utf8mb4_bin').alter());
  },
  async down(db) {
    if (isMysql(db)) await db.schema.alterTable(webhooksTable, (t) => t.string('owner_key', 400).notNullable().alter());
  },
};

/** Webhooks, their delivery log and their dead letters. */
export const webhooksMigration: Migration = {
  name: 'platform_007_webhooks',
  async up(db) {
    // Partners' webhooks: where to deliver, what, as whom, how far (the last acknowledged
    // feed position), the retry state of the next event, and which replica delivers now
    // (a lease: lease_owner until lease_until, in epoch ms). A replay or removal bumps the
    // generation, so a delivery in flight writes nothing more.
    await db.schema.createTable(webhooksTable, (t) => {
      t.string('id', 36).primary();
      t.string('owner_key', 400).notNullable();
      t.text('owner').notNullable();
      t.string('url', WEBHOOK_COLUMNS.url).notNullable();
      t.text('filter').notNullable();
      t.string('secret', WEBHOOK_COLUMNS.secret).notNullable();
      t.bigInteger('position').notNullable();
      t.integer('attempts').notNullable();
      t.bigInteger('next_attempt_at').notNullable();
      t.string('lease_owner', 64).nullable();
      t.bigInteger('lease_until').notNullable();
      t.integer('generation').notNullable();
      t.boolean('removed').notNullable();
      t.string('created_at', 24).notNullable();
      t.index(['removed', 'next_attempt_at'], 'platform_webhooks_due');
      t.index(['owner_key'], 'platform_webhooks_by_owner');
    });
    // Every attempt, for the owner's delivery log.
    await db.schema.createTable(webhookDeliveriesTable, (t) => {
      t.bigIncrements('id').primary();
      t.string('webhook_id', 36).notNullable();
      t.string('event_id', 120).notNullable();
      t.bigInteger('position').notNullable();
      t.integer('attempt').notNullable();
      t.integer('status_code').nullable();
      t.integer('latency_ms').notNullable();
      t.text('error').nullable();
      t.string('outcome', 16).notNullable();
      t.string('at', 24).notNullable();
      t.index(['webhook_id', 'id'], 'platform_webhook_deliveries_by_webhook');
    });
    // Events given up on after the last attempt, until a replay re-queues them.
    await db.schema.createTable(webhookDeadLettersTable, (t) => {
      t.bigIncrements('id').primary();
      t.string('webhook_id', 36).notNullable();
      t.string('event_id', 120).notNullable();
      t.bigInteger('position').notNullable();
      t.integer('attempts').notNullable();
      t.text('error').nullable();
      t.string('dead_at', 24).notNullable();
      t.string('requeued_at', 24).nullable();
      t.index(['webhook_id', 'position'], 'platform_webhook_dead_letters_by_webhook');
    });
  },
  async down(db) {
    await db.schema.dropTable(webhookDeadLettersTable);
    await db.schema.dropTable(webhookDeliveriesTable);
    await db.schema.dropTable(webhooksTable);
  },
};

/** Wakes the delivery workers of every replica: a webhook was registered or replayed. */
export const WEBHOOKS_TOPIC = 'webhooks';

export interface WebhookOptions {
  /** How long a receiver has to answer one delivery. */
  timeoutMs: number;
  /** Backoff base: after the n-th failure the next attempt waits a random time below base · 2^(n-1) (full jitter)… */
  backoffMs: number;
  /** …and below this cap. */
  maxBackoffMs: number;
  /** Attempts per event before it is dead-lettered. */
  maxAttempts: number;
  /** How long a replica holds a webhook without renewing its lease. */
  leaseMs: number;
  /** Events per webhook per pass (the worker runs again at once while there are more). */
  batchSize: number;
  /** Webhooks one replica delivers to at once… */
  concurrency: number;
  /** …and of them, at most this many of one owner, so one owner's slow receivers never hold up another's. */
  concurrencyPerOwner: number;
  /** Where deliveries may go: public addresses, and what WEBHOOK_ALLOWED_TARGETS allows. */
  targets: TargetPolicy;
  /** The jitter source (tests make it deterministic). */
  random: () => number;
}

export function webhookOptionsFromEnv(env?: NodeJS.ProcessEnv): WebhookOptions {
  const settings = configuration(env);
  return {
    timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
    backoffMs: settings.WEBHOOK_BACKOFF_MS,
    maxBackoffMs: settings.WEBHOOK_MAX_BACKOFF_MS,
    maxAttempts: settings.WEBHOOK_MAX_ATTEMPTS,
    leaseMs: settings.WEBHOOK_LEASE_MS,
    batchSize: settings.WEBHOOK_BATCH_SIZE,
    concurrency: settings.WEBHOOK_CONCURRENCY,
    concurrencyPerOwner: settings.WEBHOOK_CONCURRENCY_PER_OWNER,
    targets: targetPolicyFromEnv(env),
    random: Math.random,
  };
}

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: what `x-credithub-signature` carries. */
export function sign(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The filter a webhook keeps: the feed's, with the measures it follows (resolved at each delivery). */
export type WebhookFilter = ChangeFilter & { measureIds?: string[] | null };

export interface WebhookInput {
  url: string;
  filter?: WebhookFilter | null;
  secret: string;
}

/** What a webhook row remembers of its owner: enough to read the feed as that principal. */
export function storedPrincipal(principal: Principal): Principal {
  const { role, id, agency, region, department, scopes } = principal;
  return { role, id, agency, region, department, scopes: [...scopes] };
}

/** Whose webhooks these are: the same subject of the same organisation in the same role. */
const ownerKey = (principal: Principal) => JSON.stringify([principal.role, principal.agency ?? principal.department ?? '', principal.id]);

export const MIN_SECRET_LENGTH = 16;
const MAX_SECRET_LENGTH = WEBHOOK_COLUMNS.secret;
const MAX_URL_LENGTH = WEBHOOK_COLUMNS.url;
export const MAX_WEBHOOKS_PER_OWNER = 20;

/** An absolute http(s) URL with a host, or a BAD_USER_INPUT that says what is wrong. */
export function validateWebhookUrl(raw: string, targets: TargetPolicy = targetPolicyFromEnv()): string {
  const argument = 'input.url';
  if (typeof raw !== 'string' || raw.trim() === '') throw badInput('The webhook URL is empty: give an absolute http(s) URL, e.g. https://partner.example/credithub', { argument });
  if (raw.length > MAX_URL_LENGTH) throw badInput(`The webhook URL has more than ${MAX_URL_LENGTH} characters`, { argument });
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput(`"${shownUrl(raw)}" is not an absolute URL: give an http(s) URL with a host, e.g. https://partner.example/credithub`, { argument });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badInput(`Webhooks are delivered over http or https only, not "${url.protocol.replace(/:$/, '')}": give an http(s) URL, e.g. https://partner.example/credithub`, { argument });
  }
  // WHATWG URLs of http(s) always parse a host; an empty one ("http:///x") is refused by the parser above.
  if (!url.hostname) throw badInput(`"${shownUrl(raw)}" names no host: give an http(s) URL with a host`, { argument });
  if (url.username || url.password) {
    throw badInput('Put no credentials in the webhook URL: deliveries are authenticated by their signature, and URLs are listed back', { argument });
  }
  // The parser has normalised numeric hosts (0x7f000001, 2130706433, 127.1 → 127.0.0.1).
  const problem = hostProblem(url.hostname, targets);
  if (problem) {
    throw badInput(`The webhook host ${url.hostname} ${problem}: webhooks are delivered to public addresses only (the operator may allow others with WEBHOOK_ALLOWED_TARGETS)`, { argument });
  }
  url.hash = '';
  // What is stored and delivered to is the parser's form: non-ASCII is percent-encoded there
  // (one character can become nine), so it is that form the column must hold.
  const normalised = url.toString();
  if (normalised.length > MAX_URL_LENGTH) {
    throw badInput(`The webhook URL is ${normalised.length} characters once percent-encoded, more than ${MAX_URL_LENGTH}: shorten it`, { argument });
  }
  return normalised;
}

/** Moves a filter error's argument under `input.filter`, where the webhook's caller put it. */
function underInput<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.BAD_USER_INPUT) {
      const argument = String(error.extensions.argument ?? 'filter');
      throw badInput(error.message, { argument: `input.${argument.startsWith('filter') ? argument : `filter.${argument}`}` });
    }
    throw error;
  }
}

export interface WebhookView {
  id: string;
  url: string;
  filter: string;
  cursor: string;
  deadLetters: number;
  createdAt: string;
}

export class Webhooks {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    /** The ids of these measures that are not in force today (registration refuses them). */
    private readonly unknownMeasures: (measureIds: string[]) => Promise<string[]>,
    private readonly targets: TargetPolicy = targetPolicyFromEnv(),
  ) {}

  async register(owner: Principal, input: WebhookInput): Promise<WebhookView> {
    const url = validateWebhookUrl(input.url, this.targets);
    const secret = input.secret ?? '';
    if (secret.length < MIN_SECRET_LENGTH) {
      throw badInput(`The secret has ${secret.length} characters: give at least ${MIN_SECRET_LENGTH} (random, e.g. openssl rand -hex 32)`, { argument: 'input.secret' });
    }
    if (secret.length > MAX_SECRET_LENGTH) throw badInput(`The secret has more than ${MAX_SECRET_LENGTH} characters`, { argument: 'input.secret' });
    const { measureIds, ...rest } = input.filter ?? {};
    const filter: WebhookFilter = underInput(() => validateChangeFilter(rest));
    if (filter.creditCode) filter.creditCode = underInput(() => requireValidCode(filter.creditCode!, 'filter.creditCode'));
    if (measureIds?.length) {
      const unknown = await this.unknownMeasures(measureIds);
      if (unknown.length) throw badInput(`No measure in force with id ${unknown.join(', ')}: see memorandums { measures { id } }`, { argument: 'input.filter.measureIds' });
      filter.measureIds = [...new Set(measureIds)];
    }
    const key = ownerKey(owner);
    const [{ count }] = await this.db(webhooksTable).where({ owner_key: key, removed: false }).count({ count: '*' });
    if (Number(count) >= MAX_WEBHOOKS_PER_OWNER) {
      throw badInput(`You have ${MAX_WEBHOOKS_PER_OWNER} webhooks, the most one principal may have: remove one first (removeWebhook)`, { argument: 'input' });
    }
    // Deliveries start with the changes after registration; replayWebhook delivers earlier ones.
    const head = await new ChangeFeed(this.db).head();
    const id = randomUUID();
    await this.db(webhooksTable).insert({
      id,
      owner_key: key,
      owner: JSON.stringify(storedPrincipal(owner)),
      url,
      filter: JSON.stringify(filter),
      secret,
      position: head,
      attempts: 0,
      next_attempt_at: 0,
      lease_owner: null,
      lease_until: 0,
      generation: 0,
      removed: false,
      created_at: this.clock().toISOString(),
    });
    await wakeDeliveries();
    return this.view(id);
  }

  /** The webhook, if `principal` owns it (administrators: any); NOT_FOUND otherwise, whether it exists or not. */
  private async owned(principal: Principal, id: string) {
    const row = await this.db(webhooksTable).where({ id: String(id), removed: false }).first();
    if (!row || (row.owner_key !== ownerKey(principal) && !isAdministrator(principal))) {
      throw typedError(ErrorCode.NOT_FOUND, `You have no webhook "${id}": see webhooks { id }`, { argument: 'id' });
    }
    return row;
  }

  async list(principal: Principal): Promise<WebhookView[]> {
    const key = ownerKey(principal);
    // Exact, whatever a database's collation makes of the comparison above.
    const rows = (await this.db(webhooksTable).where({ owner_key: key, removed: false }).orderBy([{ column: 'created_at' }, { column: 'id' }])).filter((row: any) => row.owner_key === key);
    const dead = await this.openDeadLetters(rows.map((row: any) => row.id));
    return rows.map((row: any) => viewFromRow(row, dead.get(row.id) ?? 0));
  }

  async view(id: string): Promise<WebhookView> {
    const row = await this.db(webhooksTable).where({ id }).first();
    return viewFromRow(row, (await this.openDeadLetters([id])).get(id) ?? 0);
  }

  private async openDeadLetters(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db(webhookDeadLettersTable).whereIn('webhook_id', ids).whereNull('requeued_at').groupBy('webhook_id').select('webhook_id').count({ count: '*' });
    return new Map(rows.map((row: any) => [row.webhook_id, Number(row.count)]));
  }

  /** Stops deliveries at once (a replica delivering now stops before its next event) and forgets the secret. */
  async remove(principal: Principal, id: string): Promise<boolean> {
    await this.owned(principal, id);
    await this.db(webhooksTable).where({ id }).update({ removed: true, secret: '', generation: this.db.raw('generation + 1') });
    return true;
  }

  /**
   * Delivers again every matching event after `fromCursor`, dead letters among them. Without
   * a cursor: from the oldest dead letter not yet replayed (nothing changes when there is none).
   * A replica delivering now stops before its next event and the next pass starts from here.
   */
  async replay(principal: Principal, id: string, fromCursor?: string | null): Promise<WebhookView> {
    await this.owned(principal, id);
    let position: number;
    if (fromCursor) {
      position = underArgument('fromCursor', () => positionOf(fromCursor));
      const head = await new ChangeFeed(this.db).head();
      if (position > head) throw badInput(`Cursor "${fromCursor}" is ahead of the change feed: pass a cursor the feed or the delivery log gave`, { argument: 'fromCursor' });
      await new ChangeFeed(this.db).requireKept(position, fromCursor, 'fromCursor');
    } else {
      const oldestDead = await this.db(webhookDeadLettersTable).where({ webhook_id: id }).whereNull('requeued_at').min({ position: 'position' }).first();
      if (oldestDead?.position == null) return this.view(id);
      position = Number(oldestDead.position) - 1;
    }
    await inTransaction(this.db, async (trx) => {
      await trx(webhookDeadLettersTable).where({ webhook_id: id }).whereNull('requeued_at').andWhere('position', '>', position).update({ requeued_at: this.clock().toISOString() });
      await trx(webhooksTable).where({ id, removed: false }).update({ position, attempts: 0, next_attempt_at: 0, generation: trx.raw('generation + 1') });
    });
    await wakeDeliveries();
    return this.view(id);
  }

  /** The delivery log of a webhook, newest attempt first. */
  async deliveries(principal: Principal, webhookId: string, first: number, after?: string | null) {
    await this.owned(principal, webhookId);
    return keysetPage(this.db(webhookDeliveriesTable).where({ webhook_id: webhookId }), {
      keys: [{ column: 'id', order: 'desc', value: (row) => Number(row.id), numeric: true }],
      kind: 'delivery',
      first,
      after,
      emptyEndCursor: after ?? null,
      nodes: (rows) => rows.map(deliveryFromRow),
    });
  }
}

function underArgument<T>(argument: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.BAD_USER_INPUT) throw badInput(error.message, { argument });
    throw error;
  }
}

/** A logged attempt as GraphQL shows it. */
function deliveryFromRow(row: any) {
  return {
    eventId: row.event_id,
    cursor: feedCursor(Number(row.position)),
    attempt: Number(row.attempt),
    statusCode: row.status_code == null ? null : Number(row.status_code),
    latencyMs: Number(row.latency_ms),
    error: row.error,
    outcome: row.outcome,
    at: row.at,
  };
}

function viewFromRow(row: any, deadLetters: number): WebhookView {
  return { id: row.id, url: row.url, filter: row.filter, cursor: feedCursor(Number(row.position)), deadLetters, createdAt: row.created_at };
}

async function wakeDeliveries(): Promise<void> {
  try {
    (await notifier()).notify(WEBHOOKS_TOPIC);
  } catch {
    // Only a hint: the workers poll anyway.
  }
}

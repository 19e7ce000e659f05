/**
 * GraphQL subscriptions beside the gateway, on the same port and path (graphql-ws over
 * WebSocket). Apollo Gateway does not run subscriptions: each subscription here reads the
 * platform's change feed with the subscriber's own identity, so it receives exactly what
 * the same principal could query, masked the same way, and any gateway replica can serve
 * any subscriber (the feed is in the database, not in a process).
 *
 * - Authenticated at connection: connectionParams { authorization: "Bearer <JWT>" }
 *   (and, to read personal data, purpose and reference). A bad token closes with 4403.
 *   When the token expires the connection closes with 4401 ("token expired"), also while
 *   subscribed: reconnect with a new token and `after` set to the last cursor.
 * - Personal data: what the platform read unmasked for a page of events is written to the
 *   access register before any of its events is sent; if it cannot be, the subscription
 *   ends with SERVICE_UNAVAILABLE and nothing of that page leaves.
 * - From a cursor: `changes(after: $cursor)` first sends what was missed, then live.
 * - Back-pressure: events are fetched a page at a time and sent one by one; a subscriber
 *   whose unsent data passes the buffer limit is disconnected with code 4008 and a reason,
 *   so a slow reader neither slows the others nor grows memory.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema, GraphQLError, type GraphQLSchema } from 'graphql';
import { SCHEMA_DIR } from '../subgraphs/kit/schema.js';
import { signInternalToken, INTERNAL_TOKEN_HEADER } from '../subgraphs/kit/auth/internal-token.js';
import type { Principal, Purpose } from '../subgraphs/kit/auth/principal.js';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import { decodeJwt } from 'jose';
import { authenticateHeaders, type TokenVerifier } from './auth.js';
import { departmentNamesIn, enumIn } from './supergraph.js';
import { registerPersonalDataReads } from './personal-data.js';
import { maySubscribe } from '../subgraphs/kit/auth/policy.js';
import { FEED_TOPIC, notifier } from '../subgraphs/kit/events/notifier.js';
import { subscriptionGuard } from './subscription-limits.js';
import { configuration } from '../subgraphs/kit/config/index.js';
import { subscriptionsActive } from '../subgraphs/kit/observability/metrics.js';
import { requestTrace, tagRequest } from '../subgraphs/kit/observability/tracing.js';

export interface SubscriptionOptions {
  httpServer: Server;
  path: string;
  verifier: TokenVerifier;
  /** The supergraph served: the departments (officers' claims) and the `Domain` enum come from it. */
  supergraphSdl: string;
  internalSecret: Uint8Array;
  platformUrl: string;
  /** Where reads of unmasked personal data are registered (the platform's internal route). */
  accessRegisterUrl: string;
  pollMs?: number;
  maxBufferedBytes?: number;
  sendTimeoutMs?: number;
}

interface SubscriberContext {
  principal: Principal;
  purpose: Purpose | null;
  /** When the subscriber's token expires (epoch ms); Infinity when it states none. */
  expiresAt: number;
}

/** The close code and reason of a connection whose token lapsed. */
export const TOKEN_EXPIRED_CLOSE = { code: 4401, reason: 'Token expired: reconnect with a new token, and after: your last cursor' };

/** The expiry of a (verified) bearer token in epoch ms, Infinity without `exp`. */
function expiryOf(authorization: string | undefined): number {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const exp = token ? decodeJwt(token).exp : undefined;
  return typeof exp === 'number' ? exp * 1000 : Infinity;
}

const FEED_QUERY = `query($after: String, $filter: ChangeFilter) { changes(after: $after, filter: $filter, first: 100) {
  edges { cursor node { eventId type domain creditCode listType listKind regionCode entryId status exitWay occurredAt detail } }
  pageInfo { hasNextPage endCursor } } }`;

/**
 * The gateway's subscription schema: schema/subscriptions.graphql with the supergraph's `Domain`
 * and `ChangeType` enums — the feed's own, so that every event the `changes` query gives (notices
 * included) can be delivered, and a new type of change reaches subscribers without a change here.
 */
export function subscriptionSchema(supergraphSdl: string): GraphQLSchema {
  return buildSchema(`${readFileSync(join(SCHEMA_DIR, 'subscriptions.graphql'), 'utf8')}\n${enumIn(supergraphSdl, 'Domain')}\n${enumIn(supergraphSdl, 'ChangeType')}`);
}

export function serveSubscriptions(options: SubscriptionOptions): { close(): Promise<void> } {
  const schema = subscriptionSchema(options.supergraphSdl);
  const departments = departmentNamesIn(options.supergraphSdl);
  const settings = configuration();
  const pollMs = options.pollMs ?? settings.SUBSCRIPTION_POLL_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? settings.SUBSCRIPTION_MAX_BUFFERED_BYTES;
  const sendTimeoutMs = options.sendTimeoutMs ?? settings.SUBSCRIPTION_SEND_TIMEOUT_MS;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path });
  const guard = subscriptionGuard();

  async function readFeed(context: SubscriberContext, after: string | null, filter: unknown) {
    const requestId = randomUUID(); // one per page read: its register records name it
    tagRequest(requestId);
    const token = await signInternalToken({ principal: context.principal, purpose: context.purpose, requestId }, options.internalSecret);
    const response = await fetch(options.platformUrl, {
      method: 'POST',
      // The page's request id (in its token) names the platform's span and log line, as the register's records of the page.
      headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token },
      body: JSON.stringify({ query: FEED_QUERY, variables: { after, filter } }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.json();
    if (body.errors?.length) {
      const [error] = body.errors;
      throw new GraphQLError(error.message, { extensions: { code: error.extensions?.code ?? ErrorCode.SERVICE_UNAVAILABLE } });
    }
    const reads = body.extensions?.personalDataReads;
    if (Array.isArray(reads) && reads.length > 0) {
      try {
        await registerPersonalDataReads(options.accessRegisterUrl, token, reads, 10_000, requestId);
      } catch {
        throw new GraphQLError('Personal data was withheld: its access could not be registered. Resubscribe from your last cursor in a few seconds.', {
          extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
        });
      }
    }
    return body.data.changes as { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }

  const cleanup = useServer<Record<string, unknown>, { principal?: Principal; purpose?: Purpose | null; expiresAt?: number; expiryTimer?: NodeJS.Timeout }>(
    {
      schema,
      async onConnect(ctx) {
        try {
          const params = ctx.connectionParams ?? {};
          const authorization = typeof params.authorization === 'string' ? params.authorization : undefined;
          const { principal, purpose } = await authenticateHeaders(
            {
              authorization,
              purpose: typeof params.purpose === 'string' ? params.purpose : undefined,
              reference: typeof params.reference === 'string' ? params.reference : undefined,
            },
            options.verifier,
            departments,
          );
          if (!maySubscribe(principal)) return false; // the change feed is for partners, agencies and departments
          if (!guard.admit(principal, ctx.extra.socket)) return false;
          ctx.extra.principal = principal;
          ctx.extra.purpose = purpose;
          const expiresAt = expiryOf(authorization);
          ctx.extra.expiresAt = expiresAt;
          // The token lapses while connected: close, whether a subscription runs or not.
          if (Number.isFinite(expiresAt)) {
            const socket = ctx.extra.socket;
            const timer = setTimeout(() => socket.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason), Math.max(0, expiresAt - Date.now()));
            timer.unref();
            socket.once('close', () => clearTimeout(timer));
          }
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe(ctx) {
        // A subscription asked for after the token lapsed (the close may not have happened yet).
        if ((ctx.extra.expiresAt ?? Infinity) <= Date.now()) ctx.extra.socket.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
        return guard.onSubscribe(ctx);
      },
      context: (ctx) => ({ principal: ctx.extra.principal!, purpose: ctx.extra.purpose ?? null, expiresAt: ctx.extra.expiresAt ?? Infinity, socket: ctx.extra.socket }),
    },
    wsServer,
  );

  // Resolvers: the schema is built from SDL, so the field's subscribe function is attached here.
  const subscriptionType = schema.getSubscriptionType()!;
  const field = subscriptionType.getFields().changes;
  field.subscribe = (_root: unknown, args: any, context: SubscriberContext & { socket: WebSocket }) => {
    // A subscription's start (its cursor and filter checked, its first page read and registered)
    // is its request, traced as one; the reads that follow are polls, untraced like a worker's.
    let started = false;
    return feedEvents(
      (after, filter) => {
        // Every read re-checks the token: nothing is read for a subscriber whose token lapsed.
        if (context.expiresAt <= Date.now()) {
          context.socket.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
          return Promise.resolve({ edges: [], pageInfo: { hasNextPage: false, endCursor: after } });
        }
        if (started) return readFeed(context, after, filter);
        started = true;
        return requestTrace('WS subscription changes', () => readFeed(context, after, filter));
      },
      context.socket,
      args,
      { pollMs, maxBufferedBytes, sendTimeoutMs },
    );
  };
  field.resolve = (payload: any) => payload.changes;

  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

export type FeedPage = { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/**
 * One subscriber's events: pages of the feed, one event at a time. graphql-ws asks for the
 * next event only once the previous one is sent, so a subscriber that does not read holds
 * only its own subscription (one page in memory) and is let go after `sendTimeoutMs`.
 */
export function feedEvents(
  read: (after: string | null, filter: unknown) => Promise<FeedPage>,
  socket: Pick<WebSocket, 'bufferedAmount' | 'close'>,
  args: { after?: string | null; filter?: unknown },
  limits: { pollMs: number; maxBufferedBytes: number; sendTimeoutMs: number },
): AsyncIterableIterator<{ changes: any }, void, undefined> {
  // Ending a subscription (the client's `complete`, its socket closing) returns the generator,
  // but a generator waiting for the feed to advance hears it only after the wait — up to the
  // poll interval later, and then it reads the feed once more for nobody. The stop ends the wait.
  const stopped = new AbortController();
  const events = subscriberEvents(read, socket, args, limits, stopped.signal);
  const stop = <T>(then: () => Promise<T>) => {
    stopped.abort();
    return then();
  };
  return {
    next: () => events.next(),
    return: (value?: void) => stop(() => events.return(value)),
    throw: (error?: unknown) => stop(() => events.throw(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* subscriberEvents(
  read: (after: string | null, filter: unknown) => Promise<FeedPage>,
  socket: Pick<WebSocket, 'bufferedAmount' | 'close'>,
  args: { after?: string | null; filter?: unknown },
  limits: { pollMs: number; maxBufferedBytes: number; sendTimeoutMs: number },
  stopped: AbortSignal,
) {
  const whenStopped = new Promise<void>((resolve) => stopped.addEventListener('abort', () => resolve(), { once: true }));
  let after = args.after ?? null;
  subscriptionsActive.inc();
  try {
    const feed = await notifier();
    for (;;) {
      // Listen before reading: a change committed while this page is read still wakes the
      // wait below at once, instead of waiting for the next poll. The first read validates
      // the cursor and filter: a bad one ends the subscription with its error.
      const advanced = feed.listen([FEED_TOPIC]);
      try {
        const page = await read(after, args.filter ?? null);
        for (const { cursor, node } of page.edges) {
          if (socket.bufferedAmount > limits.maxBufferedBytes) {
            socket.close(4008, `Subscriber too slow: more than ${limits.maxBufferedBytes} bytes unsent; reconnect with after: "${after}"`);
            return;
          }
          after = cursor;
          const watchdog = setTimeout(
            () => socket.close(4008, `Subscriber too slow: an event waited over ${limits.sendTimeoutMs} ms to be sent; reconnect with after: "${after}"`),
            limits.sendTimeoutMs,
          );
          try {
            yield { changes: { ...node, cursor } };
          } finally {
            clearTimeout(watchdog);
          }
        }
        after = page.pageInfo.endCursor ?? after;
        // Caught up: wait for the feed to advance (a notification), or the poll interval.
        if (!page.pageInfo.hasNextPage) await Promise.race([advanced.wait(limits.pollMs), whenStopped]);
      } finally {
        advanced.cancel();
      }
      if (stopped.aborted) return;
    }
  } finally {
    subscriptionsActive.dec();
  }
}

/**
 * GraphQL subscriptions beside the gateway, on the same port and path (graphql-ws over
 * WebSocket). Apollo Gateway does not run subscriptions: each subscription here reads the
 * platform's change feed with the subscriber's own identity, so it receives exactly what
 * the same principal could query, masked the same way, and any gateway replica can serve
 * any subscriber (the feed is in the database, not in a process).
 *
 * - Authenticated at connection: connectionParams { authorization: "Bearer <JWT>" }
 *   (and, to read personal data, purpose and reference). A bad token closes with 4403.
 * - From a cursor: `changes(after: $cursor)` first sends what was missed, then live.
 * - Back-pressure: events are fetched a page at a time and sent one by one; a subscriber
 *   whose unsent data passes the buffer limit is disconnected with code 4008 and a reason,
 *   so a slow reader neither slows the others nor grows memory.
 */
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema, GraphQLError } from 'graphql';
import { SCHEMA_DIR } from '../subgraphs/kit/schema.js';
import { signInternalToken, INTERNAL_TOKEN_HEADER } from '../subgraphs/kit/auth/internal-token.js';
import type { Principal, Purpose } from '../subgraphs/kit/auth/principal.js';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import { authenticateHeaders, type TokenVerifier } from './auth.js';
import { FEED_TOPIC, notifier } from '../subgraphs/kit/events/notifier.js';
import { subscriptionGuard } from './subscription-limits.js';

export interface SubscriptionOptions {
  httpServer: Server;
  path: string;
  verifier: TokenVerifier;
  internalSecret: Uint8Array;
  platformUrl: string;
  pollMs?: number;
  maxBufferedBytes?: number;
  sendTimeoutMs?: number;
}

interface SubscriberContext {
  principal: Principal;
  purpose: Purpose | null;
}

const FEED_QUERY = `query($after: String, $filter: ChangeFilter) { changes(after: $after, filter: $filter, first: 100) {
  edges { cursor node { eventId type domain creditCode listType listKind regionCode entryId status exitWay occurredAt detail } }
  pageInfo { hasNextPage endCursor } } }`;

export function serveSubscriptions(options: SubscriptionOptions): { close(): Promise<void> } {
  const schema = buildSchema(readFileSync(join(SCHEMA_DIR, 'subscriptions.graphql'), 'utf8'));
  const pollMs = options.pollMs ?? Number(process.env.SUBSCRIPTION_POLL_MS ?? 1000);
  const maxBufferedBytes = options.maxBufferedBytes ?? Number(process.env.SUBSCRIPTION_MAX_BUFFERED_BYTES ?? 1024 * 1024);
  const sendTimeoutMs = options.sendTimeoutMs ?? Number(process.env.SUBSCRIPTION_SEND_TIMEOUT_MS ?? 30_000);
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path });
  const guard = subscriptionGuard();

  async function readFeed(context: SubscriberContext, after: string | null, filter: unknown) {
    const token = await signInternalToken({ principal: context.principal, purpose: context.purpose, requestId: `subscription:${context.principal.id}` }, options.internalSecret);
    const response = await fetch(options.platformUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token },
      body: JSON.stringify({ query: FEED_QUERY, variables: { after, filter } }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.json();
    if (body.errors?.length) {
      const [error] = body.errors;
      throw new GraphQLError(error.message, { extensions: { code: error.extensions?.code ?? ErrorCode.SERVICE_UNAVAILABLE } });
    }
    return body.data.changes as { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }

  const cleanup = useServer<Record<string, unknown>, { principal?: Principal; purpose?: Purpose | null }>(
    {
      schema,
      async onConnect(ctx) {
        try {
          const params = ctx.connectionParams ?? {};
          const { principal, purpose } = await authenticateHeaders(
            {
              authorization: typeof params.authorization === 'string' ? params.authorization : undefined,
              purpose: typeof params.purpose === 'string' ? params.purpose : undefined,
              reference: typeof params.reference === 'string' ? params.reference : undefined,
            },
            options.verifier,
          );
          if (principal.role === 'PUBLIC') return false; // the change feed is for partners, agencies and departments
          if (!guard.admit(principal, ctx.extra.socket)) return false;
          ctx.extra.principal = principal;
          ctx.extra.purpose = purpose;
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx) => guard.onSubscribe(ctx),
      context: (ctx) => ({ principal: ctx.extra.principal!, purpose: ctx.extra.purpose ?? null, socket: ctx.extra.socket }),
    },
    wsServer,
  );

  // Resolvers: the schema is built from SDL, so the field's subscribe function is attached here.
  const subscriptionType = schema.getSubscriptionType()!;
  const field = subscriptionType.getFields().changes;
  field.subscribe = (_root: unknown, args: any, context: SubscriberContext & { socket: WebSocket }) =>
    feedEvents((after, filter) => readFeed(context, after, filter), context.socket, args, { pollMs, maxBufferedBytes, sendTimeoutMs });
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
export async function* feedEvents(
  read: (after: string | null, filter: unknown) => Promise<FeedPage>,
  socket: Pick<WebSocket, 'bufferedAmount' | 'close'>,
  args: { after?: string | null; filter?: unknown },
  limits: { pollMs: number; maxBufferedBytes: number; sendTimeoutMs: number },
) {
  let after = args.after ?? null;
  // The first read validates the cursor and filter: a bad one ends the subscription with its error.
  for (;;) {
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
    if (!page.pageInfo.hasNextPage) await (await notifier()).wait(FEED_TOPIC, limits.pollMs);
  }
}

/**
 * Limits of the subscription endpoint, per gateway process: subscriptions on one
 * connection, and connections of one principal (same role, organisation and id). Beyond
 * them the connection is closed with a typed code and a reason that says the limit:
 *
 * - 4429: too many subscriptions on this connection (SUBSCRIPTION_MAX_PER_CONNECTION, 20)
 * - 4430: too many connections of this principal (SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL, 10)
 *
 * Sized on what a subscription costs: 2,000 on one socket took the gateway from 369 MB to
 * 800 MB (about 215 KB each), so one principal holds at most 200 (about 43 MB).
 */
import type { WebSocket } from 'ws';
import { GraphQLError } from 'graphql';
import type { Principal } from '../subgraphs/kit/auth/principal.js';
import { configuration } from '../subgraphs/kit/config/index.js';

export const CLOSE_TOO_MANY_SUBSCRIPTIONS = 4429;
export const CLOSE_TOO_MANY_CONNECTIONS = 4430;

export interface SubscriptionLimits {
  perConnection: number;
  connectionsPerPrincipal: number;
}

export const subscriptionLimitsFromEnv = (env?: NodeJS.ProcessEnv): SubscriptionLimits => ({
  perConnection: configuration(env).SUBSCRIPTION_MAX_PER_CONNECTION,
  connectionsPerPrincipal: configuration(env).SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL,
});

const principalKey = (principal: Principal) => JSON.stringify([principal.role, principal.agency ?? principal.department ?? '', principal.id]);

export function subscriptionGuard(limits: SubscriptionLimits = subscriptionLimitsFromEnv()) {
  const connections = new Map<string, number>();
  return {
    /** At connection, once the principal is known: false (and the socket closed with 4430) beyond the limit. */
    admit(principal: Principal, socket: WebSocket): boolean {
      const key = principalKey(principal);
      const open = connections.get(key) ?? 0;
      if (open >= limits.connectionsPerPrincipal) {
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, `Too many connections: at most ${limits.connectionsPerPrincipal} per principal; close one, or subscribe on one you have`);
        return false;
      }
      connections.set(key, open + 1);
      socket.once('close', () => {
        const left = (connections.get(key) ?? 1) - 1;
        if (left > 0) connections.set(key, left);
        else connections.delete(key);
      });
      return true;
    },
    /** graphql-ws's onSubscribe: beyond the limit the socket is closed with 4429 (and nothing is run). */
    onSubscribe(ctx: { subscriptions: Record<string, unknown>; extra: { socket: WebSocket } }): GraphQLError[] | undefined {
      // The new subscription's id is already reserved in ctx.subscriptions.
      if (Object.keys(ctx.subscriptions).length <= limits.perConnection) return undefined;
      ctx.extra.socket.close(CLOSE_TOO_MANY_SUBSCRIPTIONS, `Too many subscriptions: at most ${limits.perConnection} on one connection; complete one first`);
      return [new GraphQLError('Too many subscriptions on this connection', { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
    },
  };
}

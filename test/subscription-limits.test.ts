/**
 * Subscriptions per connection and connections per principal are limited, with typed
 * close codes (4429, 4430) and reasons that say the limit; other principals and
 * connections are unaffected. Loopback only, bounded in count and time.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerHeaders, startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_TOO_MANY_SUBSCRIPTIONS, subscriptionLimitsFromEnv } from '../gateway/subscription-limits.js';

const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'bank-limits' };
const OTHER: TokenClaims = { role: 'partner', agency: '另一家银行', sub: 'bank-other' };
const SUBSCRIPTION = 'subscription { changes(filter: { domains: [TAX] }) { eventId } }';
const limits = subscriptionLimitsFromEnv();

let hub: TestHub;
let wsUrl: string;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 30 });
  wsUrl = hub.url.replace('http://', 'ws://');
}, 120_000);
afterAll(() => hub?.stop());

interface Connection {
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  subscribe(id: string): void;
}

/** A graphql-ws connection, acknowledged (or closed by the hub before that). */
async function connect(claims: TokenClaims): Promise<Connection & { acknowledged: boolean }> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: await callerHeaders(claims) }));
  const acknowledged = await Promise.race([
    new Promise<boolean>((resolve) => socket.on('message', (data) => JSON.parse(String(data)).type === 'connection_ack' && resolve(true))),
    closed.then(() => false),
  ]);
  return {
    socket,
    closed,
    acknowledged,
    subscribe: (id) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: SUBSCRIPTION } })),
  };
}

const withTimeout = <T>(promise: Promise<T>, ms = 5000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

describe('subscriptions per connection', () => {
  it(`takes ${limits.perConnection} on one connection; the next closes it with ${CLOSE_TOO_MANY_SUBSCRIPTIONS} and the limit`, async () => {
    const connection = await connect(PARTNER);
    expect(connection.acknowledged).toBe(true);
    for (let i = 0; i < limits.perConnection; i++) connection.subscribe(`s${i}`);
    const stillOpen = await Promise.race([connection.closed.then(() => false), new Promise((resolve) => setTimeout(() => resolve(true), 500))]);
    expect(stillOpen).toBe(true);
    connection.subscribe('one-too-many');
    const { code, reason } = await withTimeout(connection.closed);
    expect(code).toBe(CLOSE_TOO_MANY_SUBSCRIPTIONS);
    expect(reason).toMatch(new RegExp(`at most ${limits.perConnection} on one connection`));
  });

  it('2,000 subscriptions on one socket: refused after the limit, the hub still answers at once', async () => {
    const connection = await connect(PARTNER);
    for (let i = 0; i < 2000 && connection.socket.readyState === WebSocket.OPEN; i++) connection.subscribe(`flood-${i}`);
    expect((await withTimeout(connection.closed)).code).toBe(CLOSE_TOO_MANY_SUBSCRIPTIONS);
    // At most 20 of the 2,000 ran: the hub answers (a loose bound: the machine is shared; unlimited, this took 11.7 s).
    const started = Date.now();
    const { errors } = await hub.queryAs(PARTNER, '{ checkCreditCode(code: "914403001922038216") { valid } }');
    expect(errors).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('connections per principal', () => {
  it(`takes ${limits.connectionsPerPrincipal} connections of one principal; the next is closed with ${CLOSE_TOO_MANY_CONNECTIONS}; others and a freed slot are unaffected`, async () => {
    const open: Connection[] = [];
    for (let i = 0; i < limits.connectionsPerPrincipal; i++) {
      const connection = await connect(PARTNER);
      expect(connection.acknowledged, `connection ${i + 1}`).toBe(true);
      open.push(connection);
    }
    const refused = await connect(PARTNER);
    expect(refused.acknowledged).toBe(false);
    const { code, reason } = await withTimeout(refused.closed);
    expect(code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
    expect(reason).toMatch(new RegExp(`at most ${limits.connectionsPerPrincipal} per principal`));
    // Another principal connects.
    const other = await connect(OTHER);
    expect(other.acknowledged).toBe(true);
    // Closing one frees its slot.
    open[0].socket.close();
    await open[0].closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await connect(PARTNER);
    expect(again.acknowledged).toBe(true);
    for (const connection of [...open.slice(1), other, again]) connection.socket.close();
    await Promise.all([...open.slice(1), other, again].map((c) => c.closed));
  });
});

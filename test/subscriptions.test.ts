/**
 * GraphQL subscriptions beside the gateway (graphql-ws): authenticated at connection,
 * resumable from a cursor, masked like queries, and a slow subscriber is cut off alone.
 * Every role × every domain (customs included) × every list type, with and without a
 * purpose: a subscriber receives exactly what the same principal's `changes` query gives,
 * natural persons' codes unmasked only to a role that may read them with a purpose, and
 * every unmasked delivery registered under the subscriber; the public is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { callerHeaders, setEnv, startTestHub, type TestHub } from './env.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import type { TokenClaims } from '../scripts/token.js';
import { feedEvents, type FeedPage } from '../gateway/subscriptions.js';
import { departments } from '../subgraphs/catalog.js';
import { feedVisibility, mayReadPersonalData } from '../subgraphs/kit/auth/policy.js';
import { everyRole, isIdentityNumber, principalOf, registeredUnder } from './roles.js';

const PARTNER: TokenClaims = { role: 'partner', agency: '某商业银行', sub: 'bank-ws' };
const SUBSCRIPTION = `subscription($after: String, $filter: ChangeFilter) { changes(after: $after, filter: $filter) {
  eventId cursor type domain creditCode listType status } }`;

let hub: TestHub;
let wsUrl: string;
beforeAll(async () => {
  setEnv({ SUBSCRIPTION_POLL_MS: '100' });
  hub = await startTestHub({ subjects: 120 });
  await hub.hub.settle();
  wsUrl = hub.url.replace('http://', 'ws://');
});
afterAll(() => hub?.stop());

async function clientFor(claims: TokenClaims | null, extra: Record<string, string> = {}, on?: Parameters<typeof createClient>[0]['on']): Promise<Client> {
  const headers = claims ? await callerHeaders(claims) : {};
  return createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { ...headers, ...extra }, retryAttempts: 0, lazy: true, on });
}

/** Collects events until `count` arrived (or the timeout), then unsubscribes. */
function collect(client: Client, variables: Record<string, unknown>, count: number, timeoutMs = 8000): Promise<{ events: any[]; error?: unknown }> {
  return new Promise((resolve) => {
    const events: any[] = [];
    let dispose = () => {};
    const timer = setTimeout(() => {
      dispose();
      resolve({ events });
    }, timeoutMs);
    dispose = client.subscribe(
      { query: SUBSCRIPTION, variables },
      {
        next: (message) => {
          if (message.errors) {
            // An event the subscription could not deliver (say, a type its schema lacks) is a failure, never skipped.
            clearTimeout(timer);
            dispose();
            resolve({ events, error: message.errors });
            return;
          }
          events.push(message.data!.changes);
          if (events.length >= count) {
            clearTimeout(timer);
            dispose();
            resolve({ events });
          }
        },
        error: (error) => {
          clearTimeout(timer);
          resolve({ events, error });
        },
        complete: () => {},
      },
    );
  });
}

// First in the file: they read the process's subscriptionsActive gauge, which the real
// subscriptions below move as they end (a moment after their client let them go).
describe('a subscription ended at any moment', () => {
  // Every way the transport ends one (the client's `complete` or its socket closing: return();
  // an error: throw()) × every moment it may be in: not started, reading the feed, waiting for
  // it to advance, holding an event not yet sent.
  const moments = ['before its first read', 'while reading the feed', 'while waiting for the feed', 'while an event waits to be sent'] as const;
  for (const how of ['return', 'throw'] as const) {
    for (const moment of moments) {
      it(`${how}() ${moment}: let go at once, no read after, subscriptionsActive back where it was`, async () => {
        const { subscriptionsActive } = await import('../subgraphs/kit/observability/metrics.js');
        const active = async () => (await subscriptionsActive.get()).values[0]?.value ?? 0;
        const before = await active();
        const closes: number[] = [];
        const socket = { bufferedAmount: 0, close: (code: number) => closes.push(code) };
        let reads = 0;
        let stoppedAt = Infinity;
        let readsAtStop = 0;
        let release!: () => void;
        const slowRead = new Promise<void>((resolve) => (release = resolve));
        const withEvent: FeedPage = { edges: [{ cursor: 'c1', node: { eventId: 'e1' } }], pageInfo: { hasNextPage: false, endCursor: 'c1' } };
        const empty: FeedPage = { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
        const read = async () => {
          reads++;
          if (moment === 'while reading the feed') await slowRead;
          return moment === 'while an event waits to be sent' || moment === 'while reading the feed' ? withEvent : empty;
        };
        const events = feedEvents(read, socket as any, {}, { pollMs: 60_000, maxBufferedBytes: 1000, sendTimeoutMs: 5_000 });
        let pending: Promise<unknown> | undefined;
        if (moment === 'while an event waits to be sent') expect((await events.next()).value).toEqual({ changes: { eventId: 'e1', cursor: 'c1' } });
        else if (moment !== 'before its first read') pending = events.next().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
        stoppedAt = Date.now();
        readsAtStop = reads;
        const stopped = how === 'return' ? events.return!(undefined) : events.throw!(new Error('transport error'));
        release();
        await stopped.catch(() => undefined);
        await pending;
        expect(Date.now() - stoppedAt).toBeLessThan(1_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(reads).toBe(readsAtStop);
        expect(await active()).toBe(before);
        expect(closes).toEqual([]);
        expect((await events.next()).done).toBe(true);
      });
    }
  }
});

describe('subscriptions to the change feed (graphql-ws, same port and path as the gateway)', () => {
  it('first sends what the subscriber missed since its cursor, then live changes, in order', async () => {
    const client = await clientFor(PARTNER);
    const seeded = hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.status === 'ACTIVE' || e.status === 'EXITED');
    const backlog = await collect(client, { filter: { domains: ['COURTS'], types: ['ENTRY_RECOGNISED'] } }, seeded.length);
    expect(backlog.events.map((e) => e.domain).every((d) => d === 'COURTS')).toBe(true);
    expect(backlog.events.slice(0, seeded.length)).toHaveLength(seeded.length);
    expect(new Set(backlog.events.map((e) => e.eventId)).size).toBe(backlog.events.length);

    const cursor = backlog.events.at(-1).cursor;
    const code = organisationCode(random(44), '440305');
    // From the cursor: the feed holds other changes after it (notices among them); this subject's is the one made here.
    const live = collect(client, { after: cursor, filter: { domains: ['COURTS'], creditCode: code } }, 1);
    const officer: TokenClaims = { role: 'officer', department: 'courts', sub: 'c-1' };
    const recognised = await hub.queryAs(officer, `mutation { courts { recognise(input: { listKind: DISHONEST_JUDGMENT_DEBTOR, creditCode: "${code}", subjectName: "某公司",
      facts: "拒不履行", validUntil: "2029-01-01", repair: { repairable: false } }) { id } } }`);
    await hub.queryAs(officer, `mutation { courts { confirm(entryId: "${recognised.data.courts.recognise.id}") { id } } }`);
    await hub.hub.settle();
    const { events, error } = await live;
    expect(error).toBeUndefined();
    expect(events[0]).toMatchObject({ type: 'ENTRY_ACTIVATED', creditCode: code, status: 'ACTIVE' });
    await client.dispose();
  });

  it('masks personal codes as the same principal\'s queries are masked', async () => {
    const client = await clientFor(PARTNER);
    const persons = hub.demo.entriesByDepartment.get('courts')!.filter((e) => e.subjectType === 'NATURAL_PERSON');
    const { events } = await collect(client, { filter: { domains: ['COURTS'] } }, 1000, 3000);
    const masked = events.filter((e) => e.creditCode?.includes('*'));
    expect(masked.length).toBeGreaterThan(0);
    for (const person of persons) expect(events.map((e) => e.creditCode)).not.toContain(person.creditCode);
    await client.dispose();
  });

  it('refuses a connection without a valid token, and ends a subscription with a bad cursor with its error', async () => {
    for (const client of [await clientFor(null), await clientFor(null, { authorization: 'Bearer forged' })]) {
      const { error } = await collect(client, {}, 1, 3000);
      expect((error as any)?.code ?? (error as any)?.[0]?.extensions?.code).toBeDefined();
      await client.dispose();
    }
    const client = await clientFor(PARTNER);
    const { error } = await collect(client, { after: 'garbage' }, 1, 3000);
    expect((error as any[])[0].extensions.code).toBe('BAD_USER_INPUT');
    await client.dispose();
  });

  it('keeps serving other subscribers while one stops reading', async () => {
    const headers = await callerHeaders(PARTNER);
    const stalled = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => stalled.on('open', resolve));
    stalled.send(JSON.stringify({ type: 'connection_init', payload: headers }));
    await new Promise((resolve) => stalled.once('message', resolve)); // connection_ack
    (stalled as any)._socket.pause();
    stalled.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: {} } }));
    const healthy = await clientFor(PARTNER);
    const meanwhile = await collect(healthy, { filter: { domains: ['TAX'] } }, 5, 5000);
    expect(meanwhile.events.length).toBeGreaterThanOrEqual(5);
    await healthy.dispose();
    stalled.terminate();
  });
});

describe('a subscriber too slow to read', () => {
  it('is disconnected with code 4008 and a reason that says how to resume, holding one page meanwhile', async () => {
    const closes: { code: number; reason: string }[] = [];
    const socket = { bufferedAmount: 0, close: (code: number, reason: string) => closes.push({ code, reason }) };
    const page: FeedPage = { edges: [{ cursor: 'c1', node: { eventId: 'e1' } }, { cursor: 'c2', node: { eventId: 'e2' } }], pageInfo: { hasNextPage: false, endCursor: 'c2' } };
    let reads = 0;
    const events = feedEvents(async () => (reads++, page), socket as any, {}, { pollMs: 10, maxBufferedBytes: 1000, sendTimeoutMs: 200 });
    expect((await events.next()).value).toEqual({ changes: { eventId: 'e1', cursor: 'c1' } });
    // The transport does not ask for the next event: the first is still being sent.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(closes).toEqual([{ code: 4008, reason: expect.stringMatching(/too slow.*after: "c1"/) }]);
    expect(reads).toBe(1);

    const buffered = { bufferedAmount: 5000, close: (code: number, reason: string) => closes.push({ code, reason }) };
    const overflowing = feedEvents(async () => page, buffered as any, {}, { pollMs: 10, maxBufferedBytes: 1000, sendTimeoutMs: 200 });
    expect((await overflowing.next()).done).toBe(true);
    expect(closes.at(-1)).toMatchObject({ code: 4008, reason: expect.stringMatching(/bytes unsent/) });
  });
});

describe('a subscription ended while it waits for the feed', () => {
  it('is let go at once: no wait for the poll interval, no further read of the feed', async () => {
    const socket = { bufferedAmount: 0, close: () => {} };
    const empty: FeedPage = { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    let reads = 0;
    const events = feedEvents(async () => (reads++, empty), socket as any, {}, { pollMs: 60_000, maxBufferedBytes: 1000, sendTimeoutMs: 200 });
    const pending = events.next(); // reads the (empty) feed, then waits up to a minute for it to advance
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = Date.now();
    expect(await events.return!(undefined)).toMatchObject({ done: true });
    expect(await pending).toMatchObject({ done: true });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(reads).toBe(1);
  });
});

const PURPOSE = { purpose: '授信前尽职调查', reference: 'SX-2026-0078' };
const CALLERS = everyRole('ws');
const FIELDS = 'eventId type domain creditCode listType listKind regionCode entryId status exitWay occurredAt detail';
const FEED = `query($after: String, $filter: ChangeFilter) { changes(after: $after, filter: $filter, first: 500) {
  edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const EVERY = `subscription($filter: ChangeFilter) { changes(filter: $filter) { cursor ${FIELDS} } }`;
const LIST_TYPES = [undefined, 'RED', 'BLACK', 'KEY_ATTENTION'];

/** The `changes` query's events for the caller over HTTP, every page, as a subscription delivers them. */
async function queried(claims: TokenClaims | null, filter: unknown, purpose?: typeof PURPOSE): Promise<any[]> {
  const events: any[] = [];
  let after: string | null = null;
  for (;;) {
    const { data, errors }: { data?: any; errors?: unknown[] } = await hub.queryAs(claims, FEED, { after, filter }, purpose);
    expect(errors).toBeUndefined();
    events.push(...data.changes.edges.map((edge: any) => ({ cursor: edge.cursor, ...edge.node })));
    if (!data.changes.pageInfo.hasNextPage) return events;
    after = data.changes.pageInfo.endCursor;
  }
}

/** What one subscription delivers from the feed's start: `count` events (then a short wait for any more), or its error. */
function delivered(client: Client, filter: unknown, count: number): Promise<{ events: any[]; errors: unknown[] }> {
  return new Promise((resolve) => {
    const events: any[] = [];
    const errors: unknown[] = [];
    let dispose = () => {};
    let timer: NodeJS.Timeout;
    const finish = () => (clearTimeout(timer), dispose(), resolve({ events, errors }));
    // Up to the count, then 300 ms more, so that an event too many shows.
    const wait = (ms: number) => (clearTimeout(timer), (timer = setTimeout(finish, ms)));
    wait(count === 0 ? 600 : 8000);
    dispose = client.subscribe({ query: EVERY, variables: { filter } }, {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        else events.push(message.data!.changes);
        if (events.length + errors.length === count) wait(300);
      },
      error: (error) => (errors.push(error), finish()),
      complete: finish,
    });
  });
}

const unmaskedSeen = new Map<string, number>();
// Subscribers are independent (each principal its own id): a few at a time.
describe.concurrent('every role subscribes to every domain\'s changes, each list type', () => {
  for (const department of departments) {
    for (const [name, claims] of CALLERS) {
      for (const purpose of [undefined, PURPOSE]) {
        it(`${department.domain}: the ${name} ${purpose ? 'with' : 'without'} a purpose receives what its changes query gives, masked alike, unmasked deliveries registered`, async () => {
          if (!claims) {
            // The public: the connection is refused (4403), nothing is delivered.
            let closed: number | undefined;
            const client = await clientFor(null, purpose ?? {}, { closed: (event: any) => (closed = event.code) });
            const { events, errors } = await delivered(client, { domains: [department.domain] }, 1);
            await client.dispose();
            expect(events).toEqual([]);
            expect(errors.length).toBeGreaterThan(0);
            expect(closed).toBe(4403);
            return;
          }
          const subscriber = { ...claims, sub: `${claims.sub}@${department.name}${purpose ? '+p' : ''}` };
          const principal = principalOf(subscriber);
          const allowed = mayReadPersonalData(principal, purpose ?? null);
          const visibility = feedVisibility(principal, department.name);
          const client = await clientFor(subscriber, purpose ?? {});
          try {
            for (const listType of LIST_TYPES) {
              const filter = { domains: [department.domain], ...(listType ? { listTypes: [listType] } : {}) };
              const expected = await queried(claims, filter, purpose);
              const { events, errors } = await delivered(client, filter, expected.length);
              expect(errors, `${listType ?? 'every list type'}: ${JSON.stringify(errors).slice(0, 300)}`).toEqual([]);
              expect(events, listType ?? 'every list type').toEqual(expected);
              // The policy's own limits, whatever the query says: the domain, the list types and statuses it shows the principal.
              for (const event of events) {
                expect(event.domain).toBe(department.domain);
                if (listType && event.listType) expect(event.listType).toBe(listType);
                if (visibility.listTypes && event.listType) expect(visibility.listTypes).toContain(event.listType);
                if (visibility.statuses && event.entryId && event.status !== 'CORRECTED') expect(visibility.statuses, event.type).toContain(event.status);
              }
              const unmasked = events.map((event) => event.creditCode).filter((code) => typeof code === 'string' && isIdentityNumber(code));
              const registered = await registeredUnder(hub, subscriber.sub);
              if (allowed) {
                expect(unmasked.filter((code) => !registered.has(code))).toEqual([]);
                unmaskedSeen.set(department.domain, (unmaskedSeen.get(department.domain) ?? 0) + unmasked.length);
              } else {
                expect(unmasked).toEqual([]);
                expect([...registered]).toEqual([]);
              }
            }
          } finally {
            await client.dispose();
          }
        }, 120_000);
      }
    }
  }
});

describe('the subscriptions walk', () => {
  it('saw natural persons\' codes delivered unmasked (to those who may read them), so it checked something', () => {
    expect([...unmaskedSeen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

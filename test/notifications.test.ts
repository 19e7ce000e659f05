/**
 * With NATS (NATS_URL), a commit in any replica wakes the readers of every replica at once:
 * consumers, and subscriptions at the gateway. Polling stays the safety net, so here the
 * poll intervals are a minute and only notifications can make the change arrive in time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { callerHeaders, setEnv, startTestHub, type TestHub } from './env.js';
import net from 'node:net';
import { createNotifier, type Notifier } from '../subgraphs/kit/events/notifier.js';
import { deleteStreams, NATS_URL, natsReachable, testNatsPrefix } from './nats.js';
import { organisationCode, random } from '../scripts/demo-data.js';


describe.skipIf(!natsReachable)('notifications through NATS', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // The server is shared: subjects, streams and consumers of this test under a name of its own.
    setEnv({ NATS_URL, NATS_PREFIX: testNatsPrefix(), EVENT_POLL_MS: '60000', SUBSCRIPTION_POLL_MS: '60000' });
    hub = await startTestHub({ subjects: 50, workers: 'interval' });
  });
  afterAll(async () => {
    await hub?.stop();
    await deleteStreams(process.env.NATS_PREFIX!);
    setEnv({ NATS_URL: undefined, NATS_PREFIX: undefined });
  });

  it('carry a notification from one replica to another', async () => {
    const [one, two] = [await createNotifier(NATS_URL), await createNotifier(NATS_URL)];
    try {
      await new Promise((resolve) => setTimeout(resolve, 100)); // subscriptions reach the server
      const started = Date.now();
      const woken = two.wait('outbox.tax', 10_000);
      one.notify('outbox.tax');
      await woken;
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('bring a committed change to a subscriber in well under the minute-long poll interval', async () => {
    const headers = await callerHeaders({ role: 'partner', agency: '某银行', sub: 'nats-1' });
    const code = organisationCode(random(4222), '440305');
    const client = createClient({ url: hub.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, connectionParams: headers, retryAttempts: 0 });
    const arrived = new Promise<{ event: any; at: number }>((resolve, reject) => {
      client.subscribe(
        // Only this subject's changes: the demo backlog the platform may still be collecting stays out of it.
        { query: `subscription($c: ID!) { changes(filter: { creditCode: $c }) { type creditCode } }`, variables: { c: code } },
        { next: ({ data }) => resolve({ event: data!.changes, at: Date.now() }), error: reject, complete: () => {} },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is caught up and waiting
    const officer = { role: 'officer', department: 'market', sub: 'm-1' } as const;
    const committedAt = Date.now();
    const recognised = await hub.queryAs(officer, `mutation { market { recognise(input: { listKind: ABNORMAL_OPERATIONS, creditCode: "${code}", subjectName: "某公司",
      facts: "未公示年报", validUntil: "2029-01-01", repair: { repairable: true, method: "补报年报" } }) { id } } }`);
    await hub.queryAs(officer, `mutation { market { confirm(entryId: "${recognised.data.market.recognise.id}") { id } } }`);
    const { event, at } = await arrived;
    expect(event).toMatchObject({ type: 'ENTRY_ACTIVATED', creditCode: code });
    expect(at - committedAt).toBeLessThan(5000);
    await client.dispose();
  }, 30_000);
});

/** A TCP proxy in front of NATS that can be taken down and brought back on the same port. */
async function natsProxy() {
  const target = new URL(NATS_URL);
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    async up() {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 4222), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async down() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

/** How long until a notification from `from` reaches `to` (notifying every 100 ms until it does). */
async function timeToArrive(from: Notifier, to: Notifier, topic: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  let arrived = false;
  const waiting = to.wait(topic, timeoutMs).then(() => (arrived = true));
  while (!arrived && Date.now() - started < timeoutMs) {
    from.notify(topic);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await waiting;
  if (Date.now() - started >= timeoutMs) throw new Error(`no notification within ${timeoutMs} ms`);
  return Date.now() - started;
}

describe.skipIf(!natsReachable)('a notifier and NATS going away', () => {
  it('connects when NATS comes up after the process started, and again after NATS was gone', async () => {
    const prefix = testNatsPrefix();
    const proxy = await natsProxy();
    const late = await createNotifier(proxy.url, prefix, false); // NATS is "down" at start
    const other = await createNotifier(NATS_URL, prefix);
    try {
      await proxy.up();
      const first = await timeToArrive(other, late, 'outbox.tax');
      await proxy.down();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await proxy.up();
      const again = await timeToArrive(late, other, 'outbox.market');
      console.log(`notifier: reached through NATS ${first} ms after NATS came up; ${again} ms after it came back`);
    } finally {
      await late.close();
      await other.close();
      await proxy.down();
    }
  }, 40_000);
});

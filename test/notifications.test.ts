/**
 * With NATS (NATS_URL), a commit in any replica wakes the readers of every replica at once:
 * consumers, and subscriptions at the gateway. Polling stays the safety net, so here the
 * poll intervals are a minute and only notifications can make the change arrive in time.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { callerHeaders, startTestHub, type TestHub } from './env.js';
import { connect } from 'nats';
import { createNotifier } from '../subgraphs/kit/events/notifier.js';
import { jetStreamNames } from '../subgraphs/kit/events/jetstream.js';
import { departments } from '../subgraphs/catalog.js';
import { organisationCode, random } from '../scripts/demo-data.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsReachable = await new Promise<boolean>((resolve) => {
  const url = new URL(NATS_URL);
  const socket = net.connect(Number(url.port || 4222), url.hostname, () => (socket.destroy(), resolve(true)));
  socket.on('error', () => resolve(false));
});
if (!natsReachable && process.env.CI) throw new Error(`NATS is expected at ${NATS_URL} in CI`);

describe.skipIf(!natsReachable)('notifications through NATS', () => {
  let hub: TestHub;
  beforeAll(async () => {
    process.env.NATS_URL = NATS_URL;
    // The server is shared: subjects, streams and consumers of this test under a name of its own.
    process.env.NATS_PREFIX = `test_${Math.random().toString(36).slice(2, 10)}`;
    process.env.EVENT_POLL_MS = '60000';
    process.env.SUBSCRIPTION_POLL_MS = '60000';
    hub = await startTestHub({ subjects: 50, workers: 'interval' });
  });
  afterAll(async () => {
    await hub?.stop();
    const nats = await connect({ servers: NATS_URL });
    const jsm = await nats.jetstreamManager();
    for (const d of departments) await jsm.streams.delete(jetStreamNames().stream(d.name)).catch(() => {});
    await nats.close();
    delete process.env.NATS_URL;
    delete process.env.NATS_PREFIX;
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

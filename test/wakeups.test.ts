/**
 * A notification that comes while a reader is still reading — after it began looking, before
 * it waits — must wake it at once. Otherwise a commit that lands in that window waits for
 * the next poll (a minute in production), which is how a subscriber once missed a change
 * for longer than the test would wait. Each reader that waits on notifications is tried:
 * the notifier itself (in-process and through NATS), every worker loop, and subscriptions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeNotifier, createNotifier, FEED_TOPIC, notifier } from '../subgraphs/kit/events/notifier.js';
import { WorkerLoop } from '../subgraphs/kit/workers.js';
import { feedEvents, type FeedPage } from '../gateway/subscriptions.js';
import { NATS_URL, natsReachable, testNatsPrefix } from './nats.js';

const MINUTE = 60_000;
const soon = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a notification heard while the reader is still reading', () => {
  it('wakes a wait begun after it, in the process', async () => {
    const n = await createNotifier();
    const wakeup = n.listen(['outbox.tax']);
    n.notify('outbox.tax');
    await soon(20); // the reader is still busy
    const started = Date.now();
    await wakeup.wait(MINUTE);
    expect(Date.now() - started).toBeLessThan(100);
    // Only what came after `listen` counts: a fresh listener waits for the next one.
    const later = n.listen(['outbox.tax']);
    const outcome = await Promise.race([later.wait(200).then(() => 'timed out'), soon(400).then(() => 'hung')]);
    expect(outcome).toBe('timed out');
    await n.close();
  });

  it.skipIf(!natsReachable)('wakes a wait begun after it, from another replica through NATS', async () => {
    const prefix = testNatsPrefix();
    const [one, two] = [await createNotifier(NATS_URL, prefix), await createNotifier(NATS_URL, prefix)];
    try {
      await soon(100); // subscriptions reach the server
      const wakeup = two.listen(['outbox.market']);
      one.notify('outbox.market');
      await soon(300); // the notification arrives while `two` is still reading
      const started = Date.now();
      await wakeup.wait(MINUTE);
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('runs a worker again at once, not at its next interval', async () => {
    const n = await notifier();
    const runs: number[] = [];
    let secondRun: () => void;
    const ranTwice = new Promise<void>((resolve) => (secondRun = resolve));
    const loop = new WorkerLoop({
      name: 'wakeup-probe',
      intervalMs: MINUTE,
      wakeOn: ['probe.topic'],
      async runOnce() {
        runs.push(Date.now());
        if (runs.length === 1) {
          // A commit elsewhere announces itself while this run is still looking and finds nothing.
          n.notify('probe.topic');
          await soon(50);
        }
        if (runs.length === 2) secondRun();
        return 0;
      },
    });
    loop.start();
    try {
      await Promise.race([ranTwice, soon(2000)]);
      expect(runs.length).toBe(2);
      expect(runs[1] - runs[0]).toBeLessThan(1000);
    } finally {
      await loop.stop();
    }
  });

  it('still sleeps its interval when nothing was announced', async () => {
    let runs = 0;
    const loop = new WorkerLoop({ name: 'quiet-probe', intervalMs: MINUTE, wakeOn: ['probe.quiet'], runOnce: async () => (runs++, 0) });
    loop.start();
    await soon(500);
    await loop.stop();
    expect(runs).toBe(1);
  });

  it('brings a subscriber the change committed while its page was read', async () => {
    const n = await notifier();
    const node = { type: 'ENTRY_ACTIVATED', creditCode: '91440300MA5XXXXX0X' };
    let reads = 0;
    const read = async (): Promise<FeedPage> => {
      reads++;
      if (reads === 1) {
        // The page is read as empty; the change commits and is announced before the wait.
        n.notify(FEED_TOPIC);
        await soon(50);
        return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
      }
      return { edges: [{ cursor: 'c1', node }], pageInfo: { hasNextPage: false, endCursor: 'c1' } };
    };
    const socket = { bufferedAmount: 0, close: () => {} };
    const events = feedEvents(read, socket, {}, { pollMs: MINUTE, maxBufferedBytes: 1 << 20, sendTimeoutMs: 10_000 });
    const started = Date.now();
    const first = await Promise.race([events.next(), soon(2000).then(() => undefined)]);
    expect(first?.value).toMatchObject({ changes: { ...node, cursor: 'c1' } });
    expect(Date.now() - started).toBeLessThan(1000);
    await events.return!();
  });
});

afterAll(() => closeNotifier());

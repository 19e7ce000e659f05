/**
 * NATS for tests: the shared server (TEST_NATS_URL, default 127.0.0.1:4222), whether it is
 * up (in CI it must be), and a name prefix of a test's own for its subjects, streams and
 * consumers, removed afterwards.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { departments } from '../subgraphs/catalog.js';
import { jetStreamNames } from '../subgraphs/kit/events/jetstream.js';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export const natsReachable = await new Promise<boolean>((resolve) => {
  const url = new URL(NATS_URL);
  const socket = net.connect(Number(url.port || 4222), url.hostname, () => (socket.destroy(), resolve(true)));
  socket.on('error', () => resolve(false));
});
if (!natsReachable && process.env.CI) throw new Error(`NATS is expected at ${NATS_URL} in CI`);

/** A NATS_PREFIX nobody else uses. */
export const testNatsPrefix = () => `test_${randomBytes(4).toString('hex')}`;

/** Removes the departments' streams (and their consumers) named under `prefix`. */
export async function deleteStreams(prefix: string): Promise<void> {
  const nats = await connect({ servers: NATS_URL });
  try {
    const jsm = await nats.jetstreamManager();
    for (const d of departments) await jsm.streams.delete(jetStreamNames({ NATS_PREFIX: prefix }).stream(d.name)).catch(() => {});
  } finally {
    await nats.close();
  }
}

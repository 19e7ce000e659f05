/**
 * Wake-ups: "something was committed on topic X" — so consumers, subscriptions and
 * webhook deliveries react at once instead of at their next poll. A notification carries
 * no data and may be lost: the database (outboxes, the change feed) stays the source of
 * truth, and every reader still polls on its interval, so a lost notification only delays.
 *
 * With NATS_URL set (e.g. nats://127.0.0.1:4222), notifications go through NATS, so a
 * commit in one replica wakes readers in every replica; without it, they stay in the process
 * (the embedded default runs everything in one process).
 */
import { EventEmitter } from 'node:events';
import { connect, type NatsConnection } from 'nats';
import type { Knex } from 'knex';

export interface Notifier {
  notify(topic: string): void;
  /** Resolves at the next notification on `topic`, or after `timeoutMs`. */
  wait(topic: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const SUBJECT_PREFIX = 'credithub.changes.';

/** The platform's change feed advanced. Departments' outboxes are `outbox.<department>`. */
export const FEED_TOPIC = 'feed';

class LocalNotifier implements Notifier {
  protected readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(topic: string): void {
    this.emitter.emit(topic);
  }

  wait(topic: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(topic, done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once(topic, done);
    });
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

class NatsNotifier extends LocalNotifier {
  constructor(private readonly nats: NatsConnection) {
    super();
    const subscription = nats.subscribe(`${SUBJECT_PREFIX}>`);
    (async () => {
      for await (const message of subscription) this.emitter.emit(message.subject.slice(SUBJECT_PREFIX.length));
    })().catch(() => {});
  }

  override notify(topic: string): void {
    // Local readers at once; other replicas through NATS (our own copy comes back too: harmless).
    super.notify(topic);
    try {
      this.nats.publish(`${SUBJECT_PREFIX}${topic}`);
    } catch {
      // A notification is only a hint: the pollers catch up anyway.
    }
  }

  override async close(): Promise<void> {
    await super.close();
    await this.nats.drain().catch(() => {});
  }
}

let shared: Promise<Notifier> | undefined;

/** Notifies `topic` once `trx` commits (never if it rolls back). */
export function announceAfterCommit(trx: Knex.Transaction, topic: string): void {
  trx.executionPromise.then(
    () => notifier().then((n) => n.notify(topic)),
    () => {},
  );
}

/** The process's notifier: NATS when NATS_URL is set, in-process otherwise. */
export function notifier(): Promise<Notifier> {
  shared ??= (async () => {
    const url = process.env.NATS_URL;
    if (!url) return new LocalNotifier();
    try {
      return new NatsNotifier(await connect({ servers: url, name: 'credithub', reconnect: true, maxReconnectAttempts: -1 }));
    } catch (error) {
      console.error(`NATS at ${url} is not reachable (${(error as Error).message}); notifications stay in this process`);
      return new LocalNotifier();
    }
  })();
  return shared;
}

/** For tests: a notifier of one's own, with or without NATS. */
export async function createNotifier(natsUrl?: string): Promise<Notifier> {
  return natsUrl ? new NatsNotifier(await connect({ servers: natsUrl })) : new LocalNotifier();
}

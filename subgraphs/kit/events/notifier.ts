/**
 * Wake-ups: "something was committed on topic X" — so consumers, subscriptions and
 * webhook deliveries react at once instead of at their next poll. A notification carries
 * no data and may be lost: the database (outboxes, the change feed) stays the source of
 * truth, and every reader still polls on its interval, so a lost notification only delays.
 *
 * With NATS_URL set (e.g. nats://127.0.0.1:4222), notifications go through NATS (subjects
 * `<NATS_PREFIX>.changes.<topic>`), so a commit in one replica wakes readers in every replica;
 * a process connects whenever NATS is up, also if it was down at start, and reconnects.
 * Without NATS_URL, they stay in the process (the embedded default runs everything in one).
 */
import { EventEmitter } from 'node:events';
import { closeSharedNatsLink, linkToNats, natsPrefix, sharedNatsLink, type NatsLink } from './nats.js';
import type { Knex } from 'knex';

export interface Notifier {
  notify(topic: string): void;
  /** Resolves at the next notification on `topic`, or after `timeoutMs`. */
  wait(topic: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The platform's change feed advanced. Departments' outboxes are `outbox.<department>`. */
export const FEED_TOPIC = 'feed';
/** Events wait for their change-feed positions (the platform's sequencer wakes). */
export const FEED_PENDING_TOPIC = 'feed.pending';

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
  private readonly subject: string;

  /** Works in the process at once; through NATS as soon as (and whenever) NATS is there. */
  constructor(private readonly link: NatsLink, prefix = natsPrefix()) {
    super();
    this.subject = `${prefix}.changes.`;
    link.connected.then((nats) => {
      // nats.js keeps this subscription across reconnects.
      const subscription = nats.subscribe(`${this.subject}>`);
      (async () => {
        for await (const message of subscription) this.emitter.emit(message.subject.slice(this.subject.length));
      })().catch(() => {});
    }, () => {});
  }

  override notify(topic: string): void {
    // Local readers at once; other replicas through NATS (our own copy comes back too: harmless).
    super.notify(topic);
    try {
      this.link.current()?.publish(`${this.subject}${topic}`);
    } catch {
      // A notification is only a hint: the pollers catch up anyway.
    }
  }

  override async close(): Promise<void> {
    await super.close();
    await this.link.close();
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

/** The process's notifier: through NATS when NATS_URL is set (connecting whenever NATS is up), in-process otherwise. */
export function notifier(): Promise<Notifier> {
  shared ??= (async () => {
    const link = sharedNatsLink();
    return link ? new NatsNotifier(link) : new LocalNotifier();
  })();
  return shared;
}

/** Closes the process's notifier and its NATS connection (commands that end: the seed). */
export async function closeNotifier(): Promise<void> {
  const current = shared;
  shared = undefined;
  await (await current)?.close();
  await closeSharedNatsLink();
}

/**
 * For tests: a notifier of one's own, with or without NATS (a prefix keeps tests apart);
 * connected when it resolves unless `waitForNats` is false (NATS may be down now).
 */
export async function createNotifier(natsUrl?: string, prefix?: string, waitForNats = true): Promise<Notifier> {
  if (!natsUrl) return new LocalNotifier();
  const link = linkToNats(natsUrl);
  if (waitForNats) await link.connected;
  return new NatsNotifier(link, prefix);
}

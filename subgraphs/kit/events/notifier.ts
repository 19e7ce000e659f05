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
  /**
   * Starts hearing notifications on `topics` now. A reader listens *before* it looks for
   * work and waits after: a commit announced while it was still reading wakes it at once
   * instead of being lost until the next poll (the wake-up that falls between "found
   * nothing" and "waiting").
   */
  listen(topics: readonly string[]): Wakeup;
  /** Resolves at the next notification on `topic`, or after `timeoutMs`. */
  wait(topic: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface Wakeup {
  /**
   * Resolves at once if a notification came since `listen`, else at the next one or after
   * `timeoutMs`; stops listening either way.
   */
  wait(timeoutMs: number): Promise<void>;
  /** Stops listening, without resolving a pending wait (the reader is done with it). Repeatable. */
  cancel(): void;
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

  listen(topics: readonly string[]): Wakeup {
    let heard = false;
    let wakeUp: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onNotification = () => {
      heard = true;
      wakeUp?.();
    };
    for (const topic of topics) this.emitter.on(topic, onNotification);
    const cancel = () => {
      for (const topic of topics) this.emitter.off(topic, onNotification);
      clearTimeout(timer);
    };
    return {
      wait: (timeoutMs) =>
        new Promise<void>((resolve) => {
          wakeUp = () => {
            cancel();
            resolve();
          };
          if (heard) wakeUp();
          else timer = setTimeout(wakeUp, timeoutMs);
        }),
      cancel,
    };
  }

  wait(topic: string, timeoutMs: number): Promise<void> {
    return this.listen([topic]).wait(timeoutMs);
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

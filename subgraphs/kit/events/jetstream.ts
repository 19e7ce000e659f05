/**
 * The event log on NATS JetStream (with NATS_URL, unless EVENT_LOG=database): one stream per
 * department, `<PREFIX>_OUTBOX_<DEPARTMENT>` on subject `<prefix>.outbox.<department>`,
 * replicated over JETSTREAM_REPLICAS servers. The department's relay publishes each event with
 * its event id as `Nats-Msg-Id`, so a publish repeated within the duplicate window is stored
 * once; the stream sequence is the event's position in the log.
 *
 * Each consumer (a department's cross-department rules, the platform's collection) has a
 * durable pull consumer on every department's stream, `<PREFIX>_<CONSUMER>`, with explicit
 * acks. It applies messages in stream order, from its own position in its database: a message
 * is acked once the transaction that applied it committed, so one that was fetched and not
 * applied (a replica killed, a batch another replica is applying) is delivered again after
 * JETSTREAM_ACK_WAIT_MS. Messages at or below the position are acked without applying; a
 * batch that starts past the next sequence (another replica holds the one before) is nak'd
 * for a moment. The database stays the source of truth: events are applied idempotently by
 * event id (events/consumer.ts) and the outbox keeps every event.
 */
import { AckPolicy, DeliverPolicy, JSONCodec, nanos, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import type { StoredChangeEvent } from '../outbox.js';
import type { EventSource } from './consumer.js';
import type { OutboxPublisher } from './relay.js';
import { natsNamePrefix, natsPrefix, sharedNatsLink, type NatsLink } from './nats.js';
import { configuration } from '../config/index.js';
import { shownUrl } from '../shown-url.js';

const codec = JSONCodec<StoredChangeEvent>();

export interface JetStreamNames {
  stream(department: string): string;
  subject(department: string): string;
  durable(consumer: string): string;
}

export function jetStreamNames(env?: NodeJS.ProcessEnv): JetStreamNames {
  const names = natsNamePrefix(env);
  const subjects = natsPrefix(env);
  return {
    stream: (department) => `${names}_OUTBOX_${department.toUpperCase()}`,
    subject: (department) => `${subjects}.outbox.${department}`,
    durable: (consumer) => `${names}_${consumer.toUpperCase()}`,
  };
}

/** The JetStream link when the event log is JetStream (NATS_URL set and EVENT_LOG not `database`). */
export function jetStreamLink(env?: NodeJS.ProcessEnv): NatsLink | undefined {
  if (configuration(env).EVENT_LOG === 'database') return undefined;
  return sharedNatsLink();
}

class Streams {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    readonly link: NatsLink,
    readonly names: JetStreamNames,
  ) {}

  /** The connection; a worker waits for NATS a few seconds at most (then fails, and its loop tries again). */
  private async connection(): Promise<NatsConnection> {
    const current = this.link.current();
    if (current) return current;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`NATS at ${shownUrl(this.link.url)} is not connected`)), 3000);
    });
    try {
      return await Promise.race([this.link.connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async manager(): Promise<JetStreamManager> {
    return (await this.connection()).jetstreamManager();
  }

  async client(): Promise<JetStreamClient> {
    return (await this.connection()).jetstream();
  }

  /** Creates the department's stream if it does not exist (idempotent, safe from every replica). */
  ensureStream(department: string): Promise<void> {
    let ensured = this.ensured.get(department);
    if (!ensured) {
      ensured = (async () => {
        const jsm = await this.manager();
        const name = this.names.stream(department);
        try {
          await jsm.streams.info(name);
        } catch {
          await jsm.streams.add({
            name,
            subjects: [this.names.subject(department)],
            retention: RetentionPolicy.Limits,
            storage: StorageType.File,
            num_replicas: configuration().JETSTREAM_REPLICAS,
            duplicate_window: nanos(configuration().JETSTREAM_DUPLICATE_WINDOW_MS),
          }).catch(async (error) => {
            // Another replica created it meanwhile.
            await jsm.streams.info(name).catch(() => {
              throw error;
            });
          });
        }
      })();
      ensured.catch(() => this.ensured.delete(department));
      this.ensured.set(department, ensured);
    }
    return ensured;
  }
}

/** Publishes a department's outbox to its stream, in order; the relay calls it before positions commit. */
export class JetStreamPublisher implements OutboxPublisher {
  private readonly streams: Streams;

  constructor(
    link: NatsLink,
    private readonly department: string,
    names: JetStreamNames = jetStreamNames(),
  ) {
    this.streams = new Streams(link, names);
  }

  async publish(events: StoredChangeEvent[]): Promise<void> {
    await this.streams.ensureStream(this.department);
    const js = await this.streams.client();
    const subject = this.streams.names.subject(this.department);
    const stream = this.streams.names.stream(this.department);
    // One connection keeps the order they are sent in; the acks come back in any order.
    await Promise.all(events.map((event) => js.publish(subject, codec.encode(event), { msgID: event.eventId, expect: { streamName: stream } })));
  }
}

/** Reads departments' streams through durable consumers; positions are stream sequences. */
export class JetStreamEventSource implements EventSource {
  private readonly streams: Streams;
  private readonly consumers = new Map<string, Promise<void>>();
  /** Messages read and not yet acked, by source. */
  private readonly held = new Map<string, JsMsg[]>();

  constructor(
    link: NatsLink,
    private readonly consumer: string,
    names: JetStreamNames = jetStreamNames(),
  ) {
    this.streams = new Streams(link, names);
  }

  private ensureConsumer(source: string): Promise<void> {
    let ensured = this.consumers.get(source);
    if (!ensured) {
      ensured = (async () => {
        await this.streams.ensureStream(source);
        const jsm = await this.streams.manager();
        const stream = this.streams.names.stream(source);
        const durable = this.streams.names.durable(this.consumer);
        try {
          await jsm.consumers.info(stream, durable);
        } catch {
          await jsm.consumers.add(stream, {
            durable_name: durable,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
            // As short as the relay lease: a killed replica's unacked batch goes to another within seconds.
            ack_wait: nanos(configuration().JETSTREAM_ACK_WAIT_MS),
            max_ack_pending: 2000,
          }).catch(async (error) => {
            await jsm.consumers.info(stream, durable).catch(() => {
              throw error;
            });
          });
        }
      })();
      ensured.catch(() => this.consumers.delete(source));
      this.consumers.set(source, ensured);
    }
    return ensured;
  }

  async read(source: string, after: number, limit: number): Promise<StoredChangeEvent[]> {
    await this.ensureConsumer(source);
    const js = await this.streams.client();
    const consumer = await js.consumers.get(this.streams.names.stream(source), this.streams.names.durable(this.consumer));
    const info = await consumer.info();
    const waiting = info.num_pending + info.num_ack_pending;
    if (waiting === 0) return [];
    const messages: JsMsg[] = [];
    const fetched = await consumer.fetch({ max_messages: Math.min(limit, waiting), expires: 1000 });
    for await (const message of fetched) messages.push(message);
    messages.sort((a, b) => a.seq - b.seq);
    const events: StoredChangeEvent[] = [];
    const held: JsMsg[] = [];
    // The stream's sequences have no holes; a stream that dropped old messages starts later.
    let expected = Math.max(after + 1, Number((await (await this.streams.manager()).streams.info(this.streams.names.stream(source))).state.first_seq));
    for (const [index, message] of messages.entries()) {
      if (message.seq <= after) {
        message.ack(); // applied before (a redelivery)
        continue;
      }
      if (message.seq !== expected) {
        // The message before is with another replica or on its way back: not ahead of it.
        for (const rest of messages.slice(index)) rest.nak(200);
        break;
      }
      events.push({ ...codec.decode(message.data), position: message.seq });
      held.push(message);
      expected++;
    }
    this.held.set(source, held);
    return events;
  }

  async applied(source: string, position: number): Promise<void> {
    const held = this.held.get(source) ?? [];
    for (const message of held) if (message.seq <= position) message.ack();
    this.held.set(source, held.filter((message) => message.seq > position));
  }
}

/** What a consumer reads from: JetStream when it is the event log, else the HTTP feeds (undefined). */
export function consumerEventLog(consumer: string): { eventSource: EventSource; positionKey: (source: string) => string } | undefined {
  const link = jetStreamLink();
  return link ? { eventSource: new JetStreamEventSource(link, consumer), positionKey: (source) => `js:${source}` } : undefined;
}

/** The publisher a department's relay uses when JetStream is the event log. */
export function relayPublisher(department: string): OutboxPublisher | undefined {
  const link = jetStreamLink();
  return link ? new JetStreamPublisher(link, department) : undefined;
}

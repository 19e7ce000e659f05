/** The event path: NATS, the JetStream event log, relays and consumers. */
import { integer, oneOf, text, url } from './variable.js';

export const events = {
  NATS_URL: url({ schemes: ['nats:', 'tls:'], doc: 'NATS with JetStream: the event log (a stream per department) and commit notifications across replicas; a process connects whenever NATS is up and reconnects; polling remains the safety net' }),
  NATS_PREFIX: text({ default: 'credithub', allowed: 'letters, digits, _ and -', pattern: /^[A-Za-z0-9_-]+$/, doc: 'names of subjects, streams and durable consumers, so several hubs can share one server' }),
  EVENT_LOG: oneOf(['jetstream', 'database'], { default: 'jetstream', doc: '`database`: with `NATS_URL`, notifications only and consumers read the HTTP feeds' }),
  JETSTREAM_REPLICAS: integer({ min: 1, max: 5, default: 1, doc: 'replicas of each stream' }),
  JETSTREAM_ACK_WAIT_MS: integer({ min: 100, max: 3_600_000, default: 3_000, unit: 'ms', doc: 'redelivery of unacked messages' }),
  JETSTREAM_DUPLICATE_WINDOW_MS: integer({ min: 1_000, max: 86_400_000, default: 120_000, unit: 'ms', doc: 'de-duplication window of the streams' }),
  EVENT_POLL_MS: integer({ min: 10, max: 3_600_000, default: 1000, unit: 'ms', doc: 'how often relays and consumers look for work without a notification' }),
  RELAY_LEASE_MS: integer({ min: 100, max: 600_000, default: 3_000, unit: 'ms', doc: 'how long a replica relays its department before another may take over' }),
};

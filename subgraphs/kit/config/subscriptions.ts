/** GraphQL subscriptions at the gateway. */
import { integer } from './variable.js';

export const subscriptions = {
  SUBSCRIPTION_POLL_MS: integer({ min: 10, max: 3_600_000, default: 1000, unit: 'ms', doc: 'how often a subscription reads the change feed without a notification' }),
  SUBSCRIPTION_SEND_TIMEOUT_MS: integer({ min: 100, max: 600_000, default: 30_000, unit: 'ms', doc: 'a client that takes longer to take a message is disconnected' }),
  SUBSCRIPTION_MAX_BUFFERED_BYTES: integer({ min: 1024, max: 1024 ** 3, default: 1024 * 1024, defaultText: '1048576 (1 MiB)', unit: 'bytes', doc: 'a client with more unsent data is disconnected' }),
  SUBSCRIPTION_MAX_PER_CONNECTION: integer({ min: 1, max: 10_000, default: 20, doc: 'subscriptions on one connection (close code 4429 beyond)' }),
  SUBSCRIPTION_MAX_CONNECTIONS_PER_PRINCIPAL: integer({ min: 1, max: 10_000, default: 10, doc: 'connections of one principal per gateway replica (4430 beyond)' }),
};

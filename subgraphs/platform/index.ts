/**
 * The platform subgraph (信用信息共享平台): the subject registry and the code entry points,
 * the collection of every department's entries with the warning list and the sharing
 * deadline, the joint measures (catalogue, screening, receipts, feedback, statistics),
 * the statistics and consolidated lists, the change feed and webhooks, and the access register. Each part brings its resolvers; they are merged here.
 */
import type { SubgraphModule } from '../kit/server.js';
import type { DepartmentConfig } from '../kit/lists/department.js';
import { accessRegisterKey, internalTokenSecret } from '../kit/auth/secrets.js';
import { mergeResolvers } from '../kit/resolvers.js';
import { EventConsumer } from '../kit/events/consumer.js';
import { relayedTopic } from '../kit/events/relay.js';
import { consumerEventLog } from '../kit/events/jetstream.js';
import { calendarFromEnv } from '../kit/working-days.js';
import { migrations } from './migrations.js';
import { PLATFORM_INPUT_LIMITS } from './input-limits.js';
import { platformOffsetsTable } from './collection.js';
import { SubjectRegistry } from './registry.js';
import { createPlatformLoaders, platformResolvers } from './resolvers.js';
import { permissions } from './permissions.js';
import { AccessRegister } from './access-register.js';
import { loadCheckpointKeys, RegisterCheckpoints } from './access-register-checkpoints.js';
import { ACCESS_REGISTER_ROUTE, accessRegisterResolvers, accessRegisterRoute } from './access-register-resolvers.js';
import { Collection } from './collection.js';
import { createWarningListLoaders, warningListResolvers } from './warning-list-resolvers.js';
import { MeasureCatalogue } from './measures.js';
import { applyCatalogueSeeds } from './catalogue-seeds.js';
import { loadReceiptKeys } from './receipts.js';
import { ScreeningService } from './screening.js';
import { Feedback } from './feedback.js';
import { createJointMeasureLoaders, jointMeasureResolvers } from './joint-measures-resolvers.js';
import { ChangeFeed, feedPositionRoute } from './change-feed.js';
import { FEED_POSITION_ROUTE } from '../kit/internal-routes.js';
import { changeFeedResolvers, measureTriggers } from './change-feed-resolvers.js';
import { Webhooks, webhookOptionsFromEnv, WEBHOOKS_TOPIC } from './webhooks.js';
import { WebhookDelivery } from './webhook-delivery.js';
import { webhookResolvers } from './webhook-resolvers.js';
import { FEED_PENDING_TOPIC, FEED_TOPIC } from '../kit/events/notifier.js';
import { Statistics } from './statistics.js';
import { statisticsResolvers } from './statistics-resolvers.js';
import { ConsolidatedList, consolidatedListResolvers } from './consolidated-list.js';
import { Corrections } from './corrections.js';
import { Notices, noticeResolvers } from './notices.js';
import { configuration } from '../kit/config/index.js';
import { logger } from '../kit/observability/log.js';
import { DEPARTMENTS_SCHEMA_FILE } from '../kit/lists/sdl.js';

/** How often retention looks for change-feed events past the window (it runs again at once while it removes some). */
const CHANGE_FEED_RETENTION_INTERVAL_MS = 3_600_000;

/** The platform, for the departments whose lists it collects and whose measures it applies. */
export function createPlatformSubgraph(departments: DepartmentConfig[]): SubgraphModule {
  return {
    name: 'platform',
    schemaFiles: ['shared/common.graphql', DEPARTMENTS_SCHEMA_FILE, 'platform.graphql'],
    migrations,
    inputLimits: PLATFORM_INPUT_LIMITS,
    productionSecrets: ['receipt-key', 'register-keys'],
    async build({ db, clock }) {
      const secret = internalTokenSecret();
      const registry = new SubjectRegistry(db);
      const register = new AccessRegister(db, clock, accessRegisterKey());
      const checkpoints = new RegisterCheckpoints(db, clock, register, await loadCheckpointKeys());
      const feed = new ChangeFeed(db, departments);
      const collection = new Collection(db, clock, calendarFromEnv(), feed);
      const corrections = new Corrections(clock, feed);
      const notices = new Notices(db, clock, feed);
      const catalogue = new MeasureCatalogue(db, clock, departments.flatMap((d) => d.lists.map((l) => l.kind)), feed);
      // The seeds added to the code since this database was migrated, once (catalogue-seeds.ts).
      const seeded = await applyCatalogueSeeds(catalogue, clock);
      if (seeded.added.length || seeded.amended.length || seeded.kept.length) logger('platform').info(seeded, 'catalogue seeds applied (kept: as an administrator changed them)');
      const receipts = await loadReceiptKeys();
      const screenings = new ScreeningService(db, clock, catalogue, receipts, departments);
      const webhookOptions = webhookOptionsFromEnv();
      const webhooks = new Webhooks(db, clock, async (ids) => (await measureTriggers(catalogue, clock, ids)).unknown, webhookOptions.targets);
      const feedback = new Feedback(db, clock, screenings, departments);
      return {
        resolvers: mergeResolvers(
          platformResolvers(),
          accessRegisterResolvers(register, checkpoints),
          warningListResolvers(collection, departments),
          jointMeasureResolvers({ catalogue, screenings, feedback, collection, receipts, clock, departments }),
          changeFeedResolvers(feed, catalogue, clock),
          webhookResolvers(webhooks),
          statisticsResolvers(new Statistics(db), clock),
          consolidatedListResolvers(new ConsolidatedList(db, departments.length)),
          noticeResolvers(feed),
          // The catalogue itself (the dashboard's rows and columns).
          { Query: { departments: () => departments.map(({ name, domain, authority, label, lists }) => ({ name, domain, authority, label, lists })) } },
        ),
        routes: { [ACCESS_REGISTER_ROUTE]: accessRegisterRoute(register, secret), [FEED_POSITION_ROUTE]: feedPositionRoute(feed, secret) },
        createLoaders: () => ({ ...createPlatformLoaders(registry), ...createWarningListLoaders(collection), ...createJointMeasureLoaders(catalogue) }),
        permissions,
        workers: (departmentUrls) => {
          const log = consumerEventLog('platform');
          const consumer = new EventConsumer({
            ...log,
            db,
            name: 'platform',
            prefix: 'platform',
            offsetsTable: platformOffsetsTable,
            sources: departmentUrls,
            // Notices follow the changes; the correction cascade runs last, so a listing purged in the
            // same batch leaves no facts in what the others just wrote.
            handleBatch: async (trx, events) => {
              await collection.handleBatch(trx, events);
              await notices.handleBatch(trx, events);
              await corrections.handleBatch(trx, events);
            },
            secret,
          });
          const delivery = new WebhookDelivery(db, feed, webhookOptions, {
            clock,
            measureTriggers: async (ids) => (await measureTriggers(catalogue, clock, ids)).listKinds,
          });
          const retentionDays = configuration().CHANGE_FEED_RETENTION_DAYS;
          return [
          {
            name: 'collection',
            description: `collects every department's events ${log ? 'from JetStream' : "from the departments' event feeds"}: entry index, warning list, change feed`,
            intervalMs: configuration().EVENT_POLL_MS,
            wakeOn: Object.keys(departmentUrls).map(relayedTopic),
            runOnce: () => consumer.pollOnce(),
          },
          {
            name: 'change-feed',
            description: 'gives appended change-feed events their positions, in commit order',
            intervalMs: configuration().EVENT_POLL_MS,
            wakeOn: [FEED_PENDING_TOPIC],
            runOnce: () => feed.sequence(),
          },
          {
            // 1798 (17): key-attention subjects are reminded before their validity ends.
            name: 'notices',
            description: 'reminds key-attention subjects before their validity ends (1798 (17))',
            intervalMs: configuration().NOTICE_INTERVAL_MS,
            runOnce: () => notices.remindValidity(),
          },
          {
            // 1798 (24)(25): the register's state signed and published where the database's owner cannot rewrite it.
            name: 'register-checkpoint',
            description: 'signs a checkpoint of the access register when it grew, and publishes it (CREDITHUB_REGISTER_CHECKPOINT_FILE, NATS)',
            intervalMs: configuration().REGISTER_CHECKPOINT_INTERVAL_MS,
            runOnce: () => checkpoints.signIfChanged(),
          },
          {
            name: 'webhooks',
            description: 'delivers the change feed to registered webhooks',
            intervalMs: configuration().WEBHOOK_POLL_MS,
            wakeOn: [FEED_TOPIC, WEBHOOKS_TOPIC],
            runOnce: () => delivery.deliverDue(),
          },
          ...(retentionDays > 0
            ? [
                {
                  // Removes what is older than the window, oldest first: cursors before it expire, webhooks behind it skip.
                  name: 'change-feed-retention',
                  description: `removes change-feed events older than ${retentionDays} days (CHANGE_FEED_RETENTION_DAYS)`,
                  intervalMs: CHANGE_FEED_RETENTION_INTERVAL_MS,
                  runOnce: () => feed.prune(new Date(clock().getTime() - retentionDays * 86_400_000).toISOString()),
                },
              ]
            : []),
        ];
        },
      };
    },
  };
}

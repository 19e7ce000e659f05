/**
 * The platform subgraph (信用信息共享平台): the subject registry, the code entry points,
 * the collection of every department's entries with the warning list, and the access
 * register. Each part brings its resolvers; they are merged here.
 */
import type { SubgraphModule } from '../kit/server.js';
import { internalTokenSecret } from '../kit/auth/secrets.js';
import { mergeResolvers } from '../kit/resolvers.js';
import { EventConsumer } from '../kit/events/consumer.js';
import { calendarFromEnv } from '../kit/working-days.js';
import { migrations, platformOffsetsTable } from './migrations.js';
import { SubjectRegistry } from './registry.js';
import { createPlatformLoaders, platformResolvers } from './resolvers.js';
import { permissions } from './permissions.js';
import { AccessRegister } from './access-register.js';
import { ACCESS_REGISTER_ROUTE, accessRegisterResolvers, accessRegisterRoute } from './access-register-resolvers.js';
import { Collection } from './collection.js';
import { createWarningListLoaders, warningListResolvers } from './warning-list-resolvers.js';

export const platformSubgraph: SubgraphModule = {
  name: 'platform',
  schemaFiles: ['shared/common.graphql', 'platform.graphql'],
  migrations,
  build({ db, clock }) {
    const secret = internalTokenSecret();
    const registry = new SubjectRegistry(db);
    const register = new AccessRegister(db, clock);
    const collection = new Collection(db, clock, calendarFromEnv());
    return {
      resolvers: mergeResolvers(platformResolvers(), accessRegisterResolvers(register), warningListResolvers(collection)),
      routes: { [ACCESS_REGISTER_ROUTE]: accessRegisterRoute(register, secret) },
      createLoaders: () => ({ ...createPlatformLoaders(registry), ...createWarningListLoaders(collection) }),
      permissions,
      workers: (departmentUrls) => {
        const consumer = new EventConsumer({
          db,
          name: 'platform',
          offsetsTable: platformOffsetsTable,
          sources: departmentUrls,
          handle: collection.handle,
          secret,
        });
        return [{ name: 'collection', intervalMs: Number(process.env.EVENT_POLL_MS ?? 1000), runOnce: () => consumer.pollOnce() }];
      },
    };
  },
};

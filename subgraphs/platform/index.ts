/** The platform subgraph (信用信息共享平台): the subject registry and the code entry points. */
import type { SubgraphModule } from '../kit/server.js';
import { migrations } from './migrations.js';
import { SubjectRegistry } from './registry.js';
import { createPlatformLoaders, platformResolvers } from './resolvers.js';
import { permissions } from './permissions.js';

export const platformSubgraph: SubgraphModule = {
  name: 'platform',
  schemaFiles: ['shared/common.graphql', 'platform.graphql'],
  migrations,
  build({ db }) {
    const registry = new SubjectRegistry(db);
    return { resolvers: platformResolvers(), createLoaders: () => createPlatformLoaders(registry), permissions };
  },
};

/** The platform subgraph (信用信息共享平台): the subject registry and the code entry points. */
import type { SubgraphModule } from '../kit/server.js';
import { migrations } from './migrations.js';
import { SubjectRegistry } from './registry.js';
import { createPlatformLoaders, platformResolvers } from './resolvers.js';
import { permissions } from './permissions.js';
import { AccessRegister } from './access-register.js';
import { ACCESS_REGISTER_ROUTE, accessRegisterResolvers, accessRegisterRoute } from './access-register-resolvers.js';
import { internalTokenSecret } from '../kit/auth/secrets.js';

export const platformSubgraph: SubgraphModule = {
  name: 'platform',
  schemaFiles: ['shared/common.graphql', 'platform.graphql'],
  migrations,
  build({ db, clock }) {
    const registry = new SubjectRegistry(db);
    const register = new AccessRegister(db, clock);
    const resolvers: Record<string, any> = platformResolvers();
    const registerResolvers: Record<string, any> = accessRegisterResolvers(register);
    return {
      resolvers: { ...resolvers, Query: { ...resolvers.Query, ...registerResolvers.Query } },
      routes: { [ACCESS_REGISTER_ROUTE]: accessRegisterRoute(register, internalTokenSecret()) },
      createLoaders: () => createPlatformLoaders(registry),
      permissions,
    };
  },
};

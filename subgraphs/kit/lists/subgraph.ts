/** A department's subgraph: the list engine configured by one `DepartmentConfig`. */
import type { Migration } from '../db.js';
import { outboxMigration } from '../outbox.js';
import type { SubgraphModule } from '../server.js';
import type { DepartmentConfig } from './department.js';
import { createListLoaders } from './loaders.js';
import { departmentResolvers } from './resolvers.js';
import { departmentPermissions } from './permissions.js';
import { ListStore } from './store.js';
import { listTablesMigration } from './tables.js';

/** The engine's own tables; a department adds its migrations after these. */
export function listEngineMigrations(department: DepartmentConfig): Migration[] {
  return [outboxMigration(department.name), listTablesMigration(department.name)];
}

export function departmentSubgraph(department: DepartmentConfig, migrations: Migration[]): SubgraphModule {
  return {
    name: department.name,
    schemaFiles: ['shared/common.graphql', 'shared/lists.graphql', `${department.name}.graphql`],
    migrations,
    build({ db }) {
      const store = new ListStore(db, department);
      return {
        resolvers: departmentResolvers(department, store),
        createLoaders: () => createListLoaders(store),
        permissions: departmentPermissions(department),
      };
    },
  };
}

/** A department's subgraph: the list engine configured by one `DepartmentConfig`. */
import type { Migration } from '../db.js';
import { outboxMigration } from '../outbox.js';
import type { SubgraphModule } from '../server.js';
import type { DepartmentConfig } from './department.js';
import { createListLoaders } from './loaders.js';
import { departmentResolvers } from './resolvers.js';
import { departmentPermissions } from './permissions.js';
import { ListStore } from './store.js';
import {
  consumerOffsetsTable,
  externalReferenceMigration,
  legalRepresentativeIndexMigration,
  lifecycleMigration,
  listTablesMigration,
  normalisedReferencesMigration,
  objectionsAndRepairMigration,
} from './tables.js';
import { ListLifecycle } from './lifecycle.js';
import { actionResolvers } from './actions.js';
import { crossDepartmentHandler } from './cross-department.js';
import { EventConsumer } from '../events/consumer.js';
import { OutboxRelay, outboxTopic, relayedTopic } from '../events/relay.js';
import { consumerEventLog, relayPublisher } from '../events/jetstream.js';
import { outboxRelayMigration, processedEventsMigration } from '../events/tables.js';
import { EVENTS_ROUTE, eventFeedRoute } from '../events/feed.js';
import { entryExportRoute } from './export.js';
import { EXPORT_ROUTE } from '../internal-routes.js';
import { internalTokenSecret } from '../auth/secrets.js';
import { mergeResolvers } from '../resolvers.js';
import { forDepartment } from './department-fields.js';
import { Objections } from './objections.js';
import { CreditRepair } from './repair.js';
import { caseFileResolvers, createCaseFileLoaders } from './case-file.js';
import { repairRecordResolvers } from './repair-records.js';
import { ObjectionAndRepairStatistics, statisticsDimensionsMigration, statisticsIndexMigration, statisticsResolvers } from './statistics.js';
import { configuration } from '../config/index.js';
import { DEPARTMENTS_SCHEMA_FILE, departmentSchemaFile, departmentSdl } from './sdl.js';
import { LIST_INPUT_LIMITS } from './input-limits.js';

/** The engine's own tables; a department adds its migrations after these. */
export function listEngineMigrations(department: DepartmentConfig): Migration[] {
  return [
    outboxMigration(department.name),
    listTablesMigration(department.name),
    lifecycleMigration(department.name),
    objectionsAndRepairMigration(department.name),
    legalRepresentativeIndexMigration(department.name),
    statisticsIndexMigration(department.name),
    statisticsDimensionsMigration(department.name),
    outboxRelayMigration(department.name, `${department.name}_007_outbox_relay`),
    processedEventsMigration(department.name, `${department.name}_008_processed_events`),
    externalReferenceMigration(department.name),
    normalisedReferencesMigration(department.name),
  ];
}

/** A department's subgraph module, with the configuration it was built from (the catalogue reads it). */
export interface DepartmentSubgraph extends SubgraphModule {
  department: DepartmentConfig;
}

/** Whether a module is a department's (the list engine's, with its configuration): not the platform, nor any other subgraph. */
export const isDepartmentSubgraph = (module: SubgraphModule): module is DepartmentSubgraph => 'department' in module && module.department != null;

/**
 * The department's SDL is generated from its configuration (kit/lists/sdl.ts); the catalogue
 * (subgraphs/catalog.ts) adds the `Domain` and `ListKind` enums of all the departments.
 */
export function departmentSubgraph(department: DepartmentConfig, migrations: Migration[]): DepartmentSubgraph {
  return {
    name: department.name,
    department,
    schemaFiles: ['shared/common.graphql', DEPARTMENTS_SCHEMA_FILE, 'shared/lists.graphql', departmentSchemaFile(department)],
    generatedSchema: { [departmentSchemaFile(department)]: departmentSdl(department) },
    migrations,
    inputLimits: LIST_INPUT_LIMITS,
    build({ db, clock, typeDefs }) {
      const store = new ListStore(db, department);
      const lifecycle = new ListLifecycle(db, department, store, clock);
      const secret = internalTokenSecret();
      const objections = new Objections(db, department.name, store, lifecycle, clock);
      const repair = new CreditRepair(db, department.name, store, lifecycle, clock);
      return {
        resolvers: forDepartment(
          department,
          mergeResolvers(
            departmentResolvers(department, store),
            actionResolvers(department, lifecycle),
            caseFileResolvers(objections, repair),
            statisticsResolvers(department, new ObjectionAndRepairStatistics(db, department.name)),
            repairRecordResolvers(department, db, store, clock),
          ),
        ),
        createLoaders: () => ({ ...createListLoaders(store), ...createCaseFileLoaders(objections, repair) }),
        permissions: departmentPermissions(department),
        routes: { [EVENTS_ROUTE]: eventFeedRoute(db, department.name, secret), [EXPORT_ROUTE]: entryExportRoute(department, store, typeDefs, secret) },
        workers: (departmentUrls) => {
          const publisher = relayPublisher(department.name);
          const relay = new OutboxRelay({ db, prefix: department.name, publisher });
          const log = consumerEventLog(department.name);
          const via = log ? 'from JetStream' : 'from the departments\' event feeds';
          const consumer = new EventConsumer({
            ...log,
            db,
            name: department.name,
            prefix: department.name,
            offsetsTable: consumerOffsetsTable(department.name),
            sources: departmentUrls,
            handleBatch: crossDepartmentHandler(department.name, store, lifecycle),
            secret,
          });
          return [
            {
              name: 'relay',
              description: `gives committed ${department.name} outbox events their delivery positions${publisher ? ' and publishes them to JetStream' : ''} (one replica at a time, by lease)`,
              intervalMs: configuration().EVENT_POLL_MS,
              wakeOn: [outboxTopic(department.name)],
              runOnce: () => relay.relayOnce(),
            },
            {
              name: 'cross-department',
              description: `applies every department's events ${via} to ${department.name} (red-list exits, listings elsewhere)`,
              intervalMs: configuration().EVENT_POLL_MS,
              wakeOn: Object.keys(departmentUrls).map(relayedTopic),
              runOnce: () => consumer.pollOnce(),
            },
            {
              name: 'expiry',
              description: 'exits entries whose validity ended',
              intervalMs: configuration().EXPIRY_INTERVAL_MS,
              runOnce: () => lifecycle.expireDue(),
            },
          ];
        },
      };
    },
  };
}

/**
 * A department's own figures on objections and credit repair. They live in the
 * department's tables, which the platform never reads: each department answers for its
 * own (`taxObjectionAndRepairStatistics`, …), and the gateway asks every department's in one request.
 * Counts only, each a GROUP BY in SQL. A filter narrows them to the entries they concern
 * (list type, region), recorded on each objection and application when it is filed.
 */
import type { Knex } from 'knex';
import type { Migration } from '../db.js';
import { periodInstants, validatePeriod, validateRegionPrefix, type Period } from '../period.js';
import type { SubgraphContext } from '../server.js';
import type { DepartmentConfig } from './department.js';
import { entriesTable, exitApplicationsTable, objectionsTable } from './tables.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

/** What the figures can be narrowed to: the list type and region of the entry concerned. */
export interface CaseFilter {
  listType?: string | null;
  /** A division code or prefix: 2, 4 or 6 digits. */
  regionCode?: string | null;
}

export interface KeyCount {
  key: string;
  count: number;
}

/** Indexes the figures range over: when objections and applications were filed and decided. */
export function statisticsIndexMigration(prefix: string): Migration {
  const objections = objectionsTable(prefix);
  const applications = exitApplicationsTable(prefix);
  return {
    name: `${prefix}_005_statistics_indexes`,
    async up(db) {
      await db.schema.alterTable(objections, (t) => {
        t.index(['filed_at', 'kind'], `${objections}_by_filed`);
        t.index(['decided_at', 'status'], `${objections}_by_decided`);
        t.index(['status'], `${objections}_by_status`);
      });
      await db.schema.alterTable(applications, (t) => {
        t.index(['applied_at'], `${applications}_by_applied`);
        t.index(['decided_at', 'status'], `${applications}_by_decided`);
        t.index(['status'], `${applications}_by_status`);
      });
    },
    async down(db) {
      await db.schema.alterTable(applications, (t) => {
        for (const name of ['by_status', 'by_decided', 'by_applied']) t.dropIndex([], `${applications}_${name}`);
      });
      await db.schema.alterTable(objections, (t) => {
        for (const name of ['by_status', 'by_decided', 'by_filed']) t.dropIndex([], `${objections}_${name}`);
      });
    },
  };
}

/**
 * The entry's list type and region on each objection and application, so the figures can
 * be filtered without a join: an upheld objection purges its entry, and its figures must
 * stay. Back-filled from the entries; rows whose entry was purged before keep them null
 * (counted without a filter only).
 */
export function statisticsDimensionsMigration(prefix: string): Migration {
  const entries = entriesTable(prefix);
  const tables = [objectionsTable(prefix), exitApplicationsTable(prefix)];
  return {
    name: `${prefix}_006_statistics_dimensions`,
    async up(db) {
      for (const table of tables) {
        await db.schema.alterTable(table, (t) => {
          t.string('list_type', 16).nullable();
          t.string('region_code', 6).nullable();
        });
        for (const column of ['list_type', 'region_code']) {
          await db.raw(`UPDATE ?? SET ?? = (SELECT e.?? FROM ?? e WHERE e.id = ??.entry_id)`, [table, column, column, entries, table]);
        }
      }
    },
    async down(db) {
      for (const table of tables) {
        await db.schema.alterTable(table, (t) => {
          t.dropColumn('region_code');
          t.dropColumn('list_type');
        });
      }
    },
  };
}

export class ObjectionAndRepairStatistics {
  constructor(
    readonly db: Knex,
    readonly prefix: string,
  ) {}

  private async grouped(table: string, column: string, filter: CaseFilter, where: (query: Knex.QueryBuilder) => void): Promise<KeyCount[]> {
    const query = this.db(table).select({ bucket: column }).count({ count: '*' }).groupBy('bucket').orderBy('bucket');
    where(filtered(query, filter));
    return (await query).map((row: any) => ({ key: String(row.bucket), count: Number(row.count) }));
  }

  private async count(table: string, filter: CaseFilter, where: (query: Knex.QueryBuilder) => void): Promise<number> {
    const query = this.db(table).count({ count: '*' });
    where(filtered(query, filter));
    const [row] = await query;
    return Number((row as any).count);
  }

  objectionsFiled(period: Period, filter: CaseFilter = {}) {
    const { start, end } = periodInstants(period);
    return this.grouped(objectionsTable(this.prefix), 'kind', filter, (q) => q.where('filed_at', '>=', start).andWhere('filed_at', '<', end));
  }

  /** REJECTED (not accepted for verification), UPHELD or DISMISSED, by the day of the decision. */
  objectionOutcomes(period: Period, filter: CaseFilter = {}) {
    const { start, end } = periodInstants(period);
    return this.grouped(objectionsTable(this.prefix), 'status', filter, (q) => q.where('decided_at', '>=', start).andWhere('decided_at', '<', end));
  }

  objectionsOpen(filter: CaseFilter = {}) {
    return this.count(objectionsTable(this.prefix), filter, (q) => q.whereIn('status', ['FILED', 'ACCEPTED']));
  }

  repairApplications(period: Period, filter: CaseFilter = {}) {
    const { start, end } = periodInstants(period);
    return this.count(exitApplicationsTable(this.prefix), filter, (q) => q.where('applied_at', '>=', start).andWhere('applied_at', '<', end));
  }

  /** APPROVED (the entry exited by credit repair) or REJECTED, by the day of the decision. */
  repairOutcomes(period: Period, filter: CaseFilter = {}) {
    const { start, end } = periodInstants(period);
    return this.grouped(exitApplicationsTable(this.prefix), 'status', filter, (q) => q.where('decided_at', '>=', start).andWhere('decided_at', '<', end));
  }

  repairApplicationsOpen(filter: CaseFilter = {}) {
    return this.count(exitApplicationsTable(this.prefix), filter, (q) => q.where('status', 'APPLIED'));
  }
}

function filtered(query: Knex.QueryBuilder, filter: CaseFilter): Knex.QueryBuilder {
  if (filter.listType) query.where('list_type', filter.listType);
  if (filter.regionCode) query.where('region_code', 'like', `${filter.regionCode}%`);
  return query;
}

/** What the statistics query hands its fields: the checked period and filter. */
export type StatisticsScope = Period & { domain: string; filter: CaseFilter };

export function statisticsResolvers(department: DepartmentConfig, statistics: ObjectionAndRepairStatistics): Resolvers<SubgraphContext> {
  return {
    Query: {
      departmentObjectionAndRepairStatistics: (_, args) => {
        const filter = { ...args.filter };
        validateRegionPrefix(filter.regionCode);
        return { ...validatePeriod({ from: args.from, to: args.to }), domain: department.domain, filter };
      },
    },
    ObjectionAndRepairStatistics: {
      objectionsFiled: (scope) => statistics.objectionsFiled(scope, scope.filter),
      objectionOutcomes: (scope) => statistics.objectionOutcomes(scope, scope.filter),
      objectionsOpen: (scope) => statistics.objectionsOpen(scope.filter),
      repairApplications: (scope) => statistics.repairApplications(scope, scope.filter),
      repairOutcomes: (scope) => statistics.repairOutcomes(scope, scope.filter),
      repairApplicationsOpen: (scope) => statistics.repairApplicationsOpen(scope.filter),
    },
  };
}

/**
 * A department's own figures on objections and credit repair. They live in the
 * department's tables, which the platform never reads: each department answers for its
 * own (`taxObjectionAndRepairStatistics`, …), and the gateway asks all four in one request.
 * Counts only, each a GROUP BY in SQL.
 */
import type { Knex } from 'knex';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Migration } from '../db.js';
import { periodInstants, validatePeriod, type Period } from '../period.js';
import type { SubgraphContext } from '../server.js';
import type { DepartmentConfig } from './department.js';
import { exitApplicationsTable, objectionsTable } from './tables.js';

export interface KeyCount {
  key: string;
  count: number;
}

/** The department's statistics query: `taxObjectionAndRepairStatistics`, `courtsObjectionAndRepairStatistics`, … */
export const statisticsQueryOf = (department: DepartmentConfig) => `${department.subjectField}ObjectionAndRepairStatistics`;

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

export class ObjectionAndRepairStatistics {
  constructor(
    readonly db: Knex,
    readonly prefix: string,
  ) {}

  private async grouped(table: string, column: string, where: (query: Knex.QueryBuilder) => void): Promise<KeyCount[]> {
    const query = this.db(table).select({ bucket: column }).count({ count: '*' }).groupBy('bucket').orderBy('bucket');
    where(query);
    return (await query).map((row: any) => ({ key: String(row.bucket), count: Number(row.count) }));
  }

  private async count(table: string, where: (query: Knex.QueryBuilder) => void): Promise<number> {
    const query = this.db(table).count({ count: '*' });
    where(query);
    const [row] = await query;
    return Number((row as any).count);
  }

  objectionsFiled(period: Period) {
    const { start, end } = periodInstants(period);
    return this.grouped(objectionsTable(this.prefix), 'kind', (q) => q.where('filed_at', '>=', start).andWhere('filed_at', '<', end));
  }

  /** REJECTED (not accepted for verification), UPHELD or DISMISSED, by the day of the decision. */
  objectionOutcomes(period: Period) {
    const { start, end } = periodInstants(period);
    return this.grouped(objectionsTable(this.prefix), 'status', (q) => q.where('decided_at', '>=', start).andWhere('decided_at', '<', end));
  }

  objectionsOpen() {
    return this.count(objectionsTable(this.prefix), (q) => q.whereIn('status', ['FILED', 'ACCEPTED']));
  }

  repairApplications(period: Period) {
    const { start, end } = periodInstants(period);
    return this.count(exitApplicationsTable(this.prefix), (q) => q.where('applied_at', '>=', start).andWhere('applied_at', '<', end));
  }

  /** APPROVED (the entry exited by credit repair) or REJECTED, by the day of the decision. */
  repairOutcomes(period: Period) {
    const { start, end } = periodInstants(period);
    return this.grouped(exitApplicationsTable(this.prefix), 'status', (q) => q.where('decided_at', '>=', start).andWhere('decided_at', '<', end));
  }

  repairApplicationsOpen() {
    return this.count(exitApplicationsTable(this.prefix), (q) => q.where('status', 'APPLIED'));
  }
}

type Scope = Period & { domain: string };

export function statisticsResolvers(department: DepartmentConfig, statistics: ObjectionAndRepairStatistics): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      [statisticsQueryOf(department)]: (_: unknown, args: Period): Scope => ({ ...validatePeriod({ from: args.from, to: args.to }), domain: department.domain }),
    },
    ObjectionAndRepairStatistics: {
      objectionsFiled: (scope: Scope) => statistics.objectionsFiled(scope),
      objectionOutcomes: (scope: Scope) => statistics.objectionOutcomes(scope),
      objectionsOpen: () => statistics.objectionsOpen(),
      repairApplications: (scope: Scope) => statistics.repairApplications(scope),
      repairOutcomes: (scope: Scope) => statistics.repairOutcomes(scope),
      repairApplicationsOpen: () => statistics.repairApplicationsOpen(),
    },
  } as GraphQLResolverMap<SubgraphContext>;
}

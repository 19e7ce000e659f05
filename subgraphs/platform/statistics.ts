/**
 * Statistics (统计分析) over what the platform has collected: entries recognised, exited and
 * active by list type, domain, region and month; exits by way; the warning list's size over
 * time; subjects listed in several domains, by region and by industry. Every figure is one
 * SQL statement — a range scan of an index that covers the columns it groups by, and a
 * GROUP BY — so the cost grows with the entries in the range, and no row reaches Node.
 *
 * Counts only, no codes or names: aggregate figures carry no personal data.
 */
import type { Knex } from 'knex';
import { badInput } from '../kit/errors.js';
import { addDays } from '../kit/dates.js';
import { validatePeriod, validateRegionPrefix, type Period } from '../kit/period.js';
import { entryIndex, warningList } from './collection.js';
import { subjects } from './registry.js';
import type { EntryDimension, ListType as ListTypeName, RegionLevel } from './__generated__/resolvers-types.js';

export type { Period };
export type { ListTypeName };

export interface StatisticsFilter {
  domain?: string | null;
  listType?: ListTypeName | null;
  /** A division code or prefix: 2 (province), 4 (city) or 6 digits (district). */
  regionCode?: string | null;
}

export type { EntryDimension, RegionLevel };
export type EntryMeasure = 'recognised' | 'exited' | 'active';

/** One cell of a breakdown: the dimensions asked for are set, the others null. */
export interface EntryCount {
  listType: string | null;
  domain: string | null;
  region: string | null;
  month: string | null;
  exitWay: string | null;
  count: number;
}

export interface SubjectCount {
  key: string;
  name: string | null;
  subjects: number;
}

const REGION_DIGITS: Record<RegionLevel, number> = { PROVINCE: 2, CITY: 4, DISTRICT: 6 };
const DIMENSION_ALIAS: Record<EntryDimension, keyof EntryCount> = {
  LIST_TYPE: 'listType', DOMAIN: 'domain', PROVINCE: 'region', CITY: 'region', DISTRICT: 'region', MONTH: 'month', EXIT_WAY: 'exitWay',
};

/** Checks a period and filter; throws BAD_USER_INPUT naming the argument and how to fix it. */
export function validateQuery(period: Period, filter: StatisticsFilter | null | undefined): StatisticsFilter {
  validatePeriod(period);
  const checked: StatisticsFilter = { ...filter };
  validateRegionPrefix(checked.regionCode);
  return checked;
}

/** Checks the dimensions of a breakdown for one measure. */
export function validateDimensions(by: readonly EntryDimension[] | null | undefined, measure: EntryMeasure): EntryDimension[] {
  const dimensions = [...(by ?? [])];
  const argument = 'by';
  if (new Set(dimensions).size !== dimensions.length) throw badInput(`A dimension is named twice in by: [${dimensions.join(', ')}]`, { argument });
  const regions = dimensions.filter((d) => d in REGION_DIGITS);
  if (regions.length > 1) throw badInput(`Break down by one region level at a time, not ${regions.join(' and ')}`, { argument });
  if (measure !== 'exited' && dimensions.includes('EXIT_WAY')) {
    throw badInput(`EXIT_WAY breaks down exits only: ask exited(by: [EXIT_WAY])`, { argument });
  }
  if (measure === 'active' && dimensions.includes('MONTH')) {
    throw badInput('Entries active on a day have no month: for a trend ask recognised(by: [MONTH]) and exited(by: [MONTH])', { argument });
  }
  return dimensions;
}

/** The months a period touches, each as [start, end) instants clipped to the period. */
export function monthsOf(period: Period): { month: string; starts: string; ends: string }[] {
  const months: { month: string; starts: string; ends: string }[] = [];
  const end = `${addDays(period.to, 1)}T00:00:00.000Z`;
  let starts = `${period.from}T00:00:00.000Z`;
  while (starts < end) {
    const [year, month] = [Number(starts.slice(0, 4)), Number(starts.slice(5, 7))];
    const next = new Date(Date.UTC(year, month, 1)).toISOString();
    const ends = next < end ? next : end;
    months.push({ month: starts.slice(0, 7), starts, ends });
    starts = ends;
  }
  return months;
}

export class Statistics {
  constructor(readonly db: Knex) {}

  /** Applies the filter to a query on the entry index (alias `e`). */
  private filtered(query: Knex.QueryBuilder, filter: StatisticsFilter, options: { domain?: boolean } = {}): Knex.QueryBuilder {
    if (filter.domain && options.domain !== false) query.where('e.domain', filter.domain);
    if (filter.listType) query.where('e.list_type', filter.listType);
    if (filter.regionCode) query.where('e.region_code', 'like', `${filter.regionCode}%`);
    return query;
  }

  /** Entries active at the end of `day`: recognised by then and not exited by then. */
  private activeOn(query: Knex.QueryBuilder, day: string): Knex.QueryBuilder {
    return query
      .where('e.recognised_on', '<=', day)
      .where((w) => w.where('e.status', 'ACTIVE').orWhere((exited) => exited.where('e.status', 'EXITED').andWhere('e.exited_on', '>', day)));
  }

  /** Entries active on some day of the period. */
  private activeDuring(query: Knex.QueryBuilder, period: Period): Knex.QueryBuilder {
    return query
      .where('e.recognised_on', '<=', period.to)
      .where((w) => w.where('e.status', 'ACTIVE').orWhere((exited) => exited.where('e.status', 'EXITED').andWhere('e.exited_on', '>', period.from)));
  }

  private dimensionColumn(dimension: EntryDimension, dateColumn: string): string | Knex.Raw {
    switch (dimension) {
      case 'LIST_TYPE': return 'e.list_type';
      case 'DOMAIN': return 'e.domain';
      case 'PROVINCE': case 'CITY': return this.db.raw(`substr(e.region_code, 1, ${REGION_DIGITS[dimension]})`);
      case 'DISTRICT': return 'e.region_code';
      case 'MONTH': return this.db.raw(`substr(${dateColumn}, 1, 7)`);
      case 'EXIT_WAY': return 'e.exit_way';
    }
  }

  /**
   * Entries counted by `dimensions`: recognised in the period, exited in it (month = the
   * month of exit), or active at the end of `on`. No dimensions: one row, the total.
   */
  async entries(measure: EntryMeasure, scope: { period: Period; on?: string }, filter: StatisticsFilter, dimensions: EntryDimension[]): Promise<EntryCount[]> {
    const query = this.db(entryIndex.as('e'));
    let dateColumn = 'e.recognised_on';
    if (measure === 'recognised') query.whereBetween('e.recognised_on', [scope.period.from, scope.period.to]);
    else if (measure === 'exited') {
      dateColumn = 'e.exited_on';
      query.whereBetween('e.exited_on', [scope.period.from, scope.period.to]);
    } else this.activeOn(query, scope.on ?? scope.period.to);
    this.filtered(query, filter);
    const aliases = dimensions.map((dimension) => DIMENSION_ALIAS[dimension]);
    dimensions.forEach((dimension, i) => query.select({ [aliases[i]]: this.dimensionColumn(dimension, dateColumn) }));
    query.count({ count: '*' });
    if (aliases.length) query.groupBy(aliases).orderBy(aliases);
    const rows = await query;
    return rows.map((row: any) => ({
      listType: row.listType ?? null,
      domain: row.domain ?? null,
      region: row.region ?? null,
      month: row.month ?? null,
      exitWay: row.exitWay ?? null,
      count: Number(row.count),
    }));
  }

  /**
   * Subjects on the warning list in each month of the period (their stays overlap the
   * month, clipped to the period), and stays begun and ended in it, and the size now. The
   * warning list follows key-attention lists: a listType filter of another type counts none.
   */
  async warningList(period: Period, filter: StatisticsFilter) {
    const months = monthsOf(period);
    if (filter.listType != null && filter.listType !== 'KEY_ATTENTION') {
      return { byMonth: months.map(({ month }) => ({ month, count: 0 })), entered: 0, left: 0, current: 0 };
    }
    const monthTable = this.db.raw(
      `(${months.map(() => 'SELECT ? AS month, ? AS starts, ? AS ends').join(' UNION ALL ')}) AS m`,
      months.flatMap((m) => [m.month, m.starts, m.ends]),
    );
    const byMonth = await this.db
      .select('m.month')
      .countDistinct({ subjects: 'w.credit_code' })
      .from(monthTable)
      .leftJoin(warningList.as('w'), (on) => {
        on.on('w.entered_at', '<', 'm.ends').andOn((left) => left.onNull('w.left_at').orOn('w.left_at', '>=', 'm.starts'));
        if (filter.domain) on.andOnVal('w.domains', 'like', `%"${filter.domain}"%`);
        if (filter.regionCode) on.andOnVal('w.region_code', 'like', `${filter.regionCode}%`);
      })
      .groupBy('m.month')
      .orderBy('m.month');
    const start = `${period.from}T00:00:00.000Z`;
    const end = `${addDays(period.to, 1)}T00:00:00.000Z`;
    const counts = this.db(warningList.as('w')).select({
      entered: this.db.raw('SUM(CASE WHEN w.entered_at >= ? AND w.entered_at < ? THEN 1 ELSE 0 END)', [start, end]),
      left: this.db.raw('SUM(CASE WHEN w.left_at >= ? AND w.left_at < ? THEN 1 ELSE 0 END)', [start, end]),
      current: this.db.raw('SUM(CASE WHEN w.left_at IS NULL THEN 1 ELSE 0 END)'),
    });
    if (filter.domain) counts.where('w.domains', 'like', `%"${filter.domain}"%`);
    if (filter.regionCode) counts.where('w.region_code', 'like', `${filter.regionCode}%`);
    const [totals] = await counts;
    return {
      byMonth: byMonth.map((row: any) => ({ month: row.month, count: Number(row.subjects) })),
      entered: Number(totals?.entered ?? 0),
      left: Number(totals?.left ?? 0),
      current: Number(totals?.current ?? 0),
    };
  }

  /** The subjects' side: entries of one list type active on some day of the period. */
  private listedDuring(period: Period, filter: StatisticsFilter, listType: ListTypeName, options: { domain?: boolean } = {}) {
    return this.filtered(this.activeDuring(this.db(entryIndex.as('e')).where('e.list_type', listType), period), { ...filter, listType: null }, options);
  }

  /**
   * Subjects listed (on lists of `listType`) at some time in the period, by how many
   * domains list them. With a domain filter: the subjects that domain lists, their
   * domains counted across every department.
   */
  async subjectsByDomainCount(period: Period, filter: StatisticsFilter, listType: ListTypeName) {
    const perSubject = this.listedDuring(period, filter, listType, { domain: false })
      .select('e.credit_code')
      .countDistinct({ domains: 'e.domain' })
      .groupBy('e.credit_code');
    if (filter.domain) perSubject.havingRaw('MAX(CASE WHEN e.domain = ? THEN 1 ELSE 0 END) = 1', [filter.domain]);
    const rows = await this.db.select('s.domains').count({ subjects: '*' }).from(perSubject.as('s')).groupBy('s.domains').orderBy('s.domains');
    return rows.map((row: any) => ({ domains: Number(row.domains), subjects: Number(row.subjects) }));
  }

  /** Distinct listed subjects by region (2, 4 or 6 digits of the division code). */
  async subjectsByRegion(period: Period, filter: StatisticsFilter, listType: ListTypeName, level: RegionLevel): Promise<SubjectCount[]> {
    const bucket = this.db.raw(`substr(e.region_code, 1, ${REGION_DIGITS[level]})`);
    const rows = await this.listedDuring(period, filter, listType).select({ bucket }).countDistinct({ subjects: 'e.credit_code' }).groupBy('bucket').orderBy('bucket');
    return rows.map((row: any) => ({ key: String(row.bucket), name: null, subjects: Number(row.subjects) }));
  }

  /** Distinct listed subjects by industry, from the platform's subject registry (UNKNOWN: none registered, e.g. natural persons). */
  async subjectsByIndustry(period: Period, filter: StatisticsFilter, listType: ListTypeName): Promise<SubjectCount[]> {
    const rows = await this.listedDuring(period, filter, listType)
      .leftJoin(subjects.as('s'), 's.credit_code', 'e.credit_code')
      .select({ bucket: this.db.raw(`COALESCE(s.industry_code, 'UNKNOWN')`), name: this.db.raw('MAX(s.industry_name)') })
      .countDistinct({ subjects: 'e.credit_code' })
      .groupBy('bucket')
      .orderBy('bucket');
    return rows.map((row: any) => ({ key: String(row.bucket), name: row.name ?? null, subjects: Number(row.subjects) }));
  }
}

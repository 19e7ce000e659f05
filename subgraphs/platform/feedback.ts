/**
 * The initiate–respond–feedback loop (发起—响应—反馈, 893 §7): an implementing agency
 * records what it did for a subject and a measure it was shown in a screening; cases attach
 * to the list entries that triggered them and are visible to the recognising department;
 * typical cases can be published. The loop's figures — cases by domain, measure, region and
 * month, and shared cases against recognised entries (targets 10% `000` §7, 30% `003` §3) —
 * are computed in SQL.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { badInput } from '../kit/errors.js';
import { codeForAnyone } from '../kit/masking.js';
import type { Clock } from '../kit/dates.js';
import { RECORDED_LENGTHS, type Principal } from '../kit/auth/principal.js';
import { keysetPage } from '../kit/pagination.js';
import { checkSubjectCode } from '../kit/codes.js';
import type { ScreeningService } from './screening.js';
import { tableRef } from '../kit/db.js';
import { entryIndex } from './collection.js';
import { screenings } from './screening.js';
import { caseVisibility, feedVisibilityAcross, isVisible, type DataOwner, type DepartmentRef } from '../kit/auth/policy.js';
import { periodInstants, type Period } from '../kit/period.js';
import type { StatisticsFilter } from './statistics.js';
import type { FeedbackInput, MeasureOutcome as Outcome } from './__generated__/resolvers-types.js';

/** Cases' table: this module's; corrections go through `cases`. */
export const casesTable = 'platform_cases';
export const cases = tableRef(casesTable);

/** Lengths of the cases' VARCHAR columns that take what an agency sends (createCasesTable; the platform's input limits). */
export const CASE_COLUMNS = { caseReference: 200 } as const;

/** The cases' table (created by platform_004_joint_measures, measures.ts). */
export async function createCasesTable(db: Knex): Promise<void> {
  // 发起—响应—反馈: what an agency did for a subject and a measure.
  await db.schema.createTable(casesTable, (t) => {
    t.string('id', 36).primary();
    t.string('screening_id', 36).notNullable();
    t.string('credit_code', 18).notNullable();
    t.string('measure_id', 36).notNullable();
    t.integer('measure_version').notNullable();
    t.string('measure_kind', 16).notNullable();
    t.string('outcome', 24).notNullable();
    t.text('reason').nullable();
    t.string('case_reference', CASE_COLUMNS.caseReference).notNullable();
    t.string('agency', RECORDED_LENGTHS.agency).nullable();
    t.string('region', 6).notNullable();
    t.string('domain', 24).nullable();
    t.text('entry_ids').notNullable();
    t.boolean('published').notNullable();
    t.string('recorded_at', 24).notNullable();
    t.index(['recorded_at'], 'platform_cases_by_time');
    t.index(['domain', 'recorded_at'], 'platform_cases_by_domain');
  });
}

export async function dropCasesTable(db: Knex): Promise<void> {
  await db.schema.dropTable(casesTable);
}

export type { Outcome };

/** What an implementing agency reports: the SDL's input (schema/platform.graphql). */
export type { FeedbackInput };

export interface JointMeasureCase {
  id: string;
  screeningId: string;
  creditCode: string;
  measureId: string;
  measureVersion: number;
  outcome: Outcome;
  reason: string | null;
  caseReference: string;
  agency: string | null;
  domain: string | null;
  entryIds: string[];
  published: boolean;
  recordedAt: string;
  /** Whose personal data the code is, for masking and the access register. */
  owner: DataOwner;
}

const ownerOfCode = (creditCode: string): DataOwner => {
  const check = checkSubjectCode(creditCode);
  // An unreadable code fails closed: treated as a natural person's.
  return { creditCode, subjectType: check.valid ? check.kind : null, published: false };
};

export const CASE_SHARE_TARGETS = { national: 0.1, local: 0.3 };

export class Feedback {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    readonly screenings: ScreeningService,
    /** The departments and their domains, to show officers their department's cases. */
    readonly departments: readonly DepartmentRef[],
  ) {}

  async record(principal: Principal, input: FeedbackInput): Promise<JointMeasureCase> {
    const stored = await this.screenings.find(input.screeningId);
    this.screenings.requireOwnScreening(principal, stored, input.screeningId);
    const code = checkSubjectCode(input.creditCode);
    const item = stored!.items.find((candidate) => candidate.code === code.code && candidate.valid);
    if (!item) throw badInput(`Screening ${input.screeningId} did not screen ${codeForAnyone(String(input.creditCode))}`, { argument: 'input.creditCode' });
    const measure = item.measures.find((m) => m.id === input.measureId);
    if (!measure) {
      throw badInput(`Measure ${input.measureId} was not among the measures screening ${input.screeningId} showed for ${codeForAnyone(item.code)}`, { argument: 'input.measureId' });
    }
    if (input.outcome === 'NOT_APPLICABLE' && !input.reason?.trim()) {
      throw badInput('Say why the measure did not apply (reason)', { argument: 'input.reason' });
    }
    if ((input.outcome === 'INCENTIVE_GRANTED') !== (measure.kind === 'INCENTIVE') && input.outcome !== 'NOT_APPLICABLE') {
      throw badInput(`A ${measure.kind.toLowerCase()} measure is ${measure.kind === 'INCENTIVE' ? 'INCENTIVE_GRANTED' : 'APPLIED'} or NOT_APPLICABLE`, {
        argument: 'input.outcome',
      });
    }
    if (!input.caseReference?.trim()) throw badInput('Give the case reference of the matter', { argument: 'input.caseReference' });
    const entryIds = measure.triggeredBy.filter((by) => by !== 'WARNING_LIST');
    const listingPublished = await this.listingsPublished(entryIds);
    if (input.publish && !listingPublished) {
      // 1798 (11): what may not be made public stays so — a typical case would name the listing.
      throw badInput(
        `The case cannot be published: a listing that triggered measure ${measure.id} is not published (or no longer held), and a published case would make it public (1798 (11)); record it with publish: false — the recognising department and you still see it`,
        { argument: 'input.publish' },
      );
    }
    const feedback: JointMeasureCase = {
      id: randomUUID(),
      screeningId: input.screeningId,
      creditCode: item.code,
      measureId: measure.id,
      measureVersion: measure.version,
      outcome: input.outcome,
      reason: input.reason ?? null,
      caseReference: input.caseReference,
      agency: principal.agency ?? principal.department ?? null,
      domain: measure.domains.find((d) => d !== 'WARNING_LIST') ?? null,
      entryIds,
      published: Boolean(input.publish),
      recordedAt: this.clock().toISOString(),
      owner: ownerOfCode(item.code),
    };
    await this.db(casesTable).insert({
      id: feedback.id,
      screening_id: feedback.screeningId,
      credit_code: feedback.creditCode,
      measure_id: feedback.measureId,
      measure_version: feedback.measureVersion,
      measure_kind: measure.kind,
      outcome: feedback.outcome,
      reason: feedback.reason,
      case_reference: feedback.caseReference,
      agency: feedback.agency,
      region: item.regionCode ?? '',
      domain: feedback.domain,
      entry_ids: JSON.stringify(feedback.entryIds),
      published: feedback.published,
      listing_published: listingPublished,
      recorded_at: feedback.recordedAt,
    });
    return feedback;
  }

  /** Whether every listed entry is published as the collection holds it (unknown or not held: no). */
  private async listingsPublished(entryIds: string[]): Promise<boolean> {
    if (entryIds.length === 0) return true;
    const rows = await entryIndex(this.db).whereIn('entry_id', entryIds).select('entry_id', 'published');
    return rows.length === new Set(entryIds).size && rows.every((row: any) => Boolean(row.published) && row.published !== null);
  }

  /**
   * Cases a principal may see (the policy's `caseVisibility`): the recognising department its
   * domain's, an agency those it recorded (by its principal id), everyone the published ones.
   */
  async page(principal: Principal, filter: { domain?: string | null; measureId?: string | null }, first: number, after?: string | null) {
    const query = this.db(casesTable);
    const visible = caseVisibility(principal, this.departments);
    if (!visible.all) {
      query.where((w) => {
        // A published case, on listings all published (older cases, unknown: not shown).
        w.where((p) => p.where('published', visible.published).andWhere('listing_published', true));
        if (visible.domains.length) w.orWhereIn('domain', visible.domains);
        if (visible.recordedBy) w.orWhereIn('screening_id', screenings(this.db).select('id').where('principal_id', visible.recordedBy));
      });
    }
    if (filter.domain) query.where('domain', filter.domain);
    if (filter.measureId) query.where('measure_id', filter.measureId);
    return keysetPage(query, {
      keys: [{ column: 'recorded_at', order: 'desc' }, { column: 'id', order: 'desc' }],
      kind: 'case',
      first,
      after,
      nodes: (rows) => this.withVisibleEntries(principal, rows.map(fromRow)),
    });
  }

  /**
   * A case names only the triggering entries its reader may see (a published case is read by
   * principals whose scopes do not cover its list): the entries as the collection holds them
   * now, with the change feed's visibility (an entry exited since is still the one the case was
   * about); an entry the collection no longer holds (purged) is not named.
   */
  async withVisibleEntries(principal: Principal, cases: JointMeasureCase[]): Promise<JointMeasureCase[]> {
    const ids = [...new Set(cases.flatMap((c) => c.entryIds))];
    if (ids.length === 0) return cases;
    const rows = await entryIndex(this.db).whereIn('entry_id', ids).select('entry_id', 'domain', 'list_type', 'status', 'previous_status');
    const visibility = feedVisibilityAcross(principal, this.departments);
    const visible = new Set(
      rows.filter((row: any) => isVisible({ status: row.status, listType: row.list_type, published: null, previousStatus: row.previous_status }, visibility.of(row.domain))).map((row: any) => row.entry_id),
    );
    return cases.map((c) => ({ ...c, entryIds: c.entryIds.filter((id) => visible.has(id)) }));
  }

  /** The loop's figures over [from, to], each a GROUP BY on indexed columns. */
  /** The loop's figures over a checked period and filter (see validateQuery). */
  async statistics(period: Period, filter: StatisticsFilter) {
    const { from, to } = period;
    const { start, end } = periodInstants(period);
    const cases = () => {
      const query = this.db(casesTable).where('recorded_at', '>=', start).andWhere('recorded_at', '<', end);
      if (filter.domain) query.where('domain', filter.domain);
      if (filter.regionCode) query.where('region', 'like', `${filter.regionCode}%`);
      if (filter.listType) query.where('measure_kind', filter.listType === 'RED' ? 'INCENTIVE' : 'PUNISHMENT');
      return query;
    };
    const group = async (column: string | Knex.Raw, alias = 'key') =>
      (await cases().select({ [alias]: column }).count({ cases: '*' }).groupBy(alias).orderBy(alias)).map((row: any) => ({
        key: String(row[alias] ?? 'UNKNOWN'),
        cases: Number(row.cases),
      }));
    const month = this.db.raw('substr(recorded_at, 1, 7)');
    const province = this.db.raw('substr(region, 1, 2)');
    const [byDomain, byMeasure, byRegion, byMonth, byOutcome] = await Promise.all([
      group('domain'), group('measure_id'), group(province), group(month), group('outcome'),
    ]);
    const [{ total }] = await cases().count({ total: '*' });
    const recognisedQuery = entryIndex(this.db).where('recognised_on', '>=', from).andWhere('recognised_on', '<=', to);
    if (filter.domain) recognisedQuery.where('domain', filter.domain);
    if (filter.regionCode) recognisedQuery.where('region_code', 'like', `${filter.regionCode}%`);
    if (filter.listType) recognisedQuery.where('list_type', filter.listType);
    const [{ recognised }] = await recognisedQuery.count({ recognised: '*' });
    const sharedCases = Number(total);
    const recognisedEntries = Number(recognised);
    return {
      from, to, byDomain, byMeasure, byRegion, byMonth, byOutcome,
      sharedCases, recognisedEntries,
      shareOfRecognised: recognisedEntries ? sharedCases / recognisedEntries : null,
      targets: CASE_SHARE_TARGETS,
    };
  }
}

function fromRow(row: any): JointMeasureCase {
  return {
    id: row.id,
    screeningId: row.screening_id,
    creditCode: row.credit_code,
    measureId: row.measure_id,
    measureVersion: row.measure_version,
    outcome: row.outcome,
    reason: row.reason,
    caseReference: row.case_reference,
    agency: row.agency,
    domain: row.domain,
    entryIds: JSON.parse(row.entry_ids),
    published: Boolean(row.published),
    recordedAt: row.recorded_at,
    owner: ownerOfCode(row.credit_code),
  };
}


/**
 * Consolidated lists (汇总名单): the subjects on active lists of one type across every
 * department, for a region (区域名单), an industry (行业名单) or several domains at once
 * (跨领域比对) — the black lists behind the statistics, by name. One grouped statement over
 * the platform's collection per page (the `platform_entry_index_stats_subjects` index leads
 * with the list type and the credit code), most domains first.
 *
 * Membership says that a subject is listed, so it follows the lists' visibility: government
 * roles and partners only, the list types their scopes cover, and natural persons only to
 * callers who may read personal data and state a purpose (each such read is registered).
 */
import type { Knex } from 'knex';
import { departments } from '../departments.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { decodeCursor, encodeCursor, pageSize } from '../kit/cursor.js';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { consolidatedListTypes } from '../kit/auth/policy.js';
import { subjectOf } from './resolvers.js';
import type { Principal } from '../kit/auth/principal.js';
import type { ListType } from '../kit/lists/department.js';
import { validateRegionPrefix } from '../kit/period.js';
import type { SubgraphContext } from '../kit/server.js';
import { entryIndexTable, subjectsTable } from './migrations.js';
import { listableSubjectTypes, registerListedPersons } from './warning-list-resolvers.js';

export interface ConsolidatedListFilter {
  listType?: ListType | null;
  domain?: string | null;
  regionCode?: string | null;
  industryCode?: string | null;
  minDomains?: number | null;
}

export interface ConsolidatedListMember {
  creditCode: string;
  subjectType: string;
  domains: string[];
  entries: number;
  listedSince: string;
}

const DOMAIN_COUNT = 'COUNT(DISTINCT e.domain)';

/** A checked filter: the defaults applied. */
export interface CheckedConsolidatedFilter {
  listType: ListType;
  domain: string | null;
  regionCode: string | null;
  industryCode: string | null;
  minDomains: number;
}

/** Checks a filter; throws BAD_USER_INPUT naming the argument and how to fix it. */
/** `domainCount`: how many domains there are (one per department of the catalogue), the most `minDomains` can ask. */
export function validateConsolidatedFilter(filter: ConsolidatedListFilter | null | undefined, domainCount: number = departments.length): CheckedConsolidatedFilter {
  const checked: CheckedConsolidatedFilter = {
    listType: filter?.listType ?? 'BLACK',
    domain: filter?.domain ?? null,
    regionCode: filter?.regionCode ?? null,
    industryCode: filter?.industryCode ?? null,
    minDomains: filter?.minDomains ?? 1,
  };
  validateRegionPrefix(checked.regionCode);
  if (checked.industryCode != null && !/^[A-T]$/.test(checked.industryCode)) {
    throw badInput(`"${checked.industryCode}" is not an industry section: give one letter A to T (GB/T 4754), e.g. "C" (manufacturing) or "E" (construction)`, {
      argument: 'filter.industryCode',
    });
  }
  if (!Number.isInteger(checked.minDomains) || checked.minDomains < 1 || checked.minDomains > domainCount) {
    throw badInput(`minDomains is how many domains list a subject, 1 to ${domainCount} (the number of domains); got ${checked.minDomains}`, { argument: 'filter.minDomains' });
  }
  return checked;
}

export class ConsolidatedList {
  /** `domainCount`: the number of domains (departments) the platform collects. */
  constructor(
    readonly db: Knex,
    readonly domainCount: number = departments.length,
  ) {}

  /** One page, most domains first, then by credit code; `subjectTypes` limits who may appear. */
  async page(filter: CheckedConsolidatedFilter, first: number, after: string | null | undefined, subjectTypes?: string[]) {
    const query = this.db({ e: entryIndexTable })
      .select('e.credit_code', { subject_type: this.db.raw('MAX(e.subject_type)') }, { listed_since: this.db.raw('MIN(e.recognised_on)') })
      .select({ domain_count: this.db.raw(DOMAIN_COUNT), domains: this.db.raw('GROUP_CONCAT(DISTINCT e.domain)') })
      .count({ entries: '*' })
      .where('e.list_type', filter.listType)
      .andWhere('e.status', 'ACTIVE')
      .groupBy('e.credit_code')
      .havingRaw(`${DOMAIN_COUNT} >= ?`, [filter.minDomains])
      .orderByRaw(`${DOMAIN_COUNT} DESC, e.credit_code ASC`)
      .limit(first + 1);
    if (filter.regionCode) query.where('e.region_code', 'like', `${filter.regionCode}%`);
    if (subjectTypes) query.whereIn('e.subject_type', subjectTypes);
    if (filter.industryCode) query.whereIn('e.credit_code', this.db(subjectsTable).select('credit_code').where('industry_code', filter.industryCode));
    if (filter.domain) query.havingRaw('MAX(CASE WHEN e.domain = ? THEN 1 ELSE 0 END) = 1', [filter.domain]);
    if (after) {
      const [domainCount, creditCode] = decodeCursor(after, 2);
      query.havingRaw(`(${DOMAIN_COUNT} < ? OR (${DOMAIN_COUNT} = ? AND e.credit_code > ?))`, [Number(domainCount), Number(domainCount), creditCode]);
    }
    const rows = await query;
    return {
      edges: rows.slice(0, first).map((row: any) => ({
        cursor: encodeCursor([Number(row.domain_count), row.credit_code]),
        node: {
          creditCode: row.credit_code,
          subjectType: row.subject_type,
          domains: String(row.domains).split(',').sort(),
          entries: Number(row.entries),
          listedSince: row.listed_since,
        } satisfies ConsolidatedListMember,
      })),
      hasNextPage: rows.length > first,
    };
  }
}

export function consolidatedListResolvers(list: ConsolidatedList): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      async consolidatedList(_: unknown, args: { filter?: ConsolidatedListFilter | null; first?: number; after?: string | null }, ctx: SubgraphContext) {
        const filter = validateConsolidatedFilter(args.filter, list.domainCount);
        const principal = ctx.principal!;
        const visible = consolidatedListTypes(principal);
        if (visible && !visible.includes(filter.listType)) {
          throw typedError(ErrorCode.FORBIDDEN, `Your token's scopes do not cover ${filter.listType} lists: ask for a list type they cover (${visible.join(', ') || 'none'})`, {
            argument: 'filter.listType',
          });
        }
        const subjectTypes = listableSubjectTypes(ctx);
        const page = await list.page(filter, pageSize(args.first, 100), args.after, subjectTypes);
        registerListedPersons(ctx, page.edges.map((edge) => edge.node), 'ConsolidatedListMember.subject');
        return {
          listType: filter.listType,
          personsIncluded: subjectTypes === undefined,
          edges: page.edges.map(({ cursor, node }) => ({ cursor, node: { ...node, subject: subjectOf(node.creditCode) } })),
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null },
        };
      },
    },
  } as GraphQLResolverMap<SubgraphContext>;
}

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
import { pageSize } from '../kit/cursor.js';
import { keysetPage } from '../kit/pagination.js';
import { departments } from '../departments.js';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { consolidatedListTypes } from '../kit/auth/policy.js';
import { subjectOf, type SubjectParent } from './resolvers.js';
import type { Principal } from '../kit/auth/principal.js';
import type { ListType } from '../kit/lists/department.js';
import { validateRegionPrefix } from '../kit/period.js';
import type { SubgraphContext } from '../kit/server.js';
import { entryIndex } from './collection.js';
import { subjects } from './registry.js';
import { listableSubjectTypes, registerListedPersons } from './warning-list-resolvers.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

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
/** A member as `ConsolidatedListMember` resolves it: with its subject. */
export type ConsolidatedListMemberParent = ConsolidatedListMember & { subject: SubjectParent };

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
    const query = this.db(entryIndex.as('e'))
      .select('e.credit_code', { subject_type: this.db.raw('MAX(e.subject_type)') }, { listed_since: this.db.raw('MIN(e.recognised_on)') })
      .select({ domain_count: this.db.raw(DOMAIN_COUNT), domains: this.db.raw('GROUP_CONCAT(DISTINCT e.domain)') })
      .count({ entries: '*' })
      .where('e.list_type', filter.listType)
      .andWhere('e.status', 'ACTIVE')
      .groupBy('e.credit_code')
      .havingRaw(`${DOMAIN_COUNT} >= ?`, [filter.minDomains])
      .orderByRaw(`${DOMAIN_COUNT} DESC, e.credit_code ASC`);
    if (filter.regionCode) query.where('e.region_code', 'like', `${filter.regionCode}%`);
    if (subjectTypes) query.whereIn('e.subject_type', subjectTypes);
    if (filter.industryCode) query.whereIn('e.credit_code', subjects(this.db).select('credit_code').where('industry_code', filter.industryCode));
    if (filter.domain) query.havingRaw('MAX(CASE WHEN e.domain = ? THEN 1 ELSE 0 END) = 1', [filter.domain]);
    // Ordered by an aggregate: the position after the cursor is a HAVING.
    return keysetPage(query, {
      keys: [{ column: 'domain_count', value: (row) => Number(row.domain_count), numeric: true }, { column: 'credit_code' }],
      kind: 'consolidated',
      first,
      after,
      seek: (q, [domainCount, creditCode]) => q.havingRaw(`(${DOMAIN_COUNT} < ? OR (${DOMAIN_COUNT} = ? AND e.credit_code > ?))`, [Number(domainCount), Number(domainCount), creditCode]),
      nodes: (rows) => rows.map(fromRow),
    });
  }
}

/** A member as GraphQL shows it. */
function fromRow(row: any): ConsolidatedListMember {
  return {
    creditCode: row.credit_code,
    subjectType: row.subject_type,
    domains: String(row.domains).split(',').sort(),
    entries: Number(row.entries),
    listedSince: row.listed_since,
  };
}

export function consolidatedListResolvers(list: ConsolidatedList): Resolvers<SubgraphContext> {
  return {
    Query: {
      async consolidatedList(_, args, ctx) {
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
          pageInfo: page.pageInfo,
        };
      },
    },
  };
}

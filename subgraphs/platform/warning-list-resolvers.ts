/** GraphQL of the big-data warning list. */
import DataLoader from 'dataloader';
import { pageSize } from '../kit/cursor.js';
import { entryVisibilityAcross, mayReadPersonalData, visibleWarningListDomains, type DepartmentRef } from '../kit/auth/policy.js';
import { subjectOf, type SubjectParent } from './resolvers.js';
import type { SubgraphContext } from '../kit/server.js';
import { MAX_KEYS_PER_STATEMENT } from '../kit/lists/store.js';
import type { Collection, WarningListStay } from './collection.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

export interface WarningListLoaders {
  warningListStay: DataLoader<string, WarningListStay | null>;
}

type Context = SubgraphContext & { loaders: WarningListLoaders };

/** A member of the warning list, with the domains the caller may see. */
export interface WarningListMemberParent {
  subject: SubjectParent;
  since: string;
  domains: string[];
}

/** `Subject.warningList`: whether the subject is on it, since when, for the domains the caller may see. */
export interface WarningListStatusParent {
  onList: boolean;
  since: string | null;
  domains: string[];
}

export const createWarningListLoaders = (collection: Collection): WarningListLoaders => ({
  warningListStay: new DataLoader((codes) => collection.currentStays(codes), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
});

/**
 * The subject types a caller may see listed by code: a natural person's code is the identity
 * number, so lists show natural persons only to callers who may read personal data and state
 * a purpose (undefined: every type).
 */
export function listableSubjectTypes(ctx: SubgraphContext): ('ORGANISATION' | 'NATURAL_PERSON')[] | undefined {
  return mayReadPersonalData(ctx.principal!, ctx.purpose) ? undefined : ['ORGANISATION'];
}

/** Registers, for the access register, each natural person a page of a list shows. */
export function registerListedPersons(ctx: SubgraphContext, members: { creditCode: string; subjectType: string }[], field: string): void {
  for (const member of members) {
    if (member.subjectType === 'NATURAL_PERSON') ctx.personalDataReads.push({ subgraph: 'platform', creditCode: member.creditCode, field });
  }
}

export function warningListResolvers(collection: Collection, departments: readonly DepartmentRef[]): Resolvers<Context> {
  /** A stay names only the domains whose key-attention entries the caller may see. */
  const domainsFor = (ctx: Context, domains: string[]) => visibleWarningListDomains(ctx.principal!, departments, domains);
  return {
    Query: {
      async lateSharedEntries(_, args, ctx) {
        const page = await collection.lateShared(pageSize(args.first, 100), args.after, args.domain, entryVisibilityAcross(ctx.principal!, departments));
        return page;
      },
      async warningList(_, args, ctx) {
        const page = await collection.page(pageSize(args.first, 100), args.after, listableSubjectTypes(ctx));
        registerListedPersons(ctx, page.edges.map((edge) => edge.node), 'WarningListMember.subject');
        return {
          edges: page.edges.map(({ cursor, node }) => ({
            cursor,
            node: { subject: subjectOf(node.creditCode), since: node.enteredAt, domains: domainsFor(ctx, node.domains) },
          })),
          pageInfo: page.pageInfo,
        };
      },
    },
    Subject: {
      async warningList(subject, _, ctx) {
        const stay = await ctx.loaders.warningListStay.load(subject.creditCode);
        return stay ? { onList: true, since: stay.enteredAt, domains: domainsFor(ctx, stay.domains) } : { onList: false, since: null, domains: [] };
      },
    },
  };
}

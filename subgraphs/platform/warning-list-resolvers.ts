/** GraphQL of the big-data warning list. */
import DataLoader from 'dataloader';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { pageSize } from '../kit/cursor.js';
import { mayReadPersonalData } from '../kit/auth/policy.js';
import type { SubgraphContext } from '../kit/server.js';
import { MAX_KEYS_PER_STATEMENT } from '../kit/lists/store.js';
import type { Collection, WarningListStay } from './collection.js';

export interface WarningListLoaders {
  warningListStay: DataLoader<string, WarningListStay | null>;
}

type Context = SubgraphContext & { loaders: WarningListLoaders };

export const createWarningListLoaders = (collection: Collection): WarningListLoaders => ({
  warningListStay: new DataLoader((codes) => collection.currentStays(codes), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
});

export function warningListResolvers(collection: Collection): GraphQLResolverMap<Context> {
  return {
    Query: {
      async lateSharedEntries(_: unknown, args: { domain?: string; first?: number; after?: string }) {
        const page = await collection.lateShared(pageSize(args.first, 100), args.after, args.domain);
        return { edges: page.edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null } };
      },
      async warningList(_: unknown, args: { first?: number; after?: string }, ctx: Context) {
        const withPersons = mayReadPersonalData(ctx.principal!, ctx.purpose);
        const page = await collection.page(pageSize(args.first, 100), args.after, withPersons ? undefined : ['ORGANISATION']);
        for (const { node } of page.edges) {
          // A natural person's key is the identity number: reading it is registered.
          if (node.subjectType === 'NATURAL_PERSON') {
            ctx.personalDataReads.push({ subgraph: 'platform', creditCode: node.creditCode, field: 'WarningListMember.subject' });
          }
        }
        return {
          edges: page.edges.map(({ cursor, node }) => ({
            cursor,
            node: { subject: { creditCode: node.creditCode }, since: node.enteredAt, domains: node.domains },
          })),
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null },
        };
      },
    },
    Subject: {
      async warningList(subject: { creditCode: string }, _: unknown, ctx: Context) {
        const stay = await ctx.loaders.warningListStay.load(subject.creditCode);
        return stay ? { onList: true, since: stay.enteredAt, domains: stay.domains } : { onList: false, since: null, domains: [] };
      },
    },
  } as GraphQLResolverMap<Context>;
}

/** GraphQL of the change feed: `changes(after, filter, first)`, with what each principal may see. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { pageSize } from '../kit/cursor.js';
import { requireValidCode } from '../kit/lists/resolvers.js';
import { scopedListTypes } from '../kit/auth/policy.js';
import type { SubgraphContext } from '../kit/server.js';
import { validateChangeFilter, type ChangeFeed, type ChangeFilter } from './change-feed.js';

export function changeFeedResolvers(feed: ChangeFeed): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      async changes(_: unknown, args: { after?: string; filter?: ChangeFilter; first?: number }, ctx: SubgraphContext) {
        const filter = validateChangeFilter(args.filter);
        if (filter.creditCode) filter.creditCode = requireValidCode(filter.creditCode, 'filter.creditCode');
        const principal = ctx.principal!;
        // Partners and agencies get the list types their scopes cover, as their queries do.
        const visible = principal.role === 'PARTNER' || principal.role === 'AGENCY' ? scopedListTypes(principal) : null;
        const page = await feed.read(args.after, pageSize(args.first, 500, 100), filter, visible);
        return {
          edges: page.edges.map(({ cursor, node }) => ({ cursor, node: { ...node, detail: JSON.stringify(node.detail ?? {}) } })),
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
        };
      },
    },
  } as GraphQLResolverMap<SubgraphContext>;
}

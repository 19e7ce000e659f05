/** GraphQL of the change feed: `changes(after, filter, first)`, with what each principal may see. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { pageSize } from '../kit/cursor.js';
import { requireValidCode } from '../kit/lists/resolvers.js';
import { scopedListTypes } from '../kit/auth/policy.js';
import type { SubgraphContext } from '../kit/server.js';
import { validateChangeFilter, type ChangeFeed, type ChangeFilter } from './change-feed.js';
import type { MeasureCatalogue } from './measures.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import { badInput } from '../kit/errors.js';

export function changeFeedResolvers(feed: ChangeFeed, catalogue: MeasureCatalogue, clock: Clock): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      async changes(_: unknown, args: { after?: string; filter?: ChangeFilter & { measureIds?: string[] | null }; first?: number }, ctx: SubgraphContext) {
        const { measureIds, ...rest } = args.filter ?? {};
        const filter = validateChangeFilter(rest);
        if (measureIds?.length) {
          // The entries that trigger these measures, as they are in force today.
          const measures = (await catalogue.measuresInForce(toIsoDate(clock()))).filter((m) => measureIds.includes(m.id));
          const unknown = measureIds.filter((id) => !measures.some((m) => m.id === id));
          if (unknown.length) throw badInput(`No measure in force with id ${unknown.join(', ')}: see memorandums { measures { id } }`, { argument: 'filter.measureIds' });
          filter.listKinds = [...new Set(measures.flatMap((m) => m.triggers))];
        }
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

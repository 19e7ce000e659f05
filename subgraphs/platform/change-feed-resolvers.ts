/** GraphQL of the change feed: `changes(after, filter, first)`, with what each principal may see. */
import { pageSize } from '../kit/cursor.js';
import { requireValidCode } from '../kit/lists/resolvers.js';
import type { SubgraphContext } from '../kit/server.js';
import { validateChangeFilter, type ChangeFeed, type StoredFeedEvent } from './change-feed.js';
import type { MeasureCatalogue } from './measures.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import { badInput } from '../kit/errors.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

/** The list kinds that trigger these measures as they are in force today, and the ids of none in force. */
export async function measureTriggers(catalogue: MeasureCatalogue, clock: Clock, measureIds: string[]): Promise<{ listKinds: string[]; unknown: string[] }> {
  const measures = (await catalogue.measuresInForce(toIsoDate(clock()))).filter((m) => measureIds.includes(m.id));
  return {
    listKinds: [...new Set(measures.flatMap((m) => m.triggers))],
    unknown: measureIds.filter((id) => !measures.some((m) => m.id === id)),
  };
}

/** A feed event as `ChangeEvent` resolves it: its detail as JSON text. */
export type ChangeEventParent = Omit<StoredFeedEvent, 'detail'> & { detail: string };

export function changeFeedResolvers(feed: ChangeFeed, catalogue: MeasureCatalogue, clock: Clock): Resolvers<SubgraphContext> {
  return {
    Query: {
      async changes(_, args, ctx) {
        const { measureIds, ...rest } = args.filter ?? {};
        const filter = validateChangeFilter(rest, feed.domains);
        if (measureIds?.length) {
          // The entries that trigger these measures, as they are in force today.
          const { listKinds, unknown } = await measureTriggers(catalogue, clock, measureIds);
          if (unknown.length) throw badInput(`No measure in force with id ${unknown.join(', ')}: see memorandums { measures { id } }`, { argument: 'filter.measureIds' });
          filter.listKinds = listKinds;
        }
        if (filter.creditCode) filter.creditCode = requireValidCode(filter.creditCode, 'filter.creditCode');
        const page = await feed.read(args.after, pageSize(args.first, 500, 100), filter, ctx.principal!);
        return {
          edges: page.edges.map(({ cursor, node }) => ({ cursor, node: { ...node, detail: JSON.stringify(node.detail ?? {}) } })),
          pageInfo: page.pageInfo,
        };
      },
    },
  };
}

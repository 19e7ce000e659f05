/** GraphQL of webhooks: register, list, remove, replay, and the delivery log — each on the caller's own webhooks. */
import { pageSize } from '../kit/cursor.js';
import type { SubgraphContext } from '../kit/server.js';
import type { Webhooks } from './webhooks.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

export function webhookResolvers(webhooks: Webhooks): Resolvers<SubgraphContext> {
  return {
    Query: {
      webhooks: (_, __, ctx) => webhooks.list(ctx.principal!),
      webhookDeliveries: (_, args, ctx) =>
        webhooks.deliveries(ctx.principal!, args.webhookId, pageSize(args.first, 100), args.after),
    },
    Mutation: {
      registerWebhook: (_, { input }, ctx) => webhooks.register(ctx.principal!, input),
      removeWebhook: (_, args, ctx) => webhooks.remove(ctx.principal!, args.id),
      replayWebhook: (_, args, ctx) =>
        webhooks.replay(ctx.principal!, args.id, args.fromCursor),
    },
  };
}

/** GraphQL of webhooks: register, list, remove, replay, and the delivery log — each on the caller's own webhooks. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { pageSize } from '../kit/cursor.js';
import type { SubgraphContext } from '../kit/server.js';
import type { WebhookInput, Webhooks } from './webhooks.js';

export function webhookResolvers(webhooks: Webhooks): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      webhooks: (_: unknown, __: unknown, ctx: SubgraphContext) => webhooks.list(ctx.principal!),
      webhookDeliveries: (_: unknown, args: { webhookId: string; first?: number; after?: string }, ctx: SubgraphContext) =>
        webhooks.deliveries(ctx.principal!, args.webhookId, pageSize(args.first, 100), args.after),
    },
    Mutation: {
      registerWebhook: (_: unknown, { input }: { input: WebhookInput }, ctx: SubgraphContext) => webhooks.register(ctx.principal!, input),
      removeWebhook: (_: unknown, args: { id: string }, ctx: SubgraphContext) => webhooks.remove(ctx.principal!, args.id),
      replayWebhook: (_: unknown, args: { id: string; fromCursor?: string | null }, ctx: SubgraphContext) =>
        webhooks.replay(ctx.principal!, args.id, args.fromCursor),
    },
  } as GraphQLResolverMap<SubgraphContext>;
}

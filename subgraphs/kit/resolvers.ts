import type { buildSubgraphSchema } from '@apollo/subgraph';

type SchemaModule = Extract<Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number], { typeDefs: unknown }>;

/**
 * A resolver map as `buildSubgraphSchema` takes it (@apollo/subgraph does not export the type
 * from its entry point). Each part of a subgraph is typed by its generated `Resolvers`; this is
 * what they are merged into.
 */
export type SubgraphResolvers = NonNullable<SchemaModule['resolvers']>;

/** Merges resolver maps type by type, so each part of a subgraph brings its own. */
export function mergeResolvers(...maps: SubgraphResolvers[]): SubgraphResolvers {
  const merged: SubgraphResolvers = {};
  for (const map of maps) for (const [type, fields] of Object.entries(map)) merged[type] = Object.assign({}, merged[type], fields);
  return merged;
}

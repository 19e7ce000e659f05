/**
 * The supergraph: every subgraph's SDL composed with @apollo/composition, and the SDL files
 * generated from the catalogue. `npm run compose` writes them (schema/supergraph.graphql,
 * which the gateway serves statically, and schema/<department>.graphql and
 * schema/shared/departments.graphql, for reading); test/supergraph.test.ts fails when a
 * checked-in copy is stale. Server side: it loads the subgraph modules.
 */
import { composeServices } from '@apollo/composition';
import { subgraphs as catalogue, defaultPorts } from './catalog.js';
import type { SubgraphModule } from './kit/server.js';
import { subgraphTypeDefs } from './kit/schema.js';

/** The supergraph of `subgraphs` (default: the catalogue's), each at `urlOf(name)` (default: its embedded port on localhost). */
export function composeSupergraph(
  subgraphs: SubgraphModule[] = catalogue,
  urlOf: (name: string) => string = (name) => `http://localhost:${defaultPorts[name]}/graphql`,
): string {
  const result = composeServices(subgraphs.map((subgraph) => ({ name: subgraph.name, url: urlOf(subgraph.name), typeDefs: subgraphTypeDefs(subgraph) })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

/** The SDL files generated from the catalogue, by path under `schema/`. */
export function generatedSchemaFiles(subgraphs: SubgraphModule[] = catalogue): Record<string, string> {
  return Object.assign({}, ...subgraphs.map((subgraph) => subgraph.generatedSchema ?? {}));
}

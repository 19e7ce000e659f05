/**
 * The supergraph: every subgraph's SDL composed with @apollo/composition. `npm run compose`
 * writes it to `schema/supergraph.graphql`, which the gateway serves statically; a test
 * fails when the checked-in file is stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { subgraphs, defaultPorts } from '../subgraphs/catalog.js';
import { parseSdl, SCHEMA_DIR } from '../subgraphs/kit/schema.js';

export const SUPERGRAPH_FILE = join(SCHEMA_DIR, 'supergraph.graphql');

export function composeSupergraph(): string {
  const result = composeServices(
    subgraphs.map((subgraph) => ({
      name: subgraph.name,
      url: `http://localhost:${defaultPorts[subgraph.name]}/graphql`,
      typeDefs: parseSdl(subgraph.schemaFiles),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

export function readCheckedInSupergraph(): string {
  return readFileSync(SUPERGRAPH_FILE, 'utf8');
}

/** The subgraph URLs written in a supergraph, by subgraph name. */
export function subgraphUrlsIn(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) urls[match[1]] = match[2];
  return urls;
}

/**
 * The supergraph the gateway serves: `schema/supergraph.graphql`, composed and written by
 * `npm run compose` (subgraphs/compose.ts). The gateway reads what it needs of the
 * departments from it — their names (`join__Graph`), the `Domain` enum — and imports no
 * subgraph code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type EnumTypeDefinitionNode } from 'graphql';
import { SCHEMA_DIR } from '../subgraphs/kit/schema.js';

export const SUPERGRAPH_FILE = join(SCHEMA_DIR, 'supergraph.graphql');

export function readCheckedInSupergraph(): string {
  return readFileSync(SUPERGRAPH_FILE, 'utf8');
}

/** The subgraph URLs written in a supergraph, by subgraph name. */
export function subgraphUrlsIn(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) urls[match[1]] = match[2];
  return urls;
}

/** The departments a supergraph composes: every subgraph but the platform, in its order. */
export function departmentNamesIn(supergraphSdl: string): string[] {
  return Object.keys(subgraphUrlsIn(supergraphSdl)).filter((name) => name !== 'platform');
}

/** One of the supergraph's enums (`Domain`, `ChangeType`) as plain SDL (its descriptions kept, the join directives dropped). */
export function enumIn(supergraphSdl: string, name: string): string {
  const found = parse(supergraphSdl).definitions.find(
    (definition): definition is EnumTypeDefinitionNode => definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === name,
  );
  if (!found) throw new Error(`The supergraph has no ${name} enum: run \`npm run compose\``);
  return print({ ...found, directives: [], values: found.values?.map((value) => ({ ...value, directives: [] })) });
}

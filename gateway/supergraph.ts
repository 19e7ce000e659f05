/**
 * The supergraph the gateway serves: `schema/supergraph.graphql`, composed and written by
 * `npm run compose` (subgraphs/compose.ts). The gateway reads what it needs of the
 * departments from it — their names (`join__Graph`, their `Mutation` fields), the `Domain`
 * enum — and imports no subgraph code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type DocumentNode, type EnumTypeDefinitionNode, type ObjectTypeDefinitionNode, type TypeNode } from 'graphql';
import { SCHEMA_DIR } from '../subgraphs/kit/schema.js';

export const SUPERGRAPH_FILE = join(SCHEMA_DIR, 'supergraph.graphql');

export function readCheckedInSupergraph(): string {
  return readFileSync(SUPERGRAPH_FILE, 'utf8');
}

/** A supergraph's subgraphs by their `join__Graph` value (TAX): name (tax) and URL, in the supergraph's order. */
function joinGraphsIn(document: DocumentNode): Map<string, { name: string; url: string }> {
  const graphs = new Map<string, { name: string; url: string }>();
  const joinGraph = document.definitions.find((d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'join__Graph');
  for (const value of joinGraph?.values ?? []) {
    const args = value.directives?.find((d) => d.name.value === 'join__graph')?.arguments ?? [];
    const [name, url] = ['name', 'url'].map((key) => args.find((a) => a.name.value === key)?.value);
    if (name?.kind === Kind.STRING && url?.kind === Kind.STRING) graphs.set(value.name.value, { name: name.value, url: url.value });
  }
  return graphs;
}

/** The subgraph URLs written in a supergraph, by subgraph name. */
export function subgraphUrlsIn(supergraphSdl: string): Record<string, string> {
  return Object.fromEntries([...joinGraphsIn(parse(supergraphSdl)).values()].map(({ name, url }) => [name, url]));
}

/**
 * The departments a supergraph composes, in its order: the subgraphs that serve the list engine,
 * each of which contributes its actions as `Mutation.<its name>: DepartmentActions!`
 * (kit/lists/sdl.ts). Read from the supergraph the gateway serves, not from the catalogue, so a
 * supergraph of another catalogue (a test's throw-away department) is read as it is; and not
 * from the `Domain` enum, whose values are not subgraph names (MARKET_SUPERVISION: market).
 * A subgraph that is no department — the platform, or any other — has no such field.
 */
export function departmentNamesIn(supergraphSdl: string): string[] {
  const document = parse(supergraphSdl);
  const graphs = joinGraphsIn(document);
  const mutation = document.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Mutation');
  const departments = new Set<string>();
  for (const field of mutation?.fields ?? []) {
    if (namedTypeOf(field.type) !== 'DepartmentActions') continue;
    for (const join of field.directives?.filter((d) => d.name.value === 'join__field') ?? []) {
      const graph = join.arguments?.find((a) => a.name.value === 'graph')?.value;
      if (graph?.kind === Kind.ENUM && graphs.get(graph.value)?.name === field.name.value) departments.add(field.name.value);
    }
  }
  return [...graphs.values()].map(({ name }) => name).filter((name) => departments.has(name));
}

const namedTypeOf = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type));

/** One of the supergraph's enums (`Domain`, `ChangeType`) as plain SDL (its descriptions kept, the join directives dropped). */
export function enumIn(supergraphSdl: string, name: string): string {
  const found = parse(supergraphSdl).definitions.find(
    (definition): definition is EnumTypeDefinitionNode => definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === name,
  );
  if (!found) throw new Error(`The supergraph has no ${name} enum: run \`npm run compose\``);
  return print({ ...found, directives: [], values: found.values?.map((value) => ({ ...value, directives: [] })) });
}

/** Loads a subgraph's SDL from `schema/`: the shared files first, then its own. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/**
 * The SDL of `schemaFiles`, in order: each from `generated` when it is there (SDL generated
 * from the catalogue, kit/lists/sdl.ts), else from `schema/`.
 */
export function readSdl(schemaFiles: readonly string[], generated: Readonly<Record<string, string>> = {}): string {
  return schemaFiles.map((file) => generated[file] ?? readFileSync(join(SCHEMA_DIR, file), 'utf8')).join('\n');
}

export function parseSdl(schemaFiles: readonly string[], generated?: Readonly<Record<string, string>>): DocumentNode {
  return parse(readSdl(schemaFiles, generated));
}

/** A subgraph's SDL as it serves it. */
export function subgraphTypeDefs(module: { schemaFiles: readonly string[]; generatedSchema?: Readonly<Record<string, string>> }): DocumentNode {
  return parseSdl(module.schemaFiles, module.generatedSchema);
}

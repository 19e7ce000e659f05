/** Loads a subgraph's SDL from `schema/`: the shared files first, then its own. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

export function readSdl(schemaFiles: readonly string[]): string {
  return schemaFiles.map((file) => readFileSync(join(SCHEMA_DIR, file), 'utf8')).join('\n');
}

export function parseSdl(schemaFiles: readonly string[]): DocumentNode {
  return parse(readSdl(schemaFiles));
}

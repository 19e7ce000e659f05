/**
 * npm run compose — writes schema/supergraph.graphql from the subgraphs' SDL, and the SDL
 * generated from the catalogue (schema/<department>.graphql, schema/shared/departments.graphql),
 * and compose.yaml's department blocks (scripts/compose-file.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { composeSupergraph, generatedSchemaFiles } from '../subgraphs/compose.js';
import { SCHEMA_DIR } from '../subgraphs/kit/schema.js';
import { SUPERGRAPH_FILE } from '../gateway/supergraph.js';
import { COMPOSE_FILE, generatedComposeFile } from './compose-file.js';
import { fileURLToPath } from 'node:url';

const unchanged = (path: string, content: string) => {
  try {
    return readFileSync(path, 'utf8') === content;
  } catch {
    return false;
  }
};

try {
  const files = { ...Object.fromEntries(Object.entries(generatedSchemaFiles()).map(([file, sdl]) => [join(SCHEMA_DIR, file), sdl])), [SUPERGRAPH_FILE]: composeSupergraph(), [fileURLToPath(COMPOSE_FILE)]: generatedComposeFile() };
  for (const [path, content] of Object.entries(files)) {
    if (unchanged(path, content)) continue;
    writeFileSync(path, content);
    console.log(`Wrote ${relative(process.cwd(), path)}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

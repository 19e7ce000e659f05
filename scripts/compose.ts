/** npm run compose — writes schema/supergraph.graphql from the subgraphs' SDL. */
import { writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_FILE } from '../gateway/supergraph.js';

try {
  writeFileSync(SUPERGRAPH_FILE, composeSupergraph());
  console.log(`Wrote ${SUPERGRAPH_FILE}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

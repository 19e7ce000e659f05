/** Every subgraph of the hub, in the order they start and compose. */
import type { SubgraphModule } from './kit/server.js';
import { createPlatformSubgraph } from './platform/index.js';
import { taxSubgraph } from './tax/index.js';
import { marketSubgraph } from './market/index.js';
import { courtsSubgraph } from './courts/index.js';
import { safetySubgraph } from './safety/index.js';
import { department as tax } from './tax/department.js';
import { department as market } from './market/department.js';
import { department as courts } from './courts/department.js';
import { department as safety } from './safety/department.js';
import { defaultPorts, subgraphNames } from './layout.js';

export { defaultPorts };

export const departments = [tax, market, courts, safety];

export const subgraphs: SubgraphModule[] = [createPlatformSubgraph(departments), taxSubgraph, marketSubgraph, courtsSubgraph, safetySubgraph];

// layout.ts names the subgraphs for the configuration (which cannot import them all): the same list.
if (subgraphs.map((s) => s.name).join() !== subgraphNames.join()) {
  throw new Error(`subgraphs/layout.ts names ${subgraphNames.join(', ')} but the catalogue has ${subgraphs.map((s) => s.name).join(', ')}: keep them the same`);
}

export function subgraphByName(name: string): SubgraphModule {
  const found = subgraphs.find((subgraph) => subgraph.name === name);
  if (!found) throw new Error(`No subgraph "${name}": choose one of ${subgraphs.map((s) => s.name).join(', ')}`);
  return found;
}

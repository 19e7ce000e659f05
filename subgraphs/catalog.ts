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

export const departments = [tax, market, courts, safety];

export const subgraphs: SubgraphModule[] = [createPlatformSubgraph(departments), taxSubgraph, marketSubgraph, courtsSubgraph, safetySubgraph];

/** Ports of the embedded default (`npm start`): the gateway on PORT (4000), subgraphs after it. */
export const defaultPorts: Record<string, number> = { platform: 4001, tax: 4002, market: 4003, courts: 4004, safety: 4005 };

export function subgraphByName(name: string): SubgraphModule {
  const found = subgraphs.find((subgraph) => subgraph.name === name);
  if (!found) throw new Error(`No subgraph "${name}": choose one of ${subgraphs.map((s) => s.name).join(', ')}`);
  return found;
}

/**
 * Every subgraph of the hub, server side: the platform and one subgraph per department of the
 * catalogue (departments.ts), in the order they start and compose. A department's module is
 * `subgraphs/<name>/index.ts`'s `subgraph`, found by its name — nothing here names one.
 * Heavy (it loads the list engine, the platform and knex): the gateway never imports it.
 */
import type { SubgraphModule } from './kit/server.js';
import type { DepartmentSubgraph } from './kit/lists/subgraph.js';
import { DEPARTMENTS_SCHEMA_FILE, departmentsSdl } from './kit/lists/sdl.js';
import { createPlatformSubgraph } from './platform/index.js';
import { departments } from './departments.js';
import { defaultPorts, subgraphNames } from './layout.js';

export { defaultPorts, departments };

/** A department's subgraph module: `subgraphs/<name>/index.ts` exports it as `subgraph`. */
async function departmentModule(name: string): Promise<DepartmentSubgraph> {
  // The source's own extension: .ts under tsx and vitest, .js once compiled to dist/.
  const extension = new URL(import.meta.url).pathname.endsWith('.ts') ? 'ts' : 'js';
  const loaded: { subgraph?: DepartmentSubgraph } = await import(/* @vite-ignore */ `./${name}/index.${extension}`);
  if (!loaded.subgraph) throw new Error(`subgraphs/${name}/index.ts must export its module as \`subgraph\` (departmentSubgraph(department, migrations))`);
  return loaded.subgraph;
}

/**
 * The hub's subgraphs for these department modules: the platform first (collecting their
 * lists), then each department, every one given the `Domain` and `ListKind` enums of exactly
 * these departments. Tests pass a catalogue of their own (a throw-away department added).
 */
export function hubSubgraphs(departmentModules: DepartmentSubgraph[]): SubgraphModule[] {
  const configs = departmentModules.map((module) => module.department);
  const shared = { [DEPARTMENTS_SCHEMA_FILE]: departmentsSdl(configs) };
  return [createPlatformSubgraph(configs), ...departmentModules].map((module) => ({ ...module, generatedSchema: { ...shared, ...module.generatedSchema } }));
}

export const departmentSubgraphs: DepartmentSubgraph[] = await Promise.all(departments.map((department) => departmentModule(department.name)));

export const subgraphs: SubgraphModule[] = hubSubgraphs(departmentSubgraphs);

// Ports and variables (layout.ts) come from the same list; a module named otherwise than its folder breaks them.
if (subgraphs.map((s) => s.name).join() !== subgraphNames.join()) {
  throw new Error(`subgraphs/layout.ts names ${subgraphNames.join(', ')} but the catalogue's modules are ${subgraphs.map((s) => s.name).join(', ')}: a department's module must carry its folder's name`);
}

export function subgraphByName(name: string): SubgraphModule {
  const found = subgraphs.find((subgraph) => subgraph.name === name);
  if (!found) throw new Error(`No subgraph "${name}": choose one of ${subgraphs.map((s) => s.name).join(', ')}`);
  return found;
}

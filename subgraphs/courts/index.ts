/** The courts subgraph: the list engine configured by `./department.ts`. */
import { departmentSubgraph, listEngineMigrations } from '../kit/lists/subgraph.js';
import { department } from './department.js';

export const subgraph = departmentSubgraph(department, [
  ...listEngineMigrations(department),
  // Migrations of the courts department's own tables go here, after the engine's.
]);

/**
 * The subgraphs' names and ports, without their code: the configuration names
 * `<NAME>_DATABASE_URL` and `<NAME>_SUBGRAPH_URL` from here before any subgraph is loaded.
 * The platform first, then the departments of the catalogue (departments.ts) in its order.
 */
import { departments } from './departments.js';

/** The gateway's port in the embedded default (`npm start`); subgraphs take the ports after it, by position. */
export const GATEWAY_PORT = 4000;

export const subgraphNames = ['platform', ...departments.map((department) => department.name)];

/** Ports of the embedded default (`npm start`): platform 4001, then each department in catalogue order. */
export const defaultPorts: Record<string, number> = Object.fromEntries(subgraphNames.map((name, index) => [name, GATEWAY_PORT + 1 + index]));

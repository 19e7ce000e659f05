/**
 * The subgraphs' names and ports, without their code: the configuration names
 * `<NAME>_DATABASE_URL` and `<NAME>_SUBGRAPH_URL` from here before any subgraph is loaded.
 * catalog.ts checks at load that its subgraphs are exactly these, in this order.
 */

/** Ports of the embedded default (`npm start`): the gateway on PORT (4000), subgraphs after it. */
export const defaultPorts: Record<string, number> = { platform: 4001, tax: 4002, market: 4003, courts: 4004, safety: 4005 };

export const subgraphNames = Object.keys(defaultPorts);

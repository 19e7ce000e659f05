/**
 * Starts the whole hub in one process — every subgraph, then the gateway — and stops it
 * again. Used by `npm start`, the tests and the benchmarks.
 */
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { subgraphs as catalogue, defaultPorts } from '../subgraphs/catalog.js';
import type { SubgraphModule } from '../subgraphs/kit/server.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/server.js';
import { isDepartmentSubgraph } from '../subgraphs/kit/lists/subgraph.js';
import type { Clock } from '../subgraphs/kit/dates.js';

export interface HubOptions {
  /** Gateway port; 0 for any free port. */
  port?: number;
  /** Subgraph ports: the defaults (layout.ts: 4001 on, by catalogue position) or 0 for free ones. */
  subgraphPorts?: 'default' | 'random';
  host?: string;
  /** Database URL for every subgraph; default: per-subgraph URLs from the environment. */
  databaseUrl?: (subgraph: string) => string | undefined;
  clock?: Clock;
  subgraphTimeoutMs?: number;
  /** Background workers on their intervals (default), or run only when a test says so. */
  workers?: 'interval' | 'manual';
  /**
   * The subgraphs to run (default: the catalogue's, subgraphs/catalog.ts) — a test's own, from
   * `hubSubgraphs` with a throw-away department added — with `supergraphSdl` their composition
   * (subgraphs/compose.ts). Their ports are free ones unless the catalogue names them.
   */
  subgraphs?: SubgraphModule[];
  supergraphSdl?: string;
}

export interface RunningHub {
  gateway: RunningGateway;
  subgraphs: Map<string, RunningSubgraph>;
  /** Runs every subgraph's workers until the whole hub has nothing left to do. */
  settle(): Promise<number>;
  stop(): Promise<void>;
}

export async function startHub(options: HubOptions = {}): Promise<RunningHub> {
  const running = new Map<string, RunningSubgraph>();
  const subgraphs = options.subgraphs ?? catalogue;
  try {
    for (const module of subgraphs) {
      running.set(
        module.name,
        await startSubgraph(module, {
          port: options.subgraphPorts === 'random' ? 0 : (defaultPorts[module.name] ?? 0),
          host: options.host,
          databaseUrl: options.databaseUrl?.(module.name),
          clock: options.clock,
        }),
      );
    }
    // Every subgraph consumes the departments' change events: those of the subgraphs that are departments.
    const departmentUrls = Object.fromEntries(subgraphs.filter(isDepartmentSubgraph).map(({ name }) => [name, running.get(name)!.url]));
    for (const subgraph of running.values()) subgraph.startWorkers(departmentUrls, options.workers);
    const gateway = await startGateway({
      port: options.port ?? 0,
      host: options.host,
      subgraphUrls: Object.fromEntries([...running].map(([name, subgraph]) => [name, subgraph.url])),
      subgraphTimeoutMs: options.subgraphTimeoutMs,
      supergraphSdl: options.supergraphSdl,
    });
    return {
      gateway,
      subgraphs: running,
      async settle() {
        let total = 0;
        for (let round = 0; round < 20; round++) {
          let done = 0;
          for (const subgraph of running.values()) done += await subgraph.settle();
          total += done;
          if (done === 0) return total;
        }
        return total;
      },
      async stop() {
        await Promise.all([...running.values()].map((subgraph) => subgraph.stopWorkers()));
        await gateway.stop();
        await Promise.all([...running.values()].map((subgraph) => subgraph.stop()));
      },
    };
  } catch (error) {
    await Promise.all([...running.values()].map((subgraph) => subgraph.stop()));
    throw error;
  }
}

/**
 * npm run subgraph -- <name>   (platform, tax, market, courts, safety)
 *
 * Runs one subgraph as its own process, as production does: PORT (default: its port in
 * the embedded layout), HOST (default 0.0.0.0 here), <NAME>_DATABASE_URL or DATABASE_URL,
 * CREDITHUB_INTERNAL_SECRET shared with the gateway. Stateless: run as many replicas as
 * needed behind a load balancer.
 */
import './no-telemetry.js';
import { onShutdown } from './shutdown.js';
import { subgraphByName, defaultPorts } from '../subgraphs/catalog.js';
import { startSubgraph } from '../subgraphs/kit/server.js';

const name = process.argv[2];
if (!name) {
  console.error('Usage: npm run subgraph -- <platform|tax|market|courts|safety>');
  process.exit(2);
}
try {
  const module = subgraphByName(name);
  const running = await startSubgraph(module, { port: Number(process.env.PORT ?? defaultPorts[name]), host: process.env.HOST ?? '0.0.0.0' });
  console.log(`subgraph ${name} ready at ${running.url}`);
  onShutdown(() => running.stop());
} catch (error) {
  console.error(`subgraph ${name} could not start: ${(error as Error).message}`);
  process.exit(1);
}

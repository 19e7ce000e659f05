/**
 * npm run subgraph -- <name>   (platform or a department of subgraphs/departments.ts)
 *
 * Runs one subgraph as its own process, as production does: PORT (default: its port in
 * the embedded layout), HOST (default 0.0.0.0 here), <NAME>_DATABASE_URL or DATABASE_URL,
 * CREDITHUB_INTERNAL_SECRET shared with the gateway. The process runs the subgraph's
 * background workers too (event relay, consumers, expiry, webhook delivery) and says which
 * at start; the departments' feeds are reached at <NAME>_SUBGRAPH_URL (else the supergraph's
 * URLs). Stateless: run as many replicas as needed behind a load balancer — replicas share
 * the workers' work safely. CREDITHUB_WORKERS=off serves the API only.
 */
import '../subgraphs/kit/config/startup.js';
import './tracing.js';
import { onShutdown } from './shutdown.js';
import { runMain } from './cli.js';
import { subgraphByName, defaultPorts, departments } from '../subgraphs/catalog.js';
import { startSubgraph } from '../subgraphs/kit/server.js';
import { readCheckedInSupergraph, subgraphUrlsIn } from '../gateway/supergraph.js';
import { configuration, subgraphSetting } from '../subgraphs/kit/config/index.js';

const USAGE = `Usage: npm run subgraph -- <${['platform', ...departments.map((d) => d.name)].join('|')}>`;
const name = process.argv[2];
if (!name || process.argv.length > 3) {
  console.error(name ? `subgraph: takes one subgraph's name and nothing more (settings are environment variables): ${process.argv.slice(3).join(' ')}` : USAGE);
  process.exit(2);
}

/** Where this process reaches each department's subgraph (and its event feed). */
function departmentUrls(): Record<string, string> {
  const fromSupergraph = subgraphUrlsIn(readCheckedInSupergraph());
  return Object.fromEntries(departments.map((d) => [d.name, subgraphSetting(d.name, 'SUBGRAPH_URL') ?? fromSupergraph[d.name]]));
}

runMain(`subgraph ${name} could not start`, async () => {
  const module = subgraphByName(name);
  const { PORT, HOST, CREDITHUB_WORKERS } = configuration();
  const running = await startSubgraph(module, { port: PORT ?? defaultPorts[name], host: HOST ?? '0.0.0.0' });
  console.log(`subgraph ${name} ready at ${running.url}`);
  const workersOff = CREDITHUB_WORKERS === 'off';
  const workers = workersOff ? [] : running.startWorkers(departmentUrls());
  if (workers.length === 0) console.log(`subgraph ${name}: no background workers in this process${workersOff ? ' (CREDITHUB_WORKERS=off)' : ''}`);
  for (const worker of workers) console.log(`subgraph ${name}: worker ${worker.name} running — ${worker.description ?? 'background work'}, every ${worker.intervalMs} ms`);
  onShutdown(() => running.stop());
});

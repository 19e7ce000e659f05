/**
 * npm run gateway — runs the gateway alone, as production does. Subgraph URLs come from
 * <NAME>_SUBGRAPH_URL (e.g. TAX_SUBGRAPH_URL=http://tax:4002/graphql), else from the
 * checked-in supergraph. Stateless: run as many replicas as needed. It loads no subgraph code
 * (no knex, no platform): names come from the light catalogue (subgraphs/layout.ts).
 */
import '../subgraphs/kit/config/startup.js';
import './tracing.js';
import { onShutdown } from './shutdown.js';
import { CommandError, runMain } from './cli.js';
import { startGateway } from '../gateway/server.js';
import { subgraphNames } from '../subgraphs/layout.js';
import { configuration, subgraphSetting } from '../subgraphs/kit/config/index.js';

runMain('gateway could not start', async () => {
  if (process.argv.length > 2) throw new CommandError(`takes no arguments, its settings are environment variables (see the README, "Configuration"): ${process.argv.slice(2).join(' ')}`, 2);
  const subgraphUrls = Object.fromEntries(
    subgraphNames.flatMap((name) => {
      const url = subgraphSetting(name, 'SUBGRAPH_URL');
      return url ? [[name, url]] : [];
    }),
  );
  const { PORT, HOST } = configuration();
  const gateway = await startGateway({ port: PORT ?? 4000, host: HOST ?? '0.0.0.0', subgraphUrls });
  console.log(`CreditHub gateway ready at ${gateway.url}`);
  onShutdown(() => gateway.stop());
});

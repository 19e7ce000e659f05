/**
 * Imported first by every entry point (scripts/gateway.ts, subgraph.ts, start.ts, the seed
 * and token commands, the benchmarks): checks the whole environment before anything reads
 * it. Unknown variables with the hub's prefixes get one warning line each; a bad value stops
 * the process with one line (ConfigurationError's message) and exit code 78 (EX_CONFIG).
 */
import { ConfigurationError, configuration, unknownVariableWarnings } from './index.js';

export const EXIT_CONFIGURATION = 78;

// Apollo's usage reporting reads this before the gateway starts: a government hub phones nowhere.
process.env.APOLLO_TELEMETRY_DISABLED = '1';

for (const warning of unknownVariableWarnings(process.env)) console.warn(warning);
try {
  configuration();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(error.message);
  process.exit(EXIT_CONFIGURATION);
}

/**
 * Imported by every entry point right after the configuration's startup check, before the hub's modules: the
 * instrumentations patch knex, mysql2 and graphql as they load. Tracing is on only with
 * OTEL_EXPORTER_OTLP_ENDPOINT; the service name says which process the spans come from.
 */
import { basename } from 'node:path';
import { startTracing } from '../subgraphs/kit/observability/tracing.js';

// The entry point's name, run from source (scripts/subgraph.ts) or compiled (dist/scripts/subgraph.js).
const entry = basename(process.argv[1] ?? 'start').replace(/\.(ts|js)$/, '');
const service = entry === 'subgraph' ? `credithub-${process.argv[2] ?? 'subgraph'}` : entry === 'gateway' ? 'credithub-gateway' : 'credithub';
try {
  startTracing(service);
} catch (error) {
  // A bad observability variable: say which, and stop before serving anything.
  console.error((error as Error).message);
  process.exit(2);
}

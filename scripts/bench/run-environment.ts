/**
 * The environment of one benchmark run: secrets of its own (nothing is written under ./data) and
 * the hub's request logs at `warn` unless LOG_LEVEL says otherwise (a line per request is not
 * what these benchmarks measure; `npm run bench:observability` measures it). Set after the
 * configuration was first read (startup.js), so it is read again.
 */
import { randomBytes } from 'node:crypto';
import { resetConfiguration } from '../../subgraphs/kit/config/index.js';

export function benchEnvironment(): void {
  process.env.CREDITHUB_JWT_SECRET ??= randomBytes(24).toString('hex');
  process.env.CREDITHUB_INTERNAL_SECRET ??= randomBytes(24).toString('hex');
  process.env.LOG_LEVEL ??= 'warn';
  resetConfiguration();
}

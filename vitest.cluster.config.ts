/**
 * The multi-process and cluster tests (`npm run test:cluster`, run by .ci/run): the
 * production layout as separate processes on MariaDB with NATS JetStream, and on a 3-node
 * Galera cluster the test starts itself. Not part of `npm test`: they need MariaDB, NATS
 * and galera-4 on the machine, and take a few minutes; one file at a time (they load both cores).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/**/*.cluster.test.ts'],
    exclude: ['node_modules/**'],
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

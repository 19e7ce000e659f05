import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node (tsx, npm start) loads graphql's CommonJS build; so must the tests, or schema
    // objects built by Apollo and checked by our code would come from two graphql copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The process tests run the compiled entry points: dist/ rebuilt first when stale.
    globalSetup: ['test/build.setup.ts'],
    // The multi-process and Galera tests have their own run: npm run test:cluster.
    exclude: ['test/**/*.cluster.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file starts its own hub; two cores run two files at a time.
    maxWorkers: 2,
    env: {
      APOLLO_TELEMETRY_DISABLED: '1',
      // One line per request would drown the test output; tests that read logs raise it.
      LOG_LEVEL: 'warn',
      // Fixed secrets, so tests never write secret files into the working tree.
      CREDITHUB_JWT_SECRET: 'test-development-jwt-secret-0123456789',
      CREDITHUB_INTERNAL_SECRET: 'test-internal-token-secret-0123456789',
      CREDITHUB_REGISTER_KEY: 'test-access-register-mac-key-0123456789',
    },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'server/test/**/*.test.ts', 'web-widget/test/**/*.test.ts', 'agent-console/test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: two test files at a time; each file owns its database and Redis prefix.
    maxWorkers: 2,
    testTimeout: 30_000,
    // CI only: one retry for the rare timing race of a browser or multi-process test on a loaded 2-core
    // machine. A test that fails twice still fails the run; locally nothing is retried, so races show.
    retry: process.env.CI ? 1 : 0,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});

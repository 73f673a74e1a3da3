import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'server/test/**/*.test.ts', 'web-widget/test/**/*.test.ts', 'agent-console/test/**/*.test.ts', 'shared/test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: two test files at a time; each file owns its database and Redis prefix.
    maxWorkers: 2,
    testTimeout: 30_000,
    // No retries, in CI either: a test that fails once is a race to find (the instance-kill test's CI
    // retries were one: it waited for a greeting posted before the child's socket joined its room).
    retry: 0,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});

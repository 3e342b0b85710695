import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests spawn processes and open sockets; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'db/**/*.test.ts', 'realtime/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['db/test/global-setup.ts'],
    setupFiles: [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});

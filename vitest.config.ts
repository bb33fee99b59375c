import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './scripts/test-sequencer.ts';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'db/**/*.test.ts', 'realtime/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['db/test/global-setup.ts'],
    setupFiles: [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files share their worker's module cache (each file still gets its own platform and database):
    // importing the app for every file cost about a fifth of the run. Safe because module-level state
    // in core, db and realtime is either constant (the region and category trees, migration-seeded),
    // per-call (rate-limit and timer keys carry a random prefix per platform) or restored by the
    // test that sets it (captureLogs); a new module-level cache of database rows would not be.
    isolate: false,
    fileParallelism: true,
    maxWorkers: 2,
    // Known slow files first (scripts/slow-tests.json): the run does not end on one long file on one core.
    sequence: { sequencer: SlowFirstSequencer },
  },
});

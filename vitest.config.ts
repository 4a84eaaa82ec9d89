import { configDefaults, defineConfig } from 'vitest/config';
import { LongestFirst } from './test/longest-first.js';

/** Kills sigstorm and leaves its containers for `sigstorm gc` to find: no other file's gc may sweep them meanwhile. */
const ALONE = ['test/e2e/leftovers.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['test/helpers/state-dir.ts'],
    // End-to-end tests start real containers and processes and wait out real grace periods.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'tests', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...ALONE], sequence: { groupOrder: 0 } } },
      // After every other file: `sigstorm gc` (which other files run) removes any dead run's containers.
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});

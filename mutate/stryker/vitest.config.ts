// The vitest config StrykerJS runs (see mutate/stryker.ts): only the one
// test file that grades a reference solution with its own check suite. Not
// part of `npm test` (the root vitest.config.ts includes tests/ only).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The course root, also inside Stryker's sandbox copy of it.
  root: resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  test: {
    include: ['mutate/stryker/solution_checks.stryker.ts'],
    pool: 'threads',
    testTimeout: 120_000,
  },
});

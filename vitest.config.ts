import { defineConfig } from 'vitest/config';
import long_running_first from './tests/support/sequencer.ts';

// Tests that measure their own process's CPU (process.cpuUsage) to prove where work happens.
// In the 'threads' pool every worker shares one process, so they would count each other's CPU:
// these run in the 'forks' pool, one process per file.
const MEASURES_OWN_CPU = ['tests/grader/reader.test.ts', 'tests/grader/redteam9.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    // The longest files start first, so that no worker is left running one alone at the end.
    sequence: { sequencer: long_running_first },
    pool: 'threads',
    // Two workers on the 2-core machines we run on (vitest's default is cores - 1: one). The
    // suite is CPU-bound and its files are independent (tests that write work in temporary
    // course copies); the authoring suites alone take most of an hour on one worker.
    maxWorkers: 2,
    // Wall-clock limits are only a backstop for a real hang, never a verdict:
    // every check budgets its work in model steps and schedules, so a busy
    // machine makes the suite slower, not red. Keep them far above any honest run.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    projects: [
      // The project's own tests: `npm test` runs only these two.
      { extends: true, test: { name: 'project', include: ['tests/**/*.test.ts'], exclude: MEASURES_OWN_CPU } },
      { extends: true, test: { name: 'project-cpu', include: MEASURES_OWN_CPU, pool: 'forks' } },
      // The learner's checks as vitest tests (`npx vitest run checks/03`): they judge the
      // learner's current code, so on a fresh clone they fail, by design.
      { extends: true, test: { name: 'checks', include: ['checks/*.test.ts'] } },
    ],
  },
});

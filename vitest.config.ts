import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    pool: 'threads',
    // Wall-clock limits are only a backstop for a real hang, never a verdict:
    // every check budgets its work in model steps and schedules, so a busy
    // machine makes the suite slower, not red. Keep them far above any honest run.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    projects: [
      // The project's own tests: `npm test` runs only these.
      { extends: true, test: { name: 'project', include: ['tests/**/*.test.ts'] } },
      // The learner's checks as vitest tests (`npx vitest run checks/03`): they judge the
      // learner's current code, so on a fresh clone they fail, by design.
      { extends: true, test: { name: 'checks', include: ['checks/*.test.ts'] } },
    ],
  },
});

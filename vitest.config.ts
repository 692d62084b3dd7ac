import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts'],
    pool: 'threads',
    // Wall-clock limits are only a backstop for a real hang, never a verdict:
    // every check budgets its work in model steps and schedules, so a busy
    // machine makes the suite slower, not red. Keep them far above any honest run.
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});

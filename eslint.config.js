// Lint: the one rule that matters most in this project is no-floating-promises.
// In the kernel model `async` means "may sleep"; a call without `await` lets the
// task run on while the scheduler thinks it is asleep. Catch it before it runs.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'site/dist/**', '.grade/**', 'out/**', '.shrinker-lab/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The model must run in a browser and be deterministic: no Node APIs,
    // no wall clock, no unseeded randomness.
    files: ['kernel/**/*.ts', 'explorer/**/*.ts', 'scenarios/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'vitest', 'vitest/*'], message: 'kernel/, explorer/ and scenarios/ run in the browser too: no Node APIs or test libraries here.' }] }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'The model is deterministic: use kernel/lib/prandom.ts with the boot seed.' }, { object: 'Date', property: 'now', message: 'The model has a virtual clock: use ktime_get_ns() or jiffies.' }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'No real timers in the model: use schedule_timeout().' }, { name: 'setInterval', message: 'No real timers in the model.' }, { name: 'performance', message: 'No wall clock in the model.' }, { name: 'process', message: 'kernel/ runs in the browser too.' }],
    },
  },
);

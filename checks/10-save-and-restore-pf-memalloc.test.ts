// Exercise 10's checks as vitest tests, on your current code in exercises/10-save-and-restore-pf-memalloc/:
//   npx vitest run checks/10
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 10`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('10-save-and-restore-pf-memalloc');

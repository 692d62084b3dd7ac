// Exercise 08's checks as vitest tests, on your current code in exercises/08-never-flush-from-reclaim/:
//   npx vitest run checks/08
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 08`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('08-never-flush-from-reclaim');

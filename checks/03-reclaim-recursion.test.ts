// Exercise 03's checks as vitest tests, on your current code in exercises/03-reclaim-recursion/:
//   npx vitest run checks/03
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 03`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('03-reclaim-recursion');

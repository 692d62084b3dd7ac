// Exercise 07's checks as vitest tests, on your current code in exercises/07-grace-period-is-not-free-memory/:
//   npx vitest run checks/07
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 07`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('07-grace-period-is-not-free-memory');

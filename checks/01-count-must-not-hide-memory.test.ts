// Exercise 01's checks as vitest tests, on your current code in exercises/01-count-must-not-hide-memory/:
//   npx vitest run checks/01
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 01`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('01-count-must-not-hide-memory');

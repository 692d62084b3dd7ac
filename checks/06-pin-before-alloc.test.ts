// Exercise 06's checks as vitest tests, on your current code in exercises/06-pin-before-alloc/:
//   npx vitest run checks/06
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 06`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('06-pin-before-alloc');

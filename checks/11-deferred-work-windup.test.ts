// Exercise 11's checks as vitest tests, on your current code in exercises/11-deferred-work-windup/:
//   npx vitest run checks/11
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 11`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('11-deferred-work-windup');

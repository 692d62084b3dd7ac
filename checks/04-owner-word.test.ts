// Exercise 04's checks as vitest tests, on your current code in exercises/04-owner-word/:
//   npx vitest run checks/04
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 04`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('04-owner-word');

// Exercise 13's checks as vitest tests, on your current code in exercises/13-write-the-shrinker/:
//   npx vitest run checks/13
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 13`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('13-write-the-shrinker');

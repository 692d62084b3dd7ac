// Exercise 09's checks as vitest tests, on your current code in exercises/09-no-rcu-wait-under-struct-mutex/:
//   npx vitest run checks/09
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 09`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('09-no-rcu-wait-under-struct-mutex');

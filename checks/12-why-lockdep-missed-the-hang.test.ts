// Exercise 12's checks as vitest tests, on your current code in exercises/12-why-lockdep-missed-the-hang/:
//   npx vitest run checks/12
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 12`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('12-why-lockdep-missed-the-hang');

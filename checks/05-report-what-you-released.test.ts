// Exercise 05's checks as vitest tests, on your current code in exercises/05-report-what-you-released/:
//   npx vitest run checks/05
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 05`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('05-report-what-you-released');

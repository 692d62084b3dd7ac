// Exercise 02's checks as vitest tests, on your current code in exercises/02-scan-must-say-stop/:
//   npx vitest run checks/02
// (or the Vitest extension of your editor). Same verdicts as `npx shrinker-lab run 02`.
import { vitest_checks } from '../course/vitest_checks';

vitest_checks('02-scan-must-say-stop');

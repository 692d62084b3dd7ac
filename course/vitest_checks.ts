// An exercise's checks as ordinary vitest tests, on the learner's current
// code in exercises/<id>/: `npx vitest run checks/03`, or the Vitest extension
// of an editor, shows one test per check beside the code, with the same
// verdicts and messages as `npx shrinker-lab run 03`. Any vitest reporter
// works too (JUnit in CI, for instance).
//
// The checks/<id>.test.ts files call vitest_checks(id); they belong to the
// "checks" vitest project (vitest.config.ts), which `npm test` leaves out:
// on a fresh clone the starters fail their checks, as they should.
import { describe, it } from 'vitest';
import { run_checks } from './checks';
import { load_impl, load_suite, read_manifest, starter_dir } from './files';
import { find_exercise } from './manifest';

/** vitest_checks - declare one vitest test per check of exercise @id, run on exercises/<id>/. */
export function vitest_checks(id: string): void {
  const e = find_exercise(read_manifest(), id);
  describe(`${e.id}: ${e.title}`, async () => {
    const suite = await load_suite(e);
    for (const c of suite.checks) {
      it(`${c.id}: ${c.name}`, async () => {
        // Loaded per test, so an edit between two runs of a watching editor is seen, and a file
        // that does not load fails every check with the reason instead of failing the collection.
        const [result] = await run_checks(suite, await load_impl(e, starter_dir(e)), [c.id]);
        if (!result || result.status !== 'passed') throw new Error(result?.message ?? 'the check did not run');
      });
    }
  });
}

// The order in which `npm test` starts its files. Vitest runs first the files
// it has timings for, longest first; on a fresh clone (CI) it has none and
// runs the largest files first. The longest files here are among the
// smallest (the authoring suites are a few lines over tests/course/
// authoring.ts, and each runs every exercise's checks on its starter,
// reference and decoys), so on CI they started last and ran alone at the end
// on one worker each. Files named below start first, in this order; the rest
// keep vitest's order.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files known to run longest (measured: session 15's full runs), longest first. */
export const LONG_RUNNING_FIRST = [
  'tests/course/authoring-even.test.ts',
  'tests/course/authoring-odd.test.ts',
  'tests/grader/deploy.test.ts',
  'tests/grader/grade.test.ts',
  'tests/grader/attacks.test.ts',
];

export default class long_running_first extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONG_RUNNING_FIRST.findIndex((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
      return i < 0 ? LONG_RUNNING_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i, r: rank(f) }))
      .sort((a, b) => a.r - b.r || a.i - b.i)
      .map((x) => x.f);
  }
}

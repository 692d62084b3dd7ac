// What the check framework itself says about a set of files (run in the
// test process, no grader involved): the expected scores for the fixtures.
import { run_checks } from '../../course/checks';
import { load_impl, load_suite } from '../../course/files';
import type { manifest_exercise } from '../../course/manifest';

/** oracle_points - the points @e's checks give the files in @dir, by the manifest. */
export async function oracle_points(e: manifest_exercise, dir: string): Promise<{ score: number; passed: string[] }> {
  const results = await run_checks(await load_suite(e), await load_impl(e, dir));
  const passed = results.filter((r) => r.status === 'passed').map((r) => r.id);
  const score = e.tests.filter((t) => passed.includes(t.check)).reduce((s, t) => s + t.points, 0);
  return { score, passed };
}

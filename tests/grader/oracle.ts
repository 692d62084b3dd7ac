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

/**
 * oracle_graded - what the grader should give the files in @dir: the points
 * of the checks they pass that the committed starter fails (a check the
 * starter passes guards, and is worth nothing; a failed guard voids them
 * all), and the exercise's maximum.
 */
export async function oracle_graded(e: manifest_exercise, dir: string, starter: string): Promise<{ score: number; max: number; passed: string[]; guards: string[] }> {
  const guards = (await oracle_points(e, starter)).passed;
  const { passed } = await oracle_points(e, dir);
  const paid = e.tests.filter((t) => !guards.includes(t.check));
  // A failed guard (a check the starter passes) voids the exercise (grader/grade.ts, red team 8 #05).
  const broke_a_guard = guards.some((g) => !passed.includes(g));
  const earned = broke_a_guard ? 0 : paid.filter((t) => passed.includes(t.check)).reduce((s, t) => s + t.points, 0);
  return { score: earned, max: paid.reduce((s, t) => s + t.points, 0), passed, guards };
}

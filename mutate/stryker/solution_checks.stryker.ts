// What StrykerJS runs for every mutant of a reference solution: one test per
// check of the exercise named by MUTATE_EXERCISE, each running that check on
// solutions/<id>/ (which Stryker has instrumented with its mutants). A check
// that fails kills the mutant. One test per check lets Stryker's per-test
// coverage run only the checks that reach a mutant.
import { describe, expect, it } from 'vitest';
import { run_checks } from '../../course/checks';
import { load_impl, load_suite, read_manifest, solution_dir } from '../../course/files';

const wanted = process.env.MUTATE_EXERCISE ?? '';
const exercise = read_manifest().exercises.find((e) => e.id === wanted || e.id.startsWith(`${wanted}-`));
if (!exercise) throw new Error(`MUTATE_EXERCISE="${wanted}" names no exercise in exercises/course.json`);
const suite = await load_suite(exercise);

describe(`solutions/${exercise.id} against checks/${exercise.id}.checks.ts`, () => {
  it.each(suite.checks.map((c) => [c.id] as const))('check %s passes', async (id) => {
    const impl = await load_impl(exercise, solution_dir(exercise));
    const [result] = await run_checks(suite, impl, [id]);
    expect(result?.status, result?.message).toBe('passed');
  });
});

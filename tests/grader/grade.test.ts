// The grader on the fixture submissions (tests/grader/fixtures/README.md):
// each gets exactly the score and the messages it should, one exercise's
// crash never touches another, and the same submission grades the same way
// every time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exercise_points } from '../../course/manifest';
import { COURSE_ROOT, solution_dir, starter_dir, variant_dir } from '../../course/files';
import { prepare_base, grade_submission, release_base, type grade_report, type grading_base } from '../../grader/grade';
import { to_classroom, to_exercism, to_gradescope, to_junit } from '../../grader/formats';
import { make_temp } from '../../grader/tree';
import { add_starter_with, EX01, EX02, fixtures, manifest, new_submission } from './fixtures';
import { oracle_graded, oracle_points } from './oracle';

let base: grading_base;
beforeAll(() => {
  base = prepare_base();
});
afterAll(() => release_base(base));

const ex = (r: grade_report, id: string) => r.exercises.find((e) => e.id === id)!;

describe('grading the fixture submissions', () => {
  it('gives full marks to the reference solutions of every exercise: every check passes, and only checks the starter fails carry points', async () => {
    const r = await grade_submission(base, { submission: fixtures.all_solutions() });
    for (const e of r.exercises) {
      const m = manifest.exercises.find((x) => x.id === e.id)!;
      expect({ id: e.id, status: e.status, score: e.score }).toEqual({ id: e.id, status: 'passed', score: e.max_score });
      // Guards (checks the starter passes too) are worth 0; the rest keep the manifest's points.
      const guard_points = e.checks.filter((c) => c.guard).reduce((s, c) => s + (m.tests.find((t) => t.check === c.id)?.points ?? 0), 0);
      expect(e.max_score + guard_points).toBe(exercise_points(m));
      expect(e.max_score).toBeGreaterThan(0);
    }
    expect(r.score).toBe(r.max_score);
  });

  it('gives zero to untouched starters, saying so; credited anyway they still score 0, their passing checks being guards', async () => {
    const r = await grade_submission(base, { submission: fixtures.all_starters(), exercises: ['01', '02'] });
    for (const e of r.exercises) {
      expect(e.status).toBe('unchanged');
      expect(e.score).toBe(0);
      expect(e.message).toMatch(/unchanged from the starter/);
    }
    expect(r.score).toBe(0);
    // A comment added to every starter used to earn the guards' points (15/82): it earns nothing now.
    const credited = await grade_submission(base, { submission: fixtures.all_starters(), exercises: ['01'], credit_unchanged: true, typecheck: false });
    const oracle = await oracle_points(EX01, starter_dir(EX01));
    expect(oracle.passed.length).toBeGreaterThan(0); // the starter does pass some checks: the point of the rule
    expect(ex(credited, EX01.id).score).toBe(0);
    expect(ex(credited, EX01.id).checks.filter((c) => c.status === 'passed').map((c) => c.id)).toEqual(oracle.passed);
    expect(ex(credited, EX01.id).checks.filter((c) => c.guard).map((c) => [c.id, c.score, c.max_score])).toEqual(oracle.passed.map((id) => [id, 0, 0]));
  });

  it('grades a mix exactly as the checks judge each file (01 solved, 02 a decoy)', async () => {
    const { dir, decoy } = fixtures.mix();
    const r = await grade_submission(base, { submission: dir, exercises: EX02 ? ['01', '02'] : ['01'] });
    const o1 = await oracle_graded(EX01, solution_dir(EX01), starter_dir(EX01));
    expect([ex(r, EX01.id).score, ex(r, EX01.id).max_score]).toEqual([o1.score, o1.max]);
    if (EX02) {
      const oracle = await oracle_graded(EX02, decoy ? variant_dir(EX02, 'decoys', decoy) : starter_dir(EX02), starter_dir(EX02));
      expect([ex(r, EX02.id).score, ex(r, EX02.id).max_score]).toEqual([oracle.score, oracle.max]);
      expect(ex(r, EX02.id).checks.filter((c) => c.status === 'passed').map((c) => c.id)).toEqual(oracle.passed);
      expect(ex(r, EX02.id).score).toBeLessThan(ex(r, EX02.id).max_score);
    }
  });

  it('stops an infinite loop at import with a clear timeout message, and still grades the other exercise', async () => {
    // (policy off: the policy refuses code that runs at import; this proves the time limit alone)
    const r = await grade_submission(base, { submission: fixtures.infinite_loop(), exercises: EX02 ? ['01', '02'] : ['01'], timeout_ms: 20_000, typecheck: false, policy: false });
    const e1 = ex(r, EX01.id);
    expect([e1.status, e1.score]).toEqual(['timeout', 0]);
    expect(e1.message).toMatch(/used 20 s of CPU time without finishing and was stopped/);
    for (const c of e1.checks) expect(c.message).toBe(e1.message);
    if (EX02) expect([ex(r, EX02.id).status, ex(r, EX02.id).score]).toEqual(['passed', ex(r, EX02.id).max_score]);
  });

  it('scores process.exit(0) zero: refused by the import policy, and without it the grading realm has no process at all', async () => {
    const sub = fixtures.process_exit();
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
    expect([ex(r, EX01.id).status, ex(r, EX01.id).score]).toEqual(['policy', 0]);
    expect(ex(r, EX01.id).message).toMatch(/i915_gem_shrinker_count\.ts:\d+: uses 'process'/);
    const raw = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, policy: false });
    expect([ex(raw, EX01.id).status, ex(raw, EX01.id).score]).toEqual(['crashed', 0]);
    expect(ex(raw, EX01.id).message).toBe('loading the exercise threw ReferenceError: process is not defined');
  });

  it('reports an edited test file by name and grades with the real checks instead', async () => {
    const r = await grade_submission(base, { submission: fixtures.edits_test(), exercises: ['01'], typecheck: false });
    expect(r.modified).toEqual([EX01.checks]);
    // the starter plus a comment: its passing checks are guards, so 0 (the forged suite passed everything)
    expect(ex(r, EX01.id).score).toBe(0);
    expect(ex(r, EX01.id).checks.filter((c) => c.status === 'passed').map((c) => c.id)).toEqual((await oracle_points(EX01, starter_dir(EX01))).passed);
    expect(to_gradescope(r).output).toContain(`Modified protected files (graded with the course's own versions instead): ${EX01.checks}`);
  });

  it('reports a syntax error as compile_error with file, line and column', async () => {
    const r = await grade_submission(base, { submission: fixtures.syntax_error(), exercises: ['01'] });
    const e1 = ex(r, EX01.id);
    expect([e1.status, e1.score]).toEqual(['compile_error', 0]);
    expect(e1.message).toMatch(new RegExp(`^does not compile:\\nexercises/${EX01.id}/${EX01.files[0]!.replace('.', '\\.')}:\\d+:\\d+ - error TS\\d+: `));
    expect(to_exercism(e1)).toMatchObject({ status: 'error', tests: [] });
  });

  it('reports a missing file by name, with how to restore it', async () => {
    const r = await grade_submission(base, { submission: fixtures.missing_file(), exercises: ['01'] });
    const e1 = ex(r, EX01.id);
    expect([e1.status, e1.score, e1.max_score]).toEqual(['missing', 0, (await oracle_graded(EX01, starter_dir(EX01), starter_dir(EX01))).max]);
    expect(e1.message).toBe(`missing from the submission: exercises/${EX01.id}/${EX01.files[0]} (restore the starter with: npx shrinker-lab reset 01)`);
  });

  it('grades the same submission identically on every run (timings aside)', async () => {
    const { dir } = fixtures.mix();
    const strip = (r: grade_report) => {
      const z = { ...r, execution_time: 0, exercises: r.exercises.map((e) => ({ ...e, ms: 0 })) };
      return JSON.stringify([z, to_gradescope(z), to_classroom(z), to_junit(z), z.exercises.map(to_exercism)]);
    };
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) runs.push(strip(await grade_submission(base, { submission: dir, exercises: EX02 ? ['01', '02'] : ['01'], typecheck: i === 0 })));
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
    expect(runs[0]).not.toContain(base.dir); // no temporary paths leak into results
  });
});

describe('anti-gaming: a starter that tries every trick in tests/grader/fixtures/monkey-patch.txt', () => {
  it('is refused by the import policy, line by line', async () => {
    const r = await grade_submission(base, { submission: fixtures.monkey_patch(), exercises: ['01'], typecheck: false });
    const e1 = ex(r, EX01.id);
    expect([e1.status, e1.score]).toEqual(['policy', 0]);
    expect(e1.message).toMatch(/imports '\.\.\/\.\.\/checks\/01-count-must-not-hide-memory\.checks': a graded file may import only the kernel model/);
    expect(e1.message).toMatch(/uses 'prototype'/);
    expect(e1.message).toMatch(/uses 'globalThis'/);
  });

  it('without the policy, the grading realm refuses its imports of the checks and the explorer: nothing of it runs, 0 points', async () => {
    // Without the type check too: its confined file system already answers "cannot find module" for the checks.
    const r = await grade_submission(base, { submission: fixtures.monkey_patch(), exercises: ['01'], policy: false, typecheck: false });
    const e1 = ex(r, EX01.id);
    expect([e1.status, e1.score]).toEqual(['crashed', 0]);
    expect(e1.message).toBe("loading the exercise threw Error: exercise 01 may import only the kernel model, not 'checks/01-count-must-not-hide-memory.checks'");
    expect(e1.output).toBe('');
  });

  it('without the hardening (learner code in the checker\'s own realm, no sandbox) the same tricks would have scored full marks', async () => {
    const r = await grade_submission(base, { submission: fixtures.monkey_patch(), exercises: ['01'], policy: false, harden: false, sandbox: false, typecheck: false });
    expect(ex(r, EX01.id).score).toBe(ex(r, EX01.id).max_score);
    expect(ex(r, EX01.id).score).toBeGreaterThan(0);
  });

  it('runs the learner code where it can neither write files nor read outside the grading tree, which has no solutions/', async () => {
    expect(existsSync(join(base.dir, 'solutions'))).toBe(false);
    const target = join(make_temp('shrinker-pwn-'), 'results.json');
    const sub = new_submission('writes-files');
    add_starter_with(sub, EX01, `
import { readFileSync, writeFileSync } from 'node:fs';
const tries: string[] = [];
const attempt = (name: string, f: () => unknown) => { try { f(); tries.push(name + ' ok'); } catch (e) { tries.push(name + ' ' + String((e as { code?: string }).code)); } };
attempt('write', () => writeFileSync(${JSON.stringify(target)}, '{"score": 100}'));
attempt('read', () => readFileSync(${JSON.stringify(join(COURSE_ROOT, 'solutions', EX01.id, EX01.files[0]!))}));
attempt('read-up', () => readFileSync(${JSON.stringify('node_modules/../solutions/' + EX01.id + '/' + EX01.files[0]!)}));
declare const console: { log(text: string): void };
console.log(tries.join('; '));
`);
    // In the grading realm the import of node:fs itself is refused.
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, typecheck: false });
    expect([ex(r, EX01.id).status, ex(r, EX01.id).score]).toEqual(['crashed', 0]);
    expect(ex(r, EX01.id).message).toMatch(/imports 'node:fs': a graded file may import only the kernel model/);
    // Under the sandbox alone (the checker's realm), the permission model denies both.
    const raw = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, harden: false, typecheck: false });
    // node_modules is a real folder of the tree: '..' from it is the tree, which has no solutions/.
    expect(ex(raw, EX01.id).output).toBe('write ERR_ACCESS_DENIED; read ERR_ACCESS_DENIED; read-up ENOENT');
    expect(existsSync(target)).toBe(false);
  });
});

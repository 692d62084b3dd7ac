// Hidden tests, class mode, the student template and the Gradescope zip.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURSE_ROOT, solution_dir, starter_dir } from '../../course/files';
import { exercise_points } from '../../course/manifest';
import { grade_batch } from '../../grader/batch';
import { export_student } from '../../grader/export_student';
import { to_gradescope } from '../../grader/formats';
import { grade_submission, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { build_gradescope_zip } from '../../grader/gradescope_zip';
import { compute_checksums, diff_checksums, make_temp, read_checksums } from '../../grader/tree';
import { add_files, EX01, fixtures, new_submission } from './fixtures';
import { GRADESCOPE, validate } from './schemas';
import { hidden_dir } from './hidden';

let base: grading_base;
let hidden: string;
beforeAll(() => {
  hidden = hidden_dir();
  base = prepare_base(COURSE_ROOT, hidden);
});
afterAll(() => release_base(base));

describe('hidden tests', () => {
  it('are graded with their own points and reported after the due date (configurable)', async () => {
    const sub = new_submission('solved');
    add_files(sub, EX01, solution_dir(EX01));
    // (starter_baseline off: this test is about the hidden points themselves; attacks.test.ts grades hidden checks with it on)
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, starter_baseline: false });
    const e = r.exercises[0]!;
    expect(e.checks.filter((c) => c.hidden).map((c) => [c.id, c.score, c.max_score, c.status])).toEqual([
      ['hidden/empty-device-counts-zero', 3, 3, 'passed'],
      ['hidden/impossible', 0, 1, 'failed'],
    ]);
    expect([r.score, r.max_score]).toEqual([exercise_points(EX01) + 3, exercise_points(EX01) + 4]);
    const g = to_gradescope(r);
    expect(validate(g, GRADESCOPE)).toEqual([]);
    expect(g.tests.filter((t) => t.visibility === 'after_due_date').map((t) => t.tags)).toEqual([[EX01.id, 'hidden'], [EX01.id, 'hidden']]);
    expect(to_gradescope({ ...r, hidden_visibility: 'hidden' }).tests.filter((t) => t.visibility === 'hidden')).toHaveLength(2);
    // A hidden suite is never part of what a submission can be compared against.
    expect(r.modified).toEqual([]);
  }, 60_000);

  it('score 0 with the exercise when it cannot be graded', async () => {
    const r = await grade_submission(base, { submission: fixtures.missing_file(), exercises: ['01'], starter_baseline: false });
    expect(r.exercises[0]!.checks.filter((c) => c.hidden).map((c) => [c.id, c.score, c.max_score])).toEqual([
      ['hidden/empty-device-counts-zero', 0, 3],
      ['hidden/impossible', 0, 1],
    ]);
  });
});

describe('class mode', () => {
  it('grades a folder of submissions with a shared pool and writes results per submission and a CSV gradebook', async () => {
    const dir = make_temp('shrinker-class-');
    const a = join(dir, 'alice');
    const b = join(dir, 'bob');
    mkdirSync(a);
    mkdirSync(b);
    mkdirSync(join(dir, 'carol'));
    add_files(a, EX01, solution_dir(EX01));
    add_files(b, EX01, starter_dir(EX01));
    const out = make_temp('shrinker-class-out-');
    let max01 = 0;
    const plain = prepare_base(COURSE_ROOT, null);
    try {
      const rs = await grade_batch(plain, dir, out, { exercises: ['01'], jobs: 2, typecheck: false });
      max01 = rs.reports[0]!.max_score;
      expect(max01).toBeGreaterThan(0);
      expect(rs.reports.map((r) => [r.submission, r.score, r.max_score])).toEqual([['alice', max01, max01], ['bob', 0, max01], ['carol', 0, max01]]);
    } finally {
      release_base(plain);
    }
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8')).toBe(`submission,${EX01.id},total,max,modified_files,incidents\nalice,${max01},${max01},${max01},,0\nbob,0,0,${max01},,0\ncarol,0,0,${max01},,0\n`);
    for (const n of ['alice', 'bob', 'carol']) expect(existsSync(join(out, n, 'results.json'))).toBe(true);
  }, 120_000);
});

describe('export-student', () => {
  it('writes the template: no solutions, no hidden or authoring tests, starters, a grading workflow, valid checksums', () => {
    const dest = join(make_temp('shrinker-export-'), 'template');
    export_student(COURSE_ROOT, dest);
    expect(existsSync(join(dest, 'solutions'))).toBe(false);
    expect(existsSync(join(dest, 'tests/course/authoring.test.ts'))).toBe(false);
    expect(existsSync(join(dest, 'tests/grader'))).toBe(false);
    expect(existsSync(join(dest, 'docs/instructors.md'))).toBe(false);
    expect(existsSync(join(dest, '.shrinker-lab'))).toBe(false);
    expect(existsSync(join(dest, 'node_modules'))).toBe(false);
    for (const f of EX01.files) expect(readFileSync(join(dest, 'exercises', EX01.id, f), 'utf8')).toBe(readFileSync(join(starter_dir(EX01), f), 'utf8'));
    const wf = readFileSync(join(dest, '.github/workflows/classroom.yml'), 'utf8');
    expect(wf).toMatch(/^name: Autograding Tests$/m);
    expect(wf).toMatch(/^  run-autograding-tests:$/m);
    expect(wf).toContain('npm run -s grade -- --out .grade');
    expect(wf).toContain('classroom-resources/autograding-grading-reporter@v1');
    expect(diff_checksums(read_checksums(dest)!, compute_checksums(dest))).toEqual({ modified: [], missing: [], added: [] });
    expect(JSON.parse(readFileSync(join(dest, 'package.json'), 'utf8')).scripts.grade).toBeDefined();
    expect(() => export_student(COURSE_ROOT, dest)).toThrow(/not empty/);
  });
});

describe('gradescope:zip', () => {
  it('builds a zip with setup.sh and run_autograder (executable) and the course without solutions, which grades offline', () => {
    const file = join(make_temp('shrinker-zip-'), 'autograder.zip');
    build_gradescope_zip(COURSE_ROOT, file, hidden);
    const listing = execFileSync('unzip', ['-Z', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x.* setup\.sh$/m);
    expect(listing).toMatch(/^-rwxr-xr-x.* run_autograder$/m);
    expect(listing).toMatch(/ course\/grader\/main\.ts$/m);
    expect(listing).toMatch(/ course\/package-lock\.json$/m);
    expect(listing).toMatch(new RegExp(` hidden/${EX01.id}\\.checks\\.ts$`, 'm'));
    expect(listing).not.toMatch(/solutions\//);
    // Play Gradescope: unpack, "npm ci" (a link to our node_modules), run run_autograder's command on an upload of one file.
    const gs = make_temp('shrinker-gs-');
    execFileSync('unzip', ['-q', file, '-d', join(gs, 'source')]);
    symlinkSync(join(COURSE_ROOT, 'node_modules'), join(gs, 'source/course/node_modules'));
    const upload = join(gs, 'submission');
    mkdirSync(upload);
    for (const f of EX01.files) writeFileSync(join(upload, f), readFileSync(join(solution_dir(EX01), f)));
    const script = readFileSync(join(gs, 'source/run_autograder'), 'utf8').replaceAll('/autograder', gs);
    expect(statSync(join(gs, 'source/run_autograder')).mode & 0o111).not.toBe(0);
    writeFileSync(join(gs, 'run.sh'), script);
    execFileSync('bash', [join(gs, 'run.sh')], { encoding: 'utf8', env: { ...process.env, PATH: `${process.execPath.replace(/\/node$/, '')}:${process.env.PATH}` } });
    const g = JSON.parse(readFileSync(join(gs, 'results/results.json'), 'utf8'));
    expect(validate(g, GRADESCOPE)).toEqual([]);
    const ex01 = g.tests.filter((t: { tags: string[] }) => t.tags[0] === EX01.id);
    // The solution passes every check but the impossible hidden one; checks the starter passes are worth 0.
    expect(ex01.reduce((s: number, t: { score: number }) => s + t.score, 0)).toBe(ex01.reduce((s: number, t: { max_score: number }) => s + t.max_score, 0) - 1);
  }, 180_000);
});

// Hidden tests, class mode, the student template and the Gradescope zip.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURSE_ROOT, solution_dir, starter_dir } from '../../course/files';
import { exercise_points, type course_manifest } from '../../course/manifest';
import { grade_batch } from '../../grader/batch';
import { export_student, needs_solutions } from '../../grader/export_student';
import { to_gradescope } from '../../grader/formats';
import { grade_submission, prepare_base, release_base, submission_layout, type grading_base } from '../../grader/grade';
import { build_gradescope_zip } from '../../grader/gradescope_zip';
import { compute_checksums, diff_checksums, make_temp, read_checksums } from '../../grader/tree';
import { add_files, EX01, fixtures, manifest, new_submission } from './fixtures';
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
    // The total counts the hidden points: released with them. Visible tests say so themselves, and
    // the summary a student reads sums the visible checks only.
    expect(g.visibility).toBe('after_due_date');
    expect(g.tests.filter((t) => !t.tags.includes('hidden')).every((t) => t.visibility === 'visible')).toBe(true);
    expect(g.output).toContain(`${exercise_points(EX01)}/${exercise_points(EX01)} points (visible checks`);
    expect(to_gradescope({ ...r, exercises: r.exercises.map((x) => ({ ...x, checks: x.checks.filter((c) => !c.hidden) })) }).visibility).toBe('visible');
    // A hidden suite is never part of what a submission can be compared against.
    expect(r.modified).toEqual([]);
  });

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
  });
});

describe('export-student', () => {
  it('exports what git tracks at HEAD, never the working tree: a dirty clone leaks no submission, grade, .env, hidden test or local solution', () => {
    // A clone of the course (its HEAD), made dirty the way an instructor's checkout is.
    const clone = join(make_temp('shrinker-export-src-'), 'course');
    execFileSync('git', ['clone', '-q', '--shared', COURSE_ROOT, clone]);
    const plant = (rel: string, text: string) => {
      mkdirSync(dirname(join(clone, rel)), { recursive: true });
      writeFileSync(join(clone, rel), text);
    };
    plant('submissions/alice/01/i915_gem_shrinker_count.ts', '// alice-submission-7a1\n');
    plant('grades/gradebook.csv', 'alice,10 // grades-7a1\n');
    plant('.env', 'TOKEN=env-secret-7a1\n');
    plant('instructor-only/01.checks.ts', '// hidden-under-another-name-7a1\n');
    const solved = join(clone, 'exercises', EX01.id, EX01.files[0]!);
    writeFileSync(solved, readFileSync(join(solution_dir(EX01), EX01.files[0]!), 'utf8').replaceAll("'../../../", "'../../") + '\n// locally-solved-7a1\n');
    expect(() => export_student(clone, join(clone, 'template'))).toThrow(/is inside the course/);
    const dest = join(make_temp('shrinker-export-'), 'template');
    const r = export_student(clone, dest);
    const leaked = (() => {
      try {
        return execFileSync('grep', ['-rl', '-e', '-7a1', dest], { encoding: 'utf8' });
      } catch {
        return '';
      }
    })();
    expect(leaked).toBe('');
    for (const f of EX01.files) expect(readFileSync(join(dest, 'exercises', EX01.id, f), 'utf8')).toBe(execFileSync('git', ['show', `HEAD:exercises/${EX01.id}/${f}`], { cwd: clone, encoding: 'utf8' }));
    for (const gone of ['solutions', 'submissions', 'grades', '.env', 'instructor-only', 'tests/grader', 'docs/instructors.md', '.shrinker-lab', 'node_modules', 'mutate']) expect([gone, existsSync(join(dest, gone))]).toEqual([gone, false]);
    // Nothing exported needs the solutions: no import of solutions/, no test using the solution helpers.
    expect(r.left_out).toContain('tests/course/authoring.ts');
    const exported = execFileSync('git', ['ls-files'], { cwd: clone, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts') && existsSync(join(dest, f)));
    expect(needs_solutions(exported, (f) => readFileSync(join(dest, f), 'utf8'))).toEqual(new Set());
    const wf = readFileSync(join(dest, '.github/workflows/classroom.yml'), 'utf8');
    expect(wf).toMatch(/^name: Autograding Tests$/m);
    expect(wf).toMatch(/^  run-autograding-tests:$/m);
    expect(wf).toContain('npm run -s grade -- --out .grade');
    expect(wf).toContain('classroom-resources/autograding-grading-reporter@v1');
    expect(diff_checksums(read_checksums(dest)!, compute_checksums(dest))).toEqual({ modified: [], missing: [], added: [] });
    expect(JSON.parse(readFileSync(join(dest, 'package.json'), 'utf8')).scripts.grade).toBeDefined();
    expect(statSync(join(dest, 'bin/shrinker-lab.js')).mode & 0o111).not.toBe(0);
    expect(() => export_student(clone, dest)).toThrow(/not empty/);
  });

  it('the template type-checks without the solutions (the first step of its own npm test)', () => {
    const dest = join(make_temp('shrinker-export-tc-'), 'template');
    export_student(COURSE_ROOT, dest);
    symlinkSync(join(COURSE_ROOT, 'node_modules'), join(dest, 'node_modules'));
    const tsc = join(COURSE_ROOT, 'node_modules/typescript/bin/tsc');
    expect(() => execFileSync(process.execPath, [tsc, '--noEmit', '-p', dest], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});

describe('gradescope:zip', () => {
  it('builds a zip whose real setup.sh builds and whose run_autograder grades, in the /autograder layout under a temporary root', () => {
    const file = join(make_temp('shrinker-zip-'), 'autograder.zip');
    build_gradescope_zip(COURSE_ROOT, file, hidden);
    const listing = execFileSync('unzip', ['-Z', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x.* setup\.sh$/m);
    expect(listing).toMatch(/^-rwxr-xr-x.* run_autograder$/m);
    expect(listing).toMatch(/ course\/grader\/main\.ts$/m);
    expect(listing).toMatch(/ course\/package-lock\.json$/m);
    expect(listing).toMatch(new RegExp(` hidden/${EX01.id}\\.checks\\.ts$`, 'm'));
    expect(listing).not.toMatch(/solutions\//);
    expect(listing).not.toMatch(/node_modules\//);
    // Play Gradescope: /autograder/source is the unpacked zip, node_modules is "installed" (a link to
    // ours: no network here), setup.sh runs once, then run_autograder on an upload.
    const gs = make_temp('shrinker-gs-');
    execFileSync('unzip', ['-q', file, '-d', join(gs, 'source')]);
    symlinkSync(join(COURSE_ROOT, 'node_modules'), join(gs, 'source/course/node_modules'));
    const env = { ...process.env, AUTOGRADER_ROOT: gs, SHRINKER_LAB_NODE_MODULES_READY: '1', PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
    const setup = execFileSync('bash', [join(gs, 'source/setup.sh')], { encoding: 'utf8', env });
    expect(setup).toContain('setup.sh: the grader runs');
    // The upload: 01 solved (flat file name), 05 and 08 solved and qualified as NN-<file> (how a
    // course whose exercises share a file name must upload them; accepted for any exercise).
    const upload = join(gs, 'submission');
    mkdirSync(upload);
    for (const f of EX01.files) writeFileSync(join(upload, f), readFileSync(join(solution_dir(EX01), f)));
    const shared = manifest.exercises.filter((e) => /^0[58]-/.test(e.id));
    expect(shared).toHaveLength(2);
    for (const e of shared) for (const f of e.files) writeFileSync(join(upload, `${e.id.slice(0, 2)}-${f}`), readFileSync(join(solution_dir(e), f)));
    execFileSync('bash', [join(gs, 'source/run_autograder')], { encoding: 'utf8', env });
    const g = JSON.parse(readFileSync(join(gs, 'results/results.json'), 'utf8'));
    expect(validate(g, GRADESCOPE)).toEqual([]);
    // The zip carries hidden checks: the total (which counts them) is released after the due date.
    expect(g.visibility).toBe('after_due_date');
    expect(g.output).toMatch(/^Shrinker Lab: \d+\/\d+ points \(visible checks/);
    const of = (id: string) => g.tests.filter((t: { tags: string[] }) => t.tags[0] === id);
    const sum = (ts: { score: number; max_score: number }[], k: 'score' | 'max_score') => ts.reduce((s, t) => s + t[k], 0);
    // Every check passes but the impossible hidden one; checks the starter passes are worth 0.
    expect(sum(of(EX01.id), 'score')).toBe(sum(of(EX01.id), 'max_score') - 1);
    for (const e of shared) {
      expect(of(e.id).every((t: { status: string }) => t.status === 'passed')).toBe(true);
      expect(sum(of(e.id), 'score')).toBe(sum(of(e.id), 'max_score'));
    }
  }, 900_000);

  it('explains a shared file name uploaded bare: which exercises share it and how to name it', () => {
    // Today's course gives every exercise its own file name; a course may not. Two that share one:
    const twins = { format_version: 1, exercises: [{ id: '05-a', files: ['shared.ts'] }, { id: '08-b', files: ['shared.ts'] }] } as unknown as course_manifest;
    const sub = new_submission('bare-shared-name');
    writeFileSync(join(sub, 'shared.ts'), 'export {};\n');
    const layout = submission_layout(sub, twins);
    for (const e of twins.exercises) {
      expect(layout.locate(e, 'shared.ts')).toEqual({ missing: 'shared.ts (exercises 05 and 08 both edit a file of this name: upload it as 05-shared.ts and 08-shared.ts, or in folders 05/ and 08/)' });
    }
    writeFileSync(join(sub, '08-shared.ts'), 'export {};\n');
    expect(layout.locate(twins.exercises[1]!, 'shared.ts')).not.toHaveProperty('missing');
  });
});

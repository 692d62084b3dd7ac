// Grader red team, round 9 (/work/coord/s9/grader-redteam9.md; attacks in /work/gr9-attacks/): one test
// per class closed this round, each failing without its fix. (#13, a file the compiler cannot read,
// is tests/grader/reader.test.ts.)
import { execFileSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COURSE_ROOT } from '../../course/files';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade_batch, list_submissions } from '../../grader/batch';
import { committed_starter, grade_submission, make_limiter, prepare_base, read_points, release_base, STARTERS_DIR, type grading_base } from '../../grader/grade';
import { export_student } from '../../grader/export_student';
import { build_gradescope_zip } from '../../grader/gradescope_zip';
import { hidden_from, incident_lines, main, parse_args, usage_error } from '../../grader/main';
import { check_policy } from '../../grader/policy';
import { write_results } from '../../grader/output';
import { shown_name } from '../../grader/text';
import { file_digest, make_temp, protected_files } from '../../grader/tree';
import { add_starter_with, EX01, manifest, new_submission } from './fixtures';
import { hidden_dir } from './hidden';

describe('round 9, 02: a number of jobs that starts no child', () => {
  it('--jobs 0.5 is refused as a usage error (it floored to 0: nothing ran, status 0, no results)', async () => {
    const out = join(make_temp('shrinker-jobs9-'), 'out');
    // The bin turns a usage_error into exit 2 with the message and the usage.
    await expect(main(['--submission', new_submission('jobs'), '--jobs', '0.5', '--out', out])).rejects.toThrow(usage_error);
    await expect(main(['--submission', new_submission('jobs'), '--jobs', '0.5', '--out', out])).rejects.toThrow(/--jobs must be a whole number of at least 1 \(got "0.5"\)/);
    expect(existsSync(out)).toBe(false);
    expect(() => make_limiter(0)).toThrow(/at least 1/);
  });
});

describe('round 9, 09: result files are never written through a link', () => {
  it('a summary.txt, results.json or exercism/ that is a link in the output folder is replaced, and what it led to is untouched', () => {
    const tmp = make_temp('shrinker-outlink9-');
    const victim = join(tmp, 'instructor-file.txt');
    const victim_dir = join(tmp, 'instructor-dir');
    writeFileSync(victim, "instructor's precious file\n");
    mkdirSync(victim_dir);
    const out = join(tmp, 'student-folder');
    mkdirSync(join(out, 'exercism'), { recursive: true });
    symlinkSync(victim, join(out, 'summary.txt'));
    symlinkSync(victim, join(out, 'results.json'));
    symlinkSync(victim_dir, join(out, 'exercism', EX01.id));
    const report = { submission: 's', score: 0, max_score: 8, exercises: [{ id: EX01.id, title: 't', status: 'failed' as const, message: '', score: 0, max_score: 8, checks: [], output: '', ms: 0 }], modified: [], grader_modified: [], hidden_visibility: 'after_due_date' as const, execution_time: 0 };
    write_results(report, out);
    expect(readFileSync(victim, 'utf8')).toBe("instructor's precious file\n");
    expect(existsSync(join(victim_dir, 'results.json'))).toBe(false);
    for (const f of ['summary.txt', 'results.json', `exercism/${EX01.id}`, `exercism/${EX01.id}/results.json`]) expect(lstatSync(join(out, f)).isSymbolicLink(), f).toBe(false);
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toMatch(/^Shrinker Lab: /);
  });

  it("class mode with --out the class folder: a link named gradebook.csv, or in a student's folder, leads nowhere", async () => {
    const tmp = make_temp('shrinker-batchlink9-');
    const victim = join(tmp, 'victim.txt');
    writeFileSync(victim, 'untouched\n');
    const dir = join(tmp, 'class');
    mkdirSync(join(dir, 'alice'), { recursive: true });
    symlinkSync(victim, join(dir, 'gradebook.csv'));
    symlinkSync(victim, join(dir, 'alice', 'junit.xml'));
    const stand_in = (async (_b: grading_base, o: { submission?: string }) => ({ submission: o.submission!, score: 0, max_score: 0, exercises: [], modified: [], grader_modified: [], hidden_visibility: 'after_due_date', execution_time: 0 })) as unknown as Parameters<typeof grade_batch>[4];
    const fake_base = { manifest: { exercises: [] } } as unknown as grading_base;
    await grade_batch(fake_base, dir, dir, {}, stand_in);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(dir, 'gradebook.csv')).isFile()).toBe(true);
    expect(lstatSync(join(dir, 'alice', 'junit.xml')).isFile()).toBe(true);
  });
});

describe('round 9, 07: a namespace that is a thenable', () => {
  it('the policy names every way of exporting `then`', () => {
    const root = make_temp('shrinker-pol9-');
    const target = join(root, 'exercises/01-x/f.ts');
    mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
    writeFileSync(target, 'export function then(): void {}\nfunction g(): void {}\nexport { g as then };\nexport const { then: x } = { then: 1 };\nexport class C {}\n');
    const v = check_policy(root, target, 'f.ts').filter((x) => /exports a name `then`/.test(x.message)).map((x) => x.where);
    expect(v).toEqual(['f.ts:1', 'f.ts:3']);
  });
});

describe('round 9, 01 and 07: what the grading child sends back', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base();
  });
  afterAll(() => release_base(base));

  it('a file that exports `then` is refused by the realm (policy off): its then() never runs while the grader loads it', async () => {
    const sub = new_submission('then-export');
    add_starter_with(sub, EX01, "\nexport function then(resolve: (v: unknown) => void): void {\n  console.log('THEN RAN at import');\n  resolve({});\n}\n");
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, policy: false, starter_baseline: false });
    const e = r.exercises[0]!;
    expect(e.output).not.toMatch(/THEN RAN/);
    expect(e.status).toBe('crashed');
    expect(e.message).toMatch(/i915_gem_shrinker_count\.ts exports a name `then`: a graded file may not/);
  });

  it('a 4 MB thrown message is cut in the worker: the checks report, failed, instead of "ended before reporting"', async () => {
    const sub = new_submission('huge-message');
    add_starter_with(sub, EX01, "\nexport function huge(): never {\n  throw new Error('A'.repeat(4_000_000));\n}\n");
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), readFileSync(join(sub, EX01.id, EX01.files[0]!), 'utf8').replace(/(export (?:async )?function i915_gem_shrinker_count\([^)]*\)[^{]*\{)/, '$1\n  huge();'));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, starter_baseline: false });
    const e = r.exercises[0]!;
    expect(e.message).not.toMatch(/ended before reporting/);
    expect(e.status).toBe('failed');
    expect(e.incidents ?? []).toEqual([]);
    expect(e.checks.every((c) => c.status === 'failed' && c.message.length <= 10_000)).toBe(true);
    expect(e.checks.some((c) => /AAAA/.test(c.message))).toBe(true);
  });
});

describe('round 9: what an instructor gives the grader', () => {
  it('19: an empty option value is refused (--submission "" graded the instructor\'s own checkout, with no hidden tests)', () => {
    for (const o of ['--submission', '--hidden', '--out']) expect(() => parse_args([o, ''])).toThrow(/needs a value \(got an empty one\)/);
  });

  it('03/23: a hidden points file is required, JSON, and every value a number >= 0: it names the hidden checks', () => {
    const d = make_temp('shrinker-points9-');
    const f = join(d, 'x.points.json');
    expect(() => read_points(f, 'x.checks.ts')).toThrow(/hidden suite x\.checks\.ts has no x\.points\.json/);
    writeFileSync(f, '{"points": {"a": "3"}}');
    expect(() => read_points(f, 'x.checks.ts')).toThrow(/the points of "a" must be a number >= 0 \(got "3"\)/);
    writeFileSync(f, '{points');
    expect(() => read_points(f, 'x.checks.ts')).toThrow(/x\.points\.json is not JSON/);
    writeFileSync(f, '{"points": {"a": 3, "b-2": 0}}');
    expect(read_points(f, 'x.checks.ts')).toEqual({ a: 3, 'b-2': 0 });
    // A suite without its points file stops prepare_base, by name (its ids were guessed from its text).
    const hidden = hidden_dir();
    rmSync(join(hidden, `${EX01.id}.points.json`));
    expect(() => prepare_base(undefined, hidden)).toThrow(new RegExp(`hidden suite ${EX01.id}\\.checks\\.ts has no ${EX01.id}\\.points\\.json`));
  });

  it('21: a hidden suite that is a link goes into the Gradescope zip as a file', () => {
    const d = make_temp('shrinker-zip9-');
    const priv = hidden_dir();
    const hidden = join(d, 'hidden');
    mkdirSync(hidden);
    symlinkSync(join(priv, `${EX01.id}.checks.ts`), join(hidden, `${EX01.id}.checks.ts`));
    cpSync(join(priv, `${EX01.id}.points.json`), join(hidden, `${EX01.id}.points.json`));
    const zip = join(d, 'ag.zip');
    build_gradescope_zip(COURSE_ROOT, zip, hidden, null);
    const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n');
    expect(names).toContain(`hidden/${EX01.id}.checks.ts`);
    expect(names).toContain(`hidden/${EX01.id}.points.json`);
  });

  it('04: incidents reach the instructor in single mode (terminal and incidents.txt), never a GitHub Actions log', () => {
    const r = { exercises: [{ id: EX01.id, incidents: ['a line without the result marker: "x\u001b[2J"'] }] } as unknown as Parameters<typeof incident_lines>[0];
    expect(incident_lines(r, {})).toEqual([`incident in ${EX01.id}: a line without the result marker: "x"`]);
    expect(incident_lines(r, { GITHUB_ACTIONS: 'true' })).toEqual([]);
  });
});

describe('round 9: what a class folder holds', () => {
  it("17: a folder whose name starts with '.' is listed as skipped, with why", () => {
    const d = make_temp('shrinker-dot9-');
    mkdirSync(join(d, '.carol'));
    mkdirSync(join(d, 'alice'));
    const l = list_submissions(d);
    expect(l.names).toEqual(['alice']);
    expect(l.skipped.map((s) => s.name)).toEqual(['.carol']);
    expect(l.skipped[0]!.why).toMatch(/starting with '\.', not graded/);
  });

  it('22: invisible characters in a name are shown escaped, never as another student\'s name', () => {
    for (const n of ['alice\u200b', 'ali\u200dce', '\ufeffalice', 'alice\u2060', 'alice\u{e0041}']) {
      expect(shown_name(n)).not.toBe('alice');
      expect(shown_name(n)).toMatch(/\\u/);
    }
    expect(shown_name('alice')).toBe('alice');
    expect(shown_name('zoë-ñ')).toBe('zoë-ñ');
  });
});

describe('round 9, 16: protected files too large to be the course\'s', () => {
  it('are called modified without being read: grading costs this process no more than an ordinary repository', async () => {
    const base = prepare_base();
    try {
      const repo = new_submission('sparse');
      add_starter_with(join(repo, 'exercises'), EX01, '\n// an edit\n');
      const huge = protected_files(base.dir).slice(0, 3);
      for (const f of huge) {
        mkdirSync(dirname(join(repo, f)), { recursive: true });
        // 300 MB each, sparse: next to nothing on disk.
        const fd = openSync(join(repo, f), 'w');
        ftruncateSync(fd, 300 * 1024 * 1024);
        closeSync(fd);
      }
      const c = process.cpuUsage();
      const r = await grade_submission(base, { submission: repo, exercises: ['01'], typecheck: false, starter_baseline: false });
      const d = process.cpuUsage(c);
      expect(r.modified).toEqual(expect.arrayContaining(huge));
      // Reading them (a latin1 string and a sha256 of 300 MB each) cost seconds of this process's CPU.
      const read_one = process.cpuUsage();
      file_digest(join(repo, huge[0]!));
      const one = process.cpuUsage(read_one);
      // Three of them read: three times that; now less than reading one.
      expect((d.user + d.system) / 1000).toBeLessThan((one.user + one.system) / 1000 + 1000);
      expect((one.user + one.system) / 1000).toBeGreaterThan(500);
    } finally {
      release_base(base);
    }
  });
});

describe("round 9, 20: a student's repository, whose HEAD holds their answers", () => {
  it("the starter is the course's recorded one, never the graded repository's HEAD", () => {
    const root = make_temp('shrinker-starter9-');
    mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
    writeFileSync(join(root, 'exercises/01-x/f.ts'), 'export const answer = 1;\n');
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=s', '-c', 'user.email=s@x', ...a], { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'my answer to 01');
    // The authoring repository: no recorded starters, HEAD is the starter.
    expect(committed_starter(root, '01-x', 'f.ts')).toBe('export const answer = 1;\n');
    // An exported template: its recorded starter wins over HEAD.
    mkdirSync(join(root, STARTERS_DIR, '01-x'), { recursive: true });
    writeFileSync(join(root, STARTERS_DIR, '01-x/f.ts.starter'), 'export const todo = 0;\n');
    expect(committed_starter(root, '01-x', 'f.ts')).toBe('export const todo = 0;\n');
  });

  it('export-student records every starter as it is at HEAD, among the protected files; committed hidden suites stay out (#05)', () => {
    // A clone of the course where the instructor committed hidden suites under another folder.
    const clone = join(make_temp('shrinker-clone9-'), 'course');
    execFileSync('git', ['clone', '-q', COURSE_ROOT, clone], { stdio: 'ignore' });
    mkdirSync(join(clone, 'instructor/private-tests'), { recursive: true });
    writeFileSync(join(clone, `instructor/private-tests/${EX01.id}.checks.ts`), '// hidden\n');
    writeFileSync(join(clone, `instructor/private-tests/${EX01.id}.points.json`), '{"points": {"x": 1}}\n');
    execFileSync('git', ['-c', 'user.name=i', '-c', 'user.email=i@x', 'add', 'instructor'], { cwd: clone, stdio: 'ignore' });
    execFileSync('git', ['-c', 'user.name=i', '-c', 'user.email=i@x', 'commit', '-qm', 'private tests'], { cwd: clone, stdio: 'ignore' });
    const dest = join(make_temp('shrinker-export9-'), 'template');
    const r = export_student(clone, dest);
    expect(existsSync(join(dest, 'instructor'))).toBe(false);
    expect(r.hidden_like).toEqual([`instructor/private-tests/${EX01.id}.checks.ts`, `instructor/private-tests/${EX01.id}.points.json`]);
    const listed = protected_files(dest);
    for (const e of manifest.exercises) {
      for (const f of e.files) {
        const rel = `${STARTERS_DIR}/${e.id}/${f}.starter`;
        expect(readFileSync(join(dest, rel), 'utf8')).toBe(execFileSync('git', ['show', `HEAD:exercises/${e.id}/${f}`], { cwd: clone, encoding: 'utf8' }));
        expect(listed).toContain(rel);
      }
    }
  });
});

describe('round 9, 24: --hidden-from in class mode', () => {
  it('is decided once for the whole batch, and a date needs its time and offset', async () => {
    const dir = make_temp('shrinker-batchfrom9-');
    for (const n of ['a', 'b', 'c']) mkdirSync(join(dir, n));
    const seen: (boolean | undefined)[] = [];
    const stand_in = (async (_b: grading_base, o: { submission?: string; hidden_pending?: boolean }) => {
      seen.push(o.hidden_pending);
      return { submission: o.submission!, score: 0, max_score: 0, exercises: [], modified: [], grader_modified: [], hidden_visibility: 'after_due_date', execution_time: 0 };
    }) as unknown as Parameters<typeof grade_batch>[4];
    const fake_base = { manifest: { exercises: [] } } as unknown as grading_base;
    await grade_batch(fake_base, dir, join(make_temp('shrinker-out9-'), 'o'), { hidden_from: new Date(Date.now() + 3600_000) }, stand_in);
    await grade_batch(fake_base, dir, join(make_temp('shrinker-out9-'), 'o'), { hidden_from: new Date(Date.now() - 1000) }, stand_in);
    expect(seen).toEqual([true, true, true, false, false, false]);
    expect(() => hidden_from(parse_args(['--hidden-from', '2026-12-18']))).toThrow(/a date, a time and its offset/);
    expect(() => hidden_from(parse_args(['--hidden-from', '2026-12-18T23:59:00']))).toThrow(/a date, a time and its offset/);
    expect(hidden_from(parse_args(['--hidden-from', '2026-12-18T23:59:00-08:00']))?.toISOString()).toBe('2026-12-19T07:59:00.000Z');
  });
});

describe('round 9, 06: the Gradescope zip of a working tree where 01 was solved', () => {
  it('ships the committed starters, never the working tree\'s edits of them', () => {
    const clone = join(make_temp('shrinker-zipclone9-'), 'course');
    execFileSync('git', ['clone', '-q', COURSE_ROOT, clone], { stdio: 'ignore' });
    symlinkSync(join(COURSE_ROOT, 'node_modules'), join(clone, 'node_modules'));
    const f = `exercises/${EX01.id}/${EX01.files[0]}`;
    const starter = readFileSync(join(clone, f), 'utf8');
    writeFileSync(join(clone, f), '// solved locally by the instructor\n');
    const zip = join(make_temp('shrinker-zip9-'), 'ag.zip');
    build_gradescope_zip(clone, zip, null, null);
    expect(execFileSync('unzip', ['-p', zip, `course/${f}`], { encoding: 'utf8' })).toBe(starter);
  });
});

describe('round 9, 11: an exported object of plain values as a place for state', () => {
  it('may be read through its fields, never handed on (a function given it writes through its parameter)', () => {
    const root = make_temp('shrinker-box9-');
    const target = join(root, 'exercises/01-x/f.ts');
    mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
    writeFileSync(
      target,
      'export const tuning = { calls: 0, last: 0 };\n' +
        'function note(into: { calls: number }, n: number): number {\n  into.calls += 1;\n  return n;\n}\n' +
        'export function f(n: number): number {\n  const alias = tuning;\n  return note(tuning, n) + alias.last + tuning.last + tuning[\'calls\'];\n}\n',
    );
    const v = check_policy(root, target, 'f.ts').filter((x) => /uses `tuning` itself/.test(x.message)).map((x) => x.where);
    expect(v).toEqual(['f.ts:7', 'f.ts:8']);
  });
});

// Grader red team, round 10 (/work/coord/s10/grader-redteam10.md; attacks in /work/gr10-attacks/): one
// test per class closed this round, each failing without its fix.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COURSE_ROOT, read_manifest, solution_dir, starter_dir } from '../../course/files';
import { grade_batch } from '../../grader/batch';
import { summary_text, to_exercism, to_gradescope } from '../../grader/formats';
import { failed_report, grade_submission, prepare_base, read_hidden, release_base, type grade_report, type grading_base } from '../../grader/grade';
import { build_gradescope_zip } from '../../grader/gradescope_zip';
import { check_hidden, run_grade } from '../../grader/main';
import { check_policy } from '../../grader/policy';
import { module_state_violations } from '../../course/module_state';
import ts from 'typescript';
import vm from 'node:vm';
import { realm } from '../../course/realm';
import { make_temp } from '../../grader/tree';
import { add_files, EX01, manifest, new_submission, snippet } from './fixtures';
import { hidden_dir } from './hidden';

/** What a student sees of @r before the due date: results.json's visible part, summary.txt, Exercism. */
function student_view(r: grade_report): string {
  const g = to_gradescope(r);
  return JSON.stringify({ output: g.output, tests: g.tests.filter((t) => t.visibility === 'visible'), summary: summary_text(r), exercism: r.exercises.map(to_exercism) });
}

describe('round 10, 02: a broken guard, voided, says the same whatever a hidden check did', () => {
  let base: grading_base;
  beforeAll(() => {
    // A hidden check the starter fails: count answers 5 on NUMA node 7.
    const hidden = make_temp('shrinker-hidden10-');
    const suite = `import { define_checks, fail, pass, type exercise_impl } from '../../course/checks';
import { run_once } from '../../course/check_helpers';
import { gem_world, WORLD_PARAMS } from '../../scenarios/i915_world';
import type { drm_i915_private } from '../../kernel/drivers/gpu/drm/i915/i915_drv';
import { GFP_KERNEL } from '../../kernel/mm/gfp';
type count_fn = (i915: drm_i915_private, sc: unknown) => Promise<number>;
export default define_checks({
  exercise: '${EX01.id}',
  exports: { i915_gem_shrinker_count: 'async function i915_gem_shrinker_count(i915, sc): Promise<number>' },
  checks: [
    { id: 'secret-five', name: 'a hidden workload', async run(impl: exercise_impl) {
        const w = { i915: null as drm_i915_private | null };
        const { value } = await run_once(WORLD_PARAMS, async () => (impl.i915_gem_shrinker_count as count_fn)(w.i915!, { gfp_mask: GFP_KERNEL, nr_to_scan: 0, nid: 7, memcg: null }), () => { w.i915 = gem_world({ release: '4.12', shrinker_ops: { count: impl.i915_gem_shrinker_count as count_fn } }).i915; });
        return value === 5 ? pass('5') : fail(\`counted \${String(value)}\`);
    } },
  ],
});
`;
    writeFileSync(join(hidden, `${EX01.id}.checks.ts`), suite);
    writeFileSync(join(hidden, `${EX01.id}.points.json`), JSON.stringify({ points: { 'secret-five': 3 } }));
    base = prepare_base(undefined, hidden);
  });
  afterAll(() => release_base(base));

  /** The starter, counting one too many (a visible guard breaks), answering @nid7 on node 7. */
  function probe(name: string, nid7: number): string {
    const sub = new_submission(name);
    add_files(sub, EX01, starter_dir(EX01));
    const f = join(sub, EX01.id, EX01.files[0]!);
    const text = readFileSync(f, 'utf8');
    expect(text).toContain('export async function i915_gem_shrinker_count(');
    writeFileSync(f, `${text.replace('export async function i915_gem_shrinker_count(', 'async function starter_count(')}
export async function i915_gem_shrinker_count(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  if (sc.nid === 7) return ${nid7};
  return 1 + (await starter_count(i915, sc));
}
`);
    return sub;
  }

  it('a probe whose hidden check passes and one whose hidden check fails look the same to the student', async () => {
    const a = await grade_submission(base, { submission: probe('probe-a', 5), exercises: ['01'], typecheck: false });
    const b = await grade_submission(base, { submission: probe('probe-b', 6), exercises: ['01'], typecheck: false });
    const hidden = (r: grade_report) => r.exercises[0]!.checks.find((c) => c.hidden)!;
    // The probes work: A passes the hidden check, B does not, and both break a guard (no points at all).
    expect([hidden(a).status, hidden(b).status]).toEqual(['passed', 'failed']);
    expect([a.score, b.score]).toEqual([0, 0]);
    expect(a.exercises[0]!.checks.some((c) => c.guard && c.status === 'failed')).toBe(true);
    expect(student_view(a)).toBe(student_view(b));
  });
});

describe('round 10, 01: a graded file that imports itself', () => {
  /** The policy's messages for @body as graded file f.ts of an exercise whose graded files are f.ts and g.ts. */
  function policy_of(body: string): string[] {
    const root = make_temp('shrinker-pol10-');
    const dir = join(root, 'exercises', EX01.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'f.ts'), body);
    return check_policy(root, join(dir, 'f.ts'), 'f.ts', { ...EX01, files: ['f.ts', 'g.ts'] }).map((v) => v.message);
  }

  it('the policy refuses it (as a namespace, by name, with .ts or .js), a namespace of a sibling graded file, and any other file of the folder', () => {
    const box = "export const tuning = { calls: 0 };\nexport function f(): number {\n  return 0;\n}\n";
    for (const spec of ['./f', './f.ts', './f.js']) {
      expect(policy_of(`import * as me from '${spec}';\n${box}`).join('\n'), spec).toMatch(/imports itself/);
      expect(policy_of(`import { tuning } from '${spec}';\n${box}`).join('\n'), spec).toMatch(/imports itself/);
    }
    expect(policy_of(`import * as g from './g';\n${box}`).join('\n')).toMatch(/imports all of '\.\/g'/);
    expect(policy_of(`import { helper } from './f.starter';\n${box}`).join('\n')).toMatch(/not a graded file of this exercise/);
    // Another graded file, by name: allowed.
    expect(policy_of(`import { helper } from './g';\n${box}`)).toEqual([]);
  });

  it('the grading realm refuses it too (policy off): the box is never reached, the loop and the grader agree', async () => {
    const base = prepare_base();
    try {
      const sub = new_submission('self-import');
      mkdirSync(join(sub, EX01.id), { recursive: true });
      writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/self-import-box.txt'));
      const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, policy: false, starter_baseline: false });
      const e = r.exercises[0]!;
      expect(e.output).not.toMatch(/STATE:/);
      expect(e.status).toBe('crashed');
      expect(e.message).toMatch(/imports itself \('\.\/i915_gem_shrinker_count(\.js)?'\): a graded file may not/);
      expect(e.score).toBe(0);
    } finally {
      release_base(base);
    }
  });
});

describe('round 10, 04: a class folder with a name that is not UTF-8', () => {
  it('is listed as skipped, shown byte by byte, and the rest of the class is graded with its gradebook', async () => {
    const dir = make_temp('shrinker-class10-');
    mkdirSync(join(dir, 'alice'));
    // "José" in Latin-1: not UTF-8. Node decoded it to "Jos\ufffd", and lstat of that ended the batch.
    mkdirSync(Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x4a, 0x6f, 0x73, 0xe9])]));
    mkdirSync(join(dir, 'zoë'));
    const base = { manifest: read_manifest() } as unknown as grading_base;
    const stand_in: typeof grade_submission = async (b, opts) => failed_report(opts!.submission!.split('/').pop()!, 'stand-in', b.manifest);
    const out = join(dir, '..', `${dir.split('/').pop()}-out`);
    const b = await grade_batch(base, dir, out, {}, stand_in);
    expect(b.reports.map((r) => r.submission)).toEqual(['alice', 'zoë']);
    expect(b.skipped.map((x) => x.name)).toEqual(['Jos\\xe9']);
    expect(b.skipped[0]!.why).toMatch(/not UTF-8/);
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8').split('\n').slice(1, 3).map((l) => l.split(',')[0])).toEqual(['alice', 'zoë']);
    expect(readFileSync(join(out, 'skipped.txt'), 'utf8')).toMatch(/^Jos\\xe9: a name that is not UTF-8/);
  });
});

describe('round 10, 06 and 07: the hidden folder is read strictly', () => {
  /** The test's valid hidden folder for 01, with @more files written into it. */
  function folder(more: Record<string, string>): string {
    const d = hidden_dir();
    for (const [name, text] of Object.entries(more)) writeFileSync(join(d, name), text);
    return d;
  }
  const suite_01 = () => readFileSync(join(hidden_dir(), `${EX01.id}.checks.ts`), 'utf8');

  it('a valid folder gives its suites (dot files of an editor or the OS are ignored)', () => {
    expect(read_hidden(folder({ '.DS_Store': '' }), manifest).map((h) => h.exercise.id)).toEqual([EX01.id]);
  });

  it('07: a misspelt suite, a points file without its suite, anything else and an empty folder are errors naming the file', () => {
    const only_misspelt = make_temp('shrinker-hidden-misspelt-');
    writeFileSync(join(only_misspelt, `${EX01.id}.check.ts`), suite_01());
    writeFileSync(join(only_misspelt, `${EX01.id}.points.json`), '{"points": {"a": 1}}');
    expect(() => read_hidden(only_misspelt, manifest)).toThrow(new RegExp(`${EX01.id}\\.check\\.ts is not a hidden suite or points file.*${EX01.id}\\.points\\.json has no suite`));
    expect(() => read_hidden(folder({ 'notes.md': '' }), manifest)).toThrow(/notes\.md is not a hidden suite or points file/);
    expect(() => read_hidden(folder({ [`${EX01.id}.checks.mts`]: '' }), manifest)).toThrow(/\.checks\.mts is not a hidden suite/);
    expect(() => read_hidden(make_temp('shrinker-hidden-empty-'), manifest)).toThrow(/holds no hidden suite/);
    // The zip is not built from such a folder.
    expect(() => build_gradescope_zip(COURSE_ROOT, join(make_temp('shrinker-zip10-'), 'a.zip'), only_misspelt)).toThrow(/is not a hidden suite or points file/);
  });

  it('06: a second suite of one exercise under a short name is an error, not a suite that overwrites the first', () => {
    const d = folder({ '01.checks.ts': suite_01(), '01.points.json': '{"points": {"b": 2}}' });
    expect(() => read_hidden(d, manifest)).toThrow(/01\.checks\.ts is not a hidden suite or points file: name them <exercise id>\.checks\.ts/);
  });
});

describe('round 10, 05: every hidden suite is run once at setup, not only 01\'s', () => {
  it('check-hidden fails naming a suite that cannot load (05, an import with one ../ too few), and passes a folder whose suites work', async () => {
    const e05 = manifest.exercises.find((e) => e.id.startsWith('05-'))!;
    const broken = hidden_dir();
    writeFileSync(join(broken, `${e05.id}.checks.ts`), `import { define_checks, pass, fail, type exercise_impl } from '../../course/checks';
import { mutex_is_locked } from '../kernel/locking/mutex';
export default define_checks({
  exercise: '${e05.id}',
  exports: {},
  checks: [{ id: 'oom-hidden-one', name: 'a hidden check of 05', async run(impl: exercise_impl) { return typeof impl === 'object' && typeof mutex_is_locked === 'function' ? pass('ok') : fail('no'); } }],
});
`);
    writeFileSync(join(broken, `${e05.id}.points.json`), '{"points": {"oom-hidden-one": 5}}');
    // 01's suite without the check nobody passes: since session 13 check-hidden also runs the reference, which must pass every hidden check.
    const suite01 = join(broken, `${EX01.id}.checks.ts`);
    writeFileSync(suite01, readFileSync(suite01, 'utf8').replace(/\n {4}\{ id: 'impossible'.*\n/, '\n'));
    writeFileSync(join(broken, `${EX01.id}.points.json`), '{"points": {"empty-device-counts-zero": 3}}');
    const errors: string[] = [];
    const logs: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      expect(await check_hidden(COURSE_ROOT, broken)).toBe(1);
      expect(errors.join('\n')).toMatch(new RegExp(`${e05.id}\\.checks\\.ts does not work: on the starter: .*kernel/locking/mutex`));
      expect(logs.join('\n')).toContain(`${EX01.id}.checks.ts loads and reports its 1 checks (3 points) on the starter and the reference`);
      // A points file naming a check the suite does not have.
      const wrong_ids = hidden_dir();
      writeFileSync(join(wrong_ids, `${EX01.id}.points.json`), '{"points": {"empty-device-counts-zero": 3, "impossible": 1, "never-reported": 2}}');
      errors.length = 0;
      expect(await check_hidden(COURSE_ROOT, wrong_ids)).toBe(1);
      expect(errors.join('\n')).toMatch(/did not report never-reported, which its points file names/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('round 10, 03: a course whose starters nobody can tell', () => {
  it('no .git and no recorded starters: grading and the Gradescope zip refuse, saying why, instead of taking the working tree as the starter', async () => {
    // The course as a downloaded zip or git archive gives it, with 01 solved by the instructor.
    const root = make_temp('shrinker-nogit-');
    execSync(`git archive HEAD | tar -x -C '${root}'`, { cwd: COURSE_ROOT });
    symlinkSync(join(COURSE_ROOT, 'node_modules'), join(root, 'node_modules'));
    expect(existsSync(join(root, '.git'))).toBe(false);
    add_files(join(root, 'exercises'), EX01, solution_dir(EX01));
    expect(() => build_gradescope_zip(root, join(make_temp('shrinker-zip10-'), 'a.zip'))).toThrow(new RegExp(`cannot tell the course's starter of exercises/${EX01.id}/${EX01.files[0]!.replace('.', '\\.')}: there is no grader/starters/.*git cannot show it \\(`));
    const sub = new_submission('solved');
    add_files(sub, EX01, solution_dir(EX01));
    const out = make_temp('shrinker-out-');
    const logs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      const r = await run_grade({ root, submission: sub, exercises: ['01'], typecheck: false }, out, true);
      // Not "unchanged: 0 points" for a correct answer: the run says it could not grade, and the instructor why.
      expect(r.exercises.find((e) => e.id === EX01.id)!.status).toBe('crashed');
      expect(r.error).toMatch(/^the grader could not run/);
      expect(logs.join('\n')).toMatch(/cannot tell the course's starter of exercises\//);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('round 10, 12: writes into an exported box through a destructuring pattern or a for-of head', () => {
  const box = 'export const tuning = { calls: 0, last: 0, rest: 0 };\n';
  const violations = (body: string) => module_state_violations(ts.createSourceFile('f.ts', box + body, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)).map((v) => v.why);

  it('every form is a write into the box', () => {
    for (const form of [
      '[tuning.calls] = [tuning.calls + 1];',
      '[, tuning.last] = [0, 1];',
      '[...tuning.rest] = [1, 2];',
      '({ a: tuning.last } = { a: 1 });',
      '({ ...tuning.rest } = { a: 1 });',
      '[[tuning.calls]] = [[1]];',
      '({ a: [tuning.last] } = { a: [1] });',
      '[(tuning.calls as number)] = [1];',
      'for (tuning.last of [1]);',
      "for (tuning['last'] in { x: 1 });",
      '[tuning.calls = 3] = [];',
    ]) {
      expect(violations(`export function f(): void {\n  ${form}\n}\n`).join('\n'), form).toMatch(/writes into `tuning`/);
    }
    // Reads, and patterns that write locals, are not writes into it.
    expect(violations('export function f(): number {\n  const [a] = [tuning.calls];\n  let b = 0;\n  [b] = [tuning.last];\n  for (const x of [tuning.calls]) b += x;\n  return a + b;\n}\n')).toEqual([]);
  });

  it("the red team's file is refused by the grader's policy", () => {
    const root = make_temp('shrinker-pol10b-');
    const dir = join(root, 'exercises', EX01.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, EX01.files[0]!), snippet('attacks/destructuring-write-box.txt'));
    const v = check_policy(root, join(dir, EX01.files[0]!), EX01.files[0]!, EX01).map((x) => `${x.where} ${x.message}`);
    expect(v.filter((m) => /writes into `tuning`/.test(m)).map((m) => m.split(' ')[0])).toEqual([`${EX01.files[0]}:12`, `${EX01.files[0]}:24`]);
  });
});

describe('round 10, after #15b: a field deleted around a call and put back', () => {
  it('the policy refuses the delete operator, whatever the key', () => {
    const root = make_temp('shrinker-pol10d-');
    const dir = join(root, 'exercises', EX01.id);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, EX01.files[0]!);
    const messages = (body: string): string => {
      writeFileSync(file, body);
      return check_policy(root, file, EX01.files[0]!, EX01).map((x) => `${x.where} ${x.message}`).join('\n');
    };
    const hide = "export async function f(w: { pool?: object }, key: 'pool'): Promise<void> {\n  const saved = w[key];\n  delete w[key];\n  await Promise.resolve();\n  w[key] = saved;\n}\n";
    expect(messages(hide)).toMatch(new RegExp(`${EX01.files[0]}:3 the delete operator removes a field`));
    expect(messages("export function f(w: { pool?: object }): void {\n  delete w.pool;\n}\n")).toMatch(/the delete operator/);
    expect(messages("export function f(w: { pool?: object }): object | undefined {\n  return w.pool;\n}\n")).not.toMatch(/delete/);
  });
});

describe('round 10, minor: a failed report lists the exercises graded', () => {
  it('--exercises 01: a submission the grader could not grade is 0/8, not 0 of the whole course', () => {
    const m = read_manifest();
    const r = failed_report('x', 'stand-in', m, undefined, ['01']);
    expect(r.exercises.map((e) => e.id)).toEqual([EX01.id]);
    expect(failed_report('x', 'stand-in', m).exercises).toHaveLength(m.exercises.length);
  });
});

describe('round 10, 13 and 14: accessors put on an object through __defineGetter__', () => {
  it('the policy refuses the names, and the rule on state calls a method of the box handing it on', () => {
    const root = make_temp('shrinker-pol10c-');
    const dir = join(root, 'exercises', EX01.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, EX01.files[0]!), snippet('attacks/define-getter-box.txt'));
    const v = check_policy(root, join(dir, EX01.files[0]!), EX01.files[0]!, EX01).map((x) => x.message).join('\n');
    expect(v).toMatch(/__defineGetter__/);
    expect(v).toMatch(/uses `tuning` itself/);
    const box = 'export const tuning = { calls: 0 };\n';
    const state = (body: string) => module_state_violations(ts.createSourceFile('f.ts', box + body, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)).map((x) => x.why).join('\n');
    expect(state("export function f(): void {\n  (tuning as unknown as { m(): void }).m();\n}\n")).toMatch(/uses `tuning` itself/);
    expect(state("export function f(): boolean {\n  return tuning.hasOwnProperty('calls');\n}\n")).toMatch(/uses `tuning` itself/);
    expect(state('export function f(): number {\n  return tuning.calls + (tuning as { calls: number }).calls;\n}\n')).toBe('');
  });

  it('the grading realm has none of them (policy off): the getter is never installed, the state never kept', async () => {
    const r = new realm({ root: make_temp('shrinker-realm10-'), print: () => {} });
    expect(vm.runInContext("[typeof ({}).__defineGetter__, typeof Object.prototype.__defineSetter__, typeof ({})['__lookup' + 'Getter__'], typeof ({}).__lookupSetter__].join()", r.context)).toBe('undefined,undefined,undefined,undefined');
    const base = prepare_base();
    try {
      const sub = new_submission('define-getter');
      mkdirSync(join(sub, EX01.id), { recursive: true });
      writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/define-getter-box.txt'));
      const g = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, policy: false, starter_baseline: false });
      expect(g.exercises[0]!.output).not.toMatch(/STATE: call #(?!1\b)\d+/);
      expect(g.exercises[0]!.score).toBe(0);
    } finally {
      release_base(base);
    }
  });
});

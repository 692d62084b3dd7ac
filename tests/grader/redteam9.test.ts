// Grader red team, round 9 (/work/coord/s9/grader-redteam9.md; attacks in /work/gr9-attacks/): one test
// per class closed this round, each failing without its fix. (#13, a file the compiler cannot read,
// is tests/grader/reader.test.ts.)
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade_batch } from '../../grader/batch';
import { grade_submission, make_limiter, prepare_base, release_base, type grading_base } from '../../grader/grade';
import { main, usage_error } from '../../grader/main';
import { check_policy } from '../../grader/policy';
import { write_results } from '../../grader/output';
import { make_temp } from '../../grader/tree';
import { add_starter_with, EX01, new_submission } from './fixtures';

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

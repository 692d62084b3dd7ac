// Grader red team, round 8 (/work/coord/s8/grader-redteam8.md; attacks in /work/gr8-attacks/): one test
// per route closed this round, each failing without its fix.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solution_dir } from '../../course/files';
import { realm } from '../../course/realm';
import { workers_started } from '../../course/runner';
import type { diagnostic } from '../../course/typecheck';
import { grade_batch } from '../../grader/batch';
import { failed_report, grade_submission, MAX_FILE_BYTES, prepare_base, release_base, run_typecheck, typecheck_argv, type grading_base } from '../../grader/grade';
import { check_policy, MAX_VIOLATIONS } from '../../grader/policy';
import { cap_message, MAX_MESSAGE_CHARS } from '../../grader/text';
import { make_temp } from '../../grader/tree';
import { add_files, add_starter_with, EX01, manifest, new_submission } from './fixtures';

/** The policy's messages for @body written as a graded file. */
function policy_of(body: string): { where: string; message: string }[] {
  const root = make_temp('shrinker-pol8-');
  const target = join(root, 'exercises/01-x/f.ts');
  mkdirSync(join(root, 'exercises/01-x'), { recursive: true });
  writeFileSync(target, body);
  return check_policy(root, target, 'f.ts');
}

describe('round 8, 01: a child that sleeps without using CPU (Atomics.wait)', () => {
  it('the grading realm has no Atomics, SharedArrayBuffer or WebAssembly (shared memory), so nothing to wait on', () => {
    const r = new realm({ root: make_temp('shrinker-realm8-'), print: () => {} });
    const seen = vm.runInContext('[typeof Atomics, typeof SharedArrayBuffer, typeof WebAssembly, typeof globalThis.Atomics].join()', r.context) as string;
    expect(seen).toBe('undefined,undefined,undefined,undefined');
  });

  it('the policy names them (and WeakRef, FinalizationRegistry), by name and by string key', () => {
    const v = policy_of(
      'export function f(): number {\n  const cell = new Int32Array(new SharedArrayBuffer(4));\n  Atomics.wait(cell, 0, 0, 100);\n' +
        "  const g = globalThis as unknown as Record<string, unknown>;\n  return g['WeakRef'] === g.FinalizationRegistry ? 1 : 0;\n}\n",
    );
    const got = v.filter((x) => /threads and garbage collector|may not use$/.test(x.message) && /'(Atomics|SharedArrayBuffer|WeakRef|FinalizationRegistry)'/.test(x.message)).map((x) => `${x.where} ${/'(\w+)'/.exec(x.message)![1]}`);
    expect(got).toEqual(['f.ts:2 SharedArrayBuffer', 'f.ts:3 Atomics', 'f.ts:5 WeakRef', 'f.ts:5 FinalizationRegistry']);
  });
});

describe('round 8, 02/03: the type-check child is bounded in memory and in what it says', () => {
  let base: grading_base;
  beforeAll(() => {
    base = prepare_base();
  });
  afterAll(() => release_base(base));

  /** Run the type-check child (through the one runner) on @text as a probe file of exercise 01 (heap @heap_mb): its diagnostics, or why it did not finish. */
  function typecheck(name: string, text: string, heap_mb?: number): Promise<diagnostic[] | string> {
    const file = join(base.dir, 'exercises', EX01.id, `${name}.ts`);
    writeFileSync(file, text);
    return run_typecheck(base.dir, [file], { heap_mb });
  }

  it('runs under a heap cap: types that need more memory than the cap end the child, not the machine', async () => {
    // Each alias is a 90,000-member union the compiler builds eagerly (~25 MB each).
    const D = "type D = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';\ntype E = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i';\n";
    const aliases = Array.from({ length: 12 }, (_, i) => `export type U${i} = \`u${i}_\${D}\${D}\${D}\${D}\${E}\`;\n`).join('');
    expect(typecheck_argv(base.dir, ['x.ts'])).toContain('--max-old-space-size=512');
    const started = workers_started('typecheck');
    const r = await typecheck('probe-huge-types', D + aliases, 48);
    // Started by the one runner (its process group, CPU budget, memory caps), with the runner's clear message.
    expect(workers_started('typecheck')).toBe(started + 1);
    expect(r).toBe('the type check did not finish: used more than 48 MiB of heap or 1024 MiB of memory (are there huge types in the file?)');
  });

  it('says at most 20 diagnostics per file, each at most 2,000 characters, and how many more there were', async () => {
    const errors = Array.from({ length: 30 }, (_, i) => `export const v${i}: number = 'x${i}';\n`).join('');
    const long = `export const w = ${'long'.repeat(1000)};\n`;
    const ds = await typecheck('probe-many-errors', long + errors);
    if (typeof ds === 'string') throw new Error(ds);
    expect(ds).toHaveLength(21);
    expect(ds.every((d) => d.message.length <= 2010)).toBe(true);
    expect(ds.some((d) => d.message.endsWith('… (cut)'))).toBe(true);
    expect(ds[20]).toMatchObject({ code: 'SL-MORE', message: 'and 11 more errors in this file' });
  });
});

describe('round 8, 02: no message of megabytes reaches the reports', () => {
  it('the policy reports at most MAX_VIOLATIONS per file, and how many more', () => {
    const v = policy_of(`export function P(): number {\n  return 0;\n}\n${'P.a = 1;\n'.repeat(3000)}`);
    expect(v).toHaveLength(MAX_VIOLATIONS + 1);
    expect(v[MAX_VIOLATIONS]!.message).toMatch(/^and \d+ more violations in this file$/);
    expect(Number(/\d+/.exec(v[MAX_VIOLATIONS]!.message)![0])).toBeGreaterThan(2900);
  });

  it('a report message is cut at MAX_MESSAGE_CHARS, saying how much was cut', () => {
    expect(cap_message('short')).toBe('short');
    const cut = cap_message('x'.repeat(MAX_MESSAGE_CHARS + 5000));
    expect(cut.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
    expect(cut.endsWith('(5000 more characters cut)')).toBe(true);
  });
});

describe('round 8, 06: the parent never transpiles a file big enough to be slow', () => {
  it('refuses, unread, a graded file of expando assignments over 64 KiB (the binder is quadratic in them)', async () => {
    expect(MAX_FILE_BYTES).toBeLessThanOrEqual(64 * 1024);
    const base = prepare_base();
    try {
      const sub = new_submission('expando');
      add_starter_with(sub, EX01, `\n${'i915_gem_shrinker_count.a = i915_gem_shrinker_count.a = 1;\n'.repeat(Math.ceil((64 * 1024) / 56))}`);
      const r = await grade_submission(base, { submission: sub, exercises: ['01'], starter_baseline: false });
      expect(r.exercises[0]!.status).toBe('missing');
      expect(r.exercises[0]!.message).toMatch(/a graded file may be at most 64 KiB/);
    } finally {
      release_base(base);
    }
  });
});

describe('round 8, 05: a failed guard costs the exercise its points', () => {
  it("04's decoy lie-success-when-free, rejected only by a check the starter passes, scores 0, not full marks", async () => {
    const EX04 = manifest.exercises.find((e) => e.id.startsWith('04-'))!;
    const base = prepare_base();
    try {
      const sub = new_submission('lie-success');
      add_files(sub, EX04, join(solution_dir(EX04), 'decoys', 'lie-success-when-free'));
      const r = await grade_submission(base, { submission: sub, exercises: ['04'] });
      const e = r.exercises[0]!;
      const guards = e.checks.filter((c) => c.guard);
      expect(guards.some((c) => c.status === 'failed')).toBe(true);
      // Without the rule it passed every check that pays: full marks.
      expect(e.checks.filter((c) => !c.guard).every((c) => c.status === 'passed')).toBe(true);
      expect(e.max_score).toBeGreaterThan(0);
      expect(e.score).toBe(0);
      expect(e.message).toMatch(/^no points: it fails [a-z-]+(, [a-z-]+)*, which the starter passes \(the answer breaks what worked\)$/);
    } finally {
      release_base(base);
    }
  });
});

describe('round 8, 02: one submission whose results cannot be written costs the class nothing', () => {
  it('the batch still writes every other submission and the gradebook, with a row for it', async () => {
    const dir = make_temp('shrinker-class-unwritable-');
    for (const n of ['alice', 'mallory']) mkdirSync(join(dir, n));
    const stub = { manifest } as unknown as grading_base;
    const stand_in: typeof grade_submission = async (b, opts) => {
      const name = opts!.submission!.split('/').pop()!;
      const r = failed_report(name, 'stand-in', b.manifest);
      // A report no JSON can hold (as one of 21 MB per check could not be made into a string).
      return name === 'mallory' ? { ...r, execution_time: 1n as unknown as number } : r;
    };
    const out = join(dir, '..', `${basename(dir)}-out`);
    const b = await grade_batch(stub, dir, out, { jobs: 1 }, stand_in);
    expect(b.reports.map((r) => r.submission)).toEqual(['alice', 'mallory']);
    const book = readFileSync(join(out, 'gradebook.csv'), 'utf8');
    expect(book).toMatch(/^alice,/m);
    expect(book).toMatch(/^mallory,/m);
    expect(b.reports[1]!.error).toMatch(/could not write this submission's results/);
  });
});

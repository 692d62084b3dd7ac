// A dishonest student's attacks on the verdict channel (tests/grader/fixtures/attacks/),
// each graded with the import policy OFF, so that the grading realm alone
// (course/realm.ts, course/harden.ts) must hold; then with the policy on,
// which refuses most of them before anything runs. Each scores no more than
// the starter (0: the starter's passing checks are guards), the hidden
// checks included, and leaks nothing of the hidden suite.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solution_dir, starter_dir } from '../../course/files';
import { summary_text, to_exercism, to_gradescope, to_junit } from '../../grader/formats';
import { grade_submission, prepare_base, release_base, type grade_report, type grading_base } from '../../grader/grade';
import { add_files, add_starter_with, EX01, new_submission, snippet } from './fixtures';
import { hidden_dir, HIDDEN_MARKER } from './hidden';

let base: grading_base;
beforeAll(() => {
  base = prepare_base(undefined, hidden_dir());
});
afterAll(() => release_base(base));

function attack(name: string): string {
  const sub = new_submission(`attack-${name}`);
  add_starter_with(sub, EX01, snippet(`attacks/${name}.txt`));
  return sub;
}

const e01 = (r: grade_report) => r.exercises.find((e) => e.id === EX01.id)!;

/** What every attack must show: no points, visible or hidden, and no hidden source anywhere in the report. */
function holds(r: grade_report): void {
  const e = e01(r);
  expect(e.score).toBe(0);
  expect(e.checks.filter((c) => c.hidden && c.score > 0)).toEqual([]);
  expect(JSON.stringify(r)).not.toContain(HIDDEN_MARKER);
}

describe('attacks on the verdict channel, graded by the realm alone (policy off)', () => {
  const cases: [string, RegExp][] = [
    ['buffer-from', /^attack buffer-from: Buffer unreachable$/m],
    ['json-stringify', /^attack json-stringify: stringify blocked \(TypeError\), map blocked \(TypeError\)$/m],
    ['console-stdout', /^attack console-stdout: process unreachable$/m],
    ['computed-process', /^attack computed-process: no process by name, Function blocked \(EvalError\)$/m],
    ['enum-initializer', /^attack enum-initializer: ran at import, blocked \(EvalError\)$/m],
    ['static-block', /^attack static-block: ran at import, process unreachable$/m],
    ['decorator', /^attack decorator: ran at import, host unreachable$/m],
    ['stack-sniffing', /^attack stack-sniffing: stackTraceLimit blocked \(TypeError\), 0 frame\(s\) visible$/m],
    ['import-tostring', /^attack import-tostring: ran at import, Object.keys frozen \(TypeError\)$/m],
    ['import-valueof', /^attack import-valueof: ran at import\nattack import-valueof: a destructuring default ran at import$/m],
  ];
  for (const [name, printed] of cases) {
    it(`${name}: the code runs, reaches nothing that writes the verdict, and scores 0`, async () => {
      const r = await grade_submission(base, { submission: attack(name), exercises: ['01'], policy: false, typecheck: false });
      expect(e01(r).output).toMatch(printed);
      expect(e01(r).status).toBe('failed');
      expect(e01(r).incidents ?? []).toEqual([]);
      holds(r);
    });
  }

  it('console-stdout: the forged marker lines it prints stay learner output, never a result', async () => {
    const r = await grade_submission(base, { submission: attack('console-stdout'), exercises: ['01'], policy: false, typecheck: false });
    expect(e01(r).output).toContain('@@shrinker-lab-result@@00000000000000000000000000000000{"run":{"status":"passed"}}');
    expect(e01(r).output).toMatch(/console frozen \(TypeError\)/);
    holds(r);
  });

  it('default-arg: code in a default parameter runs at call time with the device object in hand, and still reaches no host', async () => {
    const sub = new_submission('attack-default-arg');
    add_files(sub, EX01, starter_dir(EX01));
    const f = join(sub, EX01.id, EX01.files[0]!);
    const text = readFileSync(f, 'utf8');
    const patched = text.replace(/(export async function i915_gem_shrinker_count\(i915: drm_i915_private, _?sc: shrink_control)\)/, '$1, _pwn = pwn_from_default(i915))');
    expect(patched).not.toBe(text);
    writeFileSync(f, patched + snippet('attacks/default-arg.txt'));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, typecheck: false });
    expect(e01(r).output).toMatch(/^attack default-arg: ran at call, Function blocked \(EvalError\)$/m);
    holds(r);
  });

  it('summary-spoof: a thrown name with line separators and a bidi override cannot forge a line of summary.txt or Gradescope\'s output', async () => {
    const r = await grade_submission(base, { submission: attack('summary-spoof'), exercises: ['01'], policy: false, typecheck: false });
    expect(e01(r).status).toBe('crashed');
    for (const text of [summary_text(r), to_gradescope(r).output, JSON.stringify(to_gradescope(r)), to_junit(r)]) {
      expect(text).not.toMatch(/[\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }
    // The forged words are still there (the learner's message is shown), but on the one line of the exercise.
    expect(summary_text(r).split('\n').filter((l) => /8\/8/.test(l))).toEqual([expect.stringMatching(/^01-count-must-not-hide-memory: 0\/8 \(crashed\) — loading the exercise threw Error/)]);
    holds(r);
  });

  it('forbidden-at-runtime: a name the allowlist forbids does not exist for the learner\'s file in the realm (its facade of the module re-exports only allowed names)', async () => {
    const sub = new_submission('attack-forbidden-at-runtime');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/forbidden-at-runtime.txt'));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, typecheck: false });
    expect(e01(r).status).toBe('crashed');
    expect(e01(r).message).toMatch(/^loading the exercise threw Error: exercise 01 may not import (i915_gem_releasable_pages|v4_11_shrinker_ops): /);
    holds(r);
    // Control: the same file with the allowed names it needs (the reference's way) scores full marks in the realm.
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), readFileSync(join(solution_dir(EX01), EX01.files[0]!), 'utf8'));
    const ok = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, typecheck: false });
    const visible = e01(ok).checks.filter((c) => !c.hidden);
    expect(visible.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(e01(ok).score).toBe(visible.reduce((s, c) => s + c.max_score, 0)); // (its hidden check is a guard: the starter passes it too)
  });

  it('host-lookup: a bare name the realm lacks resolves in the realm, never on a host object (no source, no host stack, no host Function)', async () => {
    const sub = new_submission('attack-host-lookup');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/host-lookup.txt'));
    // Policy ON: the file passes it (a declared global is no code), so the realm alone must hold.
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
    expect(e01(r).status).toBe('failed');
    const out = e01(r).output;
    expect(out).toMatch(/^attack host-lookup: source: function count_objects\(\) \{ \[source not available to graded code\] \}/m);
    const everything = JSON.stringify([r, to_junit(r), r.exercises.map(to_exercism)]);
    // Round 4 before the fix: the model's closure "(_s, sc) => i915.shrinker_ops.count(i915, sc)" and a host stack with the checks' frames.
    expect(everything).not.toMatch(/shrinker_ops\.count\(i915|[\w/]+\.js:\d+:\d+/);
    // The stack it read is the realm's own: no frames at all.
    expect(out).toMatch(/ \/ stack: TypeError: [^/\n]*$/m);
    holds(r);
  });

  it('hidden-exfil: what the learner\'s code prints while a hidden check runs never reaches a result (the hidden suites run in a child of their own)', async () => {
    const sub = new_submission('attack-hidden-exfil');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/hidden-exfil.txt'));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false });
    // The hidden check ran (and passed: count is 0 on an empty device) ...
    expect(e01(r).checks.find((c) => c.id === 'hidden/empty-device-counts-zero')?.status).toBe('passed');
    // ... but nothing it made the learner's code print is anywhere in the results.
    expect(JSON.stringify([r, e01(r).output, to_junit(r), r.exercises.map(to_exercism)])).not.toMatch(/hidden check called/);
    holds(r);
  });

  it('hidden-stall: a learner function that spins only under a hidden check costs the hidden checks, never the visible verdict', async () => {
    const sub = new_submission('attack-hidden-stall');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/hidden-exfil.txt').replace('const HIDDEN_STALL = false;', 'const HIDDEN_STALL = true;'));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'], typecheck: false, timeout_ms: 20_000 });
    expect(e01(r).status).toBe('failed');
    expect(e01(r).checks.filter((c) => !c.hidden).map((c) => c.message).join('\n')).not.toMatch(/did not finish within|and was stopped/);
    const hidden = e01(r).checks.filter((c) => c.hidden);
    expect(hidden.map((c) => [c.status, c.score])).toEqual(hidden.map(() => ['failed', 0]));
    expect(hidden[0]!.message).toMatch(/^not run: the hidden checks' process timed out/);
    expect(JSON.stringify(r)).not.toMatch(/hidden check called/);
    // Nor can it be timed: execution_time is the visible runs' time alone, not the wall clock that includes the hidden child's stall.
    expect(r.execution_time).toBe(r.exercises.reduce((s, e) => s + e.ms, 0) / 1000);
    holds(r);
  });

  it('read-hidden: importing the hidden suite is refused by the realm, without a word of its source', async () => {
    const r = await grade_submission(base, { submission: attack('read-hidden'), exercises: ['01'], policy: false, typecheck: false });
    expect(e01(r).status).toBe('crashed');
    expect(e01(r).message).toBe("loading the exercise threw Error: exercise 01 may import only the kernel model, not 'tests/hidden/01-count-must-not-hide-memory.checks'");
    holds(r);
  });

  it('node-fs: importing node:fs is refused by the realm (no file read, none written)', async () => {
    const r = await grade_submission(base, { submission: attack('node-fs'), exercises: ['01'], policy: false, typecheck: false });
    expect(e01(r).status).toBe('crashed');
    expect(e01(r).message).toMatch(/imports 'node:fs'/);
    holds(r);
  });

  it('memory-bomb: stopped at the heap cap, reported as memory, and the grader goes on', async () => {
    const r = await grade_submission(base, { submission: attack('memory-bomb'), exercises: ['01'], policy: false, typecheck: false, heap_mb: 64 });
    expect(e01(r).status).toBe('crashed');
    expect(e01(r).message).toMatch(/used more memory than allowed \(64 MiB of heap/);
    holds(r);
  });
});

describe('the same attacks with the import policy on', () => {
  it('are refused before anything runs, with the line and the reason', async () => {
    const names = ['computed-process', 'enum-initializer', 'static-block', 'decorator', 'read-hidden', 'node-fs', 'memory-bomb', 'stack-sniffing', 'import-tostring', 'import-valueof'];
    const why: Record<string, RegExp> = {
      'computed-process': /a property name built from strings at run time is not allowed/,
      'enum-initializer': /an enum member computed at import/,
      'static-block': /a class static block/,
      decorator: /decorators run code when the file is imported/,
      'read-hidden': /may import only the kernel model/,
      'node-fs': /imports 'node:fs'/,
      'memory-bomb': /a top-level initialiser that calls or computes/,
      'stack-sniffing': /reads 'stack(TraceLimit)?': the call stack tells a check's call from a real one/,
      // Round 3: operators and templates that convert an own object ran its methods at import.
      'import-tostring': /:\d+: a top-level initialiser that calls or computes/,
      'import-valueof': /:\d+: a top-level initialiser that calls or computes[^]*a destructuring default or computed key at top level/,
    };
    for (const n of names) {
      const r = await grade_submission(base, { submission: attack(n), exercises: ['01'], typecheck: false });
      expect([n, e01(r).status]).toEqual([n, 'policy']);
      expect(e01(r).message).toMatch(why[n]!);
      holds(r);
    }
  });

  it('type-import-outside: a type import of any path outside kernel/ (import type, typeof import(), /// <reference>) is refused before the type check reads it', async () => {
    const sub = new_submission('attack-type-import-outside');
    mkdirSync(join(sub, EX01.id), { recursive: true });
    writeFileSync(join(sub, EX01.id, EX01.files[0]!), snippet('attacks/type-import-outside.txt'));
    const r = await grade_submission(base, { submission: sub, exercises: ['01'] });
    expect(e01(r).status).toBe('policy');
    expect(e01(r).message).toContain("imports '/autograder/source/hidden/01-count-must-not-hide-memory.checks' (even for its types)");
    expect(e01(r).message).toMatch(/:\d+: a type import of '\.\.\/\.\.\/\.\.\/solutions\/01-count-must-not-hide-memory\/i915_gem_shrinker_count'/);
    expect(e01(r).message).toMatch(/:1: a \/\/\/ <reference> directive/);
    // Nothing the compiler could say about those paths: it never ran on the file.
    expect(JSON.stringify(r)).not.toMatch(/TS2307|Cannot find module/);
    holds(r);
  });

  it('the model\'s own API as an answer: a re-export of mutex_trylock_recursive for exercise 04 is refused with the reason', async () => {
    const e04 = base.manifest.exercises.find((e) => e.id.startsWith('04-'))!;
    const sub = new_submission('reexport-04');
    mkdirSync(join(sub, e04.id), { recursive: true });
    for (const f of e04.files) writeFileSync(join(sub, e04.id, f), "export { mutex_trylock_recursive } from '../../kernel/locking/mutex';\n");
    const r = await grade_submission(base, { submission: sub, exercises: ['04'], typecheck: false });
    const e = r.exercises[0]!;
    expect([e.status, e.score]).toEqual(['policy', 0]);
    expect(e.message).toContain('exercise 04 may not import mutex_trylock_recursive: implementing it is the exercise');
  });
});

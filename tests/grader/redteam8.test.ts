// Grader red team, round 8 (/work/coord/s8/grader-redteam8.md; attacks in /work/gr8-attacks/): one test
// per route closed this round, each failing without its fix.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { realm } from '../../course/realm';
import { check_policy } from '../../grader/policy';
import { make_temp } from '../../grader/tree';

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

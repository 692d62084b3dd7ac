// State that outlives a call, kept where neither the file's top level nor
// the kernel's objects are (red team 5, class 5): a property of the file's
// own function object reached through an alias, `this` of a free function
// or of a static method, `new.target`. The course's decoy
// flush-every-64th-unlock-of-the-device with its per-device count in a Map
// hung on a helper function (`const self = count_unlock; self.m = ...`)
// scored 10/10 on exercise 08 (/work/gr5-attacks/02-08-state-on-function-alias).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { run_checks, pass, type check_suite, type exercise_impl } from '../../course/checks';
import { COURSE_ROOT } from '../../course/files';
import { refuse_kernel_object_state } from '../../course/kernel_object_state';
import { module_state_violations } from '../../course/module_state';
import { find_exercise } from '../../course/manifest';
import { grade_submission, prepare_base, release_base } from '../../grader/grade';
import { seal_epilogue } from '../../grader/transpile';
import { manifest, new_submission } from './fixtures';
import { mkdirSync, writeFileSync } from 'node:fs';

const violations = (text: string): string[] => module_state_violations(ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)).map((v) => v.why);

describe('the state rule (the learner\'s loop and the grader\'s policy)', () => {
  it('refuses a function of the file used as a value: an alias, .call, an object holding it, an export of an alias', () => {
    const cases = [
      'function f(): number { const self = f as unknown as { n?: number }; self.n = (self.n ?? 0) + 1; return self.n; }',
      'function g(): void {}\nexport function f(): void { const h: { n?: number } = g; h.n = 1; }',
      'function g(this: unknown): void {}\nexport function f(): void { g.call({}); }',
      'function g(): void {}\nexport function f(): unknown { return { g }; }',
      'const g = (): void => {};\nexport function f(): void { stash(g); }\nfunction stash(x: unknown): void { void x; }',
    ];
    for (const c of cases) expect(violations(c).join('\n'), c).toMatch(/uses the function `\w+` as a value/);
  });

  it('refuses `this` outside a class, in a static method, and new.target; an instance method\'s `this` is fine', () => {
    expect(violations('export function f(this: { n?: number }): void { this.n = 1; }').join('\n')).toMatch(/uses `this` outside a class/);
    expect(violations('export function make(): unknown {\n  return { m(): unknown { return this; } };\n}').join('\n')).toMatch(/uses `this` outside a class/);
    expect(violations('export class C { static hit(): void { (this as unknown as { n: number }).n++; } }').join('\n')).toMatch(/in a static method/);
    expect(violations('export function f(): unknown { return new.target; }').join('\n')).toMatch(/new\.target/);
    expect(violations('export class C { n = 0; hit(): number { return ++this.n; } }\nexport function f(): number { return new C().hit(); }')).toEqual([]);
  });

  it('still allows calling, recursing, `new`, `extends`, `instanceof`, `typeof` in a type and exporting', () => {
    const ok = `class A {}
class B extends A {}
function helper(n: number): number { return n <= 0 ? 0 : helper(n - 1); }
type T = typeof helper;
export function f(x: unknown): number { const t: T = (n) => n; return x instanceof B ? t(1) : helper(2) + (new B() instanceof A ? 1 : 0); }
export { helper };
`;
    expect(violations(ok)).toEqual([]);
  });

  it('refuses red team 5\'s attack 02 (the decoy with its count on a helper function), which scored 10/10 on exercise 08', () => {
    const attack = readFileSync(join(COURSE_ROOT, 'tests/grader/fixtures/attacks/state-on-function-alias.txt'), 'utf8');
    expect(violations(attack).join('\n')).toMatch(/uses the function `count_unlock` as a value/);
  });

  it('refuses state on an enum or a namespace of the file (red team 6\'s attack 02: the same decoy, its count on an enum), and still allows reading an enum\'s members', () => {
    const attack = readFileSync(join(COURSE_ROOT, 'tests/grader/fixtures/attacks/state-on-an-enum.txt'), 'utf8');
    expect(violations(attack).join('\n')).toMatch(/uses the enum or namespace `Unlocks` as a value/);
    expect(violations('enum E { A = 1 }\nexport function g(): number { (E as unknown as { n: number }).n++; return 0; }').join('\n')).toMatch(/writes into `E`/);
    expect(violations('enum E { A = 1 }\nexport function g(): number { E["n" as "A"] = 2; return 0; }').join('\n')).toMatch(/writes into `E`/);
    expect(violations('enum Kind { A = 1, B = 2 }\nexport function g(k: Kind): number { return k === Kind.A ? Kind[Kind.B].length : 0; }')).toEqual([]);
  });
});

describe('the run-time rule (course/kernel_object_state.ts)', () => {
  it('watches `this`, the object the kernel called the function through: a field the learner adds there fails the check', async () => {
    // As the model calls i915.shrinker_ops.unlock(i915, unlock): a method call on an ops table of the check's.
    const suite: check_suite = refuse_kernel_object_state({
      exercise: '00-test',
      exports: { op: 'function op(x: number): number' },
      checks: [{ id: 'calls-through-a-table', name: 'calls through a table', run: async (impl: exercise_impl) => {
        const ops = { op: impl.op as (x: number) => number };
        ops.op(1);
        ops.op(2);
        return pass();
      } }],
    });
    const learner: exercise_impl = {
      op: function op(this: { calls?: number }, x: number): number {
        this.calls = (this.calls ?? 0) + 1;
        return x;
      },
    };
    const [r] = await run_checks(suite, learner);
    expect(r!.status).toBe('failed');
    expect(r!.message).toContain('op() added `this.calls`');
  });
});

describe('the run-time rule compares how each field is held, not only its name (grader red team 10 #14, #15b)', () => {
  // A work item the kernel hands the learner, as i915.mm.free_work: the pool field is last but one.
  const suite_for = (tamper: (w: Record<string, unknown>) => void): check_suite => refuse_kernel_object_state({
    exercise: '00-test',
    exports: { unlock: 'function unlock(work: object): number' },
    checks: [{ id: 'flushes-nothing', name: 'flushes nothing', run: async (impl: exercise_impl) => {
      const work: Record<string, unknown> = { func: 'i915_gem_free_work', pending: false, pool_of_work: { id: 1 }, entry: null };
      (impl.unlock as (w: object) => number)(work);
      return pass();
    } }],
  });
  const run_with = async (tamper: (w: Record<string, unknown>) => void) => {
    const [r] = await run_checks(suite_for(tamper), { unlock: (w: Record<string, unknown>) => (tamper(w), 0) });
    return r!;
  };
  const k = ['pool', 'of', 'work'].join('_');

  it('fails a call that deletes a field of a kernel object and puts it back (around a flush_work(), the pool looks idle)', async () => {
    const r = await run_with((w) => {
      const saved = w[k];
      Reflect.deleteProperty(w, k);
      w[k] = saved;
    });
    expect(r.status).toBe('failed');
    expect(r.message).toContain('unlock() deleted and re-added `work.pool_of_work`');
    expect(r.message).toMatch(/keep the fields their headers declare/);
  });

  it('fails a call that deletes a field, and one that puts an accessor over it', async () => {
    const deleted = await run_with((w) => void Reflect.deleteProperty(w, k));
    expect(deleted.status).toBe('failed');
    expect(deleted.message).toContain('unlock() deleted `work.pool_of_work`');
    const real = { id: 1 };
    const accessor = await run_with((w) => void Object.defineProperty(w, k, { get: () => real, set: () => undefined, enumerable: true, configurable: true }));
    expect(accessor.status).toBe('failed');
    expect(accessor.message).toContain('unlock() turned `work.pool_of_work` into an accessor');
    const frozen = await run_with((w) => void Object.defineProperty(w, 'pending', { writable: false }));
    expect(frozen.status).toBe('failed');
    expect(frozen.message).toContain('unlock() redefined `work.pending`');
  });

  it('passes a call that writes a field\'s value (the kernel\'s code does), and says an added field as before', async () => {
    expect((await run_with((w) => void (w.pending = true))).status).toBe('passed');
    const added = await run_with((w) => void (w.calls = 1));
    expect(added.status).toBe('failed');
    expect(added.message).toMatch(/^unlock\(\) added `work\.calls`: a field the kernel's structure does not have/);
  });
});

describe('the second layer: the grading realm seals a graded file\'s functions (course/realm.ts SEAL_HOOK)', () => {
  it('the epilogue names what the file makes at top level (functions, classes, enums), never an import, an alias of one or an object a check may set', () => {
    const source = `import { mutex_unlock, SOME_TABLE } from '../../kernel/locking/mutex';
function count_unlock(i915: unknown): number { return 1; }
export async function i915_gem_shrinker_unlock(i915: unknown, unlock: boolean): Promise<void> { count_unlock(i915); }
class Helper {}
enum Kind { A = 1 }
declare function ambient(): void;
const arrow = () => 0, table = { a: 1 }, alias = SOME_TABLE, n = 3;
`;
    const names = ['count_unlock', 'i915_gem_shrinker_unlock', 'Helper', 'Kind', 'arrow'];
    expect(seal_epilogue(source)).toBe(`\n;import.meta.graded_file_seal?.(${names.map((x) => `typeof ${x} === 'undefined' ? void 0 : ${x}`).join(', ')});\n`);
  });

  it('red team 5\'s attack 02 (state on a helper function) and red team 6\'s (on an enum) score nothing with the import policy OFF: the write throws', async () => {
    const e = find_exercise(manifest, '08');
    const base = prepare_base();
    try {
      for (const fixture of ['state-on-function-alias', 'state-on-an-enum']) {
        const sub = new_submission(fixture);
        mkdirSync(join(sub, e.id), { recursive: true });
        writeFileSync(join(sub, e.id, e.files[0]!), readFileSync(join(COURSE_ROOT, `tests/grader/fixtures/attacks/${fixture}.txt`), 'utf8'));
        const r = await grade_submission(base, { submission: sub, exercises: ['08'], policy: false, typecheck: false, starter_baseline: false });
        const x = r.exercises[0]!;
        expect(x.score, fixture).toBe(0);
        expect(x.checks.filter((c) => c.status === 'passed').map((c) => c.id), fixture).toEqual([]);
        expect(x.checks.some((c) => /Cannot add property m, object is not extensible/.test(c.message)), fixture).toBe(true);
      }
    } finally {
      release_base(base);
    }
  }, 900_000);

  it('a graded file sees the global\'s bindings frozen: state kept on globalThis does not survive a call (policy OFF; the policy denies the name)', async () => {
    const e = find_exercise(manifest, '01');
    // The reference count, wrapped by a count that would fail every check if a property of the global object outlived a call.
    const reference = readFileSync(join(COURSE_ROOT, 'solutions', e.id, e.files[0]!), 'utf8').replace('export async function i915_gem_shrinker_count(', 'async function reference_count(');
    const stateful = `${reference}
export async function i915_gem_shrinker_count(i915: drm_i915_private, sc: shrink_control): Promise<number> {
  const g = globalThis as { counted?: boolean };
  if (g.counted) throw new Error('state kept on the global object survived a call');
  try {
    g.counted = true;
  } catch {
    // the grading realm refuses it: what a graded file sees as globalThis is frozen
  }
  return reference_count(i915, sc);
}
`;
    const sub = new_submission('state-on-globalThis');
    mkdirSync(join(sub, e.id), { recursive: true });
    writeFileSync(join(sub, e.id, e.files[0]!), stateful);
    const base = prepare_base();
    try {
      const r = await grade_submission(base, { submission: sub, exercises: ['01'], policy: false, typecheck: false, starter_baseline: false });
      const x = r.exercises[0]!;
      expect(x.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message.slice(0, 200)}`)).toEqual([]);
      expect(x.score).toBe(x.max_score);
    } finally {
      release_base(base);
    }
  }, 900_000);
});
